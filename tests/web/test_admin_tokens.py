"""Token administration pages: issue once, list without secrets, revoke; scoped by role."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from service.accounts.models import ApiToken, Role, User
from service.accounts.service import hash_password
from service.db import Database
from service.demo import DEMO_PASSWORD
from service.directory.repository import get_agency_by_code
from service.settings import Settings
from tests.graphql_client import execute
from tests.web.helpers import add_agency_admin
from tests.web_client import post_form


async def _sign_in(client: httpx.AsyncClient, email: str) -> None:
    response = await post_form(
        client, "/login", {"email": email, "password": DEMO_PASSWORD}, page="/login"
    )
    assert response.status_code == 303


async def test_secretariat_issues_a_token_that_works_once_shown_and_revokes_it(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/admin/tokens")).headers["location"] == "/login?next=/admin/tokens"
    await _sign_in(client, "secretariat@intake.localhost")
    issued = await post_form(
        client,
        "/admin/tokens",
        {"name": "Cổng BKHCN", "role": "REVIEWER", "agency": "BKHCN"},
        page="/admin/tokens",
    )
    assert (issued.status_code, issued.headers["location"]) == (303, "/admin/tokens")
    page = await client.get("/admin/tokens")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token">(itk_[A-Za-z0-9_-]+)<', page.text)
    assert secret is not None
    me = await execute(client, "Me", headers={"authorization": f"Bearer {secret[1]}"})
    assert me["me"]["agency"] == {"code": "BKHCN"}

    listing = await client.get("/admin/tokens")
    assert secret[1] not in listing.text
    assert "Cổng BKHCN" in listing.text
    token_id = re.search(r'action="/admin/tokens/(\d+)/revoke"', listing.text)
    assert token_id is not None
    await post_form(client, f"/admin/tokens/{token_id[1]}/revoke", {}, page="/admin/tokens")
    me = await execute(client, "Me", headers={"authorization": f"Bearer {secret[1]}"})
    assert me["me"]["kind"] == "ANONYMOUS"


async def test_an_agency_admin_manages_only_its_own_agency(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        agency = await get_agency_by_code(session, "UBND-HUE")
        assert agency is not None
        session.add(
            User(
                email="admin.hue@intake.localhost",
                name="Quản trị Huế",
                role=Role.AGENCY_ADMIN,
                agency_id=agency.id,
                password_hash=hash_password(DEMO_PASSWORD),
            )
        )
    async with db.session() as session:
        assert (await session.exec(select(User).where(User.role == Role.AGENCY_ADMIN))).first()
    await db.dispose()
    await _sign_in(client, "admin.hue@intake.localhost")
    elsewhere = await post_form(
        client,
        "/admin/tokens",
        {"name": "x", "role": "REVIEWER", "agency": "BKHCN"},
        page="/admin/tokens",
    )
    assert elsewhere.status_code == 403
    assert "Bạn không được cấp mã truy cập này." in elsewhere.text
    secretariat_role = await post_form(
        client,
        "/admin/tokens",
        {"name": "x", "role": "SECRETARIAT", "agency": "UBND-HUE"},
        page="/admin/tokens",
    )
    assert secretariat_role.status_code == 403
    own = await post_form(
        client,
        "/admin/tokens",
        {"name": "Cổng Huế", "role": "REVIEWER", "agency": "UBND-HUE"},
        page="/admin/tokens",
    )
    assert (own.status_code, own.headers["location"]) == (303, "/admin/tokens")
    assert 'id="new-token">itk_' in (await client.get("/admin/tokens")).text


async def test_reviewers_may_not_manage_tokens(client: httpx.AsyncClient) -> None:
    await _sign_in(client, "reviewer.bkhcn@intake.localhost")
    assert (await client.get("/admin/tokens")).status_code == 403


async def test_a_reviewer_token_without_agency_names_the_agency_field_and_keeps_the_input(
    client: httpx.AsyncClient,
) -> None:
    await _sign_in(client, "secretariat@intake.localhost")
    refused = await post_form(
        client,
        "/admin/tokens",
        {"name": "Cổng thử nghiệm", "role": "REVIEWER", "agency": ""},
        page="/admin/tokens",
    )
    assert refused.status_code == 422
    assert '<a href="#agency">Cơ quan: Hãy chọn cơ quan của cán bộ xử lý.</a>' in refused.text
    assert "Bạn không được cấp mã truy cập này." not in refused.text
    assert (
        '<select id="agency" name="agency" aria-describedby="agency-error" aria-invalid="true">'
        in refused.text
    )
    assert (
        '<input id="name" name="name" type="text" maxlength="100" required'
        ' value="Cổng thử nghiệm">' in refused.text
    )
    assert '<option value="REVIEWER" selected>Cán bộ xử lý</option>' in refused.text
    assert "itk_" not in refused.text


async def test_a_rejected_token_form_keeps_the_chosen_agency_and_role(
    client: httpx.AsyncClient,
) -> None:
    await _sign_in(client, "secretariat@intake.localhost")
    await client.get("/lang/en")
    refused = await post_form(
        client,
        "/admin/tokens",
        {"name": "", "role": "AGENCY_ADMIN", "agency": "UBND-HUE"},
        page="/admin/tokens",
    )
    assert refused.status_code == 422
    assert '<a href="#name">Name: Give the token a name.</a>' in refused.text
    assert '<option value="AGENCY_ADMIN" selected>' in refused.text
    assert '<option value="UBND-HUE" selected>' in refused.text
    no_agency = await post_form(
        client,
        "/admin/tokens",
        {"name": "Portal", "role": "AGENCY_ADMIN", "agency": ""},
        page="/admin/tokens",
    )
    assert (
        '<a href="#agency">Agency: Choose the agency of the agency administrator.</a>'
        in no_agency.text
    )
    unknown = await post_form(
        client,
        "/admin/tokens",
        {"name": "Portal", "role": "REVIEWER", "agency": "NOPE"},
        page="/admin/tokens",
    )
    assert unknown.status_code == 422
    assert '<a href="#agency">Agency: Choose an agency from the directory.</a>' in unknown.text
    assert 'value="Portal"' in unknown.text


async def test_reloading_the_page_after_issuing_a_token_issues_no_second_one(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    await add_agency_admin(db, "BKHCN", "admin.bkhcn@intake.localhost")
    await _sign_in(client, "admin.bkhcn@intake.localhost")
    await client.get("/lang/en")
    issued = await post_form(
        client,
        "/admin/tokens",
        {"name": "Portal BKHCN", "role": "REVIEWER", "agency": "BKHCN"},
        page="/admin/tokens",
    )
    # Post, redirect, get: a reload repeats the get, not the post.
    assert (issued.status_code, issued.headers["location"]) == (303, "/admin/tokens")
    shown = await client.get("/admin/tokens")
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    assert "<h2>Token issued</h2>" in shown.text
    secret = re.search(r'id="new-token">(itk_[A-Za-z0-9_-]+)<', shown.text)
    assert secret is not None
    reloaded = await client.get("/admin/tokens")
    assert reloaded.status_code == 200
    assert 'id="new-token"' not in reloaded.text
    assert "Token issued" not in reloaded.text
    assert secret[1] not in reloaded.text
    assert reloaded.text.count("<td>Portal BKHCN</td>") == 1
    async with db.session() as session:
        tokens = (await session.exec(select(ApiToken).where(ApiToken.name == "Portal BKHCN"))).all()
    await db.dispose()
    assert [(t.role, t.revoked_at) for t in tokens] == [(Role.REVIEWER, None)]
    me = await execute(client, "Me", headers={"authorization": f"Bearer {secret[1]}"})
    assert me["me"]["agency"] == {"code": "BKHCN"}
