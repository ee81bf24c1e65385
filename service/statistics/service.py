"""Public figures per agency: received, resolved, on time, days to respond, satisfaction."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from service.proposals.models import Proposal, ProposalEvent, ProposalStatus
from service.statistics import repository
from service.workflow.models import Rating

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
    received: Sequence[Proposal],
    first_response: Mapping[int, datetime],
    scores: Mapping[int, list[int]],
    passed_on: int,
) -> Figures:
    days, on_time = [], 0
    for proposal in received:
        answered = first_response.get(proposal.id or 0)
        if answered is None:
            continue
        days.append((answered - proposal.created_at).total_seconds() / 86400)
        # Counted among the resolved, the rate's denominator: an answer since reopened is not.
        resolved = proposal.status in _RESOLVED
        if resolved and (proposal.deadline is None or answered <= proposal.deadline):
            on_time += 1
    rated = [score for p in received for score in scores.get(p.id or 0, [])]
    return Figures(
        received=len(received),
        resolved=sum(1 for p in received if p.status in _RESOLVED),
        responded_on_time=on_time,
        merged=sum(1 for p in received if p.status is ProposalStatus.MERGED),
        median_days_to_respond=round(statistics.median(days), 1) if days else None,
        satisfaction=round(statistics.mean(rated), 2) if rated else None,
        ratings=len(rated),
        passed_on=passed_on,
    )


def _firsts(events: Iterable[ProposalEvent]) -> dict[int, datetime]:
    first_response: dict[int, datetime] = {}
    for event in events:  # ordered by time
        first_response.setdefault(event.proposal_id, event.at)
    return first_response


def _scores(ratings: Iterable[Rating]) -> dict[int, list[int]]:
    scores: dict[int, list[int]] = defaultdict(list)
    for rating in ratings:
        scores[rating.proposal_id].append(rating.score)
    return scores


async def figures(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> Figures:
    """Counted over submissions received in [start, end): all of them, or those the agency
    leads now (an agency answers for what it holds, not for what it passed on)."""
    received = await repository.received(session, agency_id, start, end)
    ids = [p.id for p in received if p.id is not None]
    first_response = _firsts(await repository.first_responses(session, ids))
    scores = _scores(await repository.ratings(session, ids))
    passed_on = await repository.passed_on(session, agency_id, start, end)
    return _figures(received, first_response, scores, passed_on)


async def figures_by_agency(
    session: AsyncSession, start: datetime, end: datetime
) -> tuple[Figures, dict[int, Figures]]:
    """The overall figures and those of every agency that leads or passed on a submission of
    the period, in four queries."""
    received = await repository.received(session, None, start, end)
    first_response = _firsts(await repository.first_responses_in_period(session, start, end))
    scores = _scores(await repository.ratings_in_period(session, start, end))
    by_id = {p.id: p for p in received}
    per_agency: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in received:
        if proposal.agency_id is not None:
            per_agency[proposal.agency_id].append(proposal)
    passed: dict[int, set[int]] = defaultdict(set)
    for proposal_id, agency_id in await repository.leads_passed_on_in_period(session, start, end):
        found = by_id.get(proposal_id)
        if found is not None and found.agency_id != agency_id:
            passed[agency_id].add(proposal_id)
    overall = _figures(received, first_response, scores, len(set().union(*passed.values())))
    return overall, {
        agency_id: _figures(
            per_agency.get(agency_id, []), first_response, scores, len(passed.get(agency_id, ()))
        )
        for agency_id in per_agency.keys() | passed.keys()
    }
