"""Building search documents from submissions, and keeping the index in step with them."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from search.base import SearchBackend, SearchDocument
from service.directory import repository as directory
from service.proposals import repository as proposals
from service.proposals.models import Proposal


def build_document(
    proposal: Proposal, *, agency: str | None, agencies: tuple[str, ...]
) -> SearchDocument:
    assert proposal.id is not None
    return SearchDocument(
        id=proposal.id,
        tracking_code=proposal.tracking_code,
        kind=proposal.kind.value,
        status=proposal.status.value,
        title=proposal.title,
        description=proposal.description,
        category=proposal.category_code,
        province=proposal.province_code,
        agency=agency,
        agencies=agencies,
        submitter_type=proposal.submitter_type.value,
        published=proposal.published,
        created_at=proposal.created_at,
        deadline=proposal.deadline,
    )


async def index_proposal(session: AsyncSession, backend: SearchBackend, proposal_id: int) -> None:
    """Write the proposal's current state to the index, or remove it if it is gone."""
    proposal = await proposals.get(session, proposal_id)
    if proposal is None:
        await backend.delete([proposal_id])
        return
    agency_ids = await proposals.assigned_agency_ids(session, proposal_id)
    codes = {a.id: a.code for a in await directory.get_agencies(session, agency_ids)}
    document = build_document(
        proposal,
        agency=codes.get(proposal.agency_id) if proposal.agency_id else None,
        agencies=tuple(codes[i] for i in agency_ids if i in codes),
    )
    await backend.index([document])
