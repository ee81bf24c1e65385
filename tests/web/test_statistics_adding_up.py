"""The dashboard's agency rows and what the secretariat holds add up to the submissions received:
built from real submissions waiting in triage, merged there, merged after routing, rejected and
not yet routed; the API's `stats` gives the same received figures, overall and per agency."""

from __future__ import annotations

import re

import httpx

from service.db import Database
from service.proposals.models import ProposalStatus
from service.proposals.service import submit_proposal
from service.settings import Settings
from service.statistics import service as statistics
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, agency_id, submission, submitted_and_routed
from tests.graphql_client import execute
from tests.web.test_statistics_page import VI_LABELS, _headline, _table

_TRIAGE = {
    "category": "OTHER",
    "description": "Tôi có vài ý kiến chung, mong được xem xét.",
}


async def _data_set(db: Database, settings: Settings) -> None:
    """BKHCN leads 3 (one merged into another after routing); the secretariat holds 2 in
    triage, 1 merged there, 1 rejected there and 1 the routing job has not reached yet."""
    lead, routed_then_merged, _ = [
        await submitted_and_routed(db, settings, title=f"Đề xuất số {n} về chuyển đổi số")
        for n in range(3)
    ]
    triage = [
        await submitted_and_routed(db, settings, title=f"Góp ý chung số {n}", **_TRIAGE)
        for n in range(4)
    ]
    assert {p.agency_id for p in (lead, routed_then_merged)} == {await agency_id(db, "BKHCN")}
    assert [p.status for p in triage] == [ProposalStatus.TRIAGE] * 4
    assert lead.id is not None
    assert routed_then_merged.id is not None
    assert triage[2].id is not None
    assert triage[3].id is not None
    async with db.transaction() as session:
        await workflow.merge(session, SECRETARIAT, routed_then_merged.id, lead.id, "vi")
        await workflow.merge(session, SECRETARIAT, triage[2].id, lead.id, "vi")
        await workflow.reject(session, SECRETARIAT, triage[3].id, "Không có nội dung.", "vi")
        await submit_proposal(session, submission(title="Chưa được phân loại"), settings, "vi")


def _adding_up(page: str) -> dict[str, str]:
    block = re.search(r'<table class="table" id="adding-up".*?</table>', page, re.S)
    assert block is not None
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', block[0]))


async def test_the_agency_rows_and_the_secretariats_share_add_up_to_what_was_received(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    await _data_set(db, settings)

    page = await client.get("/statistics")
    assert page.status_code == 200
    assert _headline(page.text)[VI_LABELS[0]] == "8"
    # The merged one BKHCN received stays in its row: received, not resolved.
    assert _table(page.text) == {"BKHCN": ["3", "0", "0,0%", "—", "—", "—", "0"]}
    assert _adding_up(page.text) == {
        "Trong các dòng của cơ quan ở trên": "3",
        "Đang chờ Văn phòng Thường trực phân công": "3",
        "Đã gộp vào nội dung khác trước khi phân công": "1",
        "Bị từ chối hoặc được rút lại trước khi phân công": "1",
        "Số nội dung nhận được, tất cả cơ quan": "8",
    }
    rows = _adding_up(page.text)
    assert sum(int(n) for n in list(rows.values())[:4]) == int(_headline(page.text)[VI_LABELS[0]])
    assert re.search(r'<p id="merged">Tổng số đã gộp vào nội dung khác: 2\.', page.text)

    await client.get("/lang/en")
    english = await client.get("/statistics")
    assert _adding_up(english.text) == {
        "In the agencies' rows above": "3",
        "Awaiting assignment by the secretariat": "3",
        "Merged into another submission before assignment": "1",
        "Rejected or withdrawn before assignment": "1",
        "Submissions received, all agencies": "8",
    }
    assert (
        '<p id="merged">Merged into another submission, in all: 2. One merged after an agency '
        "received it stays in that agency's row, counted as received and not as resolved: "
        "the submission it was merged into carries the answer.</p>"
    ) in english.text

    # The API counts as the page does: overall all 8 with both merged, BKHCN the 3 it leads.
    everyone = (await execute(client, "Stats"))["stats"]
    bkhcn = (await execute(client, "Stats", {"agency": "BKHCN"}))["stats"]
    assert (everyone["received"], everyone["merged"]) == (8, 2)
    assert (bkhcn["received"], bkhcn["merged"], bkhcn["resolved"]) == (3, 1, 0)
    # And gives the secretariat's share, which the agencies' figures add up with.
    held = ("awaitingAssignment", "mergedBeforeAssignment", "endedBeforeAssignment")
    assert [everyone[name] for name in held] == [3, 1, 1]
    assert [bkhcn[name] for name in held] == [0, 0, 0]
    assert bkhcn["received"] + sum(everyone[name] for name in held) == everyone["received"]


async def test_the_figures_at_once_and_overall_agree_on_the_secretariats_share(
    settings: Settings, db: Database
) -> None:
    await _data_set(db, settings)
    start, end = statistics.last_year(statistics.today()).bounds
    async with db.session() as session:
        overall, by_agency = await statistics.figures_by_agency(session, start, end)
        everyone = await statistics.figures(session, None, start, end)
    assert overall == everyone
    assert overall.unassigned == statistics.Unassigned(awaiting=3, merged=1, ended=1)
    assert all(f.unassigned == statistics.Unassigned() for f in by_agency.values())
