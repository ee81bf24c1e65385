"""privacy.retention: the worker's cron job that applies the retention periods."""

from __future__ import annotations

import socket
import subprocess
from datetime import timedelta

import httpx
from sqlmodel import select

from service.attachments.models import Attachment
from service.attachments.service import IncomingFile, uploads_dir
from service.audit import service as audit
from service.audit.models import AuditAction, AuditEntry
from service.db import utcnow
from service.embedded.ports import free_tcp_port
from service.outbox import service as outbox
from service.proposals import repository as proposals
from service.proposals import service as proposal_service
from service.proposals.models import ProposalStatus
from service.runtime import open_runtime
from service.settings import Settings
from tests.factories import SECRETARIAT, submission
from tests.processes import INTAKE, intake_environment
from workers import privacy
from workers.settings import create_worker

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_retention_erases_expired_data_deletes_its_files_and_old_audit_entries(
    settings: Settings,
) -> None:
    settings = settings.model_copy(
        update={"retention_personal_days": 10, "retention_audit_days": 90}
    )
    async with open_runtime(settings) as runtime:
        async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
            proposal = await proposal_service.submit_proposal(
                session, submission(), settings, "vi", files=[IncomingFile("cv.pdf", PDF)]
            )
            assert proposal.id is not None
            proposal.status = ProposalStatus.WITHDRAWN
            proposal.updated_at = utcnow() - timedelta(days=11)
            old = audit.record(session, SECRETARIAT, AuditAction.EXPORT_SEARCH, [])
            old.at = utcnow() - timedelta(days=91)
        async with runtime.db.session() as session:
            [file] = (await session.exec(select(Attachment))).all()
        assert (uploads_dir(settings) / file.storage_key).exists()

        ctx: dict[str, object] = {"runtime": runtime}
        assert await privacy.retention(ctx) == 1
        assert await privacy.retention(ctx) == 0

        assert not (uploads_dir(settings) / file.storage_key).exists()
        async with runtime.db.session() as session:
            row = await proposals.get(session, proposal.id)
            entries = (await session.exec(select(AuditEntry))).all()
        assert row is not None
        assert (row.submitter_name, row.status) == ("[erased]", ProposalStatus.WITHDRAWN)
        assert [(e.actor, e.action, e.detail) for e in entries] == [
            ("system", "ERASE_PERSONAL_DATA", "retention period ended")
        ]


async def test_the_worker_runs_retention_hourly_and_serves_its_own_metrics(
    settings: Settings,
) -> None:
    port = free_tcp_port()
    worker = create_worker(settings.model_copy(update={"worker_metrics_port": port}))
    crons = {job.name: job for job in worker.cron_jobs}
    assert set(crons) == {"outbox.sweep", "notification.schedule", "privacy.retention"}
    assert (crons["privacy.retention"].minute, crons["privacy.retention"].unique) == (17, True)
    assert worker.on_startup is not None
    assert worker.on_shutdown is not None
    await worker.on_startup(worker.ctx)
    try:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        await worker.on_shutdown(worker.ctx)
        await worker.close()
    assert response.status_code == 200
    assert "# TYPE intake_jobs_total counter" in response.text
    assert "# TYPE intake_job_duration_seconds histogram" in response.text


def test_a_taken_metrics_port_stops_the_worker_with_the_setting_to_change(
    settings: Settings,
) -> None:
    """Not read as Redis gone (an OSError), which would have the worker retry for good."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = intake_environment(settings, WORKER_METRICS_PORT=str(port))
        finished = subprocess.run(
            [INTAKE, "worker"], env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert finished.returncode == 1
    assert (
        f"intake worker: the worker's metrics cannot listen on 127.0.0.1:{port}"
        " (Address already in use); set INTAKE_WORKER_METRICS_PORT to a free port, or to 0"
        " for none" in finished.stderr
    )
    assert "Redis unreachable" not in finished.stderr
