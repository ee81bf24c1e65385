"""The inbox names who wrote each note, words the bulk acknowledge's skipped count truly, and
shows the acknowledgement deadline while a submission waits for it."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import httpx

from service.db import Database, utcnow
from service.i18n import Language, format_day
from service.proposals import repository as proposals_repository
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.web.helpers import csrf_of, sign_in_reviewer, sign_in_secretariat


def _notes(page: str) -> list[str]:
    match = re.search(r'<ul class="notes" id="notes">(.*?)</ul>', page, re.S)
    assert match is not None
    return re.findall(r'<span class="muted">[^·]*· ([^<]*)</span>', match[1])


async def _note(client: httpx.AsyncClient, proposal_id: int, text: str) -> None:
    page = await client.get(f"/inbox/{proposal_id}")
    response = await client.post(
        f"/inbox/{proposal_id}/note", data={"note": text, "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303


async def test_notes_and_contributions_name_their_author_and_agency(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(
        db,
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",  # nothing routes it
    )
    assert proposal.id is not None
    await sign_in_secretariat(client)
    page = await client.get(f"/inbox/{proposal.id}")
    assigned = await client.post(
        f"/inbox/{proposal.id}/assign",
        data={"agencyCode": "BKHCN", "cooperating": ["BCT"], "csrf_token": csrf_of(page.text)},
    )
    assert assigned.status_code == 303
    client.cookies.clear()
    await sign_in_reviewer(client, "BCT")
    await _note(client, proposal.id, "BCT đề nghị bổ sung số liệu.")
    client.cookies.clear()
    await sign_in_reviewer(client, "BKHCN")
    await _note(client, proposal.id, "Đã gọi điện cho Sở.")

    shown = _notes((await client.get(f"/inbox/{proposal.id}")).text)
    assert shown == [
        "Bộ Công Thương (reviewer.bct@intake.localhost) · Ý kiến của cơ quan phối hợp",
        "Bộ Khoa học và Công nghệ (reviewer.bkhcn@intake.localhost) · Ghi chú",
    ]
    await client.get("/lang/en")
    shown = _notes((await client.get(f"/inbox/{proposal.id}")).text)
    assert shown == [
        "Ministry of Industry and Trade (reviewer.bct@intake.localhost)"
        " · Contribution of a cooperating agency",
        "Ministry of Science and Technology (reviewer.bkhcn@intake.localhost) · Note",
    ]


async def test_bulk_acknowledge_words_every_skipped_case_truly(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    """Skipped: another agency's waiting submission, one acknowledged already, a missing id."""
    own = await submitted_and_routed(db, settings, title="Quỹ chuyển đổi số cho doanh nghiệp nhỏ")
    done_before = await submitted_and_routed(db, settings, title="Quỹ đổi mới sáng tạo")
    others = await submitted_and_routed(
        db,
        settings,
        title="Căn cước điện tử cho người nước ngoài",
        description="Đề nghị cấp căn cước điện tử cho chuyên gia nước ngoài.",
        category="DATA",
    )
    assert own.id
    assert done_before.id
    assert others.id
    assert others.agency_id != own.agency_id
    await sign_in_reviewer(client)
    page = await client.get("/inbox")
    first = await client.post(
        "/inbox/acknowledge", data={"ids": [str(done_before.id)], "csrf_token": csrf_of(page.text)}
    )
    assert first.headers["location"] == "/inbox?acknowledged=1&skipped=0"
    picked = [str(own.id), str(done_before.id), str(others.id), "999999"]
    response = await client.post(
        "/inbox/acknowledge", data={"ids": picked, "csrf_token": csrf_of(page.text)}
    )
    assert response.headers["location"] == "/inbox?acknowledged=1&skipped=3"
    for language, notice in (
        (
            "vi",
            "Đã xác nhận tiếp nhận: 1. Không xác nhận (không phải nội dung đang chờ cơ quan"
            " của bạn xác nhận tiếp nhận): 3.",
        ),
        (
            "en",
            "Acknowledged: 1. Not acknowledged (not waiting for your agency's acknowledgement): 3.",
        ),
    ):
        await client.get(f"/lang/{language}")
        shown = await client.get(response.headers["location"])
        expected = f'<div class="notice" role="status" id="done">{notice}</div>'
        assert expected in html.unescape(shown.text)


async def _acknowledge_due(db: Database, proposal_id: int, moment: datetime) -> None:
    async with db.transaction() as session:
        proposal = await proposals_repository.get(session, proposal_id)
        assert proposal is not None
        proposal.acknowledge_deadline = moment


def _acknowledge_by(page: str) -> str | None:
    match = re.search(r"<dt>([^<]*)</dt><dd id=\"acknowledge-by\">(.*?)</dd>", page, re.S)
    return None if match is None else f"{match[1]}: {' '.join(match[2].split())}"


def _row(page: str, proposal_id: int) -> str:
    match = re.search(
        rf'<tr>\s*<td>(?:(?!</tr>).)*?<a href="/inbox/{proposal_id}">.*?</tr>', page, re.S
    )
    assert match is not None
    return match[0]


async def test_the_acknowledgement_deadline_is_shown_and_flagged_once_passed(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    late = await submitted_and_routed(db, settings, title="Quỹ chưa được xác nhận kịp")
    waiting = await submitted_and_routed(db, settings, title="Quỹ còn thời hạn xác nhận")
    assert late.id
    assert waiting.id
    assert waiting.acknowledge_deadline is not None
    passed = utcnow() - timedelta(days=1)
    await _acknowledge_due(db, late.id, passed)
    await sign_in_reviewer(client)
    cases: list[tuple[Language, str, str]] = [
        ("vi", "Hạn xác nhận tiếp nhận", "Quá hạn xác nhận tiếp nhận"),
        ("en", "Acknowledge by", "Acknowledgement overdue"),
    ]
    for language, label, badge in cases:
        await client.get(f"/lang/{language}")
        overdue = "Quá hạn" if language == "vi" else "Overdue"
        detail = (await client.get(f"/inbox/{late.id}")).text
        assert _acknowledge_by(detail) == (
            f'{label}: {format_day(passed, language)} <span class="badge overdue">{overdue}</span>'
        )
        detail = (await client.get(f"/inbox/{waiting.id}")).text
        assert _acknowledge_by(detail) == (
            f"{label}: {format_day(waiting.acknowledge_deadline, language)}"
        )
        listing = (await client.get("/inbox")).text
        assert f'<span class="badge overdue">{badge}</span>' in _row(listing, late.id)
        assert "badge" not in _row(listing, waiting.id)

    # Once acknowledged, the date is no longer one anybody works to: neither page shows it.
    page = await client.get(f"/inbox/{late.id}")
    acknowledged = await client.post(
        f"/inbox/{late.id}/acknowledge", data={"csrf_token": csrf_of(page.text)}
    )
    assert acknowledged.status_code == 303
    assert _acknowledge_by((await client.get(f"/inbox/{late.id}")).text) is None
    listing = (await client.get("/inbox")).text
    assert "Acknowledgement overdue" not in _row(listing, late.id)
