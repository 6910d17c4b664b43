"""What the console refuses to store: empty names, blank aliases, negative fees or times.

The messages are shown to staff as they are, so they are Vietnamese and say what to fix.
"""

from __future__ import annotations

from wtforms import (
    Field,
    FloatField,
    Form,
    IntegerField,
    ValidationError,
)


class EditRefused(ValueError):
    """A change the catalogue must not take; ``str(exc)`` tells staff why, in Vietnamese."""


def clean_text(value: str | None, what: str) -> str:
    """``value`` with its whitespace tidied; refuses an empty one (``what`` names the field)."""
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise EditRefused(f"{what} không được để trống.")
    return cleaned


def optional_text(value: str | None) -> str | None:
    """Tidied text, or None for an empty field (the model stores "nothing" as NULL)."""
    cleaned = " ".join((value or "").split())
    return cleaned or None


def not_blank(form: Form, field: Field) -> None:
    """wtforms validator: a field of spaces is as empty as no field (``DataRequired`` alone
    would pass it as soon as the column is nullable)."""
    del form
    if not isinstance(field.data, str) or not field.data.strip():
        raise ValidationError("Không được để trống.")


def not_negative(form: Form, field: Field) -> None:
    """wtforms validator for amounts and durations: none, or a number of at least 0."""
    del form
    if field.data is not None and field.data < 0:
        raise ValidationError("Phải là một số không âm.")


class WholeNumberField(IntegerField):  # type: ignore[misc]
    """An integer field whose complaint staff can read (wtforms' own is English)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(
                "Phải là một số nguyên, ví dụ 50000 (không ghi chữ, dấu chấm)."
            ) from exc


class NumberField(FloatField):  # type: ignore[misc]
    """A number field (a duration may be 0.5 day) whose complaint staff can read."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].replace(",", ".")]  # "0,5" as Vietnamese write it
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Phải là một số, ví dụ 5 hoặc 0,5.") from exc
