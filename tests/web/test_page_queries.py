"""Pages cost a fixed number of SQL statements, however many agencies or submissions they show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import event
from starlette.applications import Starlette

from service.db import Database
from service.settings import Settings
from tests.factories import submitted_and_routed


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
