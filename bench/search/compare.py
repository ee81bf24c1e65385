"""PostgreSQL search, an earlier commit's code against the working tree's, side by side.

    .venv/bin/python -m bench.search.compare --old 15e540d --documents 100000 --queries 300

The machine is shared, so the two are measured in the same run: the corpus is indexed into two
databases of one throwaway cluster, batch by batch in turn, and the queries (the mix of
bench.search.run) alternate between old and new code, each going first every other time. The
earlier search/postgres.py is loaded from git under another module name; it runs with this
tree's search.base, search.columns and search.text, so those must still fit it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import itertools
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.search.generate import MINISTRIES, QUERIES, submissions
from bench.search.run import BATCH, FACETS, SERVER_SETTINGS, percentile
from search.base import SearchResult, SearchScope
from search.postgres import PostgresSearch
from tests.fixtures.postgres import PostgresCluster


def load_old(commit: str, work: Path) -> Any:
    source = subprocess.run(
        ["git", "show", f"{commit}:search/postgres.py"], check=True, capture_output=True, text=True
    ).stdout
    path = work / "old_postgres.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_postgres", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same(first: SearchResult, second: SearchResult) -> bool:
    def answer(result: SearchResult) -> tuple[object, ...]:
        hits = [(hit.id, hit.snippet, round(hit.score, 6)) for hit in result.hits]
        return result.total, result.exact, result.facets, hits

    return answer(first) == answer(second)


async def compare(args: argparse.Namespace, work: Path, cluster: PostgresCluster) -> None:
    old_module = load_old(args.old, work)
    for name in ("old", "new"):
        cluster.create_database(name)
    backends: dict[str, Any] = {
        "old": old_module.PostgresSearch(cluster.dsn("old")),
        "new": PostgresSearch(cluster.dsn("new")),
    }
    try:
        for backend in backends.values():
            await backend.setup()
        indexing = dict.fromkeys(backends, 0.0)
        load = os.getloadavg()[0]
        documents = submissions(args.documents)
        for number in itertools.count():
            batch = list(itertools.islice(documents, BATCH))
            if not batch:
                break
            for name in ("old", "new") if number % 2 == 0 else ("new", "old"):
                started = time.perf_counter()
                await backends[name].index(batch)
                indexing[name] += time.perf_counter() - started
        print(
            f"# {args.documents:,} documents indexed in turn, load average {load:.1f} -> ", end=""
        )
        print(f"{os.getloadavg()[0]:.1f}")
        for name, seconds in indexing.items():
            print(f"#   {name}: {args.documents / seconds:,.0f} docs/s")
        settings = await backends["new"].session_settings(SERVER_SETTINGS)
        print(
            "# new code's session settings: " + ", ".join(f"{k}={v}" for k, v in settings.items())
        )

        scopes = [SearchScope.secretariat(), SearchScope.public(), SearchScope.agency("BKHCN")]
        scopes += [SearchScope.agency(code) for code in MINISTRIES[1:4]]
        different = 0
        for query in QUERIES:  # warms both, and checks that they answer alike
            for scope in scopes:
                answers = [await b.search(query, scope, facets=FACETS) for b in backends.values()]
                different += not same(*answers)
        print(f"# queries × scopes answered differently by old and new code: {different}")

        latencies: dict[str, list[float]] = {name: [] for name in backends}
        per_query: dict[str, dict[str, list[float]]] = {name: {} for name in backends}
        load_start = os.getloadavg()
        for number in range(args.queries):
            query = QUERIES[number % len(QUERIES)]
            scope = scopes[number % len(scopes)]
            for name in ("old", "new") if number % 2 == 0 else ("new", "old"):
                started = time.perf_counter()
                await backends[name].search(query, scope, limit=20, facets=FACETS)
                latency = (time.perf_counter() - started) * 1000
                latencies[name].append(latency)
                per_query[name].setdefault(query, []).append(latency)
        load_end = os.getloadavg()
        print(
            f"# load average (1 min) {load_start[0]:.1f} -> {load_end[0]:.1f},"
            f" (5 min) {load_start[1]:.1f} -> {load_end[1]:.1f}"
        )
        print(
            "| code | documents | queries | p50 ms | p95 ms | p99 ms | slowest query (median ms) |"
        )
        print("|---|---:|---:|---:|---:|---:|---|")
        for name, values in latencies.items():
            medians = {query: statistics.median(times) for query, times in per_query[name].items()}
            slowest = max(medians, key=medians.__getitem__)
            print(
                f"| {name} | {args.documents:,} | {len(values)} | {percentile(values, 0.50):.1f}"
                f" | {percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f}"
                f" | {slowest} ({medians[slowest]:.1f}) |"
            )
        if args.per_query:
            print("| query | old median ms | new median ms |")
            print("|---|---:|---:|")
            for query in QUERIES:
                old, new = (statistics.median(per_query[name][query]) for name in ("old", "new"))
                print(f"| {query} | {old:.1f} | {new:.1f} |")
    finally:
        for backend in backends.values():
            await backend.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", required=True, help="the commit whose search/postgres.py to run")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--per-query", action="store_true", help="each query's medians too")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="intake-compare-", dir="/tmp"))
    os.chmod(work, 0o755)  # noqa: S103 - the postgres user must reach the cluster
    cluster = PostgresCluster(work / "postgres")
    cluster.start()
    try:
        await compare(args, work, cluster)
    finally:
        cluster.stop()


if __name__ == "__main__":
    asyncio.run(main())
