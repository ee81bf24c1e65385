"""Public figures per agency: received, resolved, on time, days to respond, satisfaction."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from service.proposals.models import ProposalStatus
from service.statistics import repository
from service.statistics.repository import Answered

_RESOLVED = frozenset({ProposalStatus.RESPONDED, ProposalStatus.CLOSED})


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

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.received if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return self.responded_on_time / self.resolved if self.resolved else None


def _figures(
    by_status: Mapping[ProposalStatus, int],
    answered: Iterable[Answered],
    scores: Sequence[int],
    passed_on: int,
) -> Figures:
    days, on_time = [], 0
    for proposal in answered:
        days.append((proposal.answered_at - proposal.created_at).total_seconds() / 86400)
        # Counted among the resolved, the rate's denominator: an answer since reopened is not.
        resolved = proposal.status in _RESOLVED
        if resolved and (proposal.deadline is None or proposal.answered_at <= proposal.deadline):
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
    )


async def figures(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> Figures:
    """Counted over submissions received in [start, end): all of them, or those the agency
    leads now (an agency answers for what it holds, not for what it passed on)."""
    by_status: Counter[ProposalStatus] = Counter()
    for _, status, n in await repository.received_by_status(session, agency_id, start, end):
        by_status[status] += n
    answered = await repository.answered(session, agency_id, start, end)
    scores = [score for _, score in await repository.ratings(session, agency_id, start, end)]
    passed_on = await repository.passed_on(session, agency_id, start, end)
    return _figures(by_status, answered, scores, passed_on)


async def figures_by_agency(
    session: AsyncSession, start: datetime, end: datetime
) -> tuple[Figures, dict[int, Figures]]:
    """The overall figures and those of every agency that leads or passed on a submission of
    the period, in four queries."""
    overall: Counter[ProposalStatus] = Counter()
    by_status: dict[int, Counter[ProposalStatus]] = defaultdict(Counter)
    for agency_id, status, n in await repository.received_by_status(session, None, start, end):
        overall[status] += n
        if agency_id is not None:
            by_status[agency_id][status] += n
    answered = await repository.answered(session, None, start, end)
    answered_by: dict[int, list[Answered]] = defaultdict(list)
    for proposal in answered:
        if proposal.agency_id is not None:
            answered_by[proposal.agency_id].append(proposal)
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
        answered,
        [score for _, score in ratings],
        len(set().union(*passed.values())),
    )
    return everyone, {
        agency_id: _figures(
            by_status.get(agency_id, Counter()),
            answered_by.get(agency_id, []),
            scores_by.get(agency_id, []),
            len(passed.get(agency_id, ())),
        )
        for agency_id in by_status.keys() | passed.keys()
    }
