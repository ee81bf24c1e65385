"""Routing measured on the labelled set: `make bench-routing` (python -m bench.routing.run).

Every submission goes through the real path: submitted, then routed by
service.routing.service.route_proposal against a fresh SQLite database holding the shipped
directory and rules, with the embedded search index for precedent.

- Cold start: each submission routed with no precedent at all.
- Fed back: the set is split by position, odd rows (R001, R003, …) being "the first half" that
  is handled first and even rows (R002, R004, …) the half measured. The file is ordered by
  agency, so taking its first 112 lines would feed back the ministries and measure only the
  provinces. Each first-half submission is routed; when it lands in triage the secretariat
  assigns it to the labelled agency, when it lands at the wrong agency the secretariat
  transfers it there (both become precedent, as in production), and it is indexed. Then the
  second half is routed, without being fed back itself.

Prints, for each: the share routed automatically, the accuracy of those automatic routes, and
the share sent to triage. -v lists the misses and the triaged rows.

Twice: on the original set (labelled.jsonl, one submission per topic), and on the extended set,
the original followed by recurring.jsonl: subjects that recur in different words, by different
submitters (the same obstacle reported by several enterprises, a campaign's letters), each
subject once in each half, so that the feed-back measure sees whether triage decisions teach.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from search.documents import index_proposal
from search.embedded import EmbeddedSearch
from service.accounts.actor import Actor, ActorKind
from service.accounts.models import Role
from service.db import Database
from service.demo import load_demo
from service.directory.models import SECRETARIAT_CODE
from service.migrate import upgrade
from service.proposals.models import ProposalStatus
from service.proposals.service import submit_proposal
from service.proposals.validation import SubmissionInput
from service.routing.service import route_proposal
from service.settings import Settings
from service.workflow import service as workflow

LABELLED = Path(__file__).resolve().parent / "labelled.jsonl"
RECURRING = Path(__file__).resolve().parent / "recurring.jsonl"
SECRETARIAT = Actor(ActorKind.USER, role=Role.SECRETARIAT, user_id=1)


@dataclass(slots=True)
class Tally:
    total: int = 0
    automatic: int = 0
    correct: int = 0
    lines: list[str] = field(default_factory=list)

    def report(self, name: str) -> str:
        auto = self.automatic / self.total
        accuracy = self.correct / self.automatic if self.automatic else 0.0
        return (
            f"{name:44} {self.total:4} submissions  automatic {auto:6.1%}  "
            f"accuracy {accuracy:6.1%} ({self.correct}/{self.automatic})  "
            f"triage {1 - auto:6.1%}"
        )


class Bench:
    def __init__(self, directory: Path) -> None:
        self.settings = Settings(
            environment="test",
            data_dir=directory,
            database_url=f"sqlite+aiosqlite:///{directory}/b.db",
        )
        self.db = Database(self.settings.resolved_database_url)
        self.search = EmbeddedSearch(directory / "search.db")

    async def start(self) -> None:
        await asyncio.to_thread(upgrade, self.settings.resolved_database_url)
        async with self.db.transaction() as session:
            await load_demo(session)
        await self.search.setup()

    async def close(self) -> None:
        await self.search.close()
        await self.db.dispose()

    async def route(self, row: dict[str, str], *tallies: Tally, feed_back: bool) -> None:
        data = SubmissionInput(
            kind=row["kind"],
            title=row["title"],
            description=row["description"],
            category=row["category"],
            province=row["province"] or "",
            submitter_type=row["submitter_type"],
            name="Bench",
            email=f"{row['id'].lower()}@example.com",
            consent_to_publish=True,
        )
        async with self.db.transaction() as session:
            proposal = await submit_proposal(session, data, self.settings, "vi")
        assert proposal.id is not None
        async with self.db.transaction() as session:
            routed = await route_proposal(session, proposal.id, self.settings, self.search)
        assert routed is not None
        expected = row["expected_agency"]
        for tally in tallies:
            tally.total += 1
            if routed.status is ProposalStatus.ROUTED:
                tally.automatic += 1
                if routed.agency.code == expected:
                    tally.correct += 1
                else:
                    tally.lines.append(f"  {row['id']} MISS  {routed.agency.code} for {expected}")
            else:
                suggestions = routed.decision.suggestions
                best = suggestions[0]["agency"] if suggestions else "-"
                tally.lines.append(f"  {row['id']} TRIAGE (best {best}) for {expected}")
        if not feed_back:
            return
        async with self.db.transaction() as session:
            if expected == SECRETARIAT_CODE:
                pass  # programme-wide: the secretariat's, in its triage queue; it assigns no one
            elif routed.status is ProposalStatus.TRIAGE:
                await workflow.assign(
                    session, SECRETARIAT, proposal.id, expected, self.settings, "en"
                )
            elif routed.agency.code != expected:
                await workflow.transfer(
                    session, SECRETARIAT, proposal.id, expected, self.settings, "en",
                    reason="wrong agency",
                )  # fmt: skip
        async with self.db.session() as session:
            await index_proposal(session, self.search, proposal.id)


async def _run(
    rows: list[dict[str, str]], fed: list[dict[str, str]], measured: list[dict[str, str]]
) -> list[Tally]:
    tallies = []
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as scratch:
        cold = Bench(Path(scratch) / "cold")
        cold.settings.data_dir.mkdir()
        await cold.start()
        try:
            all_rows, second_half = Tally(), Tally()
            measured_ids = {row["id"] for row in measured}
            for row in rows:
                chosen = (all_rows, second_half) if row["id"] in measured_ids else (all_rows,)
                await cold.route(row, *chosen, feed_back=False)
            tallies += [all_rows, second_half]
        finally:
            await cold.close()
        warm = Bench(Path(scratch) / "warm")
        warm.settings.data_dir.mkdir()
        await warm.start()
        try:
            first, after = Tally(), Tally()
            for row in fed:
                await warm.route(row, first, feed_back=True)
            for row in measured:
                await warm.route(row, after, feed_back=False)
            tallies += [first, after]
        finally:
            await warm.close()
    return tallies


def _read(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def main(verbose: bool, swap: bool = False) -> None:
    """--swap feeds back the even rows and measures the odd ones: the direction to tune in,
    where -v lists only the odd rows (see the README)."""
    original = _read(LABELLED)
    for title, rows in (
        (f"original set ({len(original)} rows)", original),
        (
            f"extended set ({len(original) + len(_read(RECURRING))} rows)",
            original + _read(RECURRING),
        ),
    ):
        print(title)
        fed, measured = (rows[1::2], rows[0::2]) if swap else (rows[0::2], rows[1::2])
        tallies = asyncio.run(_run(rows, fed, measured))
        names = (
            "cold start, all rows",
            "cold start, second half",
            "first half, routed while fed back",
            "second half, after the first was fed back",
        )
        if swap:
            names = ("", "cold start, odd rows", "", "odd rows, after the even were fed back")
        for name, tally in zip(names, tallies, strict=True):
            if name:
                print(tally.report(name))
                if verbose:
                    print("\n".join(tally.lines))


if __name__ == "__main__":
    main(verbose="-v" in sys.argv[1:], swap="--swap" in sys.argv[1:])
