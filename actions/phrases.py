"""Short labels (``utter_label_*``) read from the domain: no citizen-facing word lives in code."""

from __future__ import annotations

from typing import Any


class Labels:
    def __init__(self, domain: dict[str, Any]) -> None:
        self._responses: dict[str, Any] = domain.get("responses", {})

    def __getitem__(self, key: str) -> str:
        variants = self._responses.get(f"utter_label_{key}") or [{"text": key}]
        return str(variants[0].get("text", key))

    def get(self, key: str) -> str | None:
        """The label, or None when the domain has none (never the key itself)."""
        variants = self._responses.get(f"utter_label_{key}")
        return str(variants[0]["text"]) if variants and variants[0].get("text") else None
