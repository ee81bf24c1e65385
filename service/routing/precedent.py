"""Precedent: earlier submissions like this one, whose routing stood, vote for their agency.

The search backend finds candidates (any of the submission's key terms, ranked by relevance);
the similarity that weighs a vote is computed here, the same way whatever the backend: the
cosine of the two texts' sets of folded words and word pairs, stop words left out. Word pairs
matter in Vietnamese, where a word of meaning is often two syllables ("dữ liệu", "đất đai").
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from search.text import words
from service.routing.engine import Vote

KEY_TERMS = 12  # the most distinctive words a precedent search asks for
CANDIDATES = 20  # hits read from the backend
VOTERS = 5  # the most similar precedents that vote
MIN_SIMILARITY = 0.35  # below it, two texts share common words (hồ sơ, thủ tục), not a topic
VOTE_POINTS = 10.0  # a vote of similarity 1 and age 0 (a rule's weight is 3 to 6)
HALF_LIFE_DAYS = 365.0  # an organisation changes: a year-old precedent counts half
DUPLICATE_SIMILARITY = 0.8  # the same letter, give or take a greeting or a signature

# Folded function words of Vietnamese and English: they carry no topic.
STOP_WORDS = frozenset(
    [
        "va",
        "cua",
        "cho",
        "cac",
        "nhung",
        "mot",
        "co",
        "la",
        "duoc",
        "trong",
        "voi",
        "khi",
        "de",
        "nay",
        "tai",
        "tu",
        "den",
        "theo",
        "ve",
        "nhu",
        "hay",
        "thi",
        "ma",
        "con",
        "da",
        "dang",
        "se",
        "chua",
        "khong",
        "rat",
        "cung",
        "nen",
        "vi",
        "neu",
        "do",
        "ra",
        "vao",
        "len",
        "bi",
        "boi",
        "cho",
        "viec",
        "cach",
        "nhieu",
        "tung",
        "moi",
        "het",
        "lai",
        "qua",
        "sau",
        "truoc",
        "tren",
        "duoi",
        "giua",
        "hon",
        "kem",
        "de",
        "nghi",
        "xin",
        "kinh",
        "gui",
        "chung",
        "toi",
        "ong",
        "ba",
        "anh",
        "chi",
        "em",
        "nguoi",
        "nay",
        "kia",
        "ay",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "by",
        "with",
        "from",
        "at",
        "as",
        "is",
        "are",
        "was",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "we",
        "our",
        "you",
        "your",
        "they",
        "their",
        "not",
        "no",
        "can",
        "could",
        "should",
        "would",
        "will",
        "please",
    ]
)


@dataclass(frozen=True, slots=True)
class Precedent:
    proposal_id: int
    tracking_code: str
    agency: str
    text: str
    decided_at: datetime


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS and not w.isdigit()]


def key_terms(title: str, description: str, limit: int = KEY_TERMS) -> list[str]:
    """The words a precedent search asks for: title words first (the submitter's own summary),
    then the description's most repeated ones."""
    counts = Counter(content_words(f"{title} {title} {description}"))
    ordered = sorted(counts, key=lambda w: (-counts[w], -len(w)))
    return ordered[:limit]


def features(text: str) -> frozenset[str]:
    tokens = content_words(text)
    return frozenset([*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))])


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def votes(text: str, precedents: Sequence[Precedent], now: datetime) -> list[Vote]:
    """The votes of the most similar precedents, weighted by similarity and recency."""
    mine = features(text)
    scored = [(similarity(mine, features(p.text)), p) for p in precedents]
    scored = [(s, p) for s, p in scored if s >= MIN_SIMILARITY]
    scored.sort(key=lambda item: (-item[0], -item[1].proposal_id))
    result = []
    for value, precedent in scored[:VOTERS]:
        age_days = max((now - precedent.decided_at).total_seconds() / 86400, 0.0)
        recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
        result.append(
            Vote(precedent.agency, VOTE_POINTS * value * recency, precedent.tracking_code, value)
        )
    return result
