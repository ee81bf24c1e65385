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

# Thai, Lao, Myanmar and Khmer are written without spaces between words, and their vowels and
# tone marks are combining marks that belong to the word. Finding a word inside such a run needs
# either a dictionary segmenter or substring matching. Intake matches substrings through
# character trigrams, the same tokens in every backend: no dictionary to ship or keep current
# (PyThaiNLP pulls in hundreds of megabytes, ICU is not in Python's sqlite3), no language
# guessing, and a word is found however the writer ran it together with the next.
_UNSPACED_BLOCKS = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))
_UNSPACED_ALL = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in _UNSPACED_BLOCKS)
_UNSPACED_LETTERS = "".join(
    re.escape(chr(code_point))
    for low, high in _UNSPACED_BLOCKS
    for code_point in range(low, high + 1)
    if unicodedata.category(chr(code_point))[0] in "LMN"
)
GRAM_LENGTH = 3
# The last word of a query matches as a prefix while the user types, but only from two letters
# on: a one-letter prefix ("c") matches nearly every document and costs the most of any query,
# so a last word of one letter matches as a whole word, like the others.
MIN_PREFIX_LENGTH = 2

# Letters and digits only: the underscore and everything else separate words, so a term can
# never carry quotes, operators or column filters. A run of an unspaced script is one word.
_WORD = re.compile(rf"[{_UNSPACED_LETTERS}]+|[^\W_{_UNSPACED_ALL}]+")
_UNSPACED_WORD = re.compile(rf"[{_UNSPACED_LETTERS}]+")
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


def is_unspaced(term: str) -> bool:
    """Whether `term` is a run of a script written without spaces (matched as a substring)."""
    return _UNSPACED_WORD.fullmatch(term) is not None


def grams(run: str) -> list[str]:
    """The tokens a run of an unspaced script is indexed as: its trigrams, then its last two
    and last one characters, so that a one- or two-character query finds any position."""
    if len(run) < GRAM_LENGTH:
        return [run[start:] for start in range(len(run))]
    trigrams = [run[start : start + GRAM_LENGTH] for start in range(len(run) - GRAM_LENGTH + 1)]
    return [*trigrams, run[-2:], run[-1:]]


def is_prefix(term: str) -> bool:
    """Whether a spaced-script last word matches as a prefix (see MIN_PREFIX_LENGTH)."""
    return len(term) >= MIN_PREFIX_LENGTH


def term_grams(term: str) -> list[str]:
    """The consecutive tokens an unspaced `term` must match: its trigrams, or itself when short
    (then matched as a token prefix)."""
    if len(term) < GRAM_LENGTH:
        return [term]
    return [term[start : start + GRAM_LENGTH] for start in range(len(term) - GRAM_LENGTH + 1)]


def index_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for word in words(text):
        if is_unspaced(word):
            tokens.extend(grams(word))
        else:
            tokens.append(word)
    return tokens


def index_text(text: str) -> str:
    """The folded tokens of `text` separated by single spaces, as stored in a full-text index."""
    return " ".join(index_tokens(text))


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
    # Same rule as the search: whole words, except the last term, which matches as a prefix
    # when it has at least MIN_PREFIX_LENGTH letters.
    if not terms:
        return
    folded, origins = _fold_with_origins(text)
    for match in _terms_pattern(terms).finditer(folded):
        start, end = origins[match.start()], origins[match.end() - 1] + 1
        while end < len(text) and unicodedata.category(text[end]).startswith("M"):
            end += 1
        yield start, end


def _terms_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    # Unspaced-script terms match anywhere inside a run; they are tried first, then whole words.
    inside = [re.escape(term) for term in terms if is_unspaced(term)]
    spaced = [term for term in terms if not is_unspaced(term)]
    last_is_prefix = bool(spaced) and spaced[-1] == terms[-1] and is_prefix(spaced[-1])
    exact = [re.escape(term) for term in (spaced[:-1] if last_is_prefix else spaced)]
    alternatives = [f"(?:{'|'.join(inside)})"] if inside else []
    if exact:
        alternatives.append(rf"(?<![^\W_])(?:{'|'.join(exact)})(?![^\W_])")
    if last_is_prefix:
        alternatives.append(rf"(?<![^\W_]){re.escape(spaced[-1])}[^\W_]*")
    return re.compile("|".join(alternatives) or "(?!)")


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
    # The marks of unspaced scripts are vowels and tones, part of the letters: they stay.
    table: dict[int, str | None] = {ord("đ"): "d"}
    for code_point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code_point)) == "Mn" and not any(
            low <= code_point <= high for low, high in _UNSPACED_BLOCKS
        ):
            table[code_point] = None
    return table
