"""A worker killed in the middle of sending: after recovery the message arrives exactly once.

The SMTP server here holds its reply to the first DATA command, as a slow server does, and the
test SIGKILLs a real `intake worker` process while it waits. Nothing in Intake knows a test is
running: the worker is stopped at a real point by a real signal.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlmodel import select

from service.embedded.smtp import SocketController
from service.notifications import service as notifications
from service.notifications.models import Notification, NotificationState
from service.outbox import service as outbox
from service.outbox.models import OutboxMessage, OutboxState
from service.proposals.models import Proposal, ProposalKind, ProposalStatus, SubmitterType
from service.runtime import Runtime
from service.settings import Settings
from tests.fixtures.worker import run_worker
from tests.processes import INTAKE, intake_environment


class HoldingSmtp:
    """Accepts mail, except that it never answers the first DATA: it waits until hung up on."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.received: list[EmailMessage] = []
        self._lock = threading.Lock()
        sock = socket.create_server(("127.0.0.1", 0))
        self._controller = SocketController(self, sock)
        self.port: int = sock.getsockname()[1]

    def __enter__(self) -> HoldingSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.holding.is_set():
            self.holding.set()
            # aiosmtpd cancels this when the client's connection drops: no reply, no delivery.
            await asyncio.sleep(3600)
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        with self._lock:
            self.received.append(message)
        return "250 OK"


async def _queue_receipt(runtime: Runtime) -> tuple[int, str]:
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        proposal = Proposal(
            tracking_code="7KQ2MXH9PD",
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
        [row] = await notifications.queue(
            session,
            event_key="test:crash",
            recipients=notifications.submitter_of(proposal),
            template="receipt",
            proposal_id=proposal.id,
        )
        job = (await session.exec(select(OutboxMessage))).one()
    assert row.id is not None
    return row.id, job.id


async def _row(runtime: Runtime, notification_id: int) -> Notification:
    async with runtime.db.session() as session:
        row = await session.get(Notification, notification_id)
    assert row is not None
    return row


async def test_a_worker_killed_while_sending_leads_to_exactly_one_delivery(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    with HoldingSmtp() as smtp:
        notification_id, outbox_id = await _queue_receipt(runtime)
        env = intake_environment(
            settings,
            DATA_DIR=str(tmp_path / "killed-worker"),
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp.port),
        )
        with (tmp_path / "worker.log").open("wb") as log:
            worker = await asyncio.create_subprocess_exec(
                INTAKE, "worker", env=env, stdout=log, stderr=log
            )
            try:
                held = await asyncio.to_thread(smtp.holding.wait, 30)
                assert held, (tmp_path / "worker.log").read_text()
                claimed = await _row(runtime, notification_id)
                worker.send_signal(signal.SIGKILL)
                assert await asyncio.wait_for(worker.wait(), 10) == -signal.SIGKILL
            finally:
                if worker.returncode is None:
                    worker.kill()
                    await worker.wait()
        assert claimed.state is NotificationState.SENDING
        assert claimed.attempts == 1

        # arq lets the killed job run again once its in-progress key expires (job timeout +
        # 10 s); the test removes the key rather than wait that long.
        redis = Redis.from_url(settings.redis_url)
        try:
            assert await redis.delete(f"arq:in-progress:{outbox_id}") == 1
        finally:
            await redis.aclose()
        recovering = settings.model_copy(
            update={
                "smtp_port": smtp.port,
                "mail_claim_stale_seconds": 1,
                "outbox_sweep_after_seconds": 1,
            }
        )
        await asyncio.sleep(1.1)  # the dead worker's claim is stale now
        await run_worker(recovering)  # arq gives up the interrupted job (max_tries=1)
        await run_worker(recovering)  # the outbox sweep enqueues it afresh: it is sent

        sent = await _row(runtime, notification_id)
        async with runtime.db.session() as session:
            job = await session.get(OutboxMessage, outbox_id)
        assert job is not None
        assert [m["Message-ID"] for m in smtp.received] == [claimed.message_id]
        assert (sent.state, sent.attempts, sent.message_id) == (
            NotificationState.SENT,
            2,
            claimed.message_id,
        )
        assert job.state is OutboxState.DONE
