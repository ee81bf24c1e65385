"""The detail page's assign and merge forms refuse what cannot be done with a message on the
field: the lead agency chosen again as cooperating, a tracking code nobody has."""

from __future__ import annotations

import httpx

from service.db import Database
from service.proposals import repository as proposals
from service.proposals.models import ProposalStatus
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import agency_id, official, submitted_and_routed
from tests.web.helpers import csrf_of, sign_in_secretariat


def _field_error(field_id: str, message: str) -> str:
    return (
        f'<p class="field-error" id="{field_id}-error"><span class="visually-hidden">'
        f"Lỗi:</span> {message}</p>"
    )


async def _proposal(settings: Settings, *, declined: bool) -> int:
    """Routed to BKHCN by the rules; declined by it (in triage) when `declined`."""
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    if declined:
        bkhcn = official(await agency_id(db, "BKHCN"))
        async with db.transaction() as session:
            await workflow.decline(session, bkhcn, proposal.id, "Không thuộc thẩm quyền.", "vi")
    await db.dispose()
    return proposal.id


async def _status(settings: Settings, proposal_id: int) -> ProposalStatus:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        proposal = await proposals.get(session, proposal_id)
    await db.dispose()
    assert proposal is not None
    return proposal.status


async def test_the_assign_form_refuses_the_lead_agency_as_cooperating(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    proposal_id = await _proposal(settings, declined=True)
    await sign_in_secretariat(client)
    page = await client.get(f"/inbox/{proposal_id}")
    refused = await client.post(
        f"/inbox/{proposal_id}/assign",
        data={
            "agencyCode": "BKHCN",
            "cooperating": ["BCA", "BKHCN"],
            "note": "Nhờ Bộ Công an góp ý.",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert refused.status_code == 422
    message = "Cơ quan chủ trì không thể đồng thời là cơ quan phối hợp."
    assert _field_error("assign-cooperating", message) in refused.text
    assert '<option value="BCA" selected>' in refused.text  # what was chosen stays chosen
    assert "Nhờ Bộ Công an góp ý." in refused.text
    assert await _status(settings, proposal_id) is ProposalStatus.TRIAGE


async def test_the_merge_form_says_no_submission_has_the_tracking_code(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    proposal_id = await _proposal(settings, declined=False)
    await sign_in_secretariat(client)
    page = await client.get(f"/inbox/{proposal_id}")
    refused = await client.post(
        f"/inbox/{proposal_id}/merge",
        data={"intoCode": "KN-0000-NOPE", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 422
    message = "Không có nội dung nào có mã tra cứu này."
    assert _field_error("merge-intoCode", message) in refused.text
    assert 'value="KN-0000-NOPE"' in refused.text
    assert await _status(settings, proposal_id) is ProposalStatus.ROUTED
