"""Every step of the inbox detail page, through the page: what it changes, what it shows, and
that a refused step re-renders with an error naming the field and changes nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlmodel import col, func, select

from service.calendar import add_business_days
from service.db import Database, utcnow
from service.holidays.service import holiday_dates
from service.notifications.models import Notification
from service.proposals import repository as proposals_repository
from service.proposals.models import ProposalAgency, ProposalEvent, ProposalStatus
from service.routing.models import RoutingDecision
from service.settings import Settings
from service.workflow.models import ProposalNote
from tests.factories import agency_id, form_data, submitted_and_routed
from tests.web.helpers import (
    csrf_of,
    private_link,
    sign_in_reviewer,
    sign_in_secretariat,
)

S = ProposalStatus
REQUIRED = "Trường này là bắt buộc."
# How the error summary names each step's field (the form's label).
SUMMARY_LABELS = {
    ("decline", "reason"): "Lý do từ chối xử lý",
    ("note", "note"): "Ghi chú mới (chỉ cán bộ xem được)",
    ("merge", "intoCode"): "Mã tra cứu của nội dung được giữ lại",
    ("transfer", "reason"): "Lý do chuyển",
    ("transfer", "agencyCode"): "Cơ quan chủ trì",
    ("reject", "reason"): "Lý do không tiếp nhận",
    ("reopen", "reason"): "Lý do mở lại",
    ("assign", "agencyCode"): "Cơ quan chủ trì",
}
# The fields whose text is in the timeline the submitter reads, and say so in a hint.
SUBMITTER_READS = {
    ("decline", "reason"),
    ("assign", "note"),
    ("transfer", "reason"),
    ("reject", "reason"),
    ("reopen", "reason"),
}
NOT_YOURS = "Bạn không có quyền thực hiện bước này với nội dung này."

NO_LEAD = (
    "Hãy chọn một nội dung khác đang được xử lý hoặc đã được trả lời: không phải nội dung đã gộp,"
    " bị từ chối hoặc đã rút."
)


def _not_now(response: httpx.Response, status: str) -> None:
    """A step the workflow does not allow in this status: said on the page, with the status."""
    assert response.status_code == 409
    problem = (
        f"Không thực hiện được bước này khi nội dung đang ở trạng thái “{status}”."
        " Các bước có thể thực hiện lúc này ở bên dưới."
    )
    assert f'<div class="error-summary" role="alert" tabindex="-1"><p>{problem}</p></div>' in (
        response.text
    )
    assert _status_shown(response.text) == status


def _not_yours(response: httpx.Response) -> None:
    assert response.status_code == 403
    assert (
        f'<div class="error-summary" role="alert" tabindex="-1"><p>{NOT_YOURS}</p></div>'
        in response.text
    )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What any step could change about one submission."""

    status: ProposalStatus
    agency_id: int | None
    merged_into_id: int | None
    deadline: datetime | None
    events: int
    notes: int
    mail: int
    assignments: tuple[tuple[int, str, bool], ...]


async def _snapshot(db: Database, proposal_id: int) -> Snapshot:
    async with db.session() as session:
        proposal = await proposals_repository.get(session, proposal_id)
        assert proposal is not None
        events = await session.exec(
            select(func.count()).where(ProposalEvent.proposal_id == proposal_id)
        )
        notes = await session.exec(
            select(func.count()).where(ProposalNote.proposal_id == proposal_id)
        )
        mail = await session.exec(
            select(func.count()).where(Notification.proposal_id == proposal_id)
        )
        assignments = await session.exec(
            select(ProposalAgency)
            .where(ProposalAgency.proposal_id == proposal_id)
            .order_by(col(ProposalAgency.agency_id))
        )
        return Snapshot(
            status=proposal.status,
            agency_id=proposal.agency_id,
            merged_into_id=proposal.merged_into_id,
            deadline=proposal.deadline,
            events=events.one(),
            notes=notes.one(),
            mail=mail.one(),
            assignments=tuple((a.agency_id, a.role.value, a.active) for a in assignments),
        )


async def _mail(db: Database, proposal_id: int) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await session.exec(
            select(Notification.recipient, Notification.template)
            .where(Notification.proposal_id == proposal_id)
            .order_by(col(Notification.id))
        )
        return [(recipient, template) for recipient, template in rows]


async def _routed(db: Database, settings: Settings, **fields: object) -> tuple[int, str, str]:
    """A submission routed to BKHCN: its id, tracking code and private link."""
    proposal = await submitted_and_routed(db, settings, **fields)
    assert proposal.id is not None
    return proposal.id, proposal.tracking_code, private_link(settings, proposal)


async def _step(
    client: httpx.AsyncClient, proposal_id: int, step: str, data: Mapping[str, str | list[str]]
) -> httpx.Response:
    """Post one step form the way the browser does: from the detail page, with its token."""
    page = await client.get(f"/inbox/{proposal_id}")
    assert page.status_code == 200
    return await client.post(
        f"/inbox/{proposal_id}/{step}", data={**data, "csrf_token": csrf_of(page.text)}
    )


def _refused(response: httpx.Response, step: str, field: str, message: str) -> None:
    """The page came back with the error in the summary and at the field, the typing kept."""
    assert response.status_code == 422
    label = SUMMARY_LABELS[(step, field)]
    assert f'<a href="#{step}-{field}">{label}: {message}</a>' in response.text
    assert f'<p class="field-error" id="{step}-{field}-error">' in response.text
    assert f'id="{step}-{field}" name="{field}"' in response.text
    # The fields whose text the submitter reads keep their hint saying so.
    described = f"{step}-{field}-error"
    if (step, field) in SUBMITTER_READS:
        described = f"{step}-{field}-hint {described}"
    assert f'aria-describedby="{described}" aria-invalid="true"' in response.text
    assert "<title>Lỗi:" in response.text


def _done(response: httpx.Response, proposal_id: int, step: str) -> None:
    assert response.status_code == 303
    assert response.headers["location"] == f"/inbox/{proposal_id}?done={step}"


def _timeline(page: str) -> str:
    match = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', page, re.S)
    assert match is not None
    return match[1]


def _notes(page: str) -> str:
    match = re.search(r'<ul class="notes" id="notes">(.*?)</ul>', page, re.S)
    assert match is not None
    return match[1]


def _status_shown(page: str) -> str:
    match = re.search(r'<strong id="status">([^<]*)</strong>', page)
    assert match is not None
    return match[1]


async def test_decline_returns_the_submission_to_triage_with_its_reason(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _, _ = await _routed(db, settings, province="DA-NANG")
    bkhcn = await agency_id(db, "BKHCN")
    assert (await _snapshot(db, proposal_id)).agency_id == bkhcn
    await sign_in_reviewer(client)
    before = await _snapshot(db, proposal_id)

    for blank in ("", "   "):
        refused = await _step(client, proposal_id, "decline", {"reason": blank})
        _refused(refused, "decline", "reason", REQUIRED)
    assert await _snapshot(db, proposal_id) == before

    reason = "Nội dung thuộc thẩm quyền của địa phương, không phải của Bộ."
    _done(await _step(client, proposal_id, "decline", {"reason": reason}), proposal_id, "decline")
    after = await _snapshot(db, proposal_id)
    assert after.status is S.TRIAGE
    assert (bkhcn, "LEAD", False) in after.assignments
    async with db.session() as session:
        events = await proposals_repository.events(session, proposal_id)
        decisions = (
            await session.exec(
                select(RoutingDecision)
                .where(RoutingDecision.proposal_id == proposal_id)
                .order_by(col(RoutingDecision.id))
            )
        ).all()
    last = events[-1]
    assert (last.action, last.from_status, last.status, last.agency_id, last.note) == (
        "DECLINE",
        S.ROUTED,
        S.TRIAGE,
        bkhcn,
        reason,
    )
    assert decisions[-1].excluded == ["BKHCN"]
    assert all("BKHCN" not in str(s["agency"]) for s in decisions[-1].suggestions)
    assert (await _mail(db, proposal_id))[-1] == ("secretariat@intake.localhost", "declined")

    # The agency's inbox no longer lists it; the secretariat's triage queue shows why it is back.
    inbox = await client.get("/inbox")
    assert f'href="/inbox/{proposal_id}"' not in inbox.text
    client.cookies.clear()
    await sign_in_secretariat(client)
    queue = await client.get("/secretariat/triage")
    item = _triage_item(queue.text, proposal_id)
    assert f"<p><strong>Bộ Khoa học và Công nghệ đã từ chối:</strong> {reason}</p>" in item
    suggested = re.findall(r"<li><strong>([A-Z0-9-]+)</strong>", item)
    assert suggested  # the province's committee is still offered
    assert "BKHCN" not in suggested
    assert '<option value="BKHCN" selected>' not in item
    assert f'<option value="{suggested[0]}" selected>' in item


def _triage_item(page: str, proposal_id: int) -> str:
    item = re.search(
        rf'<article class="triage-item" aria-labelledby="title-{proposal_id}">(.*?)</article>',
        page,
        re.S,
    )
    assert item is not None
    return item[1]


async def test_triage_suggestions_leave_out_every_agency_that_declined(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _, _ = await _routed(db, settings, province="DA-NANG")
    await sign_in_reviewer(client, "BKHCN")
    first = "Không thuộc thẩm quyền của Bộ."
    _done(await _step(client, proposal_id, "decline", {"reason": first}), proposal_id, "decline")
    client.cookies.clear()
    await sign_in_secretariat(client)
    queue = await client.get("/secretariat/triage")
    assigned = await client.post(
        f"/secretariat/triage/{proposal_id}/assign",
        data={"agencyCode": "BCT", "csrf_token": csrf_of(queue.text)},
    )
    assert assigned.status_code == 303
    client.cookies.clear()
    await sign_in_reviewer(client, "BCT")
    second = "Bộ Công Thương cũng không phụ trách nội dung này."
    _done(await _step(client, proposal_id, "decline", {"reason": second}), proposal_id, "decline")

    client.cookies.clear()
    await sign_in_secretariat(client)
    item = _triage_item((await client.get("/secretariat/triage")).text, proposal_id)
    assert f"<p><strong>Bộ Công Thương đã từ chối:</strong> {second}</p>" in item
    suggested = re.findall(r"<li><strong>([A-Z0-9-]+)</strong>", item)
    assert suggested
    assert not {"BKHCN", "BCT"} & set(suggested)
    async with db.session() as session:
        decisions = (
            await session.exec(
                select(RoutingDecision)
                .where(RoutingDecision.proposal_id == proposal_id)
                .order_by(col(RoutingDecision.id))
            )
        ).all()
    assert decisions[-1].excluded == ["BKHCN", "BCT"]


async def test_notes_are_for_officials_only(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, code, link = await _routed(db, settings, consent_to_publish=True)
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal_id}")
    assert "<li>Chưa có ghi chú.</li>" in _notes(page.text)
    before = await _snapshot(db, proposal_id)

    refused = await _step(client, proposal_id, "note", {"note": " \n "})
    _refused(refused, "note", "note", REQUIRED)
    control = await _step(client, proposal_id, "note", {"note": "Ghi chú\x07"})
    _refused(control, "note", "note", "Hãy xóa các ký tự điều khiển khỏi trường này.")
    assert ">Ghi chú\x07</textarea>" in control.text
    assert await _snapshot(db, proposal_id) == before

    note = "Nội bộ: đã gọi điện cho Sở, chờ hồ sơ gốc."
    _done(await _step(client, proposal_id, "note", {"note": note}), proposal_id, "note")
    after = await _snapshot(db, proposal_id)
    assert (after.status, after.notes, after.events, after.mail) == (
        before.status,
        1,
        before.events,
        before.mail,
    )
    shown = _notes((await client.get(f"/inbox/{proposal_id}")).text)
    assert f"<p>{note}</p>" in shown
    assert "· Bộ Khoa học và Công nghệ (reviewer.bkhcn@intake.localhost) · Ghi chú</span>" in shown
    client.cookies.clear()
    await sign_in_secretariat(client)
    assert f"<p>{note}</p>" in _notes((await client.get(f"/inbox/{proposal_id}")).text)

    client.cookies.clear()
    for path in (link, f"/track/{code}", "/published"):
        public = await client.get(path)
        assert public.status_code == 200, path
        assert "Nội bộ" not in public.text, path
    assert code in (await client.get(link)).text
    assert "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ" in (await client.get("/published")).text


async def test_cooperating_agency_contributes_and_the_lead_reads_it(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _, _ = await _routed(
        db,
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",  # nothing routes it
    )
    assert (await _snapshot(db, proposal_id)).status is S.TRIAGE
    await sign_in_secretariat(client)
    _done(
        await _step(client, proposal_id, "assign", {"agencyCode": "BKHCN", "cooperating": ["BCT"]}),
        proposal_id,
        "assign",
    )
    bkhcn, bct = await agency_id(db, "BKHCN"), await agency_id(db, "BCT")
    assigned = await _snapshot(db, proposal_id)
    assert (assigned.status, assigned.agency_id) == (S.ROUTED, bkhcn)
    assert (bct, "COOPERATING", True) in assigned.assignments
    assert (await _mail(db, proposal_id))[-2:] == [
        ("reviewer.bkhcn@intake.localhost", "assignment"),
        ("reviewer.bct@intake.localhost", "assignment"),
    ]

    client.cookies.clear()
    await sign_in_reviewer(client, "BCT")
    page = await client.get(f"/inbox/{proposal_id}")
    assert page.status_code == 200
    assert f'action="/inbox/{proposal_id}/respond"' not in page.text  # not the lead
    refused = await _step(client, proposal_id, "note", {"note": ""})
    _refused(refused, "note", "note", REQUIRED)
    assert await _snapshot(db, proposal_id) == assigned
    contribution = "BCT đề nghị bổ sung số liệu về thương mại điện tử."
    _done(await _step(client, proposal_id, "note", {"note": contribution}), proposal_id, "note")
    async with db.session() as session:
        notes = (
            await session.exec(select(ProposalNote).where(ProposalNote.proposal_id == proposal_id))
        ).all()
    assert [(n.kind.value, n.agency_id, n.text) for n in notes] == [
        ("CONTRIBUTION", bct, contribution)
    ]

    client.cookies.clear()
    await sign_in_reviewer(client, "BKHCN")
    lead = await client.get(f"/inbox/{proposal_id}")
    assert "<dt>Cơ quan phối hợp</dt><dd>Bộ Công Thương</dd>" in lead.text
    shown = _notes(lead.text)
    assert '<li class="note-contribution">' in shown
    assert (
        "· Bộ Công Thương (reviewer.bct@intake.localhost) · Ý kiến của cơ quan phối hợp</span>"
        in shown
    )
    assert f"<p>{contribution}</p>" in shown

    # An agency with no part in it sees neither the submission nor the contribution.
    client.cookies.clear()
    await sign_in_reviewer(client, "BTC")
    assert (await client.get(f"/inbox/{proposal_id}")).status_code == 404


async def test_secretariat_merges_duplicates_into_one_lead(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    lead_id, lead_code, _ = await _routed(db, settings)
    first_id, first_code, first_link = await _routed(db, settings, email="an@example.com")
    second_id, _, second_link = await _routed(db, settings, email="binh@example.com")
    await sign_in_secretariat(client)
    before = await _snapshot(db, first_id)

    unknown = await _step(client, first_id, "merge", {"intoCode": "ZZZZ-ZZZZ"})
    _refused(unknown, "merge", "intoCode", "Không có nội dung nào có mã tra cứu này.")
    assert 'value="ZZZZ-ZZZZ"' in unknown.text
    for empty in ("", "   "):
        _refused(
            await _step(client, first_id, "merge", {"intoCode": empty}),
            "merge",
            "intoCode",
            REQUIRED,
        )
    # Its own code, however typed.
    for own in (first_code, f" {first_code.lower()} "):
        itself = await _step(client, first_id, "merge", {"intoCode": own})
        _refused(itself, "merge", "intoCode", "Không thể gộp một nội dung vào chính nó.")
    client.cookies.set("intake_lang", "en")
    in_english = await _step(client, first_id, "merge", {"intoCode": first_code})
    assert (
        '<a href="#merge-intoCode">Tracking code of the submission to keep: A submission cannot'
        " be merged into itself.</a>"
    ) in in_english.text
    empty_in_english = await _step(client, first_id, "merge", {"intoCode": ""})
    assert (
        '<a href="#merge-intoCode">Tracking code of the submission to keep: This field is'
        " required.</a>"
    ) in empty_in_english.text
    client.cookies.delete("intake_lang")
    assert await _snapshot(db, first_id) == before

    for duplicate in (first_id, second_id):
        _done(
            await _step(client, duplicate, "merge", {"intoCode": lead_code.lower()}),
            duplicate,
            "merge",
        )
    for duplicate in (first_id, second_id):
        merged = await _snapshot(db, duplicate)
        assert (merged.status, merged.merged_into_id) == (S.MERGED, lead_id)
    assert (await _snapshot(db, lead_id)).status is S.ROUTED
    assert (await _mail(db, first_id))[-1] == ("an@example.com", "merged")
    assert (await _mail(db, second_id))[-1] == ("binh@example.com", "merged")

    # Merging into a merged submission, or a merged one again, is refused on the page.
    into_merged = await _step(client, lead_id, "merge", {"intoCode": first_code})
    _refused(
        into_merged,
        "merge",
        "intoCode",
        NO_LEAD,
    )
    _not_now(
        await _step(client, first_id, "merge", {"intoCode": lead_code}), "Đã gộp với nội dung khác"
    )
    assert (await _snapshot(db, lead_id)).status is S.ROUTED

    client.cookies.clear()
    for link in (first_link, second_link):
        tracking = await client.get(link)
        assert _status_shown(tracking.text) == "Đã gộp với nội dung khác"
        assert (
            "<p>Nội dung này đã được gộp với một nội dung khác cùng vấn đề và được xử lý chung ở"
            f' đó. Hãy theo dõi theo mã tra cứu: <a href="/track/{lead_code}">{lead_code}</a></p>'
        ) in tracking.text
    lead_page = await client.get(f"/track/{lead_code}")
    assert 'id="merged-into"' not in lead_page.text


async def test_secretariat_transfers_to_anotheragency_id(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, code, _ = await _routed(db, settings)
    bkhcn, bct = await agency_id(db, "BKHCN"), await agency_id(db, "BCT")
    await sign_in_secretariat(client)
    before = await _snapshot(db, proposal_id)
    reason = "Nội dung chủ yếu về thương mại điện tử."

    no_reason = await _step(client, proposal_id, "transfer", {"agencyCode": "BCT", "reason": ""})
    _refused(no_reason, "transfer", "reason", REQUIRED)
    assert '<option value="BCT" selected>' in no_reason.text
    no_agency = await _step(client, proposal_id, "transfer", {"agencyCode": "", "reason": reason})
    _refused(no_agency, "transfer", "agencyCode", "Hãy chọn một cơ quan trong danh bạ.")
    assert f">{reason}</textarea>" in no_agency.text
    unknown = await _step(
        client, proposal_id, "transfer", {"agencyCode": "KHONGCO", "reason": reason}
    )
    _refused(unknown, "transfer", "agencyCode", "Hãy chọn một cơ quan trong danh bạ.")
    same = await _step(client, proposal_id, "transfer", {"agencyCode": "BKHCN", "reason": reason})
    _refused(same, "transfer", "agencyCode", "Nội dung này đã ở cơ quan này.")
    assert await _snapshot(db, proposal_id) == before

    _done(
        await _step(client, proposal_id, "transfer", {"agencyCode": "bct", "reason": reason}),
        proposal_id,
        "transfer",
    )
    after = await _snapshot(db, proposal_id)
    assert (after.status, after.agency_id) == (S.ROUTED, bct)
    assert after.assignments == ((bkhcn, "LEAD", False), (bct, "LEAD", True))
    assert (await _mail(db, proposal_id))[-2:] == [
        ("reviewer.bct@intake.localhost", "assignment"),
        ("secretariat@intake.localhost", "transferred"),
    ]
    detail = await client.get(f"/inbox/{proposal_id}")
    assert "<dt>Cơ quan chủ trì xử lý</dt><dd>Bộ Công Thương</dd>" in detail.text
    last = _timeline(detail.text).split("<li>")[-1]
    assert (
        '<span class="event-action">Đã chuyển cho cơ quan khác</span>'
        ' · <span class="event-agency">Bộ Công Thương</span>'
        ' · <span class="event-status">Trạng thái: Đã chuyển đến cơ quan chủ trì</span>'
    ) in last
    assert f'<p class="event-note">{reason}</p>' in last

    client.cookies.clear()
    await sign_in_reviewer(client, "BCT")
    assert code in (await client.get("/inbox")).text
    client.cookies.clear()
    await sign_in_reviewer(client, "BKHCN")
    assert code not in (await client.get("/inbox")).text
    # The former lead still reads it, but may no longer act on it.
    former = await client.get(f"/inbox/{proposal_id}")
    assert former.status_code == 200
    assert f'action="/inbox/{proposal_id}/respond"' not in former.text
    # It still reads the notes of the time it handled the submission, but adds no more.
    assert f'action="/inbox/{proposal_id}/note"' not in former.text
    assert '<ul class="notes" id="notes">' in former.text
    assert "<p>Hiện bạn không có thao tác nào với nội dung này.</p>" in former.text
    late_note = await client.post(
        f"/inbox/{proposal_id}/note",
        data={"note": "Ghi chú muộn.", "csrf_token": csrf_of(former.text)},
    )
    _moved_on(late_note, "Đã chuyển đến cơ quan chủ trì")
    moved = await _step(client, proposal_id, "respond", {"text": "Bộ xin trả lời."})
    _moved_on(moved, "Đã chuyển đến cơ quan chủ trì")
    assert (await _snapshot(db, proposal_id)) == after


async def test_reject_reopen_and_close_as_the_workflow_allows(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _, link = await _routed(db, settings, consent_to_publish=True)
    await sign_in_secretariat(client)
    routed = await _snapshot(db, proposal_id)

    # Not offered while it is with the agency: the page says so and nothing moves.
    for step, data in (("close", {"note": ""}), ("reopen", {"reason": "Mở lại."})):
        refused = await _step(client, proposal_id, step, data)
        _not_now(refused, "Đã chuyển đến cơ quan chủ trì")
        assert f'action="/inbox/{proposal_id}/{step}"' not in refused.text
    assert await _snapshot(db, proposal_id) == routed
    _refused(
        await _step(client, proposal_id, "reject", {"reason": ""}), "reject", "reason", REQUIRED
    )
    assert await _snapshot(db, proposal_id) == routed

    reason = "Nội dung không thuộc phạm vi tiếp nhận."
    _done(await _step(client, proposal_id, "reject", {"reason": reason}), proposal_id, "reject")
    rejected = await _snapshot(db, proposal_id)
    assert rejected.status is S.REJECTED
    assert (await _mail(db, proposal_id))[-1] == ("minh@example.com", "rejected")
    page = await client.get(f"/inbox/{proposal_id}?done=reject")
    assert '<div class="notice" role="status" id="done">Đã thực hiện.</div>' in page.text
    assert _status_shown(page.text) == "Bị từ chối"
    last = _timeline(page.text).split("<li>")[-1]
    assert '<span class="event-status">Trạng thái: Bị từ chối</span>' in last
    assert f'<p class="event-note">{reason}</p>' in last
    client.cookies.clear()
    assert _status_shown((await client.get(link)).text) == "Bị từ chối"
    await sign_in_secretariat(client)

    closed_early = await _step(client, proposal_id, "close", {"note": ""})
    _not_now(closed_early, "Bị từ chối")
    assert await _snapshot(db, proposal_id) == rejected
    _refused(
        await _step(client, proposal_id, "reopen", {"reason": " "}), "reopen", "reason", REQUIRED
    )
    assert await _snapshot(db, proposal_id) == rejected

    why = "Người gửi đã bổ sung thông tin."
    _done(await _step(client, proposal_id, "reopen", {"reason": why}), proposal_id, "reopen")
    reopened = await _snapshot(db, proposal_id)
    assert (reopened.status, reopened.agency_id) == (S.ROUTED, routed.agency_id)
    page = await client.get(f"/inbox/{proposal_id}")
    last = _timeline(page.text).split("<li>")[-1]
    assert '<span class="event-status">Trạng thái: Đã chuyển đến cơ quan chủ trì</span>' in last
    assert f'<p class="event-note">{why}</p>' in last

    client.cookies.clear()
    await sign_in_reviewer(client)
    _done(
        await _step(client, proposal_id, "respond", {"text": "Bộ đã tiếp thu đề xuất."}),
        proposal_id,
        "respond",
    )
    # Closing is the secretariat's: the lead agency gets the page's message, not a 500.
    not_theirs = await _step(client, proposal_id, "close", {"note": ""})
    _not_yours(not_theirs)
    client.cookies.clear()
    await sign_in_secretariat(client)
    _done(await _step(client, proposal_id, "close", {"note": ""}), proposal_id, "close")
    closed = await _snapshot(db, proposal_id)
    assert closed.status is S.CLOSED
    assert (await _mail(db, proposal_id))[-1] == ("minh@example.com", "closed")
    page = await client.get(f"/inbox/{proposal_id}")
    assert _status_shown(page.text) == "Đã kết thúc"
    last = _timeline(page.text).split("<li>")[-1]
    assert '<span class="event-status">Trạng thái: Đã kết thúc</span>' in last
    assert f'action="/inbox/{proposal_id}/reopen"' in page.text
    assert f'action="/inbox/{proposal_id}/close"' not in page.text
    _not_now(await _step(client, proposal_id, "close", {"note": ""}), "Đã kết thúc")
    assert await _snapshot(db, proposal_id) == closed


STEPS = (
    "acknowledge",
    "respond",
    "request-information",
    "decline",
    "note",
    "assign",
    "transfer",
    "reject",
    "merge",
    "reopen",
    "close",
    "personal-data/export",
    "personal-data/erase",
)


async def test_every_step_form_refuses_a_missing_or_wrong_csrf_token(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, code, _ = await _routed(db, settings)
    await sign_in_secretariat(client)
    page = await client.get(f"/inbox/{proposal_id}")
    token = csrf_of(page.text)
    before = await _snapshot(db, proposal_id)
    data = {
        "text": "x",
        "question": "x",
        "reason": "x",
        "note": "x",
        "agencyCode": "BCT",
        "intoCode": code,
        "erasureReason": "x",
    }
    for step in STEPS:
        for sent in ({}, {"csrf_token": "sai"}, {"csrf_token": token[:-1]}):
            response = await client.post(f"/inbox/{proposal_id}/{step}", data={**data, **sent})
            assert response.status_code == 403, (step, sent)
            assert "<h1>Biểu mẫu đã hết hạn</h1>" in response.text, step
    assert await _snapshot(db, proposal_id) == before
    # The same token from another session does not count either.
    client.cookies.clear()
    await sign_in_secretariat(client)
    stolen = await client.post(
        f"/inbox/{proposal_id}/reject", data={"reason": "x", "csrf_token": token}
    )
    assert stolen.status_code == 403
    assert await _snapshot(db, proposal_id) == before


async def _due(db: Database, proposal_id: int, business_days: int) -> None:
    """Due at the end of the business day that many business days from now (as deadlines are),
    counted with the holidays table like the real deadlines; negative: that many days ago."""
    async with db.transaction() as session:
        proposal = await proposals_repository.get(session, proposal_id)
        assert proposal is not None
        now = utcnow()
        proposal.deadline = (
            add_business_days(now, business_days, await holiday_dates(session))
            if business_days >= 0
            else now + timedelta(days=business_days)
        )


def _rows(page: str) -> dict[int, str]:
    """The inbox table's rows by submission id, in the order shown."""
    found = re.findall(r'(<tr>\s*<td>.*?<a href="/inbox/(\d+)">.*?</tr>)', page, re.S)
    return {int(i): row for row, i in found}


def _badge(row: str) -> str:
    badges = re.findall(r'<span class="badge ([a-z-]+)">([^<]+)</span>', row)
    assert len(badges) <= 1
    return f"{badges[0][0]}: {badges[0][1]}" if badges else ""


async def test_inbox_shows_deadline_badges_and_filters_the_overdue(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    far, _, _ = await _routed(db, settings, title="Còn lâu mới đến hạn")
    outside, _, _ = await _routed(db, settings, title="Chưa đến hạn")
    edge, _, _ = await _routed(db, settings, title="Đến hạn cuối ngày làm việc thứ hai")
    soon, _, _ = await _routed(db, settings, title="Sắp đến hạn trả lời")
    late, _, _ = await _routed(db, settings, title="Đã quá hạn trả lời")
    answered, _, _ = await _routed(db, settings, title="Đã trả lời dù quá hạn")
    waiting, _, _ = await _routed(db, settings, title="Chờ người gửi bổ sung thông tin")
    # Due soon: by the end of the business day INTAKE_MAIL_REMINDER_BUSINESS_DAYS (2) business
    # days from now, when the reminder mail goes out and the digest lists it as due soon.
    assert settings.mail_reminder_business_days == 2
    await _due(db, far, 20)
    await _due(db, outside, 4)  # clear of the window even if the test ran across midnight
    await _due(db, edge, 2)
    await _due(db, soon, 1)
    await _due(db, late, -1)
    await _due(db, answered, -5)
    await _due(db, waiting, -3)
    await sign_in_reviewer(client)
    _done(await _step(client, answered, "respond", {"text": "Bộ đã trả lời."}), answered, "respond")
    # Past its deadline, but waiting for the submitter: the clock is stopped, so not overdue.
    question = {"question": "Xin gửi số hồ sơ."}
    _done(
        await _step(client, waiting, "request-information", question),
        waiting,
        "request-information",
    )

    for language, overdue, due_soon, paused, count in (
        ("vi", "Quá hạn", "Sắp đến hạn", "Tạm dừng tính hạn", "Số nội dung tìm thấy: %s"),
        ("en", "Overdue", "Due soon", "Clock paused", "Submissions found: %s"),
    ):
        await client.get(f"/lang/{language}")
        listing = await client.get("/inbox")
        rows = _rows(listing.text)
        assert list(rows) == [waiting, late, soon, edge, outside, far]  # earliest deadline first
        assert [_badge(row) for row in rows.values()] == [
            f"paused: {paused}",
            f"overdue: {overdue}",
            f"due-soon: {due_soon}",
            f"due-soon: {due_soon}",
            "",
            "",
        ]
        assert f'<p id="count" aria-live="polite">{count % 6}</p>' in listing.text
        everything = _rows((await client.get("/inbox", params={"status": "all"})).text)
        assert list(everything) == [answered, waiting, late, soon, edge, outside, far]
        assert _badge(everything[answered]) == ""  # answered: nothing is due any more

        only_overdue = await client.get("/inbox", params={"overdue": "yes"})
        assert list(_rows(only_overdue.text)) == [late]
        assert f'<p id="count" aria-live="polite">{count % 1}</p>' in only_overdue.text
        assert 'name="overdue" value="yes" checked' in only_overdue.text
        all_overdue = await client.get("/inbox", params={"overdue": "yes", "status": "all"})
        assert list(_rows(all_overdue.text)) == [late]

        detail = await client.get(f"/inbox/{soon}")
        assert f'<span class="badge due-soon">{due_soon}</span>' in detail.text
        detail = await client.get(f"/inbox/{waiting}")
        assert f'<span class="badge paused">{paused}</span>' in detail.text


async def test_a_too_long_answer_is_refused_with_the_limit_written_in_the_page_language(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _, _ = await _routed(db, settings)
    await sign_in_reviewer(client)
    before = await _snapshot(db, proposal_id)
    too_long = "Trả lời " + "rất dài " * 2500
    for language, message in (
        ("vi", "Nội dung trả lời người gửi: Hãy dùng tối đa 20.000 ký tự."),
        ("en", "Answer to the submitter: Use at most 20,000 characters."),
    ):
        await client.get(f"/lang/{language}")
        refused = await _step(client, proposal_id, "respond", {"text": too_long})
        assert refused.status_code == 422
        assert f'<a href="#respond-text">{message}</a>' in refused.text
        assert f">{too_long}</textarea>" in refused.text
    assert await _snapshot(db, proposal_id) == before

    await client.get("/lang/vi")
    token = csrf_of((await client.get("/submit")).text)
    submitted = await client.post(
        "/submit", data={**form_data(description="Mô tả " * 4001), "csrf_token": token}
    )
    assert submitted.status_code == 422
    assert "Hãy dùng tối đa 20.000 ký tự." in submitted.text


def _unsent(page: str) -> str | None:
    """The text of the refused step the page shows for copying, if any."""
    found = re.search(r'<textarea id="unsent-text" rows="6" readonly>(.*?)</textarea>', page, re.S)
    return html.unescape(found.group(1)) if found else None


def _moved_on(response: httpx.Response, status: str) -> None:
    """A step of the agency's refused because the submission is no longer with it: said so,
    with its status now, rather than "not yours"."""
    assert response.status_code == 409
    problem = f"Nội dung này không còn ở cơ quan của bạn: trạng thái hiện nay là “{status}”."
    assert f'<div class="error-summary" role="alert" tabindex="-1"><p>{problem}</p></div>' in (
        response.text
    )
    assert NOT_YOURS not in response.text


async def test_a_step_from_a_page_left_open_after_a_decline_says_what_happened(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _, _ = await _routed(db, settings)
    await sign_in_reviewer(client)
    first_tab = await client.get(f"/inbox/{proposal_id}")
    assert f'action="/inbox/{proposal_id}/respond"' in first_tab.text
    # The second tab declines; the first one, still open, sends an answer.
    declined = await _step(client, proposal_id, "decline", {"reason": "Không thuộc thẩm quyền."})
    _done(declined, proposal_id, "decline")
    after = await _snapshot(db, proposal_id)
    answer = "Bộ đã tiếp thu và sẽ trả lời chi tiết."
    late = await client.post(
        f"/inbox/{proposal_id}/respond",
        data={"text": answer, "csrf_token": csrf_of(first_tab.text)},
    )
    _moved_on(late, "Chờ Văn phòng Thường trực phân loại")
    assert _status_shown(late.text) == "Chờ Văn phòng Thường trực phân loại"
    assert "<p>Hiện bạn không có thao tác nào với nội dung này.</p>" in late.text
    # The answer typed is not lost: shown for copying, since no answer form is offered now.
    assert _unsent(late.text) == answer
    assert await _snapshot(db, proposal_id) == after


async def test_a_step_refused_in_this_status_keeps_the_text_to_its_own_form_only(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal_id, _, _ = await _routed(db, settings)
    await sign_in_secretariat(client)
    first_tab = await client.get(f"/inbox/{proposal_id}")
    reason = "Nội dung trùng với một đề xuất đã trả lời."
    _done(await _step(client, proposal_id, "reject", {"reason": reason}), proposal_id, "reject")
    rejected = await _snapshot(db, proposal_id)
    again = await client.post(
        f"/inbox/{proposal_id}/reject",
        data={"reason": "Lý do gõ ở thẻ thứ nhất.", "csrf_token": csrf_of(first_tab.text)},
    )
    _not_now(again, "Bị từ chối")
    # The reason typed for rejecting is not offered as the reason for reopening: it is shown
    # apart, for copying, and the reopen form starts empty.
    assert f'action="/inbox/{proposal_id}/reopen"' in again.text
    assert _unsent(again.text) == "Lý do gõ ở thẻ thứ nhất."
    assert again.text.count("Lý do gõ ở thẻ thứ nhất.") == 1
    assert re.findall(r'<textarea id="reopen-reason"[^>]*>(.*?)</textarea>', again.text) == [""]
    assert await _snapshot(db, proposal_id) == rejected


async def test_the_inbox_shows_no_due_date_once_answered_and_a_page_past_the_last_shows_the_last(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    waiting, _, _ = await _routed(db, settings, title="Chờ trả lời")
    answered, _, _ = await _routed(db, settings, title="Đã có câu trả lời")
    await sign_in_reviewer(client)
    await client.get(f"/inbox/{answered}")
    _done(
        await _step(client, answered, "respond", {"text": "Bộ đã tiếp thu đề xuất."}),
        answered,
        "respond",
    )
    page = await client.get("/inbox", params={"status": "all"})
    rows = _rows(page.text)
    assert re.search(r"<td>\d{2}/\d{2}/\d{4}", rows[waiting])
    assert re.search(r"<td>—\s*</td>", rows[answered])
    assert not re.search(r"\d{2}/\d{2}/\d{4}", rows[answered].split("</td>")[-2])
    past = await client.get("/inbox", params={"status": "all", "page": "99"})
    assert list(_rows(past.text)) == list(rows)
    assert '<span aria-current="page">' not in past.text  # one page: no page list
