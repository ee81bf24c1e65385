"""The inbox list: select checkboxes only with the bulk action they serve, a table that scrolls
inside its own region."""

from __future__ import annotations

import httpx

from service.db import Database
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.web.helpers import sign_in_reviewer, sign_in_secretariat


async def _routed(settings: Settings) -> int:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    await db.dispose()
    assert proposal.id is not None
    return proposal.id


async def test_the_secretariat_sees_no_select_boxes_without_a_bulk_action(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    proposal_id = await _routed(settings)
    await sign_in_secretariat(client)
    page = await client.get("/inbox?status=ROUTED")
    assert f'<a href="/inbox/{proposal_id}">' in page.text
    assert f'id="select-{proposal_id}"' not in page.text
    assert 'type="checkbox" name="ids"' not in page.text
    assert "Xác nhận tiếp nhận các nội dung đã chọn" not in page.text
    assert '<span class="visually-hidden">Chọn</span>' not in page.text
    assert (
        '<div class="table-scroll" role="region"'
        ' aria-label="Các nội dung, hạn sớm nhất trước" tabindex="0">'
    ) in page.text


async def test_an_agency_reviewer_selects_routed_rows_and_acknowledges_them(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    proposal_id = await _routed(settings)
    await sign_in_reviewer(client)
    page = await client.get("/inbox")
    assert f'<input type="checkbox" name="ids" value="{proposal_id}"' in page.text
    assert '<span class="visually-hidden">Chọn</span>' in page.text
    assert '<div class="table-scroll" role="region"' in page.text
