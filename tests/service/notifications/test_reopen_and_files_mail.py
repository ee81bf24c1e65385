"""A reopening tells its agencies and its submitter; an answer's mail lists the answer's files."""

from __future__ import annotations

from email.message import EmailMessage

from sqlmodel import col, select

from service.accounts.actor import Actor
from service.attachments.models import Attachment
from service.attachments.service import IncomingFile, uploads_dir
from service.db import Database
from service.i18n import format_day
from service.notifications.models import Notification
from service.outbox import service as outbox
from service.proposals.access import access_key
from service.proposals.models import Proposal, ProposalStatus
from service.proposals.repository import get as get_proposal
from service.proposals.service import submit_proposal
from service.routing.service import route_proposal
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import (
    AGENCY_ADMIN,
    SECRETARIAT,
    add_agency_admin,
    agency_id,
    official,
    submission,
    submitted_and_routed,
)
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker

REVIEWER = "reviewer.bkhcn@intake.localhost"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n"
REOPEN_TEMPLATES = ["reopened", "reopened_assignment"]


def _body(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body((subtype,))
    assert part is not None
    content: str = part.get_content()
    return content


def _lines(message: EmailMessage) -> list[str]:
    return _body(message).splitlines()


def _sized(header: bytes, size: int) -> bytes:
    return header + b"0" * (size - len(header))


async def _reload(db: Database, proposal_id: int) -> Proposal:
    async with db.session() as session:
        proposal = await get_proposal(session, proposal_id)
    assert proposal is not None
    return proposal


async def _queued(db: Database, templates: list[str]) -> list[tuple[str, str, str]]:
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(col(Notification.template).in_(templates))
                .order_by(col(Notification.id))
            )
        ).all()
    return [(n.recipient, n.template, n.language) for n in rows]


def _by_subject(mailbox: SmtpSink) -> dict[tuple[str, str], EmailMessage]:
    return {(m.recipients[0], str(m.message["Subject"])): m.message for m in mailbox.messages}


async def test_reopening_an_answered_submission_mails_its_agency_and_its_submitter_once(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    db = runtime.db
    await add_agency_admin(runtime.db, language="en")
    routed = await submitted_and_routed(db, settings, email="an@example.com")
    assert routed.id is not None
    pid, code, title = routed.id, routed.tracking_code, routed.title
    bkhcn = await agency_id(db, "BKHCN")
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await workflow.respond(
            session, official(bkhcn), pid, "Đã xem xét.", publish=False, language="vi"
        )
    await run_worker(settings)
    answered = _by_subject(mailbox)[("an@example.com", f"Nội dung {code} của bạn đã được trả lời")]
    assert "Tệp đính kèm" not in _body(answered)  # an answer without files lists none
    mailbox.clear()

    async with outbox.unit_of_work(db, runtime.queue) as session:
        await workflow.reopen(session, SECRETARIAT, pid, "Câu trả lời chưa đủ ý.", "vi")
    reopened = await _reload(db, pid)
    assert reopened.status is ProposalStatus.ROUTED
    assert reopened.deadline is not None
    assert await _queued(db, REOPEN_TEMPLATES) == [
        ("an@example.com", "reopened", "vi"),
        (AGENCY_ADMIN, "reopened_assignment", "en"),
        (REVIEWER, "reopened_assignment", "vi"),
    ]
    await run_worker(settings)
    await run_worker(settings)  # nothing left to send: each notice went once

    mail = _by_subject(mailbox)
    assert sorted(mail) == [
        (AGENCY_ADMIN, f"Submission {code} reopened for Ministry of Science and Technology"),
        ("an@example.com", f"Nội dung {code} của bạn đã được mở lại"),
        (REVIEWER, f"Nội dung {code} được mở lại, giao cho Bộ Khoa học và Công nghệ"),
    ]
    assert len(mailbox.messages) == 3

    to_submitter = mail[("an@example.com", f"Nội dung {code} của bạn đã được mở lại")]
    secret = f"http://intake.test/track/{code}?key={access_key(settings, reopened)}&lang=vi"
    due_vi = format_day(reopened.deadline, "vi")
    lines = _lines(to_submitter)
    assert f'Nội dung "{title}" của bạn đã được mở lại, vì lý do sau:' in lines
    assert "Câu trả lời chưa đủ ý." in lines
    assert f"Bộ Khoa học và Công nghệ tiếp tục xử lý nội dung này, hạn trả lời: {due_vi}." in lines
    assert (
        "Đường dẫn riêng của bạn, để trả lời câu hỏi, rút lại hoặc đánh giá câu trả lời "
        f"(không chia sẻ): {secret}"
    ) in lines
    assert f'href="{secret.replace("&", "&amp;")}"' in _body(to_submitter, "html")
    assert to_submitter["List-Unsubscribe"] is None  # essential: the outcome no longer stands

    to_admin = mail[
        (AGENCY_ADMIN, f"Submission {code} reopened for Ministry of Science and Technology")
    ]
    lines = _lines(to_admin)
    assert (
        f"Submission {code} was reopened and is back with Ministry of Science and Technology. "
        "Reason:"
    ) in lines
    assert "Câu trả lời chưa đủ ý." in lines
    assert f"Respond by: {format_day(reopened.deadline, 'en')}" in lines
    assert f"Open it at http://intake.test/inbox/{pid}?lang=en" in lines
    assert "cooperate" not in _body(to_admin)
    assert (
        '<blockquote style="white-space: pre-line;">Câu trả lời chưa đủ ý.</blockquote>'
        in _body(to_admin, "html")
    )

    to_reviewer = mail[
        (REVIEWER, f"Nội dung {code} được mở lại, giao cho Bộ Khoa học và Công nghệ")
    ]
    lines = _lines(to_reviewer)
    assert (
        f"Nội dung {code} đã được mở lại và trở lại với Bộ Khoa học và Công nghệ. Lý do:" in lines
    )
    assert f"Hạn trả lời: {due_vi}" in lines
    root = f"<proposal.{code.lower()}@intake.localhost>"
    assert {m["References"] for m in mail.values()} == {root}


async def test_a_cooperating_agency_is_told_again_and_an_english_submitter_in_english(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    db = runtime.db
    general = submission(
        category="OTHER",
        title="General remarks",
        description="I have a few general remarks I would like you to consider.",
        email="jo@example.com",
        language="en",
    )
    async with outbox.unit_of_work(db, runtime.queue) as session:
        proposal = await submit_proposal(session, general, settings, "en")
    assert proposal.id is not None
    pid, code = proposal.id, proposal.tracking_code
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await route_proposal(session, pid, settings)  # to triage
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await workflow.assign(
            session, SECRETARIAT, pid, "BCT", settings, "vi", cooperating=["BKHCN"]
        )
    bct = await agency_id(db, "BCT")
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await workflow.respond(session, official(bct), pid, "Noted.", publish=False, language="vi")
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await workflow.reopen(session, SECRETARIAT, pid, "The answer missed the main point.", "en")
    assert await _queued(db, REOPEN_TEMPLATES) == [
        ("jo@example.com", "reopened", "en"),
        ("reviewer.bct@intake.localhost", "reopened_assignment", "vi"),
        (REVIEWER, "reopened_assignment", "vi"),
    ]
    await run_worker(settings)
    mail = _by_subject(mailbox)
    reopened = await _reload(db, pid)
    assert reopened.deadline is not None

    to_partner = mail[(REVIEWER, f"Nội dung {code} được mở lại, giao cho Bộ Công Thương")]
    lines = _lines(to_partner)
    assert f"Nội dung {code} đã được mở lại và trở lại với Bộ Công Thương. Lý do:" in lines
    assert "Bộ Khoa học và Công nghệ được đề nghị phối hợp xử lý." in lines
    to_lead = mail[
        ("reviewer.bct@intake.localhost", f"Nội dung {code} được mở lại, giao cho Bộ Công Thương")
    ]
    assert "phối hợp" not in _body(to_lead)

    to_submitter = mail[("jo@example.com", f"Your submission {code} was reopened")]
    secret = f"http://intake.test/track/{code}?key={access_key(settings, reopened)}&lang=en"
    lines = _lines(to_submitter)
    assert 'Your submission "General remarks" was reopened, for this reason:' in lines
    assert "The answer missed the main point." in lines
    due = format_day(reopened.deadline, "en")
    industry = "Ministry of Industry and Trade"
    assert f"{industry} is handling it again and is to answer by {due}." in lines
    assert (
        "Your private link, to answer questions, withdraw or rate the answer (do not share it): "
        f"{secret}"
    ) in lines


async def test_reopened_into_triage_only_its_submitter_is_told(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    db = runtime.db
    general = submission(
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",
        email="khac@example.com",
    )
    async with outbox.unit_of_work(db, runtime.queue) as session:
        proposal = await submit_proposal(session, general, settings, "vi")
    assert proposal.id is not None
    pid, code = proposal.id, proposal.tracking_code
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await route_proposal(session, pid, settings)  # to triage
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await workflow.withdraw(session, Actor.submitter(pid), pid, "Gửi nhầm.", "vi")
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await workflow.reopen(session, SECRETARIAT, pid, "Người gửi đề nghị mở lại.", "vi")
    assert (await _reload(db, pid)).status is ProposalStatus.TRIAGE
    assert await _queued(db, REOPEN_TEMPLATES) == [("khac@example.com", "reopened", "vi")]
    await run_worker(settings)
    mail = _by_subject(mailbox)
    to_submitter = mail[("khac@example.com", f"Nội dung {code} của bạn đã được mở lại")]
    lines = _lines(to_submitter)
    assert "Người gửi đề nghị mở lại." in lines
    assert "Văn phòng Thường trực sẽ chuyển nội dung đến cơ quan có thẩm quyền." in lines
    assert "hạn trả lời" not in _body(to_submitter)


async def test_the_answer_mail_lists_the_answer_s_files_by_name_and_size(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    """Only this answer's files, as they are when the mail goes out: not the submitter's
    evidence, nor a file removed from the uploads, nor one whose row is gone."""
    db = runtime.db
    async with outbox.unit_of_work(db, runtime.queue) as session:
        proposal = await submit_proposal(
            session,
            submission(email="an@example.com"),
            settings,
            "vi",
            files=[IncomingFile("cccd.pdf", PDF)],
        )
    assert proposal.id is not None
    pid, code = proposal.id, proposal.tracking_code
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await route_proposal(session, pid, settings)
    bkhcn = await agency_id(db, "BKHCN")
    files = [
        IncomingFile("bao-cao.pdf", _sized(PDF, 300_000)),
        IncomingFile("so-lieu.png", _sized(PNG, 1_572_864)),
        IncomingFile("phu-luc.pdf", PDF),
        IncomingFile("ban-nhap.pdf", PDF),
    ]
    async with outbox.unit_of_work(db, runtime.queue) as session:
        await workflow.respond(
            session,
            official(bkhcn),
            pid,
            "Xin gửi kèm báo cáo.",
            publish=False,
            language="vi",
            settings=settings,
            files=files,
        )
    async with db.transaction() as session:
        stored = {
            a.filename: a
            for a in (await session.exec(select(Attachment).where(Attachment.proposal_id == pid)))
        }
        (uploads_dir(settings) / stored["phu-luc.pdf"].storage_key).unlink()
        await session.delete(stored["ban-nhap.pdf"])
    await run_worker(settings)

    answered = _by_subject(mailbox)[("an@example.com", f"Nội dung {code} của bạn đã được trả lời")]
    lines = _lines(answered)
    heading = lines.index("Tệp đính kèm câu trả lời, tải về qua đường dẫn riêng của bạn:")
    assert lines[heading + 1 : heading + 4] == [
        "- bao-cao.pdf (293 KB)",
        "- so-lieu.png (1,5 MB)",
        "",
    ]
    assert lines[heading + 4].startswith(
        "Đọc câu trả lời và đánh giá qua đường dẫn riêng của bạn (không chia sẻ cho người khác): "
        f"http://intake.test/track/{code}?key="
    )
    for gone in ("phu-luc.pdf", "ban-nhap.pdf", "cccd.pdf"):
        assert gone not in _body(answered)
        assert gone not in _body(answered, "html")
    html = _body(answered, "html")
    assert "<p>Tệp đính kèm câu trả lời, tải về qua đường dẫn riêng của bạn:</p>" in html
    assert "<li>bao-cao.pdf (293 KB)</li>\n<li>so-lieu.png (1,5 MB)</li>" in html


async def test_a_second_answer_s_mail_lists_its_own_files_in_english(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    db = runtime.db
    routed = await submitted_and_routed(db, settings, email="ana@example.com", language="en")
    assert routed.id is not None
    pid, code = routed.id, routed.tracking_code
    bkhcn = await agency_id(db, "BKHCN")
    for text, filename in (("First answer.", "first.pdf"), ("Second answer.", "second.pdf")):
        async with outbox.unit_of_work(db, runtime.queue) as session:
            await workflow.respond(
                session,
                official(bkhcn),
                pid,
                text,
                publish=False,
                language="vi",
                settings=settings,
                files=[IncomingFile(filename, _sized(PDF, 2048))],
            )
        if text == "First answer.":
            async with outbox.unit_of_work(db, runtime.queue) as session:
                await workflow.reopen(session, SECRETARIAT, pid, "Incomplete.", "vi")
    await run_worker(settings)

    answers = [
        m.message
        for m in mailbox.messages
        if m.message["Subject"] == f"Your submission {code} has been answered"
    ]
    assert len(answers) == 2
    first, second = sorted(answers, key=lambda m: "Second answer." in _body(m))
    heading = "Files attached to the answer, to download through your private link:"
    assert _lines(first)[_lines(first).index(heading) + 1 :][:2] == ["- first.pdf (2 KB)", ""]
    assert _lines(second)[_lines(second).index(heading) + 1 :][:2] == ["- second.pdf (2 KB)", ""]
    assert "first.pdf" not in _body(second)
    assert "<li>second.pdf (2 KB)</li>" in _body(second, "html")
