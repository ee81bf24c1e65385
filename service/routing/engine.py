"""Scoring the agencies that could handle a submission: rules, competences, precedent.

Pure functions over a snapshot of the directory and the rules, so that the routing job, the
benchmark and the tests run exactly the same decision.

Every signal adds evidence (a non-negative score) to an agency, with the reason for it:

- a matching rule adds its weight to its lead agency;
- each competence keyword of an agency found in the title and description adds the number of
  its words (capped: a long phrase is more specific than "thuế", not endlessly so), more in the
  title, where the submitter states the topic. A keyword found inside a longer keyword of
  another agency is that agency's topic, not its own, there and everywhere else in the text (a
  text uses a word in one sense): "lưu trữ" (archives) inside "lưu trữ năng lượng" (energy
  storage), "thương mại" (commerce) inside "ngân hàng thương mại";
- when the title of a submission with no province holds keywords of several agencies, the one
  whose keyword comes first gets a little more (TITLE_SUBJECT): a Vietnamese title names its
  subject first and its qualifiers after ("Thẩm duyệt phòng cháy chữa cháy cho trung tâm dữ
  liệu" is about fire safety approval, not data centres); a local matter is left to the rules;
- the category the submitter chose adds a little to every agency competent for it, a little
  more to its default agency (submitters often pick OTHER or a neighbouring topic, so the
  category is a hint, not a verdict);
- precedent (earlier submissions whose routing stood) votes, each vote weighted by similarity
  and recency (see service.routing.precedent); the precedents speak with one voice: the agency
  with the most vote weight gets its margin over the next, no other agency gets anything, and a
  People's Committee's precedent votes for the committee of the submission's own province.

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
from service.routing import reasons as why
from service.routing.reasons import Reason

PRIOR = 2.0
MAX_KEYWORD_WEIGHT = 3.0
MAX_KEYWORD_POINTS = 8.0  # many competence words are one topic, not a landslide
TITLE_FACTOR = 1.5
TITLE_SUBJECT = 2.0  # the agency of the title's first keyword
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
    # False for the secretariat: its evidence counts (a rule naming it leaves the submission in
    # its triage queue, and lowers the leader's confidence), but it is never suggested.
    routable: bool = True


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
    reasons: list[Reason] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    routable: bool = True  # as its agency's profile: False, never among the suggestions

    def add(self, points: float, reason: Reason) -> None:
        self.score += points
        self.reasons.append(reason)


@dataclass(frozen=True, slots=True)
class Suggestion:
    agency: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    agency: str | None  # None: nothing points anywhere
    confidence: float
    suggestions: tuple[Suggestion, ...]  # best first, at most SUGGESTIONS, all routable
    cooperating: tuple[str, ...] = ()
    rule_id: int | None = None
    reasons: tuple[Reason, ...] = ()  # why `agency` leads, routable or not


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
    routable = {a.code: a.routable for a in snapshot.agencies}  # an agency of the directory

    def add(code: str, points: float, reason: Reason) -> Evidence | None:
        if code not in routable or points == 0:
            return None
        entry = evidence.setdefault(code, Evidence(routable=routable[code]))
        entry.add(points, reason)
        return entry

    title, text = _Text(submission.title), _Text(f"{submission.title}\n{submission.description}")
    for rule in snapshot.rules:
        lead = _rule_lead(rule, snapshot, submission, text)
        if lead is None:
            continue
        entry = add(lead, rule.weight, why.rule(rule.position, rule.note))
        if entry is not None:
            entry.cooperating.extend(c for c in rule.cooperating if c not in entry.cooperating)
    spans = {a.code: text.spans(a.keywords) for a in snapshot.agencies}
    everyone = [span for found in spans.values() for span in found]
    own = {code: _own_spans(code, spans, everyone) for code in spans}
    for agency in snapshot.agencies:
        keywords = _distinct(own.get(agency.code, []))
        if keywords:
            points = sum(
                _keyword_weight(k) * (TITLE_FACTOR if title.has(k) else 1.0) for k in keywords
            )
            add(agency.code, min(points, MAX_KEYWORD_POINTS), why.keywords(keywords))
        if submission.category in agency.categories:
            default = snapshot.defaults.get(submission.category) == agency.code
            points = CATEGORY_DEFAULT if default else CATEGORY_COMPETENCE
            add(agency.code, points, why.competence(submission.category))
    if submission.province is None:
        subject = _title_subject(title, own, everyone)
        if subject is not None:
            add(subject[0], TITLE_SUBJECT, why.title_subject(subject[1]))
    verdict = _precedent_verdict(snapshot, submission, votes, set(exclude))
    if verdict is not None:
        code, points, agreeing = verdict
        cited = [(v.tracking_code, round(v.similarity, 2)) for v in agreeing[:3]]
        add(code, points, why.precedent(cited))
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
    # The secretariat triages: the assignment it is offered never names itself.
    suggestions = tuple(
        Suggestion(code, round(entry.score, 2), tuple(entry.reasons))
        for code, entry in ranked
        if entry.routable
    )[:SUGGESTIONS]
    lead, entry = ranked[0]
    rule_id = next(
        (
            r.rule_id
            for r in rules
            if any(x.code == "rule" and x.args["position"] == r.position for x in entry.reasons)
        ),
        None,
    )
    cooperating = tuple(c for c in entry.cooperating if c != lead)
    return Decision(
        lead, round(confidence, 3), suggestions, cooperating, rule_id, tuple(entry.reasons)
    )


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


def _precedent_verdict(
    snapshot: Snapshot, submission: Submission, votes: Sequence[Vote], exclude: set[str]
) -> tuple[str, float, list[Vote]] | None:
    """The agency the precedents agree on, the margin of its votes over the next agency's, and
    its votes; None when they do not agree on one.

    A precedent handled by a People's Committee says that the matter is its province's to
    handle: for a submission in another province it votes for that province's committee
    (another province's committee is never competent there); for one with no province, the
    precedent may well be about the same place, and votes as it stands. The precedents speak
    with one voice: votes for other agencies are taken off the leader's rather than added to
    competitors, so that a split or weak precedent lowers nothing."""
    committees = set(snapshot.committees.values())
    own_committee = snapshot.committees.get(submission.province or "")
    by_agency: dict[str, list[Vote]] = {}
    for vote in votes:
        agency = vote.agency
        if agency in committees and own_committee is not None:
            agency = own_committee
        if agency not in exclude:
            by_agency.setdefault(agency, []).append(vote)
    if not by_agency:
        return None
    ranked = sorted(by_agency.items(), key=lambda item: (-sum(v.weight for v in item[1]), item[0]))
    lead, agreeing = ranked[0]
    runner_up = sum(v.weight for v in ranked[1][1]) if len(ranked) > 1 else 0.0
    margin = sum(v.weight for v in agreeing) - runner_up
    return (lead, margin, agreeing) if margin > 0 else None


def _own_spans(
    code: str, spans: Mapping[str, Sequence[Span]], everyone: Sequence[Span]
) -> list[Span]:
    """The keywords of agency `code` found in the text that are its own: not inside a longer
    keyword of another agency, here or anywhere else in the text. A text uses a word in one
    sense throughout: "pin lưu trữ" in a letter about "lưu trữ năng lượng" is energy storage,
    not archives."""
    others = [span for other, found in spans.items() if other != code for span in found]
    taken = {span[2] for span in spans[code] if _inside_longer(span, others)}
    return [
        span for span in spans[code] if span[2] not in taken and not _inside_longer(span, everyone)
    ]


def _keyword_weight(keyword: str) -> float:
    return min(float(len(keyword.split())), MAX_KEYWORD_WEIGHT)


Span = tuple[int, int, str]  # start, end, keyword


def _title_subject(
    title: _Text, own: Mapping[str, Sequence[Span]], everyone: Sequence[Span]
) -> tuple[str, str] | None:
    """The agency and keyword that come first in the title, when the title holds keywords of
    more than one agency."""
    first: dict[str, Span] = {}
    for code, found in own.items():
        in_title = [
            s for s in title.spans({k for _, _, k in found}) if not _inside_longer(s, everyone)
        ]
        if in_title:
            first[code] = min(in_title)
    if len(first) < 2:
        return None
    ranked = sorted(first.items(), key=lambda item: item[1][0])
    (code, (start, _, keyword)), (_, (runner_up, _, _)) = ranked[0], ranked[1]
    return None if start == runner_up else (code, keyword)  # one keyword of two agencies


def _inside_longer(span: Span, spans: Iterable[Span]) -> bool:
    start, end, _ = span
    return any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)


def _distinct(spans: Iterable[Span]) -> list[str]:
    """The keywords of `spans`, a phrase inside a longer one counting once, as the longer:
    "khu công nghệ cao" does not also count as "công nghệ cao"."""
    ordered = sorted(spans, key=lambda span: (span[0] - span[1], span[0]))  # longest first
    taken: list[tuple[int, int]] = []
    found: list[str] = []
    for start, end, keyword in ordered:
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        if keyword not in found:
            found.append(keyword)
    return found


class _Text:
    """A text to find keywords in, as whole words, without regard to case (and, in a text
    without Vietnamese marks, a keyword's plural too).

    Folding diacritics away would make thuế (tax) and thuê (rent), or sáng chế (invention) and
    sáng chè, the same word, so a text written with Vietnamese marks is matched with them; a
    text written without any (as some submitters type) is matched folded.
    """

    def __init__(self, text: str) -> None:
        nfc = unicodedata.normalize("NFC", text)
        self.marked = bool(_VIETNAMESE_MARKS.search(nfc))
        self.text = nfc.casefold() if self.marked else fold(nfc)

    def has(self, keyword: str) -> bool:
        return (
            _needle(keyword, self.marked) in self.text
            and _pattern(keyword, self.marked).search(self.text) is not None
        )

    def spans(self, keywords: Iterable[str]) -> list[Span]:
        """Where each keyword occurs, as whole words."""
        text, marked = self.text, self.marked
        return [
            (m.start(), m.end(), keyword)
            for keyword in keywords
            if _needle(keyword, marked) in text  # most keywords are absent: skip their regex
            for m in _pattern(keyword, marked).finditer(text)
        ]

    def distinct(self, keywords: Iterable[str]) -> list[str]:
        """The keywords found, a phrase inside a longer one found counting once, as the longer."""
        return _distinct(self.spans(keywords))


@lru_cache(maxsize=8192)
def _pattern(keyword: str, marked: bool) -> re.Pattern[str]:
    nfc = unicodedata.normalize("NFC", keyword)
    written = nfc.casefold() if marked else fold(nfc)
    words = [re.escape(w) for w in written.split()]
    if not marked and words and words[-1].isalpha():
        words[-1] = _plural(words[-1])
    return re.compile(r"(?<![^\W_])" + r"[\s\-]+".join(words) + r"(?![^\W_])")


@lru_cache(maxsize=8192)
def _needle(keyword: str, marked: bool) -> str:
    """Letters every match of _pattern(keyword, marked) contains: its first word, without the
    ending an English plural may change ("universit" for "university")."""
    nfc = unicodedata.normalize("NFC", keyword)
    written = nfc.casefold() if marked else fold(nfc)
    words = written.split()
    if not words:
        return ""
    first = words[0]
    if not marked and len(words) == 1 and first.isalpha() and first.endswith("y"):
        return first[:-1]
    return first


def _plural(word: str) -> str:
    """An English keyword's last word, singular or plural: "patent" finds "patents", "university"
    "universities". Harmless on unmarked Vietnamese, whose syllables never end so."""
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        return f"{word[:-1]}(?:y|ies)"
    return f"{word}(?:e?s)?"


def found_keywords(text: str, keywords: Iterable[str]) -> list[str]:
    """The keywords found in `text` as the engine finds them (whole words, marks kept in a
    marked text, plurals in an unmarked one), in one sense throughout: a keyword found inside a
    longer one anywhere in the text is not found on its own ("lưu trữ" in a text about "lưu trữ
    năng lượng")."""
    spans = _Text(text).spans(keywords)
    inside = {span[2] for span in spans if _inside_longer(span, spans)}
    return [keyword for keyword in _distinct(spans) if keyword not in inside]


def keywords_of(vi: Sequence[str], en: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*vi, *en]))
