"""Revoking an API token says what happened: the token revoked by name, or that nothing was
revoked because the token is missing or another agency's (one message: no token is revealed)."""

from __future__ import annotations

import html
import re

import httpx
from sqlmodel import select

from service.accounts.models import ApiToken
from service.db import Database
from service.settings import Settings
from tests.web.helpers import add_agency_admin, sign_in, sign_in_secretariat
from tests.web_client import post_form

NOT_REVOKED = {
    "vi": "Không có mã truy cập này trong số các mã bạn quản lý: không mã nào bị thu hồi.",
    "en": "No token you manage has this number: nothing was revoked.",
}


async def _issue(client: httpx.AsyncClient, name: str, agency: str) -> int:
    issued = await post_form(
        client,
        "/admin/tokens",
        {"name": name, "role": "REVIEWER", "agency": agency},
        page="/admin/tokens",
    )
    assert issued.status_code == 303
    listing = await client.get("/admin/tokens")
    found = re.findall(
        r'action="/admin/tokens/(\d+)/revoke".*?>([^<]*)</button>', listing.text, re.S
    )
    return next(int(i) for i, label in found if name in html.unescape(label))


async def _revoked_at(settings: Settings, token_id: int) -> object:
    db = Database(settings.resolved_database_url)
    try:
        async with db.session() as session:
            token = (await session.exec(select(ApiToken).where(ApiToken.id == token_id))).one()
    finally:
        await db.dispose()
    return token.revoked_at


async def test_a_revoke_is_confirmed_by_name_once(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_in_secretariat(client)
    tokens = {"vi": await _issue(client, "Cổng BKHCN", "BKHCN")}
    tokens["en"] = await _issue(client, "Portal BTC", "BTC")
    for language, notice in (
        ("vi", "Đã thu hồi mã truy cập “Cổng BKHCN”."),
        ("en", "Token “Portal BTC” revoked."),
    ):
        await client.get(f"/lang/{language}")
        revoked = await post_form(
            client, f"/admin/tokens/{tokens[language]}/revoke", {}, page="/admin/tokens"
        )
        assert (revoked.status_code, revoked.headers["location"]) == (303, "/admin/tokens")
        shown = await client.get("/admin/tokens")
        assert f'<div class="notice" role="status" id="done">{notice}</div>' in shown.text
        assert await _revoked_at(settings, tokens[language]) is not None
        # Post, redirect, get: a reload shows the list without the notice.
        assert 'id="done"' not in (await client.get("/admin/tokens")).text


async def test_a_refused_or_missing_revoke_says_nothing_was_revoked(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_in_secretariat(client)
    others = await _issue(client, "Cổng BTC", "BTC")
    client.cookies.clear()
    db = Database(settings.resolved_database_url)
    await add_agency_admin(db, "BKHCN", "admin.bkhcn@intake.localhost")
    await db.dispose()
    await sign_in(client, "admin.bkhcn@intake.localhost")
    for language in ("vi", "en"):
        await client.get(f"/lang/{language}")
        for token_id in (others, 999_999):
            refused = await post_form(
                client, f"/admin/tokens/{token_id}/revoke", {}, page="/admin/tokens"
            )
            assert refused.status_code == 404, token_id
            assert (
                f'<div class="error-summary" role="alert"><p>{NOT_REVOKED[language]}</p></div>'
                in refused.text
            )
            assert 'id="done"' not in refused.text
    assert await _revoked_at(settings, others) is None
