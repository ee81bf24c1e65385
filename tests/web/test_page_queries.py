"""Pages cost a fixed number of SQL statements, however many agencies or submissions they show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from sqlalchemy import event
from starlette.applications import Starlette

from service.accounts.actor import Actor, ActorKind
from service.db import Database, utcnow
from service.proposals import repository as proposal_rows
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, official, submitted_and_routed
from tests.web.helpers import private_link, sign_in_reviewer


@contextmanager
def _statements(app: Starlette) -> Iterator[list[str]]:
    statements: list[str] = []
    runtime = app.state.runtime

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    engines = {id(e): e for e in (runtime.db.engine, runtime.db.read_engine)}.values()
    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _cost(app: Starlette, client: httpx.AsyncClient, path: str) -> int:
    with _statements(app) as statements:
        response = await client.get(path)
    assert response.status_code == 200
    return len(statements)


async def test_the_dashboard_costs_the_same_for_one_agency_or_several(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await submitted_and_routed(db, settings)
        one_agency = await _cost(app, client, "/statistics")
        await submitted_and_routed(
            db,
            settings,
            category="OTHER",
            title="Góp ý chung",
            description="Tôi có vài ý kiến chung, mong được xem xét.",
        )
        await submitted_and_routed(db, settings, title="Quỹ đổi mới sáng tạo cho đại học")
    finally:
        await db.dispose()
    assert one_agency == 5
    assert await _cost(app, client, "/statistics") == one_agency


async def test_tracking_and_the_inbox_detail_cost_the_same_however_long_the_timeline(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    """Measured once the submission has an answer (an answered page reads the answering agencies
    and files once), then after a rating, a reopening and a second answer."""
    db = Database(settings.resolved_database_url)
    try:
        proposal = await submitted_and_routed(db, settings)
        assert proposal.id is not None
        reviewer = official(proposal.agency_id)
        submitter = Actor(ActorKind.SUBMITTER, proposal_id=proposal.id)
        async with db.transaction() as session:
            await workflow.respond(
                session, reviewer, proposal.id, "Đã xem xét.", publish=True, language="vi"
            )
        link = private_link(settings, proposal)
        short_tracking = await _cost(app, client, link)
        await sign_in_reviewer(client)
        short_detail = await _cost(app, client, f"/inbox/{proposal.id}")
        async with db.transaction() as session:
            await workflow.rate(session, submitter, proposal.id, 4, "", "vi")
            await workflow.reopen(session, SECRETARIAT, proposal.id, "Cần trả lời thêm.", "vi")
            await workflow.acknowledge(session, reviewer, proposal.id)
            await workflow.request_information(session, reviewer, proposal.id, "Số hồ sơ?", "vi")
            await workflow.answer_information(session, submitter, proposal.id, "Số 12.", "vi")
            await workflow.respond(
                session, reviewer, proposal.id, "Bổ sung.", publish=True, language="vi"
            )
        long_detail = await _cost(app, client, f"/inbox/{proposal.id}")
        client.cookies.clear()
        long_tracking = await _cost(app, client, link)
    finally:
        await db.dispose()
    assert (long_tracking, long_detail) == (short_tracking, short_detail)


async def test_the_inbox_list_costs_the_same_however_many_rows_and_badges(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    """The acknowledgement badge reads a column of the row: no statement per submission."""
    db = Database(settings.resolved_database_url)
    try:
        await submitted_and_routed(db, settings)
        await sign_in_reviewer(client)
        one_row = await _cost(app, client, "/inbox")
        late = await submitted_and_routed(db, settings, title="Quỹ đổi mới sáng tạo cho đại học")
        await submitted_and_routed(db, settings, title="Quỹ hỗ trợ khởi nghiệp sáng tạo")
        async with db.transaction() as session:
            row = await proposal_rows.get(session, late.id or 0)
            assert row is not None
            row.acknowledge_deadline = utcnow() - timedelta(days=1)
        response = await client.get("/inbox")
        assert "Số nội dung tìm thấy: 3" in response.text
        assert response.text.count('<span class="badge overdue">') == 1
        three_rows = await _cost(app, client, "/inbox")
    finally:
        await db.dispose()
    assert three_rows == one_row
