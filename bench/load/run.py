"""Load benchmark: real web and worker processes on loopback, driven by an asyncio generator.

    .venv/bin/python -m bench.load.run                      # every scenario, the issue's targets
    .venv/bin/python -m bench.load.run --rate 100 --duration 20 --databases sqlite
    .venv/bin/python -m bench.load.run --scenarios inbox --set INTAKE_GC_GEN0_THRESHOLD=0

Scenarios, each bounded by its flags:
  overhead  submitProposal through GraphQL vs POST /bench/submit (the same service function in a
            bare Starlette endpoint), interleaved rounds in one run
  campaign  submissions (form and GraphQL alternately) at --rate for --duration, per database;
            achieved rate, p50/p95/p99, errors, and a count check that nothing was lost
  e2e       submissions at --e2e-rate: submission to routed + indexed + both emails received,
            from the database's timestamps and the SMTP sink's arrival times
  inbox     a reviewer's InboxPage of 100 items through GraphQL
and the peak resident memory of the web and worker processes throughout.

PostgreSQL runs in a throwaway cluster (the test suite's). Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, func, select

from service.accounts import service as accounts
from service.accounts.models import Role
from service.db import Database
from service.demo import load_demo
from service.embedded.ports import free_tcp_port
from service.embedded.redis import EmbeddedRedis
from service.embedded.smtp import SocketController
from service.migrate import upgrade
from service.outbox import service as outbox
from service.outbox.models import OutboxMessage
from service.proposals.models import Proposal

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "graphql" / "operations"
REVIEWER = "reviewer.ubnd-da-nang@intake.localhost"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_CODE = re.compile(r"\b[0-9A-Z]{10}\b")


def operation(name: str) -> str:
    [path] = OPERATIONS.rglob(f"{name}.graphql")
    return path.read_text(encoding="utf-8")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def graphql_input(n: int) -> dict[str, Any]:
    return {
        "kind": "OBSTACLE",
        "title": f"Thủ tục cấp phép thử nghiệm công nghệ mới kéo dài, hồ sơ số {n}",
        "description": (
            "Hồ sơ xin cấp phép thử nghiệm có kiểm soát đã chờ sáu tháng chưa có kết quả; "
            f"doanh nghiệp số {n} đề nghị rút ngắn thời hạn."
        ),
        "categoryCode": "DIGITAL_GOVERNMENT",
        "provinceCode": "DA-NANG",
        "submitterType": "ENTERPRISE",
        "name": f"Người gửi {n}",
        "email": f"nguoi{n}@example.com",
        "consentToPublish": True,
    }


def form_fields(n: int) -> dict[str, str]:
    values = graphql_input(n)
    return {
        **{k: str(v) for k, v in values.items() if k != "consentToPublish"},
        "phone": "",
        "organisation": "",
        "consentToPublish": "yes",
    }


# ---------------------------------------------------------------- the processes under load


class TimedSink:
    """An SMTP server that keeps each message's subject, recipients and arrival time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[tuple[float, str, tuple[str, ...]]] = []
        sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = sock.getsockname()[1]
        self._controller = SocketController(self, sock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        subject = _header(head, "Subject")
        with self.lock:
            self.arrivals.append((time.time(), subject, tuple(envelope.rcpt_tos)))
        return "250 OK"

    def __enter__(self) -> TimedSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def _header(head: str, name: str) -> str:
    from email.header import decode_header, make_header

    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    for line in unfolded.split("\r\n"):
        key, _, value = line.partition(":")
        if key.lower() == name.lower():
            return str(make_header(decode_header(value.strip())))
    return ""


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used: robust to a busy machine, unlike wall time."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Stack:
    database_url: str
    base_url: str
    sink: TimedSink
    web: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    work: Path
    peak_rss: dict[str, int] = field(default_factory=lambda: {"web": 0, "worker": 0})

    def sample_memory(self) -> None:
        for name, process in (("web", self.web), ("worker", self.worker)):
            self.peak_rss[name] = max(self.peak_rss[name], rss_bytes(process.pid))


@contextmanager
def postgres_url() -> Iterator[str]:
    from tests.fixtures.postgres import PostgresCluster

    base = Path(tempfile.mkdtemp(prefix="intake-load-", dir="/tmp"))
    os.chmod(base, 0o755)  # noqa: S103 - the postgres user must reach the cluster
    cluster = PostgresCluster(base / "postgres")
    cluster.start()
    try:
        cluster.create_database("intake")
        yield cluster.dsn("intake")
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


async def _prepare(url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        async with db.transaction() as session:
            await load_demo(session)
    finally:
        await db.dispose()


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@asynccontextmanager
async def stack(
    database: str, work: Path, settings: dict[str, str] | None = None
) -> AsyncIterator[Stack]:
    """Web (uvicorn) and worker processes with their own Redis, SMTP sink and database;
    `settings` (INTAKE_* variables, from --set) go to both, over the bench's own."""
    data = work / database
    data.mkdir(parents=True, exist_ok=True)
    with ExitStack() as cluster:
        url = (
            f"sqlite+aiosqlite:///{data / 'intake.db'}"
            if database == "sqlite"
            else cluster.enter_context(postgres_url())
        )
        await _prepare(url)
        redis_dir = Path(tempfile.mkdtemp(prefix="intake-load-redis-"))
        with EmbeddedRedis(redis_dir) as redis, TimedSink() as sink:
            port = free_tcp_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
            env |= {
                # Not production: its session cookie is Secure, and the bench speaks plain HTTP.
                "INTAKE_ENVIRONMENT": "test",
                "INTAKE_LOG_LEVEL": "WARNING",
                "INTAKE_DATA_DIR": str(data),
                "INTAKE_DATABASE_URL": url,
                "INTAKE_REDIS_URL": redis.url,
                "INTAKE_SMTP_HOST": "127.0.0.1",
                "INTAKE_SMTP_PORT": str(sink.port),
                # The generator is one address: per-IP limits would stop it at once.
                "INTAKE_RATE_SUBMISSIONS_PER_HOUR": "0",
                "INTAKE_RATE_API_PER_MINUTE": "0",
                # The generator posts the form at once: no minimum fill time.
                "INTAKE_SPAM_MIN_FILL_SECONDS": "0",
                # The sink takes anything; a real relay's limit is a deployment's choice.
                "INTAKE_MAIL_MAX_PER_MINUTE": "1000000",
                "INTAKE_BASE_URL": f"http://127.0.0.1:{port}",
            }
            env |= settings or {}
            python = sys.executable
            web_command = [python, "-m", "bench.load.app", "--port", str(port)]
            web = _spawn(web_command, env, work / f"{database}-web.log")
            worker_command = [python, "-m", "service.cli", "worker"]
            worker = _spawn(worker_command, env, work / f"{database}-worker.log")
            running = Stack(url, f"http://127.0.0.1:{port}", sink, web, worker, work)
            try:
                await _wait_ready(running.base_url, web)
                yield running
            finally:
                _stop([web, worker])
        shutil.rmtree(redis_dir, ignore_errors=True)


async def _wait_ready(base_url: str, web: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        for _ in range(1200):
            if web.poll() is not None:
                raise RuntimeError(f"the web process exited with {web.returncode}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the web process did not become ready in 120 s")


# ---------------------------------------------------------------- the load generator


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    sent_at: dict[str, float] = field(default_factory=dict)
    started: float = 0.0
    ended: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def summary(self) -> dict[str, Any]:
        seconds = max(self.ended - self.started, 1e-9)
        return {
            "ok": self.ok,
            "errors": dict(self.errors),
            "rate": round(self.ok / seconds, 1),
            "p50_ms": round(1000 * percentile(self.latencies, 0.50), 1),
            "p95_ms": round(1000 * percentile(self.latencies, 0.95), 1),
            "p99_ms": round(1000 * percentile(self.latencies, 0.99), 1),
        }


Request = Callable[[httpx.AsyncClient, int], Awaitable[str | None]]


class Submitters:
    """Submissions through the form (with its CSRF token) and through GraphQL."""

    def __init__(self, clients: list[httpx.AsyncClient]) -> None:
        self.clients = clients
        self.tokens: dict[int, str] = {}
        self.mutation = operation("SubmitProposal")
        self.numbers = itertools.count(1)

    async def prepare(self) -> None:
        for client in self.clients:
            match = _TOKEN.search((await client.get("/submit")).text)
            assert match is not None, "no CSRF token on /submit"
            self.tokens[id(client)] = match[1]

    async def graphql(self, client: httpx.AsyncClient, n: int) -> str | None:
        response = await client.post(
            "/graphql",
            json={"query": self.mutation, "variables": {"input": graphql_input(n)}},
        )
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        result = response.json()["data"]["submitProposal"]
        if result["__typename"] != "SubmitProposalSuccess":
            raise RuntimeError(result["__typename"])
        return str(result["trackingCode"])

    async def bare(self, client: httpx.AsyncClient, n: int) -> str | None:
        response = await client.post("/bench/submit", json=graphql_input(n))
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        return str(response.json()["trackingCode"])

    async def form(self, client: httpx.AsyncClient, n: int) -> str | None:
        data = {**form_fields(n), "csrf_token": self.tokens[id(client)]}
        response = await client.post("/submit", data=data)
        if response.status_code != 303:
            raise RuntimeError(f"HTTP {response.status_code}")
        return response.headers["location"].removeprefix("/track/").split("?")[0]

    async def mixed(self, client: httpx.AsyncClient, n: int) -> str | None:
        return await (self.form if n % 2 else self.graphql)(client, n)


async def _one(tally: Tally, request: Request, client: httpx.AsyncClient, n: int) -> None:
    started = time.time()
    try:
        code = await request(client, n)
    except Exception as error:  # every failure is counted, by kind
        tally.error(
            type(error).__name__ + (f": {error}" if isinstance(error, RuntimeError) else "")
        )
        return
    tally.latencies.append(time.time() - started)
    if code:
        tally.codes.append(code)
        tally.sent_at[code] = started


async def closed_loop(
    clients: list[httpx.AsyncClient], request: Request, count: int, numbers: Iterator[int]
) -> Tally:
    """count requests, as fast as len(clients) concurrent callers get answers."""
    tally = Tally(started=time.time())
    remaining = iter(range(count))

    async def caller(client: httpx.AsyncClient) -> None:
        for _ in remaining:
            await _one(tally, request, client, next(numbers))

    await asyncio.gather(*(caller(client) for client in clients))
    tally.ended = time.time()
    return tally


async def open_loop(
    clients: list[httpx.AsyncClient],
    request: Request,
    rate: float,
    seconds: float,
    numbers: Iterator[int],
    on_tick: Callable[[], None] = lambda: None,
    max_in_flight: int = 64,
) -> Tally:
    """Requests started at a fixed rate whatever the answers' speed (an open model)."""
    tally = Tally(started=time.time())
    total = int(rate * seconds)
    in_flight: set[asyncio.Task[None]] = set()
    start = time.perf_counter()
    last_tick = 0.0
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(in_flight) >= max_in_flight:
            tally.error("generator: too many requests in flight, not sent")
            continue
        task = asyncio.create_task(_one(tally, request, clients[i % len(clients)], next(numbers)))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        if time.perf_counter() - last_tick > 0.5:
            on_tick()
            last_tick = time.perf_counter()
    if in_flight:
        await asyncio.gather(*in_flight)
    tally.ended = time.time()
    return tally


@asynccontextmanager
async def clients(base_url: str, n: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    timeout = httpx.Timeout(30.0)
    opened = [
        httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) for _ in range(n)
    ]
    try:
        yield opened
    finally:
        for client in opened:
            await client.aclose()


# ---------------------------------------------------------------- what is measured


async def _drain(running: Stack, seconds: float) -> float | None:
    """Seconds until the outbox is empty (None: not within `seconds`)."""
    db = Database(running.database_url)
    started = time.time()
    try:
        while time.time() - started < seconds:
            running.sample_memory()
            async with db.session() as session:
                if await outbox.pending_count(session) == 0:
                    return time.time() - started
            await asyncio.sleep(0.5)
        return None
    finally:
        await db.dispose()


async def _stored_codes(url: str, codes: list[str]) -> int:
    db = Database(url)
    try:
        found = 0
        async with db.session() as session:
            for start in range(0, len(codes), 500):
                chunk = codes[start : start + 500]
                query = select(Proposal.tracking_code).where(col(Proposal.tracking_code).in_(chunk))
                found += len((await session.exec(query)).all())
        return found
    finally:
        await db.dispose()


async def _proposal_count(url: str) -> int:
    db = Database(url)
    try:
        async with db.session() as session:
            return (await session.exec(select(func.count()).select_from(Proposal))).one()
    finally:
        await db.dispose()


async def overhead(running: Stack, args: argparse.Namespace) -> dict[str, Any]:
    # The worker is paused: on SQLite its routing transactions would take the single writer
    # from both paths alike and hide the difference between them. Its jobs wait in the queue.
    running.worker.send_signal(signal.SIGSTOP)
    try:
        return await _overhead(running, args)
    finally:
        running.worker.send_signal(signal.SIGCONT)


async def _overhead(running: Stack, args: argparse.Namespace) -> dict[str, Any]:
    async with clients(running.base_url, args.concurrency) as opened:
        submitters = Submitters(opened)
        numbers = itertools.count(1_000_000)
        graphql, bare = Tally(), Tally()
        # Interleaved rounds: both paths see the same machine, warm-up and database size.
        warm_up = min(50, args.overhead_requests)
        await closed_loop(opened, submitters.graphql, warm_up, numbers)
        await closed_loop(opened, submitters.bare, warm_up, numbers)
        rounds = max(1, args.overhead_requests // 200)
        per_round = max(1, args.overhead_requests // rounds)
        cpu = {"graphql": 0.0, "bare": 0.0}
        for _ in range(rounds):
            for name, tally, request in (
                ("graphql", graphql, submitters.graphql),
                ("bare", bare, submitters.bare),
            ):
                used = cpu_seconds(running.web.pid)
                part = await closed_loop(opened, request, per_round, numbers)
                cpu[name] += cpu_seconds(running.web.pid) - used
                tally.latencies += part.latencies
                tally.ended += part.ended - part.started
                for kind, n in part.errors.items():
                    tally.errors[kind] = tally.errors.get(kind, 0) + n
                running.sample_memory()
    result = {"graphql": graphql.summary(), "bare": bare.summary()}
    result["ratio"] = round(result["graphql"]["rate"] / max(result["bare"]["rate"], 1e-9), 3)
    # The web process's CPU per request: what the ratio would be on an otherwise idle core.
    for name, tally in (("graphql", graphql), ("bare", bare)):
        result[name]["web_cpu_ms"] = round(1000 * cpu[name] / max(tally.ok, 1), 2)
    result["cpu_ratio"] = round(
        result["bare"]["web_cpu_ms"] / max(result["graphql"]["web_cpu_ms"], 1e-9), 3
    )
    return result


async def campaign(running: Stack, args: argparse.Namespace) -> dict[str, Any]:
    async with clients(running.base_url, args.concurrency) as opened:
        submitters = Submitters(opened)
        await submitters.prepare()
        before = await _proposal_count(running.database_url)
        web_cpu, worker_cpu = cpu_seconds(running.web.pid), cpu_seconds(running.worker.pid)
        tally = await open_loop(
            opened,
            submitters.mixed,
            args.rate,
            args.duration,
            itertools.count(1),
            running.sample_memory,
            args.max_in_flight,
        )
        web_cpu = cpu_seconds(running.web.pid) - web_cpu
    result = tally.summary()
    result["target_rate"] = args.rate
    result["seconds"] = args.duration
    result["stored"] = await _stored_codes(running.database_url, tally.codes)
    result["lost"] = tally.ok - result["stored"]
    # Requests that timed out in the client may still have been stored: counted, not lost.
    result["rows_added"] = await _proposal_count(running.database_url) - before
    result["drained_after_s"] = await _drain(running, args.drain_seconds)
    worker_cpu = cpu_seconds(running.worker.pid) - worker_cpu
    # CPU per submission: the web's while it accepted them, the worker's until it drained them.
    result["web_cpu_ms"] = round(1000 * web_cpu / max(tally.ok, 1), 2)
    result["worker_cpu_ms"] = round(1000 * worker_cpu / max(result["rows_added"], 1), 2)
    return result


async def end_to_end(running: Stack, args: argparse.Namespace) -> dict[str, Any]:
    await _drain(running, args.drain_seconds)
    with running.sink.lock:
        running.sink.arrivals.clear()
    worker_cpu = cpu_seconds(running.worker.pid)
    async with clients(running.base_url, args.concurrency) as opened:
        submitters = Submitters(opened)
        tally = await open_loop(
            opened,
            submitters.graphql,
            args.e2e_rate,
            args.e2e_duration,
            itertools.count(2_000_000),
            running.sample_memory,
            args.max_in_flight,
        )
    drained = await _drain(running, args.drain_seconds)
    worker_cpu = cpu_seconds(running.worker.pid) - worker_cpu
    db = Database(running.database_url)
    try:
        async with db.session() as session:
            rows = (await session.exec(select(Proposal.id, Proposal.tracking_code))).all()
            ids = {code: pid for pid, code in rows if code in tally.sent_at}
            jobs = (
                await session.exec(
                    select(OutboxMessage).where(
                        col(OutboxMessage.job).in_(["proposal.route", "search.index"])
                    )
                )
            ).all()
    finally:
        await db.dispose()
    done: dict[tuple[int, str], float] = {}
    for job in jobs:
        if job.done_at is not None:
            key = (int(str(job.payload["proposal_id"])), job.job)
            done[key] = max(done.get(key, 0.0), job.done_at.timestamp())
    mails: dict[str, list[float]] = {}
    with running.sink.lock:
        for at, subject, _ in running.sink.arrivals:
            for code in _CODE.findall(subject):
                mails.setdefault(code, []).append(at)
    latencies, incomplete = [], 0
    for code, sent in tally.sent_at.items():
        pid = ids.get(code)
        if pid is None:
            incomplete += 1
            continue
        steps = [done.get((pid, "proposal.route")), done.get((pid, "search.index"))]
        arrived = mails.get(code, [])
        if None in steps or len(arrived) < 2:
            incomplete += 1
            continue
        latencies.append(max([*(s for s in steps if s is not None), *arrived]) - sent)
    return {
        "submissions": tally.summary(),
        "complete": len(latencies),
        "incomplete": incomplete,
        "p50_s": round(percentile(latencies, 0.50), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "p99_s": round(percentile(latencies, 0.99), 3),
        "drained_after_s": drained,
        "worker_cpu_ms": round(1000 * worker_cpu / max(tally.ok, 1), 2),
    }


async def _reviewer_token(url: str) -> str:
    db = Database(url)
    try:
        async with db.transaction() as session:
            issued = await accounts.create_token(
                session,
                name="load benchmark",
                role=Role.REVIEWER,
                agency_code="UBND-DA-NANG",
                created_by="bench",
            )
        return issued.secret
    finally:
        await db.dispose()


async def inbox(running: Stack, args: argparse.Namespace) -> dict[str, Any]:
    # Measured with the worker idle, once the submissions before it are processed.
    drained = await _drain(running, args.drain_seconds)
    token = await _reviewer_token(running.database_url)
    query = operation("InboxPage")
    variables = {"orderBy": "NEWEST", "first": args.inbox_size}
    headers = {"authorization": f"Bearer {token}"}
    async with clients(running.base_url, 1) as [client]:

        async def page(client: httpx.AsyncClient, n: int) -> str | None:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            body = response.json()
            if response.status_code != 200 or "errors" in body:
                raise RuntimeError(str(body)[:200])
            items = len(body["data"]["proposals"]["edges"])
            if items != args.inbox_size:
                raise RuntimeError(f"{items} items, not {args.inbox_size}")
            return None

        await closed_loop([client], page, 5, itertools.count())
        used = cpu_seconds(running.web.pid)
        tally = await closed_loop([client], page, args.inbox_requests, itertools.count())
        used = cpu_seconds(running.web.pid) - used
        running.sample_memory()
    web_cpu_ms = round(1000 * used / max(tally.ok, 1), 2)
    return {**tally.summary(), "web_cpu_ms": web_cpu_ms, "worker_idle": drained is not None}


SCENARIOS = ("e2e", "inbox", "overhead", "campaign")
DATABASES = ("sqlite", "postgresql")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "settings": dict(args.set),
    }
    work = Path(tempfile.mkdtemp(prefix="intake-load-"))
    if args.keep:
        results["work_dir"] = str(work)
    try:
        for database in args.databases:
            async with stack(database, work, dict(args.set)) as running:
                here: dict[str, Any] = {}
                scenarios = [s for s in args.scenarios if database == "sqlite" or s == "campaign"]
                for scenario in scenarios:
                    print(f"{database}: {scenario} ...", file=sys.stderr, flush=True)
                    here[scenario] = await {
                        "overhead": overhead,
                        "campaign": campaign,
                        "e2e": end_to_end,
                        "inbox": inbox,
                    }[scenario](running, args)
                    print(json.dumps(here[scenario]), file=sys.stderr, flush=True)
                here["peak_rss_mb"] = {
                    name: round(value / 1_048_576, 1) for name, value in running.peak_rss.items()
                }
                results[database] = here
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["load_average_after"] = os.getloadavg()
    return results


def _names(known: tuple[str, ...]) -> Callable[[str], list[str]]:
    """A comma-separated list of names, each one of `known`."""

    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in known]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"{text!r}: expected names from {', '.join(known)}"
                + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            )
        return names

    return parse


def _setting(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.startswith("INTAKE_"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected INTAKE_NAME=VALUE")
    return name, value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scenarios", type=_names(SCENARIOS), default=list(SCENARIOS))
    p.add_argument("--databases", type=_names(DATABASES), default=list(DATABASES))
    p.add_argument("--rate", type=float, default=500.0, help="campaign submissions per second")
    p.add_argument("--duration", type=float, default=120.0, help="campaign seconds")
    p.add_argument("--e2e-rate", type=float, default=100.0)
    p.add_argument("--e2e-duration", type=float, default=30.0)
    p.add_argument("--overhead-requests", type=int, default=2000, help="per path")
    p.add_argument("--inbox-requests", type=int, default=300)
    p.add_argument("--inbox-size", type=int, default=100, help="items on the inbox page")
    p.add_argument("--concurrency", type=int, default=16, help="HTTP clients")
    p.add_argument(
        "--max-in-flight", type=int, default=64, help="open-loop requests awaiting an answer"
    )
    p.add_argument("--drain-seconds", type=float, default=300.0)
    p.add_argument("--keep", action="store_true", help="keep the work directory and its logs")
    p.add_argument(
        "--set",
        type=_setting,
        action="append",
        default=[],
        metavar="INTAKE_NAME=VALUE",
        help="a setting for the web and worker processes, for comparing settings in one build\n"
        "(the bench passes on no INTAKE_* variable of its own environment); repeatable",
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
