"""Cleaning text that arrives from any door: NFC, trimmed, no control characters."""

from __future__ import annotations

import unicodedata

_ALLOWED_IN_MULTILINE = frozenset("\n\t")


def normalize(value: str) -> str:
    """NFC with Windows and old Mac line endings turned into newlines, trimmed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", value).strip()


def has_control_characters(value: str, *, multiline: bool) -> bool:
    allowed = _ALLOWED_IN_MULTILINE if multiline else frozenset()
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in value)
