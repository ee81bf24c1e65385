"""Timelines as each viewer reads them, field-named errors, kept choices and officials' links."""

from __future__ import annotations

import re
from email.message import EmailMessage

import httpx
from sqlmodel import col, select

from service.accounts.actor import Actor, ActorKind
from service.db import Database
from service.notifications import service as notifications
from service.notifications.models import Notification
from service.proposals import repository as proposals_repository
from service.proposals.service import submit_proposal
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import official, submission, submitted_and_routed
from tests.web.helpers import (
    csrf_of,
    private_link,
    save_template,
    sign_in_reviewer,
    sign_in_secretariat,
)

QUESTION = "Hồ sơ đã nộp ở đâu?"
ANSWER = "Tại bộ phận một cửa của tỉnh."
DECLINE = "Không thuộc thẩm quyền của Bộ."
WITHDRAWAL = "Tôi gửi nhầm nội dung."
REQUIRED = "Trường này là bắt buộc."


def _timeline(page: str) -> str:
    found = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', page, re.S)
    assert found is not None
    return found[1]


def _notes(page: str) -> list[str]:
    return re.findall(r'<p class="event-note">([^<]*)</p>', _timeline(page))


def _entry(page: str, action: str) -> str:
    """The timeline entry whose action reads `action`, tags kept."""
    entries = [e for e in _timeline(page).split("<li>") if f">{action}</span>" in e]
    assert len(entries) == 1, action
    return entries[0]


async def _asked_answered_declined(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> tuple[int, str, str]:
    """A routed submission whose agency asked, whose submitter answered, then declined; returns
    its id, its private link and the routing engine's note."""
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    link = private_link(settings, proposal)
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal.id}")
    asked = await client.post(
        f"/inbox/{proposal.id}/request-information",
        data={"question": QUESTION, "csrf_token": csrf_of(page.text)},
    )
    assert asked.status_code == 303
    client.cookies.clear()
    tracking = await client.get(link)
    answered = await client.post(
        f"/track/{proposal.tracking_code}/answer",
        data={"key": link.split("key=")[1], "answer": ANSWER, "csrf_token": csrf_of(tracking.text)},
    )
    assert answered.status_code == 303
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal.id}")
    declined = await client.post(
        f"/inbox/{proposal.id}/decline",
        data={"reason": DECLINE, "csrf_token": csrf_of(page.text)},
    )
    assert declined.status_code == 303
    client.cookies.clear()
    async with db.session() as session:
        events = await proposals_repository.events(session, proposal.id)
    routing_note = next(e.note for e in events if e.actor == "system")
    assert routing_note
    return proposal.id, link, routing_note


async def test_each_viewer_reads_the_notes_the_one_rule_allows(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    proposal_id, link, routing_note = await _asked_answered_declined(client, db, settings)
    code = link.split("/")[2].split("?")[0]

    public = await client.get(f"/track/{code}")
    assert public.status_code == 200
    assert _notes(public.text) == []
    for text in (QUESTION, ANSWER, DECLINE, routing_note):
        assert text not in public.text

    own = await client.get(link)
    assert _notes(own.text) == [QUESTION, ANSWER, DECLINE]
    assert routing_note not in own.text

    await sign_in_secretariat(client)
    detail = await client.get(f"/inbox/{proposal_id}")
    notes = _notes(detail.text)
    assert notes[1:] == [QUESTION, ANSWER, DECLINE]
    # The routing engine's step reads as its reasons, in the page's language.
    assert re.search(r"Bộ Khoa học và Công nghệ: độ tin cậy \d,\d\d", notes[0])
    # Signed in, the secretariat reads the same on the tracking page, which is then not cached.
    tracking = await client.get(f"/track/{code}")
    assert _notes(tracking.text) == notes
    assert tracking.headers["cache-control"] == "private, no-store"


async def test_timeline_entries_say_what_happened_and_who_did_it(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    proposal_id, link, _ = await _asked_answered_declined(client, db, settings)
    bkhcn = ' · <span class="event-agency">Bộ Khoa học và Công nghệ</span> · '
    await sign_in_secretariat(client)
    detail = await client.get(f"/inbox/{proposal_id}")
    answered = _entry(detail.text, "Người gửi đã trả lời câu hỏi")
    assert (
        f'<span class="event-action">Người gửi đã trả lời câu hỏi</span>{bkhcn}'
        '<span class="event-status">Trạng thái: Đã chuyển đến cơ quan chủ trì</span>'
        ' <span class="muted">(người gửi)</span>'
    ) in answered
    declined = _entry(detail.text, "Cơ quan từ chối: không thuộc thẩm quyền")
    assert (
        f"Cơ quan từ chối: không thuộc thẩm quyền</span>{bkhcn}"
        '<span class="event-status">Trạng thái: Chờ Văn phòng Thường trực phân loại</span>'
        ' <span class="muted">(reviewer.bkhcn@intake.localhost)</span>'
    ) in declined
    assert "cán bộ số" not in detail.text
    asked = _entry(detail.text, "Cơ quan đề nghị bổ sung thông tin")
    assert "Trạng thái: Cần bổ sung thông tin" in asked
    submitted = _entry(detail.text, "Đã gửi")
    assert "event-status" not in submitted

    client.cookies.clear()
    await client.get("/lang/en")
    own = await client.get(link)
    answered = _entry(own.text, "The submitter answered the question")
    assert (
        '<span class="event-action">The submitter answered the question</span>'
        ' · <span class="event-agency">Ministry of Science and Technology</span>'
        ' · <span class="event-status">Status: Sent to the agency responsible</span>'
    ) in answered
    assert 'class="muted"' not in answered  # who acted is for officials


async def test_a_withdrawn_submission_names_no_agency_being_assigned(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        proposal = await submit_proposal(session, submission(), settings, "vi")
    assert proposal.id is not None
    submitter = Actor(ActorKind.SUBMITTER, proposal_id=proposal.id)
    async with db.transaction() as session:
        await workflow.withdraw(session, submitter, proposal.id, WITHDRAWAL, "vi")
    public = await client.get(f"/track/{proposal.tracking_code}")
    assert '<dd id="agency">—</dd>' in public.text
    assert "Đang phân công" not in public.text
    assert WITHDRAWAL not in public.text
    own = await client.get(private_link(settings, proposal))
    assert _notes(own.text) == [WITHDRAWAL]


async def test_error_messages_name_their_field_and_their_submission(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal.id}")
    for step, field, label in (
        ("decline", "reason", "Lý do từ chối xử lý"),
        ("request-information", "question", "Câu hỏi gửi người gửi"),
        ("respond", "text", "Nội dung trả lời người gửi"),
    ):
        refused = await client.post(
            f"/inbox/{proposal.id}/{step}", data={field: " ", "csrf_token": csrf_of(page.text)}
        )
        assert refused.status_code == 422
        assert f'<a href="#{step}-{field}">{label}: {REQUIRED}</a>' in refused.text
        assert f'<label for="{step}-{field}">{label}</label>' in refused.text

    asked = await client.post(
        f"/inbox/{proposal.id}/request-information",
        data={"question": QUESTION, "csrf_token": csrf_of(page.text)},
    )
    assert asked.status_code == 303
    client.cookies.clear()
    link = private_link(settings, proposal)
    tracking = await client.get(link)
    empty = await client.post(
        f"/track/{proposal.tracking_code}/answer",
        data={"key": link.split("key=")[1], "answer": "", "csrf_token": csrf_of(tracking.text)},
    )
    assert empty.status_code == 422
    assert f'<a href="#answer">Câu trả lời của bạn: {REQUIRED}</a>' in empty.text

    triaged = await submitted_and_routed(
        db,
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",
    )
    await sign_in_secretariat(client)
    queue = await client.get("/secretariat/triage")
    missing = await client.post(
        f"/secretariat/triage/{triaged.id}/assign",
        data={"agencyCode": "", "csrf_token": csrf_of(queue.text)},
    )
    assert missing.status_code == 422
    assert (
        f'<a href="#agency-{triaged.id}">Nội dung {triaged.tracking_code} – Giao cho:'
        " Hãy chọn một cơ quan trong danh bạ.</a>"
    ) in missing.text


async def test_a_refused_assignment_or_answer_keeps_what_was_chosen(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    triaged = await submitted_and_routed(
        db,
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",
    )
    await sign_in_secretariat(client)
    page = await client.get(f"/inbox/{triaged.id}")
    refused = await client.post(
        f"/inbox/{triaged.id}/assign",
        data={
            "agencyCode": "",
            "cooperating": ["BCT", "BTC"],
            "note": "Phối hợp với Bộ Công Thương.",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert refused.status_code == 422
    cooperating = re.search(r'<select id="assign-cooperating".*?</select>', refused.text, re.S)
    assert cooperating is not None
    assert re.findall(r'<option value="(\w+)" selected>', cooperating[0]) == ["BCT", "BTC"]
    assert ">Phối hợp với Bộ Công Thương.</textarea>" in refused.text

    proposal = await submitted_and_routed(db, settings)
    template_id = await save_template(db, "Cảm ơn", "Cảm ơn anh/chị đã gửi đề xuất.")
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal.id}", params={"template": str(template_id)})
    empty = await client.post(
        f"/inbox/{proposal.id}/respond",
        data={"text": " ", "template": str(template_id), "csrf_token": csrf_of(page.text)},
    )
    assert empty.status_code == 422
    assert f'<option value="{template_id}" selected>Cảm ơn</option>' in empty.text
    assert f'<input type="hidden" name="template" value="{template_id}">' in page.text


def _bodies(message: EmailMessage) -> str:
    parts = [message.get_body((subtype,)) for subtype in ("plain", "html")]
    return "\n".join(str(part.get_content()) for part in parts if part is not None)


async def _mails(db: Database, settings: Settings, proposal_id: int) -> dict[str, str]:
    """Each message about the submission, by template, as it goes out."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(Notification.proposal_id == proposal_id)
                .order_by(col(Notification.id))
            )
        ).all()
        return {
            row.template: _bodies(await notifications.compose(session, row, settings))
            for row in rows
        }


async def test_officials_mail_opens_the_case_and_the_submitter_keeps_the_private_link(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    async with db.transaction() as session:
        await workflow.decline(session, official(proposal.agency_id), proposal.id, DECLINE, "vi")
    triaged = await submitted_and_routed(
        db,
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",
    )
    assert triaged.id is not None
    base = settings.base_url.rstrip("/")
    mails = await _mails(db, settings, proposal.id)
    mails |= {f"{k} (triaged)": v for k, v in (await _mails(db, settings, triaged.id)).items()}
    assert {"receipt", "assignment", "declined", "triage (triaged)"} <= mails.keys()
    # Each link opens its page in the mail's language (web/language_links.py).
    for template in ("assignment", "declined"):
        assert f'href="{base}/inbox/{proposal.id}?lang=vi"' in mails[template], template
        assert f"{base}/inbox/{proposal.id}?lang=vi\n" in mails[template], template
        assert "/track/" not in mails[template], template
    assert f'href="{base}/inbox/{triaged.id}?lang=vi"' in mails["triage (triaged)"]
    assert "/track/" not in mails["triage (triaged)"]
    assert f"{base}{private_link(settings, proposal)}&lang=vi" in mails["receipt"]


async def test_an_official_never_involved_reads_no_names_and_no_routing_reasons(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings, consent_to_publish=True)
    assert proposal.id is not None
    async with db.transaction() as session:
        await workflow.acknowledge(session, official(proposal.agency_id), proposal.id)
    await sign_in_reviewer(client, "BKHCN")
    handling = _timeline((await client.get(f"/inbox/{proposal.id}")).text)
    client.cookies.clear()
    await sign_in_reviewer(client, "BTC")
    page = await client.get(f"/inbox/{proposal.id}")
    assert page.status_code == 200  # published: every official may read it
    outsider = _timeline(page.text)
    assert 'class="muted"' in handling  # who took each step, for those handling it
    assert 'class="event-note"' in handling  # the routing engine's reasons
    assert 'class="muted"' not in outsider
    assert 'class="event-note"' not in outsider
