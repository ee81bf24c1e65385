"""Officials' and submitters' pages: inbox, detail steps, triage, tracking actions, public pages."""

from __future__ import annotations

import re

import httpx

from search.factory import create_backend
from search.reindex import reindex
from service.db import Database, utcnow
from service.i18n import format_day
from service.proposals import repository as proposals_repository
from service.proposals.models import ProposalStatus
from service.routing import repository as routing_repository
from service.settings import Settings
from service.statistics import service as statistics
from tests.factories import form_data, submitted_and_routed
from tests.web.helpers import (
    csrf_of,
    private_link,
    save_template,
    sign_in_reviewer,
    sign_in_secretariat,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _status(settings: Settings, proposal_id: int) -> ProposalStatus:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        proposal = await proposals_repository.get(session, proposal_id)
    assert proposal is not None
    return proposal.status


async def _routed(db: Database, settings: Settings, **fields: object) -> tuple[int, str]:
    proposal = await submitted_and_routed(db, settings, **fields)
    assert proposal.id is not None
    return proposal.id, private_link(settings, proposal)


def _answer_line(page: str) -> str:
    """The tracking page's line on the answer's date, tags removed ("" when it has none)."""
    found = re.search(r'<dt>([^<]*)</dt><dd id="(?:deadline|answered)">(.*?)</dd>', page)
    return f"{found[1]}: {re.sub(r'<[^>]+>', '', found[2])}" if found else ""


async def test_inbox_sends_anonymous_visitors_to_sign_in(client: httpx.AsyncClient) -> None:
    for path in ("/inbox", "/inbox/1", "/secretariat/triage"):
        response = await client.get(path)
        assert (response.status_code, response.headers["location"]) == (
            303,
            f"/login?next={path}",
        )


async def test_reviewer_sees_only_its_agency_and_bulk_acknowledges(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    own_id, _ = await _routed(db, settings, title="Quỹ chuyển đổi số cho doanh nghiệp nhỏ")
    other_id, _ = await _routed(
        db,
        settings,
        title="Căn cước điện tử cho người nước ngoài",
        description="Đề nghị cấp căn cước điện tử cho chuyên gia nước ngoài.",
        category="DATA",
    )
    await sign_in_reviewer(client)
    page = await client.get("/inbox")
    assert page.status_code == 200
    assert "Quỹ chuyển đổi số cho doanh nghiệp nhỏ" in page.text
    assert "Căn cước điện tử" not in page.text
    assert '<p id="count" aria-live="polite">Số nội dung tìm thấy: 1</p>' in page.text
    assert (await client.get(f"/inbox/{other_id}")).status_code == 404
    acknowledged = await client.post(
        "/inbox/acknowledge",
        data={"ids": [str(own_id), str(other_id)], "csrf_token": csrf_of(page.text)},
    )
    assert acknowledged.headers["location"] == "/inbox?acknowledged=1&skipped=1"
    assert await _status(settings, own_id) is ProposalStatus.ACKNOWLEDGED
    assert await _status(settings, other_id) is ProposalStatus.ROUTED
    notice = '<div class="notice" role="status" id="done">Đã xác nhận tiếp nhận: {}.'
    shown = await client.get(acknowledged.headers["location"])
    skipped = " Không xác nhận (không phải nội dung đang chờ cơ quan của bạn xác nhận tiếp nhận)"
    assert notice.format("1") + skipped + ": 1.</div>" in shown.text
    # Counts that no bulk acknowledge gave (a link typed or changed by hand): no notice.
    for params in ("acknowledged=abc&skipped=<b>x", "acknowledged=0&skipped=0", "acknowledged=5"):
        assert 'id="done"' not in (await client.get(f"/inbox?{params}")).text, params


async def test_reviewer_answers_from_a_template_then_the_submitter_rates(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, link = await _routed(db, settings, consent_to_publish=True)
    assert re.fullmatch(
        r"Hạn trả lời: \d{2}/\d{2}/\d{4}", _answer_line((await client.get(link)).text)
    )
    template_id = await save_template(db, "Cảm ơn", "Cảm ơn anh/chị đã gửi đề xuất.")
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal_id}", params={"template": str(template_id)})
    assert ">Cảm ơn anh/chị đã gửi đề xuất.</textarea>" in page.text
    response = await _post_multipart(client, f"/inbox/{proposal_id}/respond", page.text)
    assert response.status_code == 303
    assert await _status(settings, proposal_id) is ProposalStatus.RESPONDED

    client.cookies.clear()
    tracking = await client.get(link)
    assert "Cảm ơn anh/chị đã gửi đề xuất." in tracking.text
    # Answered: the page gives the answer's day, no longer a deadline to wait for.
    assert _answer_line(tracking.text) == f"Đã trả lời ngày: {format_day(utcnow(), 'vi')}"
    assert re.search(
        r'<a href="/attachments/\d+\?code=\w+&amp;key=[\w-]+" download>', tracking.text
    )
    assert tracking.headers["cache-control"] == "private, no-store"
    code = link.split("/")[2].split("?")[0]
    key = link.split("key=")[1]
    bad = await client.post(
        f"/track/{code}/rate",
        data={"key": key, "score": "9", "csrf_token": csrf_of(tracking.text)},
    )
    assert bad.status_code == 422
    assert (
        '<a href="#score">Bạn hài lòng với câu trả lời ở mức nào?: Hãy chọn điểm từ 1 đến 5.</a>'
        in bad.text
    )
    rated = await client.post(
        f"/track/{code}/rate",
        data={"key": key, "score": "4", "comment": "Rõ ràng", "csrf_token": csrf_of(tracking.text)},
    )
    assert rated.headers["location"] == f"/track/{code}?key={key}&done=rate"
    assert await _status(settings, proposal_id) is ProposalStatus.CLOSED
    async with db.session() as session:
        end = utcnow()
        figures = await statistics.figures(session, None, end.replace(year=end.year - 1), end)
    assert (figures.received, figures.resolved, figures.satisfaction) == (1, 1, 4.0)
    dashboard = await client.get("/statistics")
    assert "<dd>4 / 5</dd>" in dashboard.text
    assert "<dd>100,0%</dd>" in dashboard.text


async def _post_multipart(client: httpx.AsyncClient, path: str, page: str) -> httpx.Response:
    return await client.post(
        path,
        data={
            "text": "Cảm ơn anh/chị đã gửi đề xuất.",
            "publish": "yes",
            "csrf_token": csrf_of(page),
        },
        files={"attachments": ("tra-loi.pdf", PDF, "application/pdf")},
    )


async def test_information_request_answered_and_withdrawal_through_the_private_link(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, link = await _routed(db, settings)
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal_id}")
    empty = await client.post(
        f"/inbox/{proposal_id}/request-information",
        data={"question": " ", "csrf_token": csrf_of(page.text)},
    )
    assert empty.status_code == 422
    assert (
        '<a href="#request-information-question">Câu hỏi gửi người gửi: Trường này là bắt buộc.</a>'
        in empty.text
    )
    asked = await client.post(
        f"/inbox/{proposal_id}/request-information",
        data={"question": "Hồ sơ nộp ngày nào?", "csrf_token": csrf_of(page.text)},
    )
    assert asked.status_code == 303
    client.cookies.clear()
    tracking = await client.get(link)
    assert '<blockquote class="question">Hồ sơ nộp ngày nào?</blockquote>' in tracking.text
    assert re.fullmatch(
        r"Hạn trả lời: \d{2}/\d{2}/\d{4} Tạm dừng tính hạn", _answer_line(tracking.text)
    )
    code, key = link.split("/")[2].split("?")[0], link.split("key=")[1]
    wrong_key = await client.post(
        f"/track/{code}/answer",
        data={"key": "nope", "answer": "x", "csrf_token": csrf_of(tracking.text)},
    )
    assert wrong_key.status_code == 403
    answered = await client.post(
        f"/track/{code}/answer",
        data={"key": key, "answer": "Ngày 2 tháng 3.", "csrf_token": csrf_of(tracking.text)},
    )
    assert answered.status_code == 303
    assert await _status(settings, proposal_id) is ProposalStatus.ROUTED
    withdrawn = await client.post(
        f"/track/{code}/withdraw",
        data={"key": key, "reason": "", "csrf_token": csrf_of(tracking.text)},
    )
    assert withdrawn.status_code == 303
    assert await _status(settings, proposal_id) is ProposalStatus.WITHDRAWN
    assert _answer_line((await client.get(link)).text) == ""


async def test_secretariat_assigns_from_the_triage_queue_with_suggestions(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _ = await _routed(
        db,
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",  # nothing to route by
    )
    await sign_in_secretariat(client)
    queue = await client.get("/secretariat/triage")
    assert queue.status_code == 200
    assert f'action="/secretariat/triage/{proposal_id}/assign"' in queue.text
    assert '<option value="BKHCN">BKHCN — Bộ Khoa học và Công nghệ</option>' in queue.text
    missing = await client.post(
        f"/secretariat/triage/{proposal_id}/assign",
        data={"agencyCode": "", "csrf_token": csrf_of(queue.text)},
    )
    assert missing.status_code == 422
    assert "Hãy chọn một cơ quan trong danh bạ." in missing.text
    assigned = await client.post(
        f"/secretariat/triage/{proposal_id}/assign",
        data={"agencyCode": "BKHCN", "csrf_token": csrf_of(queue.text)},
    )
    assert assigned.status_code == 303
    assert await _status(settings, proposal_id) is ProposalStatus.ROUTED
    # The same form sent again (a second tab, the back button) is refused in the page's language.
    again = await client.post(
        f"/secretariat/triage/{proposal_id}/assign",
        data={"agencyCode": "BTC", "csrf_token": csrf_of(queue.text)},
    )
    assert again.status_code == 422
    assert "Nội dung này đã rời hàng chờ phân loại." in again.text


async def test_reviewer_may_not_open_the_triage_queue(client: httpx.AsyncClient) -> None:
    await sign_in_reviewer(client)
    assert (await client.get("/secretariat/triage")).status_code == 403


async def test_every_new_form_refuses_a_missing_csrf_token(client: httpx.AsyncClient) -> None:
    await sign_in_secretariat(client)
    for path in (
        "/inbox/acknowledge",
        "/inbox/1/respond",
        "/secretariat/triage/1/assign",
        "/track/ABCDEFGH23/rate",
        "/track/ABCDEFGH23/answer",
        "/track/ABCDEFGH23/withdraw",
    ):
        assert (await client.post(path, data={"x": "y"})).status_code == 403, path


async def test_submission_with_attachments_and_a_rejected_file(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    token = csrf_of((await client.get("/submit")).text)
    rejected = await client.post(
        "/submit",
        data={**form_data(), "csrf_token": token},
        files={"attachments": ("bang-chung.pdf", b"MZ not a pdf", "application/pdf")},
    )
    assert rejected.status_code == 422
    assert "Tệp bang-chung.pdf không thuộc các loại được chấp nhận: " in rejected.text
    assert "hãy chọn lại" in rejected.text
    accepted = await client.post(
        "/submit",
        data={**form_data(), "csrf_token": token},
        files={"attachments": ("bang-chung.pdf", PDF, "application/pdf")},
    )
    assert accepted.status_code == 303
    page = await client.get(accepted.headers["location"])
    assert "bang-chung.pdf" in page.text


async def test_public_pages_in_both_languages(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    _, _ = await _routed(db, settings, consent_to_publish=True)
    for language, heading in (
        ("vi", "Nội dung và trả lời được công khai"),
        ("en", "Published submissions and answers"),
    ):
        await client.get(f"/lang/{language}")
        listing = await client.get("/published")
        assert f"<h1>{heading}</h1>" in listing.text
        assert "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ" in listing.text
        assert (await client.get("/statistics")).status_code == 200
        assert (await client.get("/")).status_code == 200
    bad_period = await client.get("/statistics", params={"from": "2026-13-01"})
    assert bad_period.status_code == 422


async def test_detail_page_shows_no_problem_box_when_nothing_went_wrong(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _ = await _routed(db, settings)
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal_id}")
    assert 'role="alert"' not in page.text
    assert "Macro" not in page.text


async def test_routing_reasons_are_shown_to_officials_not_on_the_tracking_page(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, link = await _routed(db, settings)
    tracking = await client.get(link)
    assert tracking.status_code == 200
    assert "Đã chuyển đến cơ quan chủ trì" in tracking.text
    assert "confidence" not in tracking.text
    await sign_in_secretariat(client)
    detail = await client.get(f"/inbox/{proposal_id}")
    assert detail.status_code == 200
    assert re.search(r'<p class="event-note">[^<]*độ tin cậy \d,\d\d', detail.text)


async def test_triage_offers_the_engines_ranked_suggestions_with_their_reasons(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # Tax refunds (Finance) and work permits (Home Affairs) in one letter: no clear leader.
    proposal_id, _ = await _routed(
        db,
        settings,
        category="OTHER",
        title="Hoàn thuế và giấy phép lao động cho chuyên gia",
        description="Doanh nghiệp chờ hoàn thuế và giấy phép lao động cho chuyên gia nước ngoài.",
    )
    assert await _status(settings, proposal_id) is ProposalStatus.TRIAGE
    async with db.session() as session:
        [decision] = await routing_repository.decisions(session, proposal_id)
    ranked = [s["agency"] for s in decision.suggestions]
    assert len(ranked) >= 2
    await sign_in_secretariat(client)
    page = (await client.get("/secretariat/triage")).text
    item = page[page.index(f'id="title-{proposal_id}"') :]
    item = item[: item.index("</article>")]
    offered = re.findall(r"<li><strong>([A-Z0-9-]+)</strong> — ([^:<]+): ([^<]*)</li>", item)
    # The engine's order first, each with its reasons in the page's language.
    assert [code for code, _, _ in offered][: len(ranked)] == ranked[:3]
    assert len(offered) <= 3
    assert offered[0][2].startswith("từ khóa")
    assert "keyword" not in item


async def test_the_landing_figures_and_the_published_list_with_search_and_filters(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    await _routed(db, settings, consent_to_publish=True)  # a proposal on a fund, DIGITAL_ECONOMY
    await _routed(
        db,
        settings,
        kind="OBSTACLE",
        title="Căn cước điện tử cho người nước ngoài",
        description="Đề nghị cấp căn cước điện tử cho chuyên gia nước ngoài.",
        category="DATA",
        consent_to_publish=True,
    )
    await _routed(db, settings, title="Nội dung không công khai", consent_to_publish=False)
    backend = create_backend(settings)  # the index, as the worker's jobs would leave it
    await backend.setup()
    await reindex(db, backend)
    await backend.close()
    fund, identity = "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ", "Căn cước điện tử"

    landing = (await client.get("/")).text
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", landing))
    assert figures["Số nội dung nhận được"] == "3"  # the last twelve months, published or not
    assert '<a class="button" href="/submit">' in landing

    def titles(page: httpx.Response) -> list[str]:
        assert page.status_code == 200
        return [t for t in (fund, identity, "Nội dung không công khai") if t in page.text]

    assert titles(await client.get("/published")) == [fund, identity]
    assert titles(await client.get("/published", params={"kind": "OBSTACLE"})) == [identity]
    assert titles(await client.get("/published", params={"category": "DIGITAL_ECONOMY"})) == [fund]
    assert titles(await client.get("/published", params={"q": "can cuoc"})) == [identity]
    searched = await client.get("/published", params={"q": "chuyen doi so", "kind": "OBSTACLE"})
    assert titles(searched) == []
    assert titles(await client.get("/published", params={"q": "không công khai"})) == []
