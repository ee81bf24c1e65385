"""Schedule benchmark: the deadline mail schedule over a national backlog of overdue submissions.

    .venv/bin/python -m bench.schedule.run --overdue 20000

Builds a scratch SQLite database with the page benchmark's data (bench/pages/data.py), then
copies its routed submissions in SQL until --overdue of them are open with a deadline a week
past, and adds --readers officials who chose the daily digest, spread over every agency. Then it
runs the schedule as the worker's `notification.schedule` does every five minutes --runs times
in a row, at 10:00 Vietnam time on a business day: the deadline mail (`queue_deadline_mail`;
the first run escalates the whole backlog, the later ones find nothing left to do), then the
digests (`queue_digests`; the first run queues one per reader with news). For each run and each
part: the mail queued, wall and CPU time, the number of write transactions and the longest one
(on SQLite, the time the writer was held).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time as clock
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.pages.data import build
from service.calendar import ZONE
from service.db import Database, utcnow
from service.notifications.schedule import queue_deadline_mail, queue_digests
from service.settings import Settings


def copy_overdue(database: Path, overdue: int) -> int:
    """Copies the routed submissions, with their assignments, until `overdue` are open and late."""
    connection = sqlite3.connect(database)
    with connection:
        columns = [row[1] for row in connection.execute("pragma table_info(proposals)")]
        assignment = [row[1] for row in connection.execute("pragma table_info(proposal_agencies)")]
        routed = [
            row[0] for row in connection.execute("select id from proposals where status = 'ROUTED'")
        ]
        top = connection.execute("select max(id) from proposals").fetchone()[0]
        copies = -(-overdue // len(routed)) - 1
        marks = ",".join("?" * len(routed))
        for copy in range(1, copies + 1):
            shift = top * copy
            values = ", ".join(
                f"id + {shift}" if name == "id"
                else f"tracking_code || '{copy:04d}'" if name == "tracking_code"
                else f"content_hash || '{copy:04d}'" if name == "content_hash"
                else name
                for name in columns
            )  # fmt: skip
            connection.execute(
                f"insert into proposals ({', '.join(columns)}) "  # noqa: S608 (our own columns)
                f"select {values} from proposals where id in ({marks})",
                routed,
            )
            moved = ", ".join(
                f"proposal_id + {shift}" if n == "proposal_id" else n for n in assignment
            )
            connection.execute(
                f"insert into proposal_agencies ({', '.join(assignment)}) "  # noqa: S608
                f"select {moved} from proposal_agencies where proposal_id in ({marks})",
                routed,
            )
        late = (utcnow() - timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S.%f")
        connection.execute("update proposals set deadline = ? where status = 'ROUTED'", [late])
        (count,) = connection.execute(
            "select count(*) from proposals where status = 'ROUTED'"
        ).fetchone()
    connection.close()
    return int(count)


def add_readers(database: Path, readers: int) -> int:
    """Officials on the daily digest, as many in each agency, copied from a demo reviewer."""
    connection = sqlite3.connect(database)
    with connection:
        columns = [row[1] for row in connection.execute("pragma table_info(users)")]
        (template,) = connection.execute(
            "select id from users where role = 'REVIEWER' order by id limit 1"
        ).fetchone()
        agencies = [row[0] for row in connection.execute("select id from agencies order by id")]
        for number in range(readers):
            values = ", ".join(
                "?" if name in {"email", "agency_id", "notification_mode"} else name
                for name in columns
                if name != "id"
            )
            chosen = [
                f"digest.reader.{number}@intake.localhost" if name == "email"
                else agencies[number % len(agencies)] if name == "agency_id"
                else "DIGEST"
                for name in columns
                if name in {"email", "agency_id", "notification_mode"}
            ]  # fmt: skip
            connection.execute(
                f"insert into users ({', '.join(n for n in columns if n != 'id')}) "  # noqa: S608
                f"select {values} from users where id = ?",
                [*chosen, template],
            )
    connection.close()
    return readers


def business_morning() -> datetime:
    """10:00 in Vietnam on the latest weekday, today included: after the digest cut-off."""
    day = utcnow().astimezone(ZONE).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=ZONE)


@contextmanager
def timing_transactions(db: Database) -> Iterator[list[float]]:
    """The duration of each transaction on the write engine while the block runs."""
    durations: list[float] = []
    started: dict[int, float] = {}

    def begin(connection: Any) -> None:
        started[id(connection)] = clock.perf_counter()

    def end(connection: Any) -> None:
        if (start := started.pop(id(connection), None)) is not None:
            durations.append(clock.perf_counter() - start)

    engine = db.engine.sync_engine
    listeners = [("begin", begin), ("commit", end), ("rollback", end)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield durations
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


async def _timed(db: Database, part: Callable[[], Awaitable[int]]) -> dict[str, float]:
    wall, cpu = clock.perf_counter(), clock.process_time()
    with timing_transactions(db) as transactions:
        queued = await part()
    return {
        "queued": queued,
        "wall_s": clock.perf_counter() - wall,
        "cpu_s": clock.process_time() - cpu,
        "transactions": len(transactions),
        "longest_transaction_s": max(transactions, default=0.0),
    }


async def measure(settings: Settings, runs: int) -> list[dict[str, dict[str, float]]]:
    db = Database(settings.resolved_database_url)
    now = business_morning()
    results = []
    try:
        for _ in range(runs):
            deadlines = await _timed(db, lambda: queue_deadline_mail(db, None, settings, now))
            digests = await _timed(db, lambda: queue_digests(db, None, settings, now))
            results.append({"deadline mail": deadlines, "digests": digests})
    finally:
        await db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overdue", type=int, default=20_000)
    parser.add_argument("--readers", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="intake-bench-schedule-") as work:
        base = Path(work)
        database = base / "intake.db"
        settings = Settings(
            environment="development",
            log_level="WARNING",
            data_dir=base / "data",
            database_url=f"sqlite+aiosqlite:///{database}",
            search_backend="embedded",
        )
        build(settings, submissions=120, inbox=20)
        overdue = copy_overdue(database, args.overdue)
        print(f"{overdue} open submissions, a week overdue")
        readers = add_readers(database, args.readers)
        print(f"{readers} officials on the daily digest")
        for number, parts in enumerate(asyncio.run(measure(settings, args.runs))):
            for part, result in parts.items():
                print(
                    f"run {number}, {part}: queued {result['queued']:.0f} messages, "
                    f"{result['wall_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU, "
                    f"{result['transactions']:.0f} write transactions, "
                    f"the longest {result['longest_transaction_s'] * 1000:.0f} ms"
                )


if __name__ == "__main__":
    main()
