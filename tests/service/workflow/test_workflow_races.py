"""Two officials at once on PostgreSQL: merges crossing each other, a merge and a withdrawal,
overlapping bulk acknowledges, a template name and a note posted twice. Each race is forced: the
first step stops before its first write while the second starts, and keeps its transaction open
until the second has finished or waits for its locks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.db import Database
from service.errors import FieldError, ValidationFailed
from service.proposals.models import Proposal, ProposalStatus
from service.settings import Settings
from service.workflow import repository
from service.workflow import service as workflow
from service.workflow.models import ProposalNote, ResponseTemplate
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed, submitter_of

S = ProposalStatus
postgresql_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
Call = Callable[[AsyncSession], Awaitable[Any]]
REFUSED_LEAD = (
    "Hãy chọn một nội dung khác đang được xử lý hoặc đã được trả lời: không phải nội dung đã "
    "gộp, bị từ chối hoặc đã rút."
)


@pytest.fixture
async def dbs(settings: Settings) -> AsyncIterator[tuple[Database, Database]]:
    """Two engines on the same database: two officials' requests, each with its connection."""
    first = Database(settings.resolved_database_url)
    second = Database(settings.resolved_database_url)
    yield first, second
    await first.dispose()
    await second.dispose()


async def _waiting(db: Database) -> int:
    """How many connections to this database wait for a lock now."""
    async with db.session() as session:
        statement = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        connection = await session.connection()
        return int((await connection.execute(statement)).scalar_one())


async def _until_waiting(db: Database, count: int, *tasks: asyncio.Task[Any]) -> None:
    """Until `count` connections wait for a lock, or one of `tasks` has finished."""
    for _ in range(1000):
        if any(task.done() for task in tasks) or await _waiting(db) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the racing steps neither finished nor waited")


async def _outcome(
    db: Database, call: Call, *, until: Callable[[], Awaitable[None]] | None = None
) -> Any:
    """What the step returned, or the error it was refused with (its transaction rolled back);
    with `until`, the transaction stays open after the step until that returns."""
    try:
        async with db.transaction() as session:
            done = await call(session)
            if until is not None:
                await until()
            return done
    except ValidationFailed as error:
        return error


def _pause_before_writing(db: Database, paused: asyncio.Event) -> None:
    """The first statement through `db` that writes waits half a second in PostgreSQL first
    (pg_sleep): whatever the step read and locked before, the other step starts meanwhile."""
    fired = False

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def pause(_c: Any, cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal fired
        if not fired and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            fired = True
            paused.set()
            cursor.execute("SELECT pg_sleep(0.5)")


async def _race(dbs: tuple[Database, Database], first: Call, second: Call) -> tuple[Any, Any]:
    """`first` reads what it needs, then stops before writing while `second` starts; it then
    writes and holds its transaction open until `second` has finished or waits for it. Both
    outcomes, the first's then the second's."""
    one, two = dbs
    paused = asyncio.Event()
    _pause_before_writing(one, paused)
    others: list[asyncio.Task[Any]] = []

    async def until_second_waits_or_ends() -> None:
        await _until_waiting(one, 1, *others)

    leading = asyncio.create_task(_outcome(one, first, until=until_second_waits_or_ends))
    await asyncio.wait_for(paused.wait(), 30)
    others.append(asyncio.create_task(_outcome(two, second)))
    return await asyncio.wait_for(asyncio.gather(leading, others[0]), 30)


async def _submissions(db: Database, settings: Settings, count: int) -> list[int]:
    """Distinct submissions routed to BKHCN: none is linked to another as its duplicate (that
    link would make a step on one lock the other as a foreign key, hiding the race)."""
    ids = []
    for n in range(count):
        description = f"Đề xuất số {n + 1}: quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa."
        proposal = await submitted_and_routed(
            db, settings, email=f"race{n}@example.com", description=description
        )
        assert proposal.duplicate_of_id is None
        assert proposal.id is not None
        ids.append(proposal.id)
    return ids


async def _merges(db: Database, ids: list[int]) -> list[tuple[S, int | None]]:
    async with db.session() as session:
        statement = select(Proposal).where(col(Proposal.id).in_(ids)).order_by(col(Proposal.id))
        rows = (await session.exec(statement)).all()
    return [(row.status, row.merged_into_id) for row in rows]


def _merge(proposal_id: int, into_id: int) -> Call:
    return lambda session: workflow.merge(session, SECRETARIAT, proposal_id, into_id, "vi")


def _refused_lead(outcome: Any) -> list[FieldError]:
    assert isinstance(outcome, ValidationFailed), outcome
    return outcome.errors


@postgresql_only
async def test_a_merge_into_a_lead_being_merged_elsewhere_is_refused(
    dbs: tuple[Database, Database], settings: Settings
) -> None:
    a, b, c = await _submissions(dbs[0], settings, 3)
    _, second = await _race(dbs, _merge(b, c), _merge(a, b))
    assert _refused_lead(second) == [FieldError("intoId", "invalid", REFUSED_LEAD)]
    assert await _merges(dbs[0], [a, b, c]) == [(S.ROUTED, None), (S.MERGED, c), (S.ROUTED, None)]


@postgresql_only
async def test_a_lead_merged_while_a_duplicate_is_merged_into_it_takes_the_duplicate_along(
    dbs: tuple[Database, Database], settings: Settings
) -> None:
    a, b, c = await _submissions(dbs[0], settings, 3)
    first, second = await _race(dbs, _merge(a, b), _merge(b, c))
    assert (first.proposal.id, second.proposal.id) == (a, b)
    # No chain: the duplicate follows the lead's new lead.
    assert await _merges(dbs[0], [a, b, c]) == [(S.MERGED, c), (S.MERGED, c), (S.ROUTED, None)]


@postgresql_only
async def test_two_submissions_merged_into_each_other_at_once_end_with_one_lead(
    dbs: tuple[Database, Database], settings: Settings
) -> None:
    a, b = await _submissions(dbs[0], settings, 2)
    _, second = await _race(dbs, _merge(a, b), _merge(b, a))
    assert _refused_lead(second) == [FieldError("intoId", "invalid", REFUSED_LEAD)]
    assert await _merges(dbs[0], [a, b]) == [(S.MERGED, b), (S.ROUTED, None)]


@postgresql_only
async def test_a_lead_withdrawn_while_a_duplicate_is_merged_into_it_sends_the_duplicate_to_triage(
    dbs: tuple[Database, Database], settings: Settings
) -> None:
    a, b = await _submissions(dbs[0], settings, 2)
    submitter = await submitter_of(dbs[0], settings, b)
    await _race(
        dbs,
        _merge(a, b),
        lambda session: workflow.withdraw(session, submitter, b, "Tôi gửi nhầm.", "vi"),
    )
    assert await _merges(dbs[0], [a, b]) == [(S.TRIAGE, None), (S.WITHDRAWN, None)]


@postgresql_only
async def test_overlapping_bulk_acknowledges_in_opposite_orders_wait_instead_of_deadlocking(
    dbs: tuple[Database, Database], settings: Settings
) -> None:
    first_db, second_db = dbs
    p1, p2 = await _submissions(first_db, settings, 2)
    bkhcn = await agency_id(first_db, "BKHCN")
    one, two = official(bkhcn, user_id=1), official(bkhcn, user_id=2)

    async def bulk(db: Database, actor: Any, ids: list[int]) -> workflow.Acknowledged:
        async with db.transaction() as session:
            return await workflow.acknowledge_many(session, actor, ids)

    # A third transaction holds the second submission's row, so that the bulk actions started
    # now would each hold the other's first row when it is released, had they locked in the
    # order they were given.
    blocker = Database(settings.resolved_database_url)
    try:
        async with blocker.transaction() as session:
            await repository.lock_proposals(session, [p2])
            reverse = asyncio.create_task(bulk(second_db, two, [p2, p1]))
            await _until_waiting(blocker, 1, reverse)
            forward = asyncio.create_task(bulk(first_db, one, [p1, p2]))
            await _until_waiting(blocker, 2, reverse, forward)
        outcomes = await asyncio.wait_for(asyncio.gather(reverse, forward), 30)
    finally:
        await blocker.dispose()
    assert list(outcomes) == [
        workflow.Acknowledged(done=[p1, p2], skipped=[]),
        workflow.Acknowledged(done=[], skipped=[p1, p2]),
    ]
    assert await _merges(first_db, [p1, p2]) == [(S.ACKNOWLEDGED, None), (S.ACKNOWLEDGED, None)]


async def test_a_bulk_acknowledge_skips_what_the_official_may_not_acknowledge(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    p1, p2, p3 = await _submissions(db, settings, 3)
    reviewer = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.acknowledge(session, reviewer, p2)
    async with db.transaction() as session:
        outcome = await workflow.acknowledge_many(session, reviewer, [p3, p2, p1, p3, 10_000])
    await db.dispose()
    assert outcome == workflow.Acknowledged(done=[p1, p3], skipped=[p2, 10_000])


def _save_template(actor: Any, body: str) -> Call:
    return lambda session: workflow.save_response_template(
        session, actor, "Mẫu giải ngân", body, "vi"
    )


@postgresql_only
async def test_two_templates_of_one_name_saved_at_once_refuse_the_second_naming_the_field(
    dbs: tuple[Database, Database], settings: Settings
) -> None:
    bkhcn = await agency_id(dbs[0], "BKHCN")
    one, two = official(bkhcn, user_id=1), official(bkhcn, user_id=2)
    # The second inserts while the first waits before its insert, which then meets the name.
    first, second = await _race(dbs, _save_template(one, "Nội dung A"), _save_template(two, "B"))
    assert isinstance(first, ValidationFailed), first
    assert first.errors == [
        FieldError("name", "duplicate", "Cơ quan của bạn đã có mẫu trả lời với tên này.")
    ]
    async with dbs[0].session() as session:
        rows = (await session.exec(select(ResponseTemplate))).all()
    assert [(row.id, row.name, row.body) for row in rows] == [(second.id, "Mẫu giải ngân", "B")]


@postgresql_only
async def test_a_note_posted_twice_at_once_is_stored_once(
    dbs: tuple[Database, Database], settings: Settings
) -> None:
    [pid] = await _submissions(dbs[0], settings, 1)
    reviewer = official(await agency_id(dbs[0], "BKHCN"), user_id=7)

    def note(session: AsyncSession) -> Awaitable[ProposalNote]:
        return workflow.add_note(session, reviewer, pid, "Đã gọi cho người gửi.", "vi")

    first, second = await _race(dbs, note, note)
    assert second.id == first.id
    async with dbs[0].session() as session:
        notes = await repository.notes_for(session, [pid])
    assert [(n.id, n.author, n.text) for n in notes] == [
        (first.id, "user:7", "Đã gọi cho người gửi.")
    ]


async def test_a_repeated_note_is_the_same_note_only_by_the_same_official_moments_later(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    [pid] = await _submissions(db, settings, 1)
    bkhcn = await agency_id(db, "BKHCN")
    reviewer, colleague = official(bkhcn, user_id=7), official(bkhcn, user_id=8)

    async def add(actor: Any, words: str) -> int | None:
        async with db.transaction() as session:
            return (await workflow.add_note(session, actor, pid, words, "vi")).id

    first = await add(reviewer, "Đã gọi cho người gửi.")
    again = await add(reviewer, " Đã gọi cho người gửi. ")  # the same once normalised
    other_text = await add(reviewer, "Đã gửi thư.")
    other_author = await add(colleague, "Đã gọi cho người gửi.")
    async with db.transaction() as session:
        for row in await repository.notes_for(session, [pid]):
            row.created_at -= workflow.NOTE_REPEAT_WINDOW + timedelta(seconds=1)
    later = await add(reviewer, "Đã gọi cho người gửi.")
    async with db.session() as session:
        notes = await repository.notes_for(session, [pid])
    await db.dispose()
    assert again == first
    assert len({first, other_text, other_author, later}) == 4
    assert [(n.id, n.author, n.text) for n in notes] == [
        (first, "user:7", "Đã gọi cho người gửi."),
        (other_text, "user:7", "Đã gửi thư."),
        (other_author, "user:8", "Đã gọi cho người gửi."),
        (later, "user:7", "Đã gọi cho người gửi."),
    ]
