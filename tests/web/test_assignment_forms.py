"""The assign and transfer forms offer agencies only, never the secretariat; a cooperating
agency finds in its inbox what it was asked to help with; the detail page names the cooperating
agencies as it names the lead."""

from __future__ import annotations

import httpx

from service.db import Database
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed
from tests.web.helpers import csrf_of, sign_in_reviewer, sign_in_secretariat

SECRETARIAT_OPTION = 'value="THUONGTRUC"'


async def _routed(settings: Settings, email: str = "minh@example.com") -> int:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings, email=email)
    await db.dispose()
    assert proposal.id is not None
    return proposal.id


async def _declined(settings: Settings) -> int:
    """Routed to BKHCN, declined by it: in the secretariat's triage queue."""
    proposal_id = await _routed(settings)
    db = Database(settings.resolved_database_url)
    bkhcn = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.decline(session, bkhcn, proposal_id, "Không thuộc thẩm quyền.", "vi")
    await db.dispose()
    return proposal_id


async def _assigned(settings: Settings, cooperating: list[str]) -> int:
    proposal_id = await _declined(settings)
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        await workflow.assign(
            session, SECRETARIAT, proposal_id, "BKHCN", settings, "vi", cooperating=cooperating
        )
    await db.dispose()
    return proposal_id


async def test_triage_neither_offers_nor_accepts_the_secretariat(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    proposal_id = await _declined(settings)
    await sign_in_secretariat(client)
    queue = await client.get("/secretariat/triage")
    assert f'action="/secretariat/triage/{proposal_id}/assign"' in queue.text
    assert 'value="BKHCN">BKHCN — ' in queue.text
    assert SECRETARIAT_OPTION not in queue.text
    refused = await client.post(
        f"/secretariat/triage/{proposal_id}/assign",
        data={"agencyCode": "THUONGTRUC", "csrf_token": csrf_of(queue.text)},
    )
    assert refused.status_code == 422
    assert (
        "Văn phòng Thường trực không chủ trì xử lý nội dung: hãy chọn cơ quan sẽ trả lời."
        in refused.text
    )
    assert f'action="/secretariat/triage/{proposal_id}/assign"' in refused.text  # still queued


async def test_the_detail_page_neither_offers_nor_accepts_the_secretariat(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    triaged = await _declined(settings)
    routed = await _routed(settings, email="lan@example.com")
    await sign_in_secretariat(client)
    assign_form = await client.get(f"/inbox/{triaged}")
    assert 'id="assign-cooperating"' in assign_form.text
    assert SECRETARIAT_OPTION not in assign_form.text
    refused = await client.post(
        f"/inbox/{triaged}/assign",
        data={
            "agencyCode": "BKHCN",
            "cooperating": ["BCA", "THUONGTRUC"],
            "csrf_token": csrf_of(assign_form.text),
        },
    )
    assert refused.status_code == 422
    message = '"THUONGTRUC" là Văn phòng Thường trực: không phối hợp xử lý nội dung.'
    assert (
        f'<p class="field-error" id="assign-cooperating-error"><span class="visually-hidden">'
        f"Lỗi:</span> {message}</p>"
    ) in refused.text.replace("&#34;", '"')
    assert '<option value="BCA" selected>' in refused.text  # what was chosen stays chosen

    transfer_form = await client.get(f"/inbox/{routed}")
    assert 'id="transfer-agencyCode"' in transfer_form.text
    assert SECRETARIAT_OPTION not in transfer_form.text
    refused = await client.post(
        f"/inbox/{routed}/transfer",
        data={
            "agencyCode": "THUONGTRUC",
            "reason": "Chuyển về.",
            "csrf_token": csrf_of(transfer_form.text),
        },
    )
    assert refused.status_code == 422
    assert (
        "Văn phòng Thường trực không chủ trì xử lý nội dung: hãy chọn cơ quan sẽ trả lời."
        in refused.text
    )
    assert "Chuyển về." in refused.text  # the reason typed comes back


async def test_a_cooperating_agency_finds_the_submission_in_its_inbox(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    proposal_id = await _assigned(settings, ["BCA", "BTC"])
    row = f'<a href="/inbox/{proposal_id}">'
    await sign_in_reviewer(client, "BCA")
    for address in ("/inbox", "/inbox?status=all", "/inbox?status=ROUTED"):
        page = await client.get(address)
        assert row in page.text, address
        assert '<span class="badge cooperating">Phối hợp</span>' in page.text
        # Acknowledging is the lead's: no box to tick for it here.
        assert f'id="select-{proposal_id}"' not in page.text

    await sign_in_reviewer(client, "BKHCN")
    lead = await client.get("/inbox")
    assert row in lead.text
    assert f'id="select-{proposal_id}"' in lead.text
    assert 'class="badge cooperating"' not in lead.text


async def test_the_detail_page_names_the_cooperating_agencies(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    proposal_id = await _assigned(settings, ["BCA", "BTC"])
    await sign_in_secretariat(client)
    page = await client.get(f"/inbox/{proposal_id}")
    assert "<dt>Cơ quan phối hợp</dt><dd>Bộ Công an; Bộ Tài chính</dd>" in page.text
