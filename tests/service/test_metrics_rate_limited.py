"""/metrics counts requests a middleware answered before routing under their route."""

from __future__ import annotations

import httpx
from prometheus_client import REGISTRY

from service.accounts.models import Role
from service.app import create_app
from service.db import Database
from service.settings import Settings
from tests.fixtures.api import bearer


def _count(route: str, status: str, method: str = "POST") -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("intake_http_requests_total", labels) or 0.0


async def test_rate_limited_graphql_requests_are_counted_under_graphql(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    token = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    app = create_app(settings.model_copy(update={"rate_api_per_minute": 1}))
    before = {
        (route, status): _count(route, status)
        for route in ("/graphql", "unmatched")
        for status in ("200", "429")
    }
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            statuses = [
                (
                    await http.post("/graphql", json={"query": "{ me { kind } }"}, headers=token)
                ).status_code
                for _ in range(3)
            ]
    assert statuses == [200, 429, 429]
    assert _count("/graphql", "200") == before["/graphql", "200"] + 1
    assert _count("/graphql", "429") == before["/graphql", "429"] + 2
    assert _count("unmatched", "429") == before["unmatched", "429"]
