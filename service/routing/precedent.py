"""Precedent: earlier submissions like this one, whose routing stood, vote for their agency.

The search backend finds candidates (the submission's most distinctive terms, any of them,
ranked by relevance); the similarity that weighs a vote is computed here, the same way whatever
the backend: the cosine of the two texts' sets of folded words and word pairs, each weighted by
its rarity among the submissions routed so far (its inverse document frequency, from
routing_term_counts). Word pairs matter in Vietnamese, where a word of meaning is often two
syllables ("dữ liệu", "đất đai"). Weighting by rarity is what lets two letters on one subject
in different words match on their subject ("giấy phép lao động", "chuyên gia nước ngoài")
while two letters on different subjects that share "doanh nghiệp", "hồ sơ" and "thủ tục" do
not. With few submissions counted every word weighs about the same and the similarity is the
plain cosine. Function words are left out whatever the counts: they name no subject.

A text is also represented by the concepts it names (data/concepts.csv: each a competence of
the directory in its Vietnamese and English forms, "giấy phép lao động" and "work permit"), so
that a letter and its translation, which share no word, are alike in what they are about; the
precedent search asks for the other language's forms of those concepts too.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from search.text import words
from service.routing.engine import Vote, found_keywords

KEY_TERMS = 12  # the most distinctive words a precedent search asks for
CANDIDATES = 20  # hits read from the backend
VOTERS = 5  # the most similar precedents that vote
MIN_SIMILARITY = 0.25  # below it, two texts share common words (hồ sơ, thủ tục), not a subject
MAX_TERM_LENGTH = 100  # longer words or pairs are not counted
VOTE_POINTS = 10.0  # a vote of similarity 1 and age 0 (a rule's weight is 3 to 6)
HALF_LIFE_DAYS = 365.0  # an organisation changes: a year-old precedent counts half
DUPLICATE_SIMILARITY = 0.8  # the same letter, give or take a greeting or a signature
CONCEPTS_FILE = Path(__file__).resolve().parent / "data" / "concepts.csv"
CONCEPT = "~"  # a concept's term: "~BNV:giay phep lao dong", never a word (words are letters)
CONCEPT_FACTOR = 0.5  # two texts sharing only concepts are at most half as alike as copies

# Folded function words of Vietnamese and English: they carry no topic in any number of texts.
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


@dataclass(frozen=True, slots=True)
class Rarity:
    """How many submissions were counted and how many of them hold each term."""

    documents: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)

    def weight(self, term: str) -> float:
        """Smoothed inverse document frequency: 1 for a term in every submission, ln N + 1 at
        most; with nothing counted, 1 for every term."""
        return math.log((1 + self.documents) / (1 + self.counts.get(term, 0))) + 1.0

    def including(self, other: Rarity) -> Rarity:
        """These counts and the other's, read later (its number of submissions is the newer)."""
        return Rarity(other.documents, {**self.counts, **other.counts})


EVEN = Rarity()


def countable(terms: Iterable[str]) -> set[str]:
    return {t for t in terms if len(t) <= MAX_TERM_LENGTH}


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS and not w.isdigit()]


def key_terms(
    title: str, description: str, limit: int = KEY_TERMS, rarity: Rarity = EVEN
) -> list[str]:
    """The words a precedent search asks for: the most repeated (title words count twice, the
    submitter's own summary) times the rarest."""
    counts = Counter(content_words(f"{title} {title} {description}"))
    ordered = sorted(counts, key=lambda w: (-counts[w] * rarity.weight(w), -len(w), w))
    return ordered[:limit]


def search_queries(title: str, description: str, rarity: Rarity = EVEN) -> list[str]:
    """The precedent searches to run: the key terms, then the words of the other forms of the
    concepts the text names (the English of its Vietnamese competences and the reverse). Asked
    apart, as one query the other language's words would rank below the text's own common ones,
    and an English letter would not find its Vietnamese precedent."""
    queries = [
        key_terms(title, description, rarity=rarity),
        translations(f"{title}\n{description}")[:KEY_TERMS],
    ]
    return [" ".join(terms) for terms in queries if terms]


@dataclass(frozen=True, slots=True)
class Concept:
    """One competence of the directory in its Vietnamese and English forms."""

    term: str
    forms: tuple[str, ...]


@lru_cache(maxsize=1)
def _concepts() -> tuple[dict[str, list[tuple[str, Concept]]], dict[str, Concept]]:
    """The concepts (concepts.csv), indexed by the first folded word of each form."""
    by_first_word: dict[str, list[tuple[str, Concept]]] = {}
    by_term: dict[str, Concept] = {}
    with CONCEPTS_FILE.open(encoding="utf-8", newline="") as lines:
        for row in csv.DictReader(lines):
            vi = [k for k in row["keywords_vi"].split(";") if k]
            en = [k for k in row["keywords_en"].split(";") if k]
            term = f"{CONCEPT}{row['agency']}:{' '.join(words(vi[0]))}"
            concept = Concept(term, (*vi, *en))
            by_term[term] = concept
            for form in concept.forms:
                by_first_word.setdefault(words(form)[0], []).append((form, concept))
    return by_first_word, by_term


_PLURALS = (("ies", "y"), ("es", ""), ("s", ""))  # "permits" may be the form "permit"


def concepts(text: str) -> frozenset[str]:
    """The terms of the concepts `text` names, in either language: "giấy phép lao động" and
    "work permit" are one concept, so two letters on one subject in two languages share it."""
    by_first_word, _ = _concepts()
    present = set(words(text))
    present |= {w[: -len(end)] + put for w in present for end, put in _PLURALS if w.endswith(end)}
    candidates = [pair for w in present for pair in by_first_word.get(w, [])]
    found = set(found_keywords(text, [form for form, _ in candidates]))
    return frozenset(concept.term for form, concept in candidates if form in found)


def translations(text: str) -> list[str]:
    """The folded words of the other forms of the concepts `text` names (the English of its
    Vietnamese competences and the reverse) that it does not hold itself."""
    _, by_term = _concepts()
    own = set(words(text))
    extra = [w for t in sorted(concepts(text)) for f in by_term[t].forms for w in words(f)]
    return [w for w in dict.fromkeys(extra) if w not in own and w not in STOP_WORDS]


@lru_cache(maxsize=4096)
def features(text: str) -> frozenset[str]:
    """The folded content words and word pairs of `text`, and the concepts it names."""
    tokens = content_words(text)
    pairs = (f"{a} {b}" for a, b in itertools.pairwise(tokens))
    return frozenset([*tokens, *pairs, *concepts(text)])


def similarity(a: frozenset[str], b: frozenset[str], rarity: Rarity = EVEN) -> float:
    """The cosine of the two texts' words and word pairs, or, when they share concepts of more
    than one agency, CONCEPT_FACTOR times the cosine of their concepts if that is more.

    A letter and its translation share no word but their concepts. Concepts of one agency
    alone ("bảo tàng" and "di tích", museums and relics) say no more than that agency's keywords
    already do; a combination across agencies ("bán dẫn" and "giấy phép lao động") is a subject, the
    kind whose routing the keywords leave in doubt and a precedent settles."""
    a_words, b_words = _words_of(a), _words_of(b)
    value = _cosine(a_words, b_words, rarity)
    a_concepts, b_concepts = a - a_words, b - b_words
    if len({_agency_of(term) for term in a_concepts & b_concepts}) > 1:
        value = max(value, CONCEPT_FACTOR * _cosine(a_concepts, b_concepts, rarity))
    return value


def _agency_of(term: str) -> str:
    return term[len(CONCEPT) :].split(":", 1)[0]


def _words_of(terms: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in terms if not t.startswith(CONCEPT))


def _cosine(a: frozenset[str], b: frozenset[str], rarity: Rarity) -> float:
    if not a or not b:
        return 0.0
    if rarity is EVEN:
        return len(a & b) / math.sqrt(len(a) * len(b))
    shared = sum(rarity.weight(t) ** 2 for t in a & b)
    mine = sum(rarity.weight(t) ** 2 for t in a)
    theirs = sum(rarity.weight(t) ** 2 for t in b)
    return shared / math.sqrt(mine * theirs)


def votes(
    text: str, precedents: Sequence[Precedent], now: datetime, rarity: Rarity = EVEN
) -> list[Vote]:
    """The votes of the most similar precedents, weighted by similarity and recency."""
    mine = features(text)
    scored = [(similarity(mine, features(p.text), rarity), p) for p in precedents]
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
