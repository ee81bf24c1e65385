"""A real arq worker in burst mode against the embedded Redis, sending to a real SMTP server."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from sqlmodel import select

from search.base import SearchScope
from service.db import Database
from service.notifications.models import Notification, NotificationState
from service.outbox import service as outbox
from service.outbox.models import OutboxMessage, OutboxState
from service.proposals import service as proposals
from service.proposals.models import ProposalStatus
from service.queue import ArqQueue
from service.runtime import Runtime
from service.settings import Settings
from tests.factories import submission
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker


async def _submit(runtime: Runtime, **fields: object) -> str:
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        proposal = await proposals.submit_proposal(
            session, submission(**fields), runtime.settings, "vi"
        )
    return proposal.tracking_code


async def test_submission_is_routed_indexed_and_emailed(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    code = await _submit(runtime, category="STRATEGIC_TECHNOLOGIES")
    await run_worker(settings)

    async with runtime.db.session() as session:
        tracked = await proposals.track(session, code)
        pending = await outbox.pending_count(session)
    found = await runtime.search.search("ban dan", SearchScope.secretariat())
    assert tracked.proposal.status is ProposalStatus.ROUTED
    assert tracked.agency is not None
    assert tracked.agency.code == "BKHCN"
    assert pending == 0
    assert found.total == 0  # the words are not in the submission
    found = await runtime.search.search("chuyen doi so", SearchScope.public())
    assert [hit.tracking_code for hit in found.hits] == [code]

    by_recipient = {mail.recipients: mail.message for mail in mailbox.messages}
    assert set(by_recipient) == {("minh@example.com",), ("reviewer.bkhcn@intake.localhost",)}
    receipt = by_recipient[("minh@example.com",)]
    assert receipt["Subject"] == f"Đã nhận nội dung {code} của bạn"
    receipt_text = receipt.get_body(("plain",))
    assert receipt_text is not None
    assert f"Mã tra cứu: {code}" in receipt_text.get_content()
    assert f"http://intake.test/track/{code}" in receipt_text.get_content()
    assignment = by_recipient[("reviewer.bkhcn@intake.localhost",)]
    assert assignment["Subject"] == f"Nội dung mới {code} giao cho Bộ Khoa học và Công nghệ"


async def test_english_submitter_gets_an_english_receipt(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    code = await _submit(runtime, language="en", email="ana@example.com")
    await run_worker(settings)
    [receipt] = [m.message for m in mailbox.messages if m.recipients == ("ana@example.com",)]
    assert receipt["Subject"] == f"We received your submission {code}"


async def test_jobs_run_twice_send_each_email_once(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    await _submit(runtime)
    await run_worker(settings)
    assert len(mailbox.messages) == 2

    async with runtime.db.session() as session:
        jobs = [(row.job, row.id) for row in (await session.exec(select(OutboxMessage))).all()]
    # Redelivery of every job (arq is at-least-once): nothing is done twice.
    queue = ArqQueue(settings)
    for job, outbox_id in jobs:
        await queue.enqueue(job, outbox_id)
    await queue.close()
    await run_worker(settings)

    async with runtime.db.session() as session:
        states = {row.state for row in (await session.exec(select(OutboxMessage))).all()}
        sent = (await session.exec(select(Notification))).all()
    assert len(mailbox.messages) == 2
    assert states == {OutboxState.DONE}
    assert {(n.state, n.attempts) for n in sent} == {(NotificationState.SENT, 1)}


async def test_jobs_lost_with_redis_are_recovered_by_the_sweep(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    code = await _submit(runtime)
    await runtime.queue.close()
    # Redis loses everything it held (a restart without persistence, say).
    client = Redis.from_url(settings.redis_url)
    await client.flushdb()
    await client.aclose()

    impatient = settings.model_copy(update={"outbox_sweep_after_seconds": 1})
    await asyncio.sleep(1.1)
    await run_worker(impatient)  # the worker sweeps at start-up, then runs what it found
    await run_worker(impatient)  # and the jobs those jobs wrote

    async with runtime.db.session() as session:
        tracked = await proposals.track(session, code)
        pending = await outbox.pending_count(session)
    assert tracked.proposal.status is ProposalStatus.ROUTED
    assert pending == 0
    assert len(mailbox.messages) == 2


async def test_a_failing_send_is_recorded_and_retried_later(
    runtime: Runtime, settings: Settings, mailbox: SmtpSink
) -> None:
    mailbox.fail_next(451, n=1)
    await _submit(runtime, category="OTHER")
    await run_worker(settings)

    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        failed = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.attempts == 1))
        ).all()
    await db.dispose()
    assert len(failed) == 1
    assert failed[0].state is OutboxState.PENDING
    assert "451" in failed[0].last_error
    assert len(mailbox.messages) == 1  # the other email went through
