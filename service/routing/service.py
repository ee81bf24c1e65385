"""Routing a submitted proposal to the agency responsible, with a response deadline."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import service as accounts
from service.calendar import add_business_days
from service.db import utcnow
from service.directory import repository as directory
from service.directory import service as directory_service
from service.directory.models import Agency
from service.notifications import catalog as mail
from service.notifications import service as notifications
from service.outbox import service as outbox
from service.proposals import events
from service.proposals import repository as proposals
from service.proposals.models import (
    Proposal,
    ProposalAgency,
    ProposalEvent,
    ProposalKind,
    ProposalStatus,
)
from service.routing.rules import decide
from service.settings import Settings

INDEX_JOB = "search.index"


@dataclass(frozen=True, slots=True)
class Routed:
    proposal: Proposal
    agency: Agency
    status: ProposalStatus
    reason: str


async def route_proposal(
    session: AsyncSession, proposal_id: int, settings: Settings
) -> Routed | None:
    """Assign a submitted proposal; None when it is gone or was routed already."""
    proposal = await proposals.get(session, proposal_id)
    if proposal is None or proposal.status is not ProposalStatus.SUBMITTED:
        return None
    category = await directory.get_category(session, proposal.category_code)
    if category is None:
        raise LookupError(f"category {proposal.category_code} is gone")
    province = (
        await directory.get_province(session, proposal.province_code)
        if proposal.province_code
        else None
    )
    named = None
    if province is None and proposal.kind is ProposalKind.OBSTACLE:
        text = f"{proposal.title}\n{proposal.description}"
        mentioned = await directory_service.provinces_named_in(session, text)
        named = mentioned[0] if len(mentioned) == 1 else None  # several: no guess
    decision = decide(proposal, category, province, named)
    agency = (
        await directory.get_agency(session, decision.agency_id)
        if decision.agency_id is not None
        else None
    )
    if agency is None:
        agency, status = await directory_service.secretariat(session), ProposalStatus.TRIAGE
    else:
        status = ProposalStatus.ROUTED
    assert agency.id is not None
    assert proposal.id is not None

    now = utcnow()
    proposal.status, proposal.agency_id, proposal.updated_at = status, agency.id, now
    days = agency.respond_days or settings.response_business_days  # the agency's override
    proposal.deadline = add_business_days(now, days)
    event = ProposalEvent(
        proposal_id=proposal.id,
        from_status=ProposalStatus.SUBMITTED,
        status=status,
        agency_id=agency.id,
        actor="system",
        note=decision.reason,
        at=now,
    )
    proposals.add(session, event)
    if await proposals.get_assignment(session, proposal.id, agency.id) is None:
        proposals.add(session, ProposalAgency(proposal_id=proposal.id, agency_id=agency.id))
    outbox.add_job(session, INDEX_JOB, {"proposal_id": proposal.id})

    if status is ProposalStatus.TRIAGE:
        recipients, kind = await accounts.secretariat_staff(session), mail.TRIAGE
    else:
        recipients, kind = await accounts.agency_reviewers(session, agency.id), mail.ASSIGNMENT
    await session.flush()
    events.announce(session, event)
    await notifications.queue(
        session,
        event_key=f"proposal-event:{event.id}:{kind.template}",
        recipients=notifications.recipients_of(recipients),
        template=kind.template,
        proposal_id=proposal.id,
    )
    return Routed(proposal, agency, status, decision.reason)
