"""Public figures per agency: received, resolved, on time, days to respond, satisfaction."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from service.calendar import ZONE
from service.db import utcnow
from service.errors import FieldError, ValidationFailed
from service.holidays.service import MAX_YEAR, MIN_YEAR
from service.i18n import Language, translations
from service.proposals.models import ProposalStatus
from service.statistics import repository
from service.statistics.repository import Answer
from service.workflow.rules import FINISHED

_RESOLVED = frozenset({ProposalStatus.RESPONDED, ProposalStatus.CLOSED})
PERIOD_DAYS = 365
# The years the calendar serves (service.holidays): a day near year 1 or 9999 has no midnight
# in Vietnam that is also a datetime in UTC, and no submission is that old or that far off.
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
_ARGUMENTS = ("from", "to")  # the order their problems are listed in


@dataclass(frozen=True, slots=True)
class Period:
    """Whole days of Vietnam's calendar, the last one included, as people name periods: the
    dashboard and the API's `stats` read theirs here alike."""

    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[first instant, end): midnight in Vietnam before the first day and after the last."""
        return _midnight(self.start), _midnight(self.end + timedelta(days=1))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZONE)


def today() -> date:
    """Today in Vietnam, where the periods' days are counted."""
    return utcnow().astimezone(ZONE).date()


def last_year(today: date) -> Period:
    """The 365 days ending today, today included."""
    return Period(today - timedelta(days=PERIOD_DAYS - 1), today)


def period_from_midnights(
    first: datetime | None, last: datetime | None, today: date, language: Language
) -> Period:
    """`period` of the days that `first` and `last` start in Vietnam (the API's DateTime
    arguments); a time within a day is refused by name, since a period counts whole days."""
    _ = translations(language).gettext
    message = _(
        "Give a day, such as 2026-12-03, or its midnight in Vietnam: the period counts whole days."
    )
    local = {
        field: None if instant is None else instant.astimezone(ZONE)
        for field, instant in zip(_ARGUMENTS, (first, last), strict=True)
    }
    refused = [
        FieldError(field, "not_a_day", message)
        for field, moment in local.items()
        if moment is not None and moment.time() != time()
    ]
    days = {
        field: None if moment is None or field in {e.field for e in refused} else moment.date()
        for field, moment in local.items()
    }
    # The other argument's range is checked as well, so that every problem comes at once.
    try:
        chosen = period(days["from"], days["to"], today, language)
    except ValidationFailed as failure:
        if not refused:
            raise
        # An order (after_to) would compare with a default standing in for a refused argument.
        found = refused + [e for e in failure.errors if e.code != "after_to"]
        raise ValidationFailed(sorted(found, key=lambda e: _ARGUMENTS.index(e.field))) from None
    if refused:
        raise ValidationFailed(refused)
    return chosen


def period(first: date | None, last: date | None, today: date, language: Language) -> Period:
    """The days from `first` to `last`; `last` defaults to today, `first` to 365 days ending on
    `last`. Raises ValidationFailed naming `from` or `to`, as the API and the page call them."""
    _ = translations(language).gettext
    errors = [
        FieldError(
            field,
            "out_of_range",
            _("Choose a date from %(first)s to %(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR},
        )
        for field, day in (("from", first), ("to", last))
        if day is not None and not FIRST_DAY <= day <= LAST_DAY
    ]
    if errors:
        raise ValidationFailed(errors)
    end = last if last is not None else today
    start = first if first is not None else end - timedelta(days=PERIOD_DAYS - 1)
    if start > end:
        message = _("The first day of the period must not come after its last day, %(last)s.")
        raise ValidationFailed([FieldError("from", "after_to", message % {"last": end})])
    return Period(start, end)


@dataclass(frozen=True, slots=True)
class Unassigned:
    """Submissions of the period no agency leads, which the secretariat holds: counted in the
    overall `received` and in no agency's row, so that the rows and these add up to it."""

    awaiting: int = 0  # not yet routed, or in triage: the secretariat is to choose the agency
    merged: int = 0  # merged into another submission before an agency was chosen
    ended: int = 0  # rejected, or withdrawn by the submitter, before an agency was chosen

    @property
    def total(self) -> int:
        return self.awaiting + self.merged + self.ended


def _unassigned(held: Counter[ProposalStatus]) -> Unassigned:
    """The secretariat's share by status: still open, merged, or otherwise finished."""
    merged = held[ProposalStatus.MERGED]
    ended = sum(n for status, n in held.items() if status in FINISHED) - merged
    return Unassigned(awaiting=held.total() - merged - ended, merged=merged, ended=ended)


@dataclass(frozen=True, slots=True)
class Figures:
    received: int
    resolved: int
    responded_on_time: int
    merged: int
    median_days_to_respond: float | None
    satisfaction: float | None  # mean rating, 1 to 5
    ratings: int
    # Led and then transferred away or declined: not in received (the agency that leads it now
    # answers for it), shown so that passing submissions on is visible too.
    passed_on: int = 0
    # Overall figures only: the part of `received` the secretariat holds (an agency's are 0).
    unassigned: Unassigned = Unassigned()

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.received if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return self.responded_on_time / self.resolved if self.resolved else None


def _per_submission(answers: Iterable[Answer]) -> list[Answer]:
    """Every agency's answers to a submission as one: its first answer and its last."""
    merged: dict[int, Answer] = {}
    for answer in answers:
        seen = merged.get(answer.proposal_id)
        if seen is None:
            merged[answer.proposal_id] = answer
            continue
        merged[answer.proposal_id] = seen._replace(
            agency_id=None,
            first_at=min(seen.first_at, answer.first_at),
            last_at=max(seen.last_at, answer.last_at),
        )
    return list(merged.values())


def _figures(
    by_status: Mapping[ProposalStatus, int],
    answers: Iterable[Answer],
    scores: Sequence[int],
    passed_on: int,
    agency_id: int | None,
    unassigned: Unassigned = Unassigned(),
) -> Figures:
    """`answers`: those the agency gave (one per submission), or every submission's for None."""
    days, on_time = [], 0
    for answer in answers:
        days.append((answer.first_at - answer.created_at).total_seconds() / 86400)
        # Counted among the resolved, the rate's denominator: an answer since reopened is not,
        # nor one of a submission another agency leads now. The answer that resolved it is the
        # last one, given by the agency leading it now, and nothing moves a deadline after an
        # answer but a reopen: its deadline is the one in force when it was given.
        counted = answer.status in _RESOLVED and agency_id in (None, answer.lead_id)
        if counted and (answer.deadline is None or answer.last_at <= answer.deadline):
            on_time += 1
    return Figures(
        received=sum(by_status.values()),
        resolved=sum(by_status.get(status, 0) for status in _RESOLVED),
        responded_on_time=on_time,
        merged=by_status.get(ProposalStatus.MERGED, 0),
        median_days_to_respond=round(statistics.median(days), 1) if days else None,
        satisfaction=round(statistics.mean(scores), 2) if scores else None,
        ratings=len(scores),
        passed_on=passed_on,
        unassigned=unassigned,
    )


async def figures(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> Figures:
    """Counted over submissions received in [start, end): all of them, or those the agency
    leads now (an agency answers for what it holds, not for what it passed on); the answers'
    times and ratings stay with the agency that gave the answer."""
    by_status: Counter[ProposalStatus] = Counter()
    held: Counter[ProposalStatus] = Counter()
    for _, by_secretariat, status, n in await repository.received_by_status(
        session, agency_id, start, end
    ):
        by_status[status] += n
        if by_secretariat:
            held[status] += n
    answers = await repository.answers(session, agency_id, start, end)
    if agency_id is None:
        answers = _per_submission(answers)
    scores = [score for _, score in await repository.ratings(session, agency_id, start, end)]
    passed_on = await repository.passed_on(session, agency_id, start, end)
    unassigned = _unassigned(held) if agency_id is None else Unassigned()
    return _figures(by_status, answers, scores, passed_on, agency_id, unassigned)


async def figures_by_agency(
    session: AsyncSession, start: datetime, end: datetime
) -> tuple[Figures, dict[int, Figures]]:
    """The overall figures and those of every agency that leads, answered or passed on a
    submission of the period, in four queries."""
    overall: Counter[ProposalStatus] = Counter()
    by_status: dict[int, Counter[ProposalStatus]] = defaultdict(Counter)
    held: Counter[ProposalStatus] = Counter()
    for agency_id, by_secretariat, status, n in await repository.received_by_status(
        session, None, start, end
    ):
        overall[status] += n
        if by_secretariat:
            held[status] += n
        if agency_id is not None:
            by_status[agency_id][status] += n
    answers = await repository.answers(session, None, start, end)
    answers_by: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        if answer.agency_id is not None:
            answers_by[answer.agency_id].append(answer)
    ratings = await repository.ratings(session, None, start, end)
    scores_by: dict[int, list[int]] = defaultdict(list)
    for agency_id, score in ratings:
        if agency_id is not None:
            scores_by[agency_id].append(score)
    passed: dict[int, set[int]] = defaultdict(set)
    for proposal_id, agency_id in await repository.passed_on_by_agency(session, start, end):
        passed[agency_id].add(proposal_id)
    everyone = _figures(
        overall,
        _per_submission(answers),
        [score for _, score in ratings],
        len(set().union(*passed.values())),
        None,
        _unassigned(held),
    )
    return everyone, {
        agency_id: _figures(
            by_status.get(agency_id, Counter()),
            answers_by.get(agency_id, []),
            scores_by.get(agency_id, []),
            len(passed.get(agency_id, ())),
            agency_id,
        )
        for agency_id in by_status.keys() | answers_by.keys() | scores_by.keys() | passed.keys()
    }
