"""Validators the API schemas share: what a citizen typed becomes a clean value or a clear 422."""

from __future__ import annotations

from pydantic_core import PydanticCustomError

from vnid import InvalidIdentifierError, parse_phone


def optional_phone(value: str | None) -> str | None:
    """A Vietnamese mobile number, normalised; blank is None; anything else a Vietnamese error."""
    if value is None or not value.strip():
        return None
    try:
        return parse_phone(value)
    except InvalidIdentifierError as exc:
        raise PydanticCustomError("invalid_phone", str(exc)) from exc
