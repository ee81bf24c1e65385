"""Page benchmark: server-side render time of each main page, in process, warm.

    .venv/bin/python -m bench.pages.run --submissions 300 --inbox 100 --requests 200

Builds typical data (bench/pages/data.py) in a scratch SQLite database, starts the whole
application with its lifespan, and sends each page's request through httpx.ASGITransport: the
time is the application's (routing, middleware, queries, template), without a network or a
browser. Each page gets --warmup requests first, then --requests timed ones, one at a time.
Wall time (p50, p95, max) is what a visitor waits for on the server; CPU time (the process's,
SQLite's thread included) is the page's own cost, which other load on the machine inflates less.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bench.pages.data import INBOX_AGENCY, PageData, build
from service.app import create_app
from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, reviewer_email
from service.embedded.redis import EmbeddedRedis
from service.runtime import Runtime
from service.settings import Settings

TARGET_MS = 100.0
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def pages(data: PageData) -> list[tuple[str, str, str]]:
    """(name, who, path) of every page measured."""
    return [
        ("landing", "anyone", "/"),
        ("submit", "anyone", "/submit"),
        ("track with key", "anyone", data.track_path),
        ("published", "anyone", "/published"),
        ("published, searched", "anyone", f"/published?q={data.search_word}"),
        ("statistics", "anyone", "/statistics"),
        ("login", "anyone", "/login"),
        (f"inbox of {data.inbox}", "reviewer", "/inbox"),
        ("inbox detail", "reviewer", data.detail_path),
        ("triage", "secretariat", "/secretariat/triage"),
        ("secretariat search", "secretariat", "/secretariat/search"),
        ("secretariat search, q", "secretariat", f"/secretariat/search?q={data.search_word}"),
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@contextmanager
def counting_queries(runtime: Runtime) -> Iterator[list[int]]:
    """Counts the SQL statements sent on both engines while the block runs."""
    counter = [0]

    def count(*_: Any) -> None:
        counter[0] += 1

    engines = {id(e): e for e in (runtime.db.engine, runtime.db.read_engine)}.values()
    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _signed_in(client: httpx.AsyncClient, email: str) -> None:
    form = await client.get("/login")
    match = _TOKEN.search(form.text)
    assert match is not None
    response = await client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": match[1]}
    )
    assert response.status_code == 303, response.status_code


async def measure(
    settings: Settings, data: PageData, *, requests: int, warmup: int
) -> list[dict[str, Any]]:
    app = create_app(settings)
    results = []
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        clients = {
            who: httpx.AsyncClient(transport=transport, base_url="http://intake.bench")
            for who in ("anyone", "reviewer", "secretariat")
        }
        try:
            await _signed_in(clients["reviewer"], reviewer_email(INBOX_AGENCY))
            await _signed_in(clients["secretariat"], SECRETARIAT_EMAIL)
            for name, who, path in pages(data):
                client = clients[who]
                for _ in range(warmup):
                    response = await client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                with counting_queries(runtime) as queries:
                    await client.get(path)
                timings, cpu = [], []
                for _ in range(requests):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    response = await client.get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - cpu_started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                results.append(
                    {
                        "page": name,
                        "queries": queries[0],
                        "kilobytes": len(response.content) / 1024,
                        "p50": statistics.median(timings),
                        "p95": percentile(timings, 0.95),
                        "max": max(timings),
                        "cpu": statistics.median(cpu),
                        "cpu95": percentile(cpu, 0.95),
                    }
                )
        finally:
            for client in clients.values():
                await client.aclose()
    return results


def report(results: list[dict[str, Any]], data: PageData, requests: int) -> str:
    lines = [
        f"{data.submissions} submissions, inbox of {data.inbox}; {requests} warm requests a page;"
        f" Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores,"
        f" load average {os.getloadavg()[0]:.1f}",
        "",
        "| Page | SQL | KB | p50 ms | p95 ms | max ms | CPU p50 ms | CPU p95 ms | p95 < 100 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        verdict = "yes" if r["p95"] < TARGET_MS else "**no**"
        lines.append(
            f"| {r['page']} | {r['queries']} | {r['kilobytes']:.0f} | {r['p50']:.1f} |"
            f" {r['p95']:.1f} | {r['max']:.1f} | {r['cpu']:.1f} | {r['cpu95']:.1f} | {verdict} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--inbox", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="intake-bench-pages-") as work,
        EmbeddedRedis(Path(work) / "redis") as redis,
    ):
        base = Path(work)
        settings = Settings(
            environment="development",
            log_level="WARNING",
            data_dir=base / "data",
            database_url=f"sqlite+aiosqlite:///{base / 'intake.db'}",
            redis_url=redis.url,
            search_backend="embedded",
        )
        started = time.perf_counter()
        data = build(settings, submissions=args.submissions, inbox=args.inbox)
        print(f"built in {time.perf_counter() - started:.1f} s")
        results = asyncio.run(measure(settings, data, requests=args.requests, warmup=args.warmup))
    print(report(results, data, args.requests))


if __name__ == "__main__":
    main()
