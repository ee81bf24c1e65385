"""Scoring the agencies that could handle a submission: rules, competences, precedent.

Pure functions over a snapshot of the directory and the rules, so that the routing job, the
benchmark and the tests run exactly the same decision.

Every signal adds evidence (a non-negative score) to an agency, with the reason for it:

- a matching rule adds its weight to its lead agency;
- each competence keyword of an agency found in the title and description adds the number of
  its words (capped: a long phrase is more specific than "thuế", not endlessly so), more in the
  title, where the submitter states the topic;
- the category the submitter chose adds a little to every agency competent for it, a little
  more to its default agency (submitters often pick OTHER or a neighbouring topic, so the
  category is a hint, not a verdict);
- precedent (earlier submissions whose routing stood) adds votes weighted by similarity and
  recency (see service.routing.precedent).

Confidence is the leading agency's share of all the evidence, with a fixed amount of evidence
reserved for "some agency no signal pointed at" (PRIOR):

    confidence = top / (top + second + PRIOR)

Only the runner-up counts against the leader: two agencies with 5 points each give 5/12 ≈ 0.42
(a coin toss, rightly below any sensible threshold); 8 points against nothing give 8/10 = 0.8; a
single weak keyword (1 point) gives 1/3 ≈ 0.33. The PRIOR keeps thin evidence from ever looking
certain, and the margin over the runner-up is what makes a decision safe to take unattended.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from search.text import fold

PRIOR = 2.0
MAX_KEYWORD_WEIGHT = 3.0
MAX_KEYWORD_POINTS = 8.0  # many competence words are one topic, not a landslide
TITLE_FACTOR = 1.5
CATEGORY_COMPETENCE = 1.0
CATEGORY_DEFAULT = 1.5
SUGGESTIONS = 3

SUBMISSION_PROVINCE = "@submission"  # a rule's province: whichever province the submission has
PEOPLES_COMMITTEE = "@committee"  # a rule's lead: that province's People's Committee

_VIETNAMESE_MARKS = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True, slots=True)
class AgencyProfile:
    code: str
    keywords: tuple[str, ...]  # vi and en together
    categories: frozenset[str]
    routable: bool = True  # False for the secretariat: it triages, it is not suggested


@dataclass(frozen=True, slots=True)
class RuleSpec:
    position: int
    lead: str  # an agency code or PEOPLES_COMMITTEE
    weight: float
    kinds: frozenset[str] = frozenset()  # empty: any
    categories: frozenset[str] = frozenset()
    province: str | None = None  # None: any or none; SUBMISSION_PROVINCE; or a province code
    keywords: tuple[str, ...] = ()  # any of them must appear; empty: no condition
    cooperating: tuple[str, ...] = ()
    note: str = ""
    rule_id: int | None = None


@dataclass(frozen=True, slots=True)
class Submission:
    kind: str
    category: str
    title: str
    description: str
    province: str | None  # chosen on the form, or the one province its text names
    province_named: bool = False  # True when found in the text rather than chosen


@dataclass(frozen=True, slots=True)
class Vote:
    """One precedent's vote: an earlier submission whose routing to `agency` stood."""

    agency: str
    weight: float
    tracking_code: str
    similarity: float


@dataclass(slots=True)
class Evidence:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)

    def add(self, points: float, reason: str) -> None:
        self.score += points
        self.reasons.append(reason)


@dataclass(frozen=True, slots=True)
class Suggestion:
    agency: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    agency: str | None  # None: nothing points anywhere
    confidence: float
    suggestions: tuple[Suggestion, ...]  # best first, at most SUGGESTIONS
    cooperating: tuple[str, ...] = ()
    rule_id: int | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the engine knows: agencies with their competences, committees, rules."""

    agencies: tuple[AgencyProfile, ...]
    committees: Mapping[str, str]  # province code -> its People's Committee's agency code
    defaults: Mapping[str, str]  # category code -> default agency code
    rules: tuple[RuleSpec, ...] = ()


def score(
    snapshot: Snapshot,
    submission: Submission,
    *,
    votes: Sequence[Vote] = (),
    exclude: Iterable[str] = (),
) -> dict[str, Evidence]:
    """Evidence per agency code, excluded agencies (those that declined) left out."""
    evidence: dict[str, Evidence] = {}
    routable = {a.code for a in snapshot.agencies if a.routable}

    def add(code: str, points: float, reason: str) -> Evidence | None:
        if code not in routable or points == 0:
            return None
        entry = evidence.setdefault(code, Evidence())
        entry.add(points, reason)
        return entry

    title, text = _Text(submission.title), _Text(f"{submission.title}\n{submission.description}")
    for rule in snapshot.rules:
        lead = _rule_lead(rule, snapshot, submission, text)
        if lead is None:
            continue
        entry = add(lead, rule.weight, f"rule {rule.position}: {rule.note}".rstrip(": "))
        if entry is not None:
            entry.cooperating.extend(c for c in rule.cooperating if c not in entry.cooperating)
    for agency in snapshot.agencies:
        found = text.distinct(agency.keywords)
        if found:
            points = sum(
                _keyword_weight(k) * (TITLE_FACTOR if title.has(k) else 1.0) for k in found
            )
            add(agency.code, min(points, MAX_KEYWORD_POINTS), f"keywords: {', '.join(found)}")
        if submission.category in agency.categories:
            default = snapshot.defaults.get(submission.category) == agency.code
            points = CATEGORY_DEFAULT if default else CATEGORY_COMPETENCE
            add(agency.code, points, f"competent for {submission.category}")
    by_agency: dict[str, list[Vote]] = {}
    for vote in votes:
        by_agency.setdefault(vote.agency, []).append(vote)
    for code, agency_votes in by_agency.items():
        points = sum(v.weight for v in agency_votes)
        cited = ", ".join(f"{v.tracking_code} ({v.similarity:.2f})" for v in agency_votes[:3])
        add(code, points, f"precedent: {cited}")
    for code in set(exclude):
        evidence.pop(code, None)
    # A rule may take evidence away (a missing national rule is no People's Committee's to fix);
    # what is left with nothing in its favour is no candidate.
    return {code: entry for code, entry in evidence.items() if entry.score > 0}


def decide(evidence: Mapping[str, Evidence], rules: Sequence[RuleSpec] = ()) -> Decision:
    """The leading agency, the confidence in it (see the module's docstring) and suggestions."""
    ranked = sorted(evidence.items(), key=lambda item: (-item[1].score, item[0]))
    if not ranked:
        return Decision(None, 0.0, ())
    top = ranked[0][1].score
    second = ranked[1][1].score if len(ranked) > 1 else 0.0
    confidence = top / (top + second + PRIOR)
    suggestions = tuple(
        Suggestion(code, round(entry.score, 2), tuple(entry.reasons))
        for code, entry in ranked[:SUGGESTIONS]
    )
    lead, entry = ranked[0]
    rule_id = next(
        (
            r.rule_id
            for r in rules
            if any(x.startswith(f"rule {r.position}") for x in entry.reasons)
        ),
        None,
    )
    cooperating = tuple(c for c in entry.cooperating if c != lead)
    return Decision(lead, round(confidence, 3), suggestions, cooperating, rule_id)


def _rule_lead(
    rule: RuleSpec, snapshot: Snapshot, submission: Submission, text: _Text
) -> str | None:
    if rule.kinds and submission.kind not in rule.kinds:
        return None
    if rule.categories and submission.category not in rule.categories:
        return None
    if rule.province == SUBMISSION_PROVINCE:
        if submission.province is None:
            return None
    elif rule.province is not None and rule.province != submission.province:
        return None
    if rule.keywords and not any(text.has(k) for k in rule.keywords):
        return None
    if rule.lead == PEOPLES_COMMITTEE:
        return snapshot.committees.get(submission.province or "")
    return rule.lead


def _keyword_weight(keyword: str) -> float:
    return min(float(len(keyword.split())), MAX_KEYWORD_WEIGHT)


class _Text:
    """A text to find keywords in, as whole words, without regard to case.

    Folding diacritics away would make thuế (tax) and thuê (rent), or sáng chế (invention) and
    sáng chè, the same word, so a text written with Vietnamese marks is matched with them; a
    text written without any (as some submitters type) is matched folded.
    """

    def __init__(self, text: str) -> None:
        nfc = unicodedata.normalize("NFC", text)
        self.marked = bool(_VIETNAMESE_MARKS.search(nfc))
        self.text = nfc.casefold() if self.marked else fold(nfc)

    def has(self, keyword: str) -> bool:
        return _pattern(keyword, self.marked).search(self.text) is not None

    def distinct(self, keywords: Iterable[str]) -> list[str]:
        """The keywords found, a phrase inside a longer one found counting once, as the longer:
        "khu công nghệ cao" does not also count as "công nghệ cao"."""
        spans: list[tuple[int, int, str]] = []
        for keyword in keywords:
            spans.extend(
                (m.start(), m.end(), keyword)
                for m in _pattern(keyword, self.marked).finditer(self.text)
            )
        spans.sort(key=lambda span: (span[0] - span[1], span[0]))  # longest first
        taken: list[tuple[int, int]] = []
        found: list[str] = []
        for start, end, keyword in spans:
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            if keyword not in found:
                found.append(keyword)
        return found


@lru_cache(maxsize=8192)
def _pattern(keyword: str, marked: bool) -> re.Pattern[str]:
    nfc = unicodedata.normalize("NFC", keyword)
    written = nfc.casefold() if marked else fold(nfc)
    words = [re.escape(w) for w in written.split()]
    return re.compile(r"(?<![^\W_])" + r"[\s\-]+".join(words) + r"(?![^\W_])")


def keywords_of(vi: Sequence[str], en: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*vi, *en]))
