"""Translations from the gettext catalogs in service/locales, read straight from the .po files."""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from service.calendar import ZONE

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT_LANGUAGE: Language = "vi"
LANGUAGE_COOKIE = "intake_lang"
LANGUAGE_PARAMETER = "lang"  # a link's language: web/language_links.py remembers it
LOCALES_DIR = Path(__file__).parent / "locales"
_ZONE = ZONE  # the pages show times in the calendar's zone


def in_language(url: str, language: Language) -> str:
    """`url` with the parameter that opens its page in `language` (links in email)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{LANGUAGE_PARAMETER}={language}"


class CatalogTranslations(gettext.NullTranslations):
    """gettext over a Babel catalog, so no compiled .mo files need to be built or committed."""

    def __init__(
        self,
        messages: dict[str, str],
        plurals: dict[str, tuple[str, ...]] | None = None,
        plural: Callable[[int], int] | None = None,
    ) -> None:
        super().__init__()
        self._messages = messages
        self._plurals = plurals or {}
        self._plural = plural or (lambda n: int(n != 1))

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._plurals.get(msgid1, ())
        index = self._plural(n)
        if index < len(forms) and forms[index]:
            return forms[index]
        return msgid1 if n == 1 else msgid2


def parse_language(value: str | None) -> Language | None:
    if value is None:
        return None
    short = value.strip().lower()[:2]
    for language in LANGUAGES:
        if short == language:
            return language
    return None


def accepted_language(header: str | None) -> Language | None:
    """The language of ours an Accept-Language header prefers: the highest q-value wins (q=0:
    not acceptable), ties go to the one listed first; `*`, unknown languages and entries with
    a malformed q-value are passed over. None when it names none of ours."""
    best: tuple[float, Language] | None = None
    for part in (header or "").split(","):
        tag, *parameters = part.split(";")
        language = parse_language(tag)
        quality = _quality(parameters)
        if language is None or quality is None or quality <= 0:
            continue
        if best is None or quality > best[0]:
            best = (quality, language)
    return best[1] if best else None


def caller_language(cookie: str | None, accept_language: str | None) -> Language:
    """The API's language: the language cookie, else Accept-Language, else Vietnamese."""
    return parse_language(cookie) or accepted_language(accept_language) or DEFAULT_LANGUAGE


_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")


def _quality(parameters: list[str]) -> float | None:
    """The q-value among an entry's parameters (1 when it has none), None when malformed."""
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            value = value.strip()
            return float(value) if _QVALUE.fullmatch(value) else None
    return 1.0


@cache
def translations(language: Language) -> CatalogTranslations:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    plural: Callable[[int], int] | None = None
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        plural = gettext.c2py(catalog.plural_expr)
        for message in catalog:
            if isinstance(message.id, tuple) and isinstance(message.string, tuple):
                if not message.fuzzy and all(message.string):
                    plurals[message.id[0]] = tuple(message.string)
                continue
            if (
                isinstance(message.id, str)
                and isinstance(message.string, str)
                and message.id
                and message.string
                and not message.fuzzy
            ):
                messages[message.id] = message.string
    return CatalogTranslations(messages, plurals, plural)


# A moment as readers in Vietnam read it, with the day before the month, the year in full and
# the zone, since submitters and partners abroad read the pages and mail too: the locales'
# "short" formats give "12/3/26" in Vietnamese and "3/12/26" (month first) in English, the same
# moment read as two different days, with no zone.
_WHEN_PATTERNS: dict[str, str] = {
    "vi": "HH:mm, dd/MM/yyyy '(UTC'xxx')'",
    "en": "d MMM yyyy, HH:mm '(UTC'xxx')'",
}


def format_when(value: datetime, language: Language) -> str:
    """E.g. "17:05, 12/03/2026 (UTC+07:00)" in Vietnamese, "12 Mar 2026, 17:05 (UTC+07:00)" in
    English: Vietnam's time, which the pages and mail use throughout."""
    return format_datetime(value, _WHEN_PATTERNS[language], tzinfo=_ZONE, locale=language)


# A day in the same style as a moment, so that a deadline and the time of a step read alike on
# one page: the locales' "long" formats give "25 tháng 12, 2026" beside "17:05, 12/03/2026".
_DAY_PATTERNS: dict[str, str] = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


def format_day(value: datetime | date, language: Language) -> str:
    """E.g. "25/12/2026" in Vietnamese, "25 Dec 2026" in English; a moment is read as the day
    it is in Vietnam."""
    day = value.astimezone(_ZONE) if isinstance(value, datetime) else value
    return format_date(day, _DAY_PATTERNS[language], locale=language)


def format_number(value: float, language: Language) -> str:
    return format_decimal(value, locale=language)


def format_share(value: float, language: Language) -> str:
    """A ratio from 0 to 1 as a percentage with one decimal, e.g. 87,5% in Vietnamese (no space)."""
    return format_percent(value, "#,##0.0%", locale=language)


def format_size(size: int, language: Language) -> str:
    if size >= 1_048_576:
        return f"{format_decimal(round(size / 1_048_576, 1), locale=language)} MB"
    return f"{format_decimal(max(1, round(size / 1024)), locale=language)} KB"
