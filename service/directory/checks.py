"""The rules a directory value obeys, one function each, whichever door it comes through: the
data files (`intake directory load`, `intake rules load`) and the secretariat's edits. Each
door words the fault in its own language and names its own field (and line)."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence

from service.text import has_control_characters

MAX_AGENCY_NAME_LENGTH = 200  # an agency's or a category's name
MAX_PLACE_NAME_LENGTH = 100  # a province's name or alias, a place's name
MAX_KEYWORD_LENGTH = 100  # the shipped files' longest keyword has 42 characters
MAX_KEYWORDS = 200  # per language, of an agency or a rule; the shipped files' most is 51


class Fault(enum.StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    TOO_MANY = "too_many"


def text_fault(value: str, limit: int) -> Fault | None:
    """A name on one line: not empty, at most `limit` characters, no control character."""
    if not value:
        return Fault.REQUIRED
    if len(value) > limit:
        return Fault.TOO_LONG
    if has_control_characters(value, multiline=False):
        return Fault.CONTROL_CHARACTERS
    return None


def keywords_fault(keywords: Sequence[str]) -> tuple[int, Fault] | None:
    """A list of keywords (blanks and repeats already dropped): at most MAX_KEYWORDS, each a
    text of at most MAX_KEYWORD_LENGTH characters; the fault with the 1-based number of the
    first keyword at fault (0 for too many)."""
    if len(keywords) > MAX_KEYWORDS:
        return 0, Fault.TOO_MANY
    for number, keyword in enumerate(keywords, start=1):
        fault = text_fault(keyword, MAX_KEYWORD_LENGTH)
        if fault is not None:
            return number, fault
    return None


def defaults_left_out(
    agency: str, categories: Collection[str], defaults: Mapping[str, str | None]
) -> list[str]:
    """The categories (of `defaults`: category code -> its default agency's code) whose default
    agency is `agency` and which `categories`, the agency's competences, leave out: a category
    sends its submissions to an agency competent for it."""
    return sorted(
        category
        for category, default in defaults.items()
        if default == agency and category not in categories
    )


def acknowledge_exceeds_respond(acknowledge_days: int | None, respond_days: int | None) -> bool:
    """Whether an agency's figures would have a submission answered before it is due to be
    acknowledged: more business days to acknowledge than to respond (both given)."""
    if acknowledge_days is None or respond_days is None:
        return False
    return acknowledge_days > respond_days
