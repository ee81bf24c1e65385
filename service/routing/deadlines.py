"""Deadlines: business days to acknowledge and to respond, by kind, agency and category."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from service.calendar import add_business_days
from service.directory.models import Agency
from service.holidays.service import holiday_dates
from service.proposals.models import Proposal
from service.routing import repository
from service.routing.models import DeadlineRule
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class Deadlines:
    acknowledge: datetime
    respond: datetime


def business_days(
    rules: Sequence[DeadlineRule], proposal: Proposal, agency: Agency, settings: Settings
) -> tuple[int, int]:
    """(acknowledge, respond) business days. Each figure comes from the most specific source
    that sets it: a deadline rule naming the category (with the agency, then without), one
    naming the agency, the agency's own figure in the directory, a rule for the kind, and
    finally the settings."""
    matching = [
        r
        for r in rules
        if (r.kind is None or r.kind == proposal.kind.value)
        and (r.agency_id is None or r.agency_id == agency.id)
        and (r.category_code is None or r.category_code == proposal.category_code)
    ]
    specific = sorted(
        (r for r in matching if r.agency_id is not None or r.category_code is not None),
        key=lambda r: (r.category_code is None, r.agency_id is None, r.kind is None, r.id or 0),
    )
    by_kind = [r for r in matching if r.agency_id is None and r.category_code is None]

    def pick(name: str, own: int | None, default: int) -> int:
        for rule in specific:
            value: int | None = getattr(rule, name)
            if value is not None:
                return value
        if own is not None:
            return own
        for rule in by_kind:
            value = getattr(rule, name)
            if value is not None:
                return value
        return default

    return (
        pick("acknowledge_days", agency.acknowledge_days, settings.acknowledge_business_days),
        pick("respond_days", agency.respond_days, settings.response_business_days),
    )


async def deadlines(
    session: AsyncSession, proposal: Proposal, agency: Agency, settings: Settings, start: datetime
) -> Deadlines:
    acknowledge, respond = business_days(
        await repository.deadline_rules(session), proposal, agency, settings
    )
    holidays = await holiday_dates(session)
    return Deadlines(
        add_business_days(start, acknowledge, holidays),
        add_business_days(start, respond, holidays),
    )
