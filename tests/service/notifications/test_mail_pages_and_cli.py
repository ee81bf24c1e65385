"""Unsubscribing from a link, HTML in the development mailbox, and `intake mail`."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select

from service.app import create_app
from service.cli import main
from service.db import utcnow
from service.embedded.smtp import MailCapture, list_messages
from service.i18n import format_day
from service.notifications import service as notifications
from service.notifications.catalog import KINDS
from service.notifications.mailer import SmtpMailer
from service.notifications.models import Notification, NotificationState
from service.notifications.preview import sample_message
from service.outbox import service as outbox
from service.proposals.models import Proposal
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, submitted_and_routed
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker


async def test_a_submitter_who_unsubscribes_still_gets_essential_mail(
    runtime: Runtime, settings: Settings, client: httpx.AsyncClient, mailbox: SmtpSink
) -> None:
    proposal = await submitted_and_routed(runtime.db, settings, language="en")
    assert proposal.id is not None
    token = notifications.unsubscribe_token(settings, "MINH@example.com")
    page = await client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert "Ngừng gửi thư không cần thiết đến minh@example.com?" in page.text
    done = await client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "Đã xong: minh@example.com sẽ chỉ nhận thư cần thiết" in done.text
    assert (await client.post(f"/unsubscribe/{token}")).status_code == 200  # twice is fine
    forged = await client.post(f"/unsubscribe/{token[:-2]}xx")
    assert forged.status_code == 404

    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await workflow.reject(session, SECRETARIAT, proposal.id, "Out of scope.", "en")
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        await notifications.queue(
            session,
            event_key="test:closed",
            recipients=notifications.submitter_of(proposal),
            template="closed",
            proposal_id=proposal.id,
        )
    await run_worker(settings)
    async with runtime.db.session() as session:
        rows = (
            await session.exec(select(Notification).where(Notification.template != "receipt"))
        ).all()
    assert sorted((n.template, n.state) for n in rows if n.recipient == "minh@example.com") == [
        ("closed", NotificationState.SKIPPED),
        ("rejected", NotificationState.SENT),
    ]
    assert [str(m.message["Subject"]) for m in mailbox.messages] == [
        f"Your submission {proposal.tracking_code} was not accepted"
    ]


async def test_the_development_mailbox_shows_html_in_a_sandbox(settings: Settings) -> None:
    development = settings.model_copy(update={"environment": "development"})
    with MailCapture(development.mail_dir) as capture:
        sending = development.model_copy(update={"smtp_port": capture.port})
        message = sample_message("responded", "en", sending)
        mailer = SmtpMailer(sending)
        await mailer.send(message)
        await mailer.close()
    [stored] = list_messages(development.mail_dir)
    app = create_app(development)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            page = await http.get(f"/dev/mail/{stored.id}")
    assert page.status_code == 200
    assert '<iframe class="mail-html" title="Your submission 7KQ2MXH9PD has been answered"' in (
        page.text
    )
    assert 'sandbox="" srcdoc="&lt;!doctype html&gt;' in page.text
    assert "<script" not in page.text.split("<iframe", 1)[1]


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


def test_every_template_renders_in_both_languages() -> None:
    settings = Settings()
    for template in KINDS:
        for language in ("vi", "en"):
            message = sample_message(template, language, settings)
            assert message["Subject"], template
            assert "7KQ2MXH9PD" in _body(message), template


def test_the_digest_preview_shows_a_section_longer_than_it_lists() -> None:
    settings = Settings(base_url="http://intake.test")
    lines = _body(sample_message("digest", "en", settings)).splitlines()
    assert "Newly assigned (12)" in lines
    assert "… and 11 more: http://intake.test/inbox?lang=en" in lines
    assert "Overdue (1)" in lines


def test_the_digest_preview_lists_a_submission_per_section_whose_date_fits_it() -> None:
    """Overdue past its deadline, due soon within the reminder's days, each its own submission."""
    settings = Settings(base_url="http://intake.test")
    text = _body(sample_message("digest", "en", settings))
    sections = {
        title: block.splitlines()[1:4]
        for title, block in zip(
            ("Overdue", "Due soon", "Newly assigned"),
            text.split("\n\n")[1:4],
            strict=True,
        )
    }
    codes = [lines[0].split(":")[0] for lines in sections.values()]
    assert len(set(codes)) == 3, sections
    due = {
        title: datetime.strptime(lines[1].split("Respond by: ")[1], "%d %b %Y").date()
        for title, lines in sections.items()
    }
    today = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert due["Overdue"] < today < due["Due soon"] < due["Newly assigned"]
    assert "Licensing delays for drone test flights" in sections["Overdue"][0]


def test_mail_preview_prints_a_template_with_sample_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["mail", "preview", "information_requested", "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    assert "Subject: Yêu cầu bổ sung thông tin cho nội dung 7KQ2MXH9PD\n" in out
    assert "--- text/plain ---\nKính gửi Nguyễn Thị Minh," in out
    assert "--- text/html ---\n<!doctype html>" in out
    assert main(["mail", "preview", "nonsense"]) == 1
    assert "intake mail preview: no template 'nonsense'; try answer_received" in (
        capsys.readouterr().err
    )


async def test_mail_failures_lists_what_failed_and_retry_queues_it_again(
    runtime: Runtime,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with runtime.db.transaction() as session:
        [bad] = await notifications.queue(
            session,
            event_key="test:bad",
            recipients=[notifications.Recipient("no-at-sign", "vi")],
            template="digest",
            proposal_id=None,
        )
    monkeypatch.setenv("INTAKE_DATABASE_URL", settings.resolved_database_url)
    await runtime.db.dispose()
    assert await _cli(["mail", "failures"]) == 0
    line = capsys.readouterr().out
    assert line.startswith(f"{bad.id}\t")
    assert "\tno-at-sign\tdigest\t0\tinvalid address: An email address must have an @-sign.\n" in (
        line
    )
    assert await _cli(["mail", "retry", str(bad.id)]) == 0
    assert capsys.readouterr().out == f"Notification {bad.id} to no-at-sign is queued again.\n"
    assert await _cli(["mail", "failures"]) == 0
    assert capsys.readouterr().out == "No failed mail.\n"


async def _cli(argv: list[str]) -> int:
    import asyncio

    # The CLI runs its own event loop, so it runs in a thread beside the test's loop.
    return await asyncio.to_thread(main, argv)


async def test_mail_schedule_queues_what_is_due_once_and_the_worker_sends_it(
    runtime: Runtime,
    settings: Settings,
    mailbox: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proposal = await submitted_and_routed(runtime.db, settings)
    async with runtime.db.transaction() as session:
        row = await session.get(Proposal, proposal.id)
        assert row is not None
        due = row.deadline = utcnow() + timedelta(days=1)  # within the reminder's two days
    await run_worker(settings)  # the assignment's mail, out of the way
    mailbox.clear()
    monkeypatch.setenv("INTAKE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("INTAKE_REDIS_URL", settings.redis_url)
    await runtime.db.dispose()
    assert await _cli(["mail", "schedule"]) == 0
    assert capsys.readouterr().out == (
        "Queued 1 reminder and escalation emails and 0 digests; a running worker sends them.\n"
    )
    assert await _cli(["mail", "schedule"]) == 0  # already queued: nothing again
    assert capsys.readouterr().out.startswith("Queued 0 reminder")
    await run_worker(settings)
    assert [(m.recipients, str(m.message["Subject"])) for m in mailbox.messages] == [
        (
            ("reviewer.bkhcn@intake.localhost",),
            f"Nhắc hạn: {proposal.tracking_code} đến hạn trả lời ngày {format_day(due, 'vi')}",
        )
    ]
