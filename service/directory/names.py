"""Province names as people write them: folded keys, and names found in free text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from search.text import fold, words

# "Tỉnh Bắc Giang", "TP. Đà Nẵng", "Thành phố Huế", "Ho Chi Minh City" name the same units
# as "Bắc Giang", "Đà Nẵng", "Huế" and "Hồ Chí Minh".
# A title matches as written, or folded in text written without marks: "Tĩnh Gia" and "Tịnh
# Biên" are places, not "Gia" and "Biên" with the title "Tỉnh".
_PREFIXES = (("thành", "phố"), ("tp",), ("tỉnh",), ("province", "of"))
_SUFFIXES = (("city",), ("province",))
_WORD = re.compile(r"[^\W_]+")


def place_key(text: str) -> str:
    """'Tỉnh Bà Rịa - Vũng Tàu' -> 'ba ria vung tau': folded words without the unit's title."""
    return " ".join(words(without_title(text)))


def without_title(name: str) -> str:
    """'Thành phố Hồ Chí Minh' -> 'Hồ Chí Minh', 'Tỉnh Bắc Giang' -> 'Bắc Giang'."""
    tokens = _WORD.findall(_nfc(name))
    start, end = 0, len(tokens)
    for prefix in _PREFIXES:
        if len(tokens) > len(prefix) and _titled(tokens[: len(prefix)], prefix):
            start = len(prefix)
            break
    for suffix in _SUFFIXES:
        if end - start > len(suffix) and _titled(tokens[-len(suffix) :], suffix):
            end -= len(suffix)
            break
    return " ".join(tokens[start:end])


@dataclass(frozen=True, slots=True)
class PlaceName:
    name: str
    province_code: str


class PlaceMatcher:
    """Finds the provinces a text names, current or former, written with or without marks.

    Folding alone would read the word "hòa bình" (peace) as the province Hòa Bình and the
    name Huệ as Huế, so a match also needs capitalised words, as Vietnamese writes place
    names, and, when the text carries diacritics, the same diacritics as the name.
    """

    def __init__(self, names: Iterable[PlaceName]) -> None:
        self._by_key: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        for place in names:
            for name in {place.name, without_title(place.name)}:
                key = tuple(words(name))
                if key:
                    exact = " ".join(_WORD.findall(_nfc(name).casefold()))
                    self._by_key.setdefault(key, []).append((exact, place.province_code))
        self._longest = max((len(key) for key in self._by_key), default=0)

    def provinces_named(self, text: str) -> list[str]:
        """Codes of the provinces named in `text`, in order of first mention, once each."""
        tokens = _WORD.findall(_nfc(text))
        folded = [fold(token) for token in tokens]
        found: list[str] = []
        position = 0
        while position < len(tokens):
            matched = self._match_at(tokens, folded, position)
            if matched is None:
                position += 1
                continue
            code, length = matched
            if code not in found:
                found.append(code)
            position += length
        return found

    def _match_at(
        self, tokens: list[str], folded: list[str], position: int
    ) -> tuple[str, int] | None:
        for length in range(min(self._longest, len(tokens) - position), 0, -1):
            candidates = self._by_key.get(tuple(folded[position : position + length]))
            if not candidates:
                continue
            span = tokens[position : position + length]
            if not all(token[0].isupper() for token in span):
                continue
            if all(token.isascii() for token in span):
                return candidates[0][1], length
            written = " ".join(token.casefold() for token in span)
            for exact, code in candidates:
                if exact == written:
                    return code, length
        return None


def _titled(tokens: list[str], title: tuple[str, ...]) -> bool:
    return all(
        token.casefold() == word or (token.isascii() and token.casefold() == fold(word))
        for token, word in zip(tokens, title, strict=True)
    )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
