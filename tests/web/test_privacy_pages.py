"""Personal data on the pages: the submitter's download and erasure, the secretariat's, the log."""

from __future__ import annotations

import json

import httpx
from sqlmodel import col, select

from service.attachments.models import Attachment
from service.attachments.service import IncomingFile
from service.audit.models import AuditEntry
from service.db import Database, utcnow
from service.i18n import format_day
from service.proposals import repository as proposals
from service.proposals.service import submit_proposal
from service.routing.service import route_proposal
from service.settings import Settings
from tests.factories import submission, submitted_and_routed
from tests.web.helpers import (
    csrf_of,
    private_link,
    sign_in_reviewer,
    sign_in_secretariat,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _audit(db: Database) -> list[tuple[str, str, list[int], str]]:
    async with db.session() as session:
        rows = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    return [(r.actor_email, r.action, r.proposal_ids, r.detail) for r in rows]


async def test_a_submitter_downloads_then_erases_their_data_through_the_private_link(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(db, settings, phone="0912345678")
    assert proposal.id is not None
    link = private_link(settings, proposal)
    key = link.split("key=", 1)[1]
    page = await client.get(link)
    assert "Tải dữ liệu của tôi" in page.text
    token = csrf_of(page.text)
    code = proposal.tracking_code

    download = await client.post(
        f"/track/{code}/personal-data", data={"csrf_token": token, "key": key}
    )
    assert download.status_code == 200
    assert download.headers["content-disposition"] == (
        f'attachment; filename="intake-{code}-personal-data.json"'
    )
    assert download.headers["cache-control"] == "private, no-store"
    data = json.loads(download.content)
    assert (data["submitter"]["email"], data["submitter"]["phone"]) == (
        "minh@example.com",
        "0912345678",
    )

    refused = await client.post(
        f"/track/{code}/personal-data", data={"csrf_token": token, "key": "guess"}
    )
    assert refused.status_code == 403
    assert "Đường dẫn này không mở được nội dung" in refused.text

    unconfirmed = await client.post(f"/track/{code}/erase", data={"csrf_token": token, "key": key})
    assert unconfirmed.status_code == 422
    assert (
        "Hãy xác nhận rằng dữ liệu cá nhân của bạn sẽ bị xoá; việc này không thể hoàn tác."
        in unconfirmed.text
    )
    async with db.session() as session:
        kept = await proposals.get(session, proposal.id)
    assert kept is not None
    assert kept.submitter_email == "minh@example.com"

    erased = await client.post(
        f"/track/{code}/erase", data={"csrf_token": token, "key": key, "confirm": "yes"}
    )
    assert erased.status_code == 303
    assert erased.headers["location"] == f"/track/{code}?key={key}&done=erase"
    after = await client.get(erased.headers["location"])
    assert "Dữ liệu cá nhân của bạn đã được xoá." in after.text
    assert "Dữ liệu cá nhân của người gửi đã được xoá." in after.text  # the timeline says so
    # The page says when: what the submitter sends afterwards (an answer) is kept.
    today = format_day(utcnow(), "vi")
    assert f"đã được xoá ngày {today}. Những câu trả lời bạn gửi sau đó được giữ lại." in after.text
    async with db.session() as session:
        row = await proposals.get(session, proposal.id)
    assert row is not None
    assert (row.submitter_name, row.submitter_email, row.submitter_phone) == ("[erased]", "", "")
    assert [(action, ids) for _, action, ids, _ in await _audit(db)] == [
        ("EXPORT_PERSONAL_DATA", [proposal.id]),
        ("ERASE_PERSONAL_DATA", [proposal.id]),
    ]


async def test_viewing_contact_details_and_exporting_search_results_are_audited(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    await sign_in_reviewer(client)
    detail = await client.get(f"/inbox/{proposal.id}", headers={"x-request-id": "inbox-view-0001"})
    assert detail.status_code == 200
    assert "minh@example.com" in detail.text
    exported = await client.get("/secretariat/search.csv", params={"q": "quỹ", "status": "ROUTED"})
    assert exported.status_code == 200
    assert await _audit(db) == [
        ("reviewer.bkhcn@intake.localhost", "VIEW_CONTACT", [proposal.id], ""),
        ("reviewer.bkhcn@intake.localhost", "EXPORT_SEARCH", [], "csv q=qu%E1%BB%B9&status=ROUTED"),
    ]
    async with db.session() as session:
        [viewed, _] = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    assert viewed.request_id == "inbox-view-0001"

    forbidden = await client.get("/admin/audit")
    assert forbidden.status_code == 403


async def test_the_secretariat_erases_on_request_and_filters_the_audit_log(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    await sign_in_secretariat(client)
    detail = await client.get(f"/inbox/{proposal.id}")
    token = csrf_of(detail.text)

    no_reason = await client.post(
        f"/inbox/{proposal.id}/personal-data/erase",
        data={"csrf_token": token, "erasureReason": " "},
    )
    assert no_reason.status_code == 422
    assert "Hãy ghi rõ người gửi đã yêu cầu xoá dữ liệu bằng cách nào." in no_reason.text

    exported = await client.post(
        f"/inbox/{proposal.id}/personal-data/export", data={"csrf_token": token}
    )
    assert json.loads(exported.content)["submitter"]["name"] == "Nguyễn Thị Minh"

    erased = await client.post(
        f"/inbox/{proposal.id}/personal-data/erase",
        data={"csrf_token": token, "erasureReason": "Thư ngày 30/11/2026"},
    )
    assert (erased.status_code, erased.headers["location"]) == (
        303,
        f"/inbox/{proposal.id}?done=erase",
    )
    after = await client.get(f"/inbox/{proposal.id}")
    assert "minh@example.com" not in after.text
    assert "Dữ liệu cá nhân đã được xoá ngày" in after.text

    log = await client.get("/admin/audit", params={"action": "ERASE_PERSONAL_DATA"})
    assert log.status_code == 200
    assert "Số mục: 1" in log.text
    assert "Thư ngày 30/11/2026" in log.text
    assert f'<a href="/inbox/{proposal.id}">{proposal.tracking_code}</a>' in log.text
    every = await client.get("/admin/audit", params={"code": proposal.tracking_code})
    # The first view, the page shown again with the missing reason, the export and the erasure;
    # the page after erasure shows nothing personal, so it is not recorded.
    assert "Số mục: 4" in every.text

    bad = await client.get("/admin/audit", params={"from": "30/11/2026", "code": "ZZZZZZZZZZ"})
    assert bad.status_code == 422
    assert "Enter a date like 2026-03-31." not in bad.text
    assert "Nhập ngày theo dạng 2026-03-31." in bad.text
    assert "Không có nội dung nào có mã tra cứu này." in bad.text
    assert 'value="30/11/2026"' in bad.text


async def test_the_audit_page_sends_visitors_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/admin/audit")
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/login?next=/admin/audit",
    )


async def test_an_official_downloading_a_submitters_file_is_audited(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    async with db.transaction() as session:
        proposal = await submit_proposal(
            session,
            submission(consent_to_publish=False),
            settings,
            "vi",
            files=[IncomingFile("giay-phep.pdf", PDF)],
        )
    assert proposal.id is not None
    async with db.transaction() as session:
        await route_proposal(session, proposal.id, settings)
    async with db.session() as session:
        [file] = (await session.exec(select(Attachment))).all()
    key = private_link(settings, proposal).split("key=", 1)[1]
    own = await client.get(
        f"/attachments/{file.id}", params={"code": proposal.tracking_code, "key": key}
    )
    assert (own.status_code, own.content) == (200, PDF)
    assert await _audit(db) == []

    await sign_in_reviewer(client)
    downloaded = await client.get(f"/attachments/{file.id}")
    assert (downloaded.status_code, downloaded.content) == (200, PDF)
    assert await _audit(db) == [
        (
            "reviewer.bkhcn@intake.localhost",
            "DOWNLOAD_SUBMITTER_FILE",
            [proposal.id],
            f"attachment {file.id}",
        )
    ]


async def test_the_files_in_a_submitters_export_download_with_no_session(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    async with db.transaction() as session:
        proposal = await submit_proposal(
            session, submission(), settings, "vi", files=[IncomingFile("giay-phep.pdf", PDF)]
        )
    link = private_link(settings, proposal)
    page = await client.get(link)
    exported = await client.post(
        f"/track/{proposal.tracking_code}/personal-data",
        data={"csrf_token": csrf_of(page.text), "key": link.split("key=", 1)[1]},
    )
    [file] = json.loads(exported.content)["files"]
    client.cookies.clear()  # opened later, from the saved file
    downloaded = await client.get(file["url"])
    assert (downloaded.status_code, downloaded.content) == (200, PDF)
