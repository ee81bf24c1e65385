"""Delivery through a real SMTP server: retries, permanent failures, bad input, the rate cap."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from sqlmodel import select

from service.db import utcnow
from service.notifications import delivery
from service.notifications import service as notifications
from service.notifications.mailer import SendFailure
from service.notifications.models import Notification, NotificationState
from service.outbox import service as outbox
from service.outbox.models import OutboxMessage, OutboxState
from service.proposals.models import Proposal, ProposalKind, ProposalStatus, SubmitterType
from service.runtime import Runtime
from service.settings import Settings
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker


async def _proposal(runtime: Runtime, code: str = "7KQ2MXH9PD") -> int:
    async with runtime.db.transaction() as session:
        proposal = Proposal(
            tracking_code=code,
            kind=ProposalKind.PROPOSAL,
            status=ProposalStatus.SUBMITTED,
            title="Quỹ hỗ trợ chuyển đổi số",
            description="Đề xuất thành lập quỹ.",
            category_code="DIGITAL_ECONOMY",
            submitter_type=SubmitterType.ENTERPRISE,
            submitter_name="Nguyễn Thị Minh",
            submitter_email="minh@example.com",
            content_hash="-",
        )
        session.add(proposal)
        await session.flush()
        assert proposal.id is not None
        return proposal.id


async def _queue(
    runtime: Runtime,
    proposal_id: int,
    recipient: str = "minh@example.com",
    *,
    template: str = "receipt",
    key: str = "test:1",
    **context: Any,
) -> int:
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        [row] = await notifications.queue(
            session,
            event_key=key,
            recipients=[notifications.Recipient(recipient, "vi")],
            template=template,
            proposal_id=proposal_id,
            context=context,
        )
    assert row.id is not None
    return row.id


async def _rows(runtime: Runtime) -> list[Notification]:
    async with runtime.db.session() as session:
        return list((await session.exec(select(Notification))).all())


async def _jobs(runtime: Runtime) -> list[OutboxMessage]:
    async with runtime.db.session() as session:
        return list((await session.exec(select(OutboxMessage))).all())


def _quick(settings: Settings, **changes: Any) -> Settings:
    """Retries and sweeps in about a second, so a test can watch them happen."""
    return settings.model_copy(
        update={"outbox_sweep_after_seconds": 1, "mail_retry_initial_seconds": 0.5, **changes}
    )


async def _time_passes(runtime: Runtime) -> None:
    """Every pending job is due and old enough for the sweep, as if its wait were over."""
    past = utcnow() - timedelta(seconds=2)
    async with runtime.db.transaction() as session:
        for job in (await session.exec(select(OutboxMessage))).all():
            job.available_at, job.created_at = past, past


async def test_a_temporary_failure_then_success_delivers_once(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    pid = await _proposal(runtime)
    await _queue(runtime, pid)
    mailbox.fail_next(451)
    await run_worker(settings)
    [row] = await _rows(runtime)
    [job] = await _jobs(runtime)
    assert (row.state, row.attempts) == (NotificationState.PENDING, 1)
    assert row.last_error.startswith("SMTPDataError: (451, '4.3.0 Try again later')")
    assert job.attempts == 1
    # The first retry waits INTAKE_MAIL_RETRY_INITIAL_SECONDS (60 s).
    assert utcnow() + timedelta(seconds=50) < job.available_at <= utcnow() + timedelta(seconds=60)
    assert mailbox.messages == []

    await _time_passes(runtime)
    await run_worker(_quick(settings))  # the sweep finds the retry due
    await run_worker(_quick(settings))  # and again: nothing left to send
    [row] = await _rows(runtime)
    [job] = await _jobs(runtime)
    assert (row.state, row.attempts, row.last_error) == (NotificationState.SENT, 2, "")
    assert job.state is OutboxState.DONE
    [mail] = mailbox.messages
    assert mail.message["Message-ID"] == row.message_id == "<proposal.7kq2mxh9pd@intake.localhost>"


async def test_a_permanent_failure_is_recorded_for_the_secretariat_and_not_retried(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    pid = await _proposal(runtime)
    failing = await _queue(runtime, pid, "gone@example.com", key="test:gone")
    mailbox.fail_next(550, stage="RCPT", text="5.1.1 No such user")
    await run_worker(_quick(settings))
    await _queue(runtime, pid, "minh@example.com", key="test:fine")
    await asyncio.sleep(1.1)
    await run_worker(_quick(settings))  # the sweep would find a retry: there is none

    async with runtime.db.session() as session:
        failed = await notifications.failed_notifications(session, 10)
    assert [(n.id, n.recipient, n.attempts) for n in failed] == [(failing, "gone@example.com", 1)]
    assert "550" in failed[0].last_error
    assert "5.1.1 No such user" in failed[0].last_error
    assert {(j.state, j.attempts) for j in await _jobs(runtime)} == {(OutboxState.DONE, 0)}
    assert [m.recipients for m in mailbox.messages] == [("minh@example.com",)]


async def test_an_smtp_server_that_stays_down_is_retried_then_given_up_without_blocking(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    pid = await _proposal(runtime)
    await _queue(runtime, pid)
    down = _quick(settings, smtp_port=1, mail_retry_window_hours=1)
    await run_worker(down.model_copy(update={"mail_retry_initial_seconds": 60}))
    [row] = await _rows(runtime)
    assert (row.state, row.attempts) == (NotificationState.PENDING, 1)
    assert row.last_error.startswith("SMTPConnectError")

    async with runtime.db.transaction() as session:  # the hour of retries is over
        notification = await session.get(Notification, row.id)
        assert notification is not None
        notification.created_at = utcnow() - timedelta(hours=1, seconds=1)
    await _time_passes(runtime)
    await run_worker(down)
    [row] = await _rows(runtime)
    assert (row.state, row.attempts) == (NotificationState.FAILED, 2)
    assert row.last_error.startswith("gave up after 1 h: SMTPConnectError")
    assert [j.state for j in await _jobs(runtime)] == [OutboxState.DONE]
    assert mailbox.messages == []


async def test_bad_addresses_and_failing_templates_are_recorded_and_other_mail_flows(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    pid = await _proposal(runtime)
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        rows = await notifications.queue(
            session,
            event_key="test:bad",
            recipients=[
                notifications.Recipient("not an address", "vi"),
                notifications.Recipient("minh@example.com", "vi"),
            ],
            template="rejected",
            proposal_id=pid,
            context={"note": "Ngoài phạm vi."},
        )
    # "merged" needs into_code: this template cannot render.
    broken = await _queue(runtime, pid, template="merged", key="test:broken")
    await run_worker(settings)

    by_id = {n.id: n for n in await _rows(runtime)}
    bad, good = rows
    assert by_id[bad.id].state is NotificationState.FAILED
    assert by_id[bad.id].last_error.startswith("invalid address: ")
    assert by_id[good.id].state is NotificationState.SENT
    assert by_id[broken].state is NotificationState.FAILED
    assert by_id[broken].last_error == "could not render: UndefinedError: 'into_code' is undefined"
    assert len(await _jobs(runtime)) == 2  # none for the bad address
    assert [m.recipients for m in mailbox.messages] == [("minh@example.com",)]


async def test_the_rate_cap_holds_mail_back_to_the_next_minute(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    pid = await _proposal(runtime)
    # The next minutes' allowance is spent already, so a run across a minute boundary sends
    # no more than a run inside one minute.
    minute = int(time.time() // 60)
    redis = Redis.from_url(settings.redis_url)
    try:
        for later in (minute + 1, minute + 2):
            await redis.set(f"intake:mail:minute:{later}", 2, ex=300)
    finally:
        await redis.aclose()
    for n in range(3):
        await _queue(runtime, pid, f"r{n}@example.com", key=f"test:{n}")
    started = utcnow()
    await run_worker(settings.model_copy(update={"mail_max_per_minute": 2}))

    rows = await _rows(runtime)
    assert len(mailbox.messages) == 2
    assert sorted(n.state for n in rows) == [
        NotificationState.PENDING,
        NotificationState.SENT,
        NotificationState.SENT,
    ]
    [waiting] = [j for j in await _jobs(runtime) if j.state is OutboxState.PENDING]
    assert waiting.attempts == 0
    # Held back to the start of a later minute than the one it was refused in; compared with
    # when the run started, since the check itself may fall after that minute has begun.
    assert started < waiting.available_at <= utcnow() + timedelta(seconds=60)


async def test_a_fresh_claim_is_left_alone_and_a_stale_one_resent_with_the_same_id(
    runtime: Runtime, settings: Settings
) -> None:
    pid = await _proposal(runtime)
    nid = await _queue(runtime, pid)
    now = utcnow()
    async with runtime.db.transaction() as session:
        first = await delivery.claim(session, nid, settings, now)
    async with runtime.db.transaction() as session:
        second = await delivery.claim(session, nid, settings, now + timedelta(seconds=299))
    later = now + timedelta(seconds=settings.mail_claim_stale_seconds)
    async with runtime.db.transaction() as session:
        third = await delivery.claim(session, nid, settings, later)
    assert isinstance(first, delivery.Claimed)
    assert second == delivery.Busy(later)
    assert isinstance(third, delivery.Claimed)
    assert third.message["Message-ID"] == first.message["Message-ID"]
    # The first attempt, back from the dead, can settle nothing: the claim is not its own.
    async with runtime.db.transaction() as session:
        assert not await delivery.settle_sent(session, nid, first.token, later)
        failure = SendFailure(False, "late")
        assert (
            await delivery.settle_failure(session, nid, first.token, failure, settings, later)
            is None
        )
    async with runtime.db.transaction() as session:
        assert await delivery.settle_sent(session, nid, third.token, later)
    [row] = await _rows(runtime)
    assert (row.state, row.attempts) == (NotificationState.SENT, 2)
