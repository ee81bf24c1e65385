"""Faults on real processes: after each one, every accepted submission is routed, indexed and
emailed exactly once, and the outbox drains by itself.

Each test runs a real `intake worker` subprocess, a private embedded redis-server, a real SMTP
server and the web application; the faults are real too: SIGKILL, a stopped redis-server whose
data is deleted, a stopped PostgreSQL cluster, a closed SMTP port. Nothing in Intake knows a test
is running. The worker's sweep and retry delays are shortened through their INTAKE_* settings.

What "accepted" means: the form answered with its redirect to the tracking page. During a
database outage the form answers 503 and stores nothing; those submissions are not accepted and
the submitter is told to try again. Every other outage here leaves submissions accepted.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from arq.jobs import deserialize_job
from redis.asyncio import Redis
from redis.exceptions import WatchError
from sqlmodel import col, select

from search.base import SearchScope
from service.app import create_app
from service.db import Database
from service.demo import load_demo
from service.embedded.redis import EmbeddedRedis
from service.migrate import upgrade
from service.outbox import service as outbox
from service.proposals.models import Proposal, ProposalStatus
from service.runtime import Runtime
from service.settings import Settings
from tests.factories import form_data
from tests.fixtures.postgres import PostgresCluster
from tests.fixtures.smtp import SmtpSink
from tests.processes import INTAKE, intake_environment
from tests.web_client import csrf_token
from workers.settings import redis_lost

# The issue asks for a one-minute SMTP outage; the other outages last ten seconds.
SMTP_OUTAGE_SECONDS = 60.0
OUTAGE_SECONDS = 10.0
REVIEWER = "reviewer.ubnd-da-nang@intake.localhost"
# Short delays so that recovery takes seconds; a dead worker's claim on a message goes stale
# after the job and SMTP timeouts have both run out.
_WORKER_SETTINGS = {
    "INTAKE_OUTBOX_SWEEP_AFTER_SECONDS": "1",
    "INTAKE_OUTBOX_SWEEP_INTERVAL_SECONDS": "1",
    "INTAKE_JOB_TIMEOUT_SECONDS": "3",
    "INTAKE_SMTP_TIMEOUT_SECONDS": "2",
    "INTAKE_MAIL_CLAIM_STALE_SECONDS": "6",
    "INTAKE_MAIL_RETRY_INITIAL_SECONDS": "1",
    "INTAKE_MAIL_RETRY_MAX_INTERVAL_SECONDS": "4",
    "INTAKE_MAIL_MAX_PER_MINUTE": "10000",
    "INTAKE_RATE_SUBMISSIONS_PER_HOUR": "0",
}


@pytest.fixture
def short_dir() -> Iterator[Path]:
    # A short path, so the embedded Redis listens on the same unix socket after a restart.
    path = Path(tempfile.mkdtemp(prefix="intake-fault-", dir="/tmp"))
    path.chmod(0o755)  # the PostgreSQL cluster runs as the postgres user when tests run as root
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def fault_redis(short_dir: Path) -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis(short_dir) as server:
        yield server


@pytest.fixture
def fault_smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "intake.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@dataclass
class System:
    settings: Settings
    redis: EmbeddedRedis
    smtp: SmtpSink
    log: Path
    runtime: Runtime
    client: httpx.AsyncClient
    worker_settings: dict[str, str]

    def worker_env(self) -> dict[str, str]:
        mail = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port)}
        return intake_environment(self.settings, **mail) | _WORKER_SETTINGS | self.worker_settings


@asynccontextmanager
async def _system(
    database_url: str,
    redis: EmbeddedRedis,
    smtp: SmtpSink,
    tmp_path: Path,
    **worker_settings: str,
) -> AsyncIterator[System]:
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        redis_url=redis.url,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        base_url="http://intake.test",
        rate_submissions_per_hour=0,
        spam_min_fill_seconds=0,  # the form is posted the moment it is fetched
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            runtime = app.state.runtime
            log = tmp_path / "worker.log"
            yield System(settings, redis, smtp, log, runtime, http, worker_settings)


@asynccontextmanager
async def _worker(system: System) -> AsyncIterator[asyncio.subprocess.Process]:
    """A real `intake worker` process, stopped (or found dead) when the block ends."""
    with system.log.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            INTAKE, "worker", env=system.worker_env(), stdout=log, stderr=log
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 15)
                except TimeoutError:
                    process.kill()
                    await process.wait()


class Submitter:
    """Sends the submission form the way a browser does, and remembers what was accepted."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.accepted: dict[str, str] = {}  # tracking code -> the submission's own search word
        self.refused: list[httpx.Response] = []
        self._sent = 0
        self._token: str | None = None

    async def submit(self) -> httpx.Response:
        self._sent += 1
        word = f"suco{self._sent:04d}"
        data = form_data(
            title=f"Thủ tục cấp phép thử nghiệm kéo dài, hồ sơ {word}",
            email=f"nguoi{self._sent}@example.com",
            name=f"Người gửi {self._sent}",
        )
        # The form was loaded once, before any fault; its token stays valid for the session.
        if self._token is None:
            self._token = await csrf_token(self.client)
        response = await self.client.post("/submit", data={**data, "csrf_token": self._token})
        if response.status_code == 303:
            code = response.headers["location"].removeprefix("/track/").split("?")[0]
            self.accepted[code] = word
        else:
            self.refused.append(response)
        return response

    async def submit_many(self, count: int) -> None:
        for _ in range(count):
            await self.submit()

    async def keep_submitting(self, stop: asyncio.Event, every: float) -> None:
        while not stop.is_set():
            await self.submit()
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)


async def _pending(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        return await outbox.pending_count(session)


async def _statuses(runtime: Runtime, codes: set[str]) -> dict[str, ProposalStatus]:
    async with runtime.db.session() as session:
        query = select(Proposal).where(col(Proposal.tracking_code).in_(codes))
        return {p.tracking_code: p.status for p in (await session.exec(query)).all()}


async def _wait_until_settled(system: System, submitter: Submitter, seconds: float) -> None:
    """Until the outbox is empty and every accepted submission has its two emails."""
    codes = set(submitter.accepted)
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            pending = await _pending(system.runtime)
            statuses = await _statuses(system.runtime, codes)
        except Exception:  # the database may still be coming back
            pending, statuses = -1, {}
        waiting = [code for code, status in statuses.items() if status is ProposalStatus.SUBMITTED]
        if (
            pending == 0
            and len(statuses) == len(codes)
            and not waiting
            and len(system.smtp.messages) >= 2 * len(codes)
        ):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"not settled after {seconds} s: {pending} outbox jobs pending, "
                f"{len(waiting)} of {len(codes)} submissions not routed, "
                f"{len(system.smtp.messages)} of {2 * len(codes)} emails; worker log:\n"
                + system.log.read_text(errors="replace")[-4000:]
            )
        await asyncio.sleep(0.25)


async def _wait_until_routed(system: System, submitter: Submitter, count: int) -> None:
    """Until the worker has routed count submissions: it is up and working."""
    for _ in range(200):
        statuses = await _statuses(system.runtime, set(submitter.accepted))
        if sum(s is not ProposalStatus.SUBMITTED for s in statuses.values()) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(system.log.read_text(errors="replace")[-4000:])


async def _assert_complete(system: System, submitter: Submitter) -> None:
    """Routed, indexed as routed, and exactly one receipt and one reviewer email each."""
    codes = set(submitter.accepted)
    statuses = await _statuses(system.runtime, codes)
    assert sorted(statuses) == sorted(codes)
    assert {code for code, s in statuses.items() if s is not ProposalStatus.ROUTED} == set()

    for code, word in submitter.accepted.items():
        found = await system.runtime.search.search(word, SearchScope.secretariat())
        assert [(hit.tracking_code, hit.status) for hit in found.hits] == [(code, "ROUTED")]

    messages = system.smtp.messages
    per_recipient_and_subject = Counter(
        (recipient, str(mail.message["Subject"]))
        for mail in messages
        for recipient in mail.recipients
    )
    assert {key: n for key, n in per_recipient_and_subject.items() if n > 1} == {}
    assert Counter(str(mail.message["Message-ID"]) for mail in messages).most_common(1)[0][1] == 1
    mailed: dict[str, list[str]] = {code: [] for code in codes}
    for mail in messages:
        for code in codes:
            if code in str(mail.message["Subject"]):
                mailed[code] += mail.recipients
    assert {code: r for code, r in mailed.items() if len(r) != 2 or REVIEWER not in r} == {}
    assert len(messages) == 2 * len(codes)
    assert await _pending(system.runtime) == 0


# One round trip: the function of every job a worker holds in progress right now.
_IN_PROGRESS = """
local found = {}
for _, key in ipairs(redis.call('KEYS', 'arq:in-progress:*')) do
  local job = redis.call('GET', 'arq:job:' .. string.sub(key, 17))
  if job then found[#found + 1] = job end
end
return found
"""


async def _jobs_in_progress(redis: Redis) -> set[str]:
    jobs = await redis.eval(_IN_PROGRESS, 0)  # type: ignore[misc]
    return {deserialize_job(job).function for job in jobs}


async def test_a_worker_killed_while_routing_indexing_and_sending_loses_and_repeats_nothing(
    sqlite_url: str, fault_redis: EmbeddedRedis, fault_smtp: SmtpSink, tmp_path: Path
) -> None:
    async with _system(sqlite_url, fault_redis, fault_smtp, tmp_path) as system:
        submitter = Submitter(system.client)
        await submitter.submit_many(5)
        fault_smtp.hold()
        redis = Redis.from_url(fault_redis.url)
        seen: set[str] = set()
        stop = asyncio.Event()
        try:
            async with _worker(system) as worker:
                submitting = asyncio.create_task(submitter.keep_submitting(stop, 0.2))
                deadline = asyncio.get_running_loop().time() + 30
                while (
                    not {"proposal.route", "search.index"} <= seen or not fault_smtp.held.is_set()
                ):
                    assert asyncio.get_running_loop().time() < deadline, (
                        seen,
                        system.log.read_text(),
                    )
                    seen = await _jobs_in_progress(redis)
                worker.send_signal(signal.SIGKILL)
                assert await asyncio.wait_for(worker.wait(), 10) == -signal.SIGKILL
                # Submissions go on while no worker runs.
                await asyncio.sleep(1)
                stop.set()
                await submitting
        finally:
            stop.set()
            await redis.aclose()
        assert {"proposal.route", "search.index", "notification.send"} <= seen
        fault_smtp.hold(False)

        async with _worker(system):
            await _wait_until_settled(system, submitter, seconds=45)
        await _assert_complete(system, submitter)
        assert submitter.refused == []


async def test_redis_lost_between_watch_and_exec_counts_as_redis_lost(
    fault_redis: EmbeddedRedis,
) -> None:
    # arq reads the queue between WATCH and EXEC; redis-py reports a connection lost there as a
    # WatchError, which must restart the worker like any other lost connection, not end it.
    redis = Redis.from_url(fault_redis.url)
    try:
        async with redis.pipeline(transaction=True) as pipe:
            await pipe.watch("arq:in-progress:job")
            fault_redis.stop()
            with pytest.raises(WatchError) as raised:
                await pipe.zscore("arq:queue", "job")
        assert redis_lost(raised.value)
        assert not redis_lost(WatchError("watched key changed"))
    finally:
        fault_redis.start()
        await redis.aclose()


async def test_redis_stopped_and_restarted_empty_loses_no_submission(
    sqlite_url: str,
    fault_redis: EmbeddedRedis,
    fault_smtp: SmtpSink,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # After the restart the sweep hands every job back at once, and on SQLite they queue for its
    # one writer: a job timeout of a few seconds would cut off the last ones on a busy machine.
    async with _system(
        sqlite_url, fault_redis, fault_smtp, tmp_path, INTAKE_JOB_TIMEOUT_SECONDS="15"
    ) as system:
        submitter = Submitter(system.client)
        async with _worker(system) as worker:
            await submitter.submit_many(5)
            await _wait_until_routed(system, submitter, 1)
            await submitter.submit_many(5)  # some of their jobs are still queued when it stops
            pending_when_stopped = await _pending(system.runtime)
            fault_redis.stop()
            # All data gone: the append-only file that a restart would load is deleted.
            for path in fault_redis.redis_dir.glob("appendonly*"):
                path.unlink()
            stop = asyncio.Event()
            submitting = asyncio.create_task(submitter.keep_submitting(stop, 0.5))
            await asyncio.sleep(OUTAGE_SECONDS)
            stop.set()
            await submitting
            fault_redis.start()
            await _wait_until_settled(system, submitter, seconds=60)
            assert worker.returncode is None
        assert pending_when_stopped > 0
        assert len(submitter.accepted) >= 20
        assert submitter.refused == []
        await _assert_complete(system, submitter)
        # The web logged each routing job it could not enqueue while Redis was away: one per
        # submission accepted during the outage.
        routing_failures = [
            r.getMessage()
            for r in caplog.records
            if r.getMessage().startswith("could not enqueue proposal.route ")
        ]
        assert len(routing_failures) == len(submitter.accepted) - 10
        assert {m.rsplit("; ", 1)[1] for m in routing_failures} == {"the sweep will retry"}


async def test_smtp_server_down_for_a_minute_delays_mail_but_sends_each_once(
    sqlite_url: str, fault_redis: EmbeddedRedis, fault_smtp: SmtpSink, tmp_path: Path
) -> None:
    async with _system(sqlite_url, fault_redis, fault_smtp, tmp_path) as system:
        submitter = Submitter(system.client)
        async with _worker(system):
            await submitter.submit_many(5)
            port = fault_smtp.port
            fault_smtp.stop()
            stop = asyncio.Event()
            submitting = asyncio.create_task(submitter.keep_submitting(stop, 5))
            await asyncio.sleep(SMTP_OUTAGE_SECONDS)
            stop.set()
            await submitting
            assert fault_smtp.messages == []
            fault_smtp.start(port)
            await _wait_until_settled(system, submitter, seconds=30)
        assert submitter.refused == []
        await _assert_complete(system, submitter)


async def _prepare_postgres(cluster: PostgresCluster) -> str:
    cluster.create_database("intake")
    url = cluster.dsn("intake")
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        async with db.transaction() as session:
            await load_demo(session)
    finally:
        await db.dispose()
    return url


async def test_database_refusing_connections_answers_503_and_completes_what_was_accepted(
    short_dir: Path, fault_redis: EmbeddedRedis, fault_smtp: SmtpSink, tmp_path: Path
) -> None:
    cluster = PostgresCluster(short_dir / "postgres")
    cluster.start()
    try:
        url = await _prepare_postgres(cluster)
        # A message the SMTP server accepted just as the database went away is recorded as sent
        # once it is back, provided the job and its claim outlast the outage.
        longer = {"INTAKE_JOB_TIMEOUT_SECONDS": "20", "INTAKE_MAIL_CLAIM_STALE_SECONDS": "25"}
        async with _system(url, fault_redis, fault_smtp, tmp_path, **longer) as system:
            submitter = Submitter(system.client)
            async with _worker(system) as worker:
                await submitter.submit_many(5)
                await _wait_until_routed(system, submitter, 1)
                await submitter.submit_many(5)  # some of these are still queued when it stops
                port = cluster.port
                await asyncio.to_thread(cluster.stop)
                stop = asyncio.Event()
                submitting = asyncio.create_task(submitter.keep_submitting(stop, 1))
                await asyncio.sleep(OUTAGE_SECONDS)
                stop.set()
                await submitting
                await asyncio.to_thread(cluster.start, port)
                await submitter.submit_many(3)
                await _wait_until_settled(system, submitter, seconds=30)
                assert worker.returncode is None
            assert len(submitter.accepted) == 13
            assert len(submitter.refused) >= 5
            assert {r.status_code for r in submitter.refused} == {503}
            assert {r.headers["retry-after"] for r in submitter.refused} == {"30"}
            assert "Dịch vụ tạm thời gián đoạn" in submitter.refused[0].text
            await _assert_complete(system, submitter)
    finally:
        cluster.stop()


async def test_a_worker_started_while_the_database_is_down_waits_for_it(
    short_dir: Path, fault_redis: EmbeddedRedis, fault_smtp: SmtpSink, tmp_path: Path
) -> None:
    cluster = PostgresCluster(short_dir / "postgres")
    cluster.start()
    try:
        url = await _prepare_postgres(cluster)
        async with _system(url, fault_redis, fault_smtp, tmp_path) as system:
            submitter = Submitter(system.client)
            await submitter.submit_many(3)  # accepted with no worker running
            port = cluster.port
            await asyncio.to_thread(cluster.stop)
            async with _worker(system) as worker:
                for _ in range(300):  # the worker's imports take seconds on a busy machine
                    if system.log.exists() and "unreachable at startup" in system.log.read_text():
                        break
                    await asyncio.sleep(0.1)
                else:
                    pytest.fail("the worker never reported the database unreachable")
                await asyncio.sleep(2)  # and it keeps waiting rather than exiting
                assert worker.returncode is None
                await asyncio.to_thread(cluster.start, port)
                await _wait_until_settled(system, submitter, seconds=30)
                assert worker.returncode is None
            await _assert_complete(system, submitter)
    finally:
        cluster.stop()
