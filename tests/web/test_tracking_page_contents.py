"""What the tracking page and the published list show: the submission's own text to those who may
read it, the day of an answer the viewer may not read, and the agency of every listed row."""

from __future__ import annotations

import re

import httpx

from search.factory import create_backend
from search.reindex import reindex
from service.db import Database, utcnow
from service.i18n import format_day
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import agency_id, official, submitted_and_routed
from tests.web.helpers import private_link

DESCRIPTION = "Đề xuất thành lập quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa."


def _answer_line(page: str) -> str:
    found = re.search(r'<dt>([^<]*)</dt><dd id="(?:deadline|answered)">(.*?)</dd>', page)
    return f"{found[1]}: {re.sub(r'<[^>]+>', '', found[2])}" if found else ""


async def test_the_text_is_shown_once_published_and_to_its_submitter(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    published = await submitted_and_routed(
        db, settings, consent_to_publish=True, legal_references="Nghị định 13/2023/NĐ-CP"
    )
    private = await submitted_and_routed(
        db, settings, title="Quỹ chuyển đổi số, bản riêng", email="rieng@example.com"
    )
    page = (await client.get(f"/track/{published.tracking_code}")).text
    assert f'<div class="response-text">{DESCRIPTION}</div>' in page
    assert "Nghị định 13/2023/NĐ-CP" in page
    # Not published: its text is its submitter's and the officials', not the public's.
    assert DESCRIPTION not in (await client.get(f"/track/{private.tracking_code}")).text
    assert DESCRIPTION in (await client.get(private_link(settings, private))).text


async def test_the_public_page_gives_the_day_of_an_answer_it_does_not_show(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # Published, with the answer kept private by the agency.
    proposal = await submitted_and_routed(db, settings, consent_to_publish=True)
    assert proposal.id is not None
    reviewer = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.respond(
            session, reviewer, proposal.id, "Trả lời riêng.", publish=False, language="vi"
        )
    page = (await client.get(f"/track/{proposal.tracking_code}")).text
    assert "Trả lời riêng." not in page
    assert _answer_line(page) == f"Đã trả lời ngày: {format_day(utcnow(), 'vi')}"


async def test_published_search_results_name_the_agency_as_the_list_does(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(db, settings, consent_to_publish=True)
    backend = create_backend(settings)  # the index, as the worker's jobs would leave it
    await backend.setup()
    await reindex(db, backend)
    await backend.close()
    listed = (await client.get("/published")).text
    found = (await client.get("/published", params={"q": "chuyển đổi số"})).text
    assert f"/track/{proposal.tracking_code}" in found
    for page in (listed, found):
        assert " · Bộ Khoa học và Công nghệ · " in page
