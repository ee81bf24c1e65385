"""Text folding for search: case, diacritics and đ, the same way for documents and queries."""

from __future__ import annotations

import html
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache

MAX_TERMS = 16
MAX_TERM_LENGTH = 64
SNIPPET_LENGTH = 200

# Letters and digits only: the underscore and everything else separate words, as in FTS5's
# unicode61 tokenizer, so a term can never carry quotes, operators or column filters.
_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s")
_SPACES = re.compile(r"\s+")
_ELLIPSIS = "…"


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, strip combining marks and map đ to d: "Đường" -> "duong"."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return unicodedata.normalize("NFC", decomposed.translate(_fold_table()))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def index_text(text: str) -> str:
    """The folded words of `text` separated by single spaces, as stored in a full-text index."""
    return " ".join(words(text))


def query_terms(
    query: str, *, max_terms: int = MAX_TERMS, max_term_length: int = MAX_TERM_LENGTH
) -> list[str]:
    terms: list[str] = []
    for match in _WORD.finditer(fold(query)):
        if len(terms) == max_terms:
            break
        terms.append(match.group()[:max_term_length])
    return terms


def highlight(text: str, terms: Sequence[str], *, length: int = SNIPPET_LENGTH) -> str:
    """HTML excerpt of `text` around the first match, matching words wrapped in <mark>."""
    text = normalize(text)
    spans = _matching_spans(text, terms)
    first = next(spans, None)
    start = _excerpt_start(text, first[0], length) if first else 0
    end = _excerpt_end(text, start, length)
    parts = [_ELLIPSIS] if start > 0 else []
    cursor = start
    for span_start, span_end in itertools.chain([first] if first else [], spans):
        if span_start >= end:
            break
        span_end = min(span_end, end)
        parts.append(_escape(text[cursor:span_start]))
        parts.append(f"<mark>{_escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(_escape(text[cursor:end]))
    if end < len(text):
        parts.append(_ELLIPSIS)
    return "".join(parts).strip()


def _matching_spans(text: str, terms: Sequence[str]) -> Iterator[tuple[int, int]]:
    # Same rule as the search: whole words, except the last term, which matches as a prefix.
    if not terms:
        return
    folded, origins = _fold_with_origins(text)
    for match in _terms_pattern(terms).finditer(folded):
        start, end = origins[match.start()], origins[match.end() - 1] + 1
        while end < len(text) and unicodedata.category(text[end]).startswith("M"):
            end += 1
        yield start, end


def _terms_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    exact = "|".join(re.escape(term) for term in terms[:-1]) or "(?!)"
    prefix = re.escape(terms[-1])
    return re.compile(rf"(?<![^\W_])(?:(?:{exact})(?![^\W_])|{prefix}[^\W_]*)")


def _fold_with_origins(text: str) -> tuple[str, Sequence[int]]:
    # Folded character by character, so that every folded character knows where it came from.
    table = {ord(char): _fold_char(char) for char in set(text)}
    folded = text.translate(table)
    if all(len(replacement) == 1 for replacement in table.values()):
        return folded, range(len(text))
    origins = [position for position, char in enumerate(text) for _ in range(len(table[ord(char)]))]
    return folded, origins


def _excerpt_start(text: str, match_start: int, length: int) -> int:
    # Some context before the match, more if the text ends soon after it.
    start = max(0, min(match_start - length // 4, len(text) - length))
    if start == 0:
        return 0
    space = _SPACE.search(text, start, match_start)
    return space.end() if space else start


def _excerpt_end(text: str, start: int, length: int) -> int:
    end = start + length
    if end >= len(text):
        return len(text)
    for position in range(end, start + length // 2, -1):
        if text[position].isspace():
            return position
    return end


def _escape(text: str) -> str:
    # An excerpt reads as one line, whatever line breaks the description had.
    return _SPACES.sub(" ", html.escape(text))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return fold(char)


@cache
def _fold_table() -> dict[int, str | None]:
    # Unicode gives đ/Đ no decomposition, so NFD alone leaves them; casefold has already run.
    table: dict[int, str | None] = {ord("đ"): "d"}
    for code_point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code_point)) == "Mn":
            table[code_point] = None
    return table
