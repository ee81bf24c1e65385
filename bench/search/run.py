"""Search benchmark: bulk indexing throughput and query latency for each available backend.

    .venv/bin/python -m bench.search.run --documents 100000 --backends embedded,postgres

PostgreSQL runs in a throwaway cluster (the test suite's) unless --postgres-url is given;
Meilisearch runs when --meili-url (or INTAKE_BENCH_MEILI_URL) is given.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bench.search.generate import MINISTRIES, QUERIES, submissions
from search.base import SearchBackend, SearchScope
from search.embedded import EmbeddedSearch
from search.meili import MeiliSearch
from search.postgres import PostgresSearch

FACETS = ["status", "category", "province", "agency"]
BATCH = 5000


@asynccontextmanager
async def open_backend(
    name: str, args: argparse.Namespace, work: Path
) -> AsyncIterator[SearchBackend]:
    if name == "embedded":
        embedded = EmbeddedSearch(work / f"search-{args.documents}.db")
        try:
            yield embedded
        finally:
            await embedded.close()
    elif name == "postgres":
        if args.postgres_url:
            postgres = PostgresSearch(args.postgres_url)
            try:
                yield postgres
            finally:
                await postgres.close()
            return
        from tests.fixtures.postgres import PostgresCluster

        base = Path(tempfile.mkdtemp(prefix="intake-bench-", dir="/tmp"))
        os.chmod(base, 0o755)  # noqa: S103 - the postgres user must reach the cluster
        cluster = PostgresCluster(base / "postgres")
        cluster.start()
        try:
            cluster.create_database("bench")
            postgres = PostgresSearch(cluster.dsn("bench"))
            try:
                yield postgres
            finally:
                await postgres.close()
        finally:
            cluster.stop()
    else:
        meili = MeiliSearch(args.meili_url, args.meili_key, f"bench_{args.documents}")
        try:
            yield meili
        finally:
            await meili.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# What the PostgreSQL server ran with, printed with every PostgreSQL result.
SERVER_SETTINGS = (
    "server_version",
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "fsync",
    "synchronous_commit",
    "jit",
    "max_parallel_workers_per_gather",
)


async def postgres_settings(backend: PostgresSearch) -> str:
    """The server's settings, with those the backend sets in its own sessions."""
    values = await backend.session_settings(SERVER_SETTINGS)
    return "settings in a search session: " + ", ".join(f"{k}={v}" for k, v in values.items())


async def bench(name: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    async with open_backend(name, args, work) as backend:
        await backend.setup()
        settings = await postgres_settings(backend) if isinstance(backend, PostgresSearch) else ""
        documents = submissions(args.documents)
        started = time.perf_counter()
        while batch := list(itertools.islice(documents, BATCH)):
            await backend.index(batch)
        indexing = time.perf_counter() - started
        scopes = [SearchScope.secretariat(), SearchScope.public(), SearchScope.agency("BKHCN")]
        scopes += [SearchScope.agency(code) for code in MINISTRIES[1:4]]
        for query in QUERIES:  # warm the caches once, as a running server has them
            await backend.search(query, scopes[0], facets=FACETS)
        latencies = []
        for number in range(args.queries):
            query = QUERIES[number % len(QUERIES)]
            scope = scopes[number % len(scopes)]
            started = time.perf_counter()
            await backend.search(query, scope, limit=20, facets=FACETS)
            latencies.append((time.perf_counter() - started) * 1000)
        per_query: dict[str, list[float]] = {}
        for number, latency in enumerate(latencies):
            per_query.setdefault(QUERIES[number % len(QUERIES)], []).append(latency)
        slowest = max(per_query, key=lambda query: statistics.median(per_query[query]))
        return {
            "documents": args.documents,
            "indexing_docs_per_s": args.documents / indexing,
            "p50_ms": percentile(latencies, 0.50),
            "p95_ms": percentile(latencies, 0.95),
            "p99_ms": percentile(latencies, 0.99),
            "slowest_query": slowest,
            "slowest_median_ms": statistics.median(per_query[slowest]),
            "settings": settings,
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--backends", default="embedded,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("INTAKE_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--meili-url", default=os.environ.get("INTAKE_BENCH_MEILI_URL", ""))
    parser.add_argument("--meili-key", default=os.environ.get("INTAKE_BENCH_MEILI_KEY", ""))
    parser.add_argument("--work-dir", default="")
    args = parser.parse_args()
    names = [name for name in args.backends.split(",") if name]
    if args.meili_url and "meilisearch" not in names:
        names.append("meilisearch")
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="intake-bench-", dir="/tmp"))
    machine = platform.processor() or platform.machine()
    print(f"# {machine}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        "| backend | documents | indexing docs/s | p50 ms | p95 ms | p99 ms"
        " | slowest query (median ms) | load average (1 min) at start, end |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    notes = []
    for name in names:
        # The machine is shared: the load says how far to trust the numbers.
        load_before = os.getloadavg()[0]
        result = await bench(name, args, work)
        print(
            f"| {name} | {result['documents']:,} | {result['indexing_docs_per_s']:,.0f}"
            f" | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | {result['p99_ms']:.1f}"
            f" | {result['slowest_query']} ({result['slowest_median_ms']:.1f})"
            f" | {load_before:.1f}, {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
        if result["settings"]:
            notes.append(f"# {name}: {result['settings']}")
    print("\n".join(notes))


if __name__ == "__main__":
    asyncio.run(main())
