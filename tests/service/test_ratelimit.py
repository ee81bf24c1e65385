"""Rate limits per IP on submissions and logins, per token on the API, with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from service.accounts.models import Role
from service.app import create_app
from service.db import Database
from service.settings import Settings
from tests.fixtures.api import bearer
from tests.web_client import csrf_token


@pytest.fixture
async def strict(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    limited = settings.model_copy(
        update={"rate_logins_per_15_minutes": 2, "rate_api_per_minute": 3}
    )
    app = create_app(limited)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


async def test_logins_past_the_limit_get_429_with_retry_after(strict: httpx.AsyncClient) -> None:
    token = await csrf_token(strict, "/login")
    statuses = []
    for _ in range(3):
        response = await strict.post(
            "/login", data={"csrf_token": token, "email": "x@example.com", "password": "x"}
        )
        statuses.append(response.status_code)
    assert statuses == [401, 401, 429]
    assert 0 < int(response.headers["retry-after"]) <= 900
    # A page, not the API: people get HTML in their language (tests/web/test_error_pages.py).
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Quá nhiều lần gửi</h1>" in response.text


async def test_api_limits_count_each_token_apart(
    strict: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    first = await bearer(db, Role.REVIEWER, "BKHCN", "one")
    second = await bearer(db, Role.REVIEWER, "BCA", "two")
    await db.dispose()
    query = {"query": "{ me { kind } }"}
    english = {"accept-language": "en"}
    codes = [(await strict.post("/graphql", json=query, headers=first | english)).status_code
             for _ in range(4)]  # fmt: skip
    assert codes == [200, 200, 200, 429]
    refused = await strict.post("/graphql", json=query, headers=first | english)
    assert refused.json()["errors"][0]["message"].startswith("Too many requests.")
    assert (await strict.post("/graphql", json=query, headers=second)).status_code == 200
    assert (await strict.get("/graphql?query={me{kind}}", headers=first)).status_code == 200
