"""Officials sign in and out; forms without a valid CSRF token are refused."""

from __future__ import annotations

import httpx

from service.db import Database
from service.demo import DEMO_PASSWORD
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.graphql_client import execute
from tests.web.helpers import csrf_of, sign_in_reviewer, sign_in_secretariat
from tests.web_client import csrf_token, post_form


async def test_sign_in_shows_the_official_and_the_api_knows_them(
    client: httpx.AsyncClient,
) -> None:
    response = await post_form(
        client,
        "/login",
        {"email": "Reviewer.BKHCN@intake.localhost", "password": DEMO_PASSWORD, "next": "/track"},
        page="/login",
    )
    assert (response.status_code, response.headers["location"]) == (303, "/track")
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    page = await client.get("/")
    assert "reviewer.bkhcn@intake.localhost" in page.text
    me = await execute(client, "Me")
    assert me["me"]["kind"] == "USER"
    assert me["me"]["agency"] == {"code": "BKHCN"}

    out = await post_form(client, "/logout", {}, page="/")
    assert out.status_code == 303
    assert (await execute(client, "Me"))["me"]["kind"] == "ANONYMOUS"


async def test_wrong_password_then_lock_after_five_failures(client: httpx.AsyncClient) -> None:
    for _ in range(4):
        wrong = await post_form(
            client,
            "/login",
            {"email": "secretariat@intake.localhost", "password": "guess"},
            page="/login",
        )
        assert wrong.status_code == 401
        assert "Thư điện tử hoặc mật khẩu không đúng." in wrong.text
        assert 'value="secretariat@intake.localhost"' in wrong.text
    await post_form(
        client,
        "/login",
        {"email": "secretariat@intake.localhost", "password": "guess"},
        page="/login",
    )
    locked = await post_form(
        client,
        "/login",
        {"email": "secretariat@intake.localhost", "password": DEMO_PASSWORD},
        page="/login",
    )
    assert locked.status_code == 401
    assert "Đăng nhập sai quá nhiều lần." in locked.text


async def test_unknown_email_and_offsite_next_are_handled(client: httpx.AsyncClient) -> None:
    unknown = await post_form(
        client, "/login", {"email": "nobody@example.com", "password": "x"}, page="/login"
    )
    assert unknown.status_code == 401
    redirected = await post_form(
        client,
        "/login",
        {
            "email": "secretariat@intake.localhost",
            "password": DEMO_PASSWORD,
            "next": "https://evil.example/",
        },
        page="/login",
    )
    assert redirected.headers["location"] == "/"


async def test_every_form_refuses_a_missing_or_wrong_csrf_token(client: httpx.AsyncClient) -> None:
    signed_in = await post_form(
        client,
        "/login",
        {"email": "secretariat@intake.localhost", "password": DEMO_PASSWORD},
        page="/login",
    )
    assert signed_in.status_code == 303
    token = await csrf_token(client)
    for path in (
        "/submit",
        "/login",
        "/logout",
        "/admin/tokens",
        "/admin/tokens/1/revoke",
        "/admin/agencies/BKHCN",
        "/admin/users",
        "/admin/users/1",
        "/admin/users/2/deactivate",
        "/admin/users/2/reactivate",
        "/admin/rules",
        "/admin/rules/1",
        "/admin/rules/1/delete",
        "/admin/holidays",
        "/admin/holidays/2026-01-01/delete",
    ):
        missing = await client.post(path, data={"email": "x"})
        assert missing.status_code == 403, path
        wrong = await client.post(path, data={"csrf_token": token + "x"})
        assert wrong.status_code == 403, path


async def test_signing_out_ends_the_session_for_any_copy_of_its_cookie(
    client: httpx.AsyncClient,
) -> None:
    """The session cookie is signed, not stored: a copy taken before signing out (another
    device, a shared computer's browser) must not open the inbox afterwards."""
    await sign_in_secretariat(client)
    copied = client.cookies["intake_session"]
    assert (await client.get("/inbox")).status_code == 200
    signed_out = await post_form(client, "/logout", {}, page="/inbox")
    assert signed_out.status_code == 303
    client.cookies.clear()
    client.cookies.set("intake_session", copied)
    again = await client.get("/inbox")
    assert (again.status_code, again.headers["location"]) == (303, "/login?next=/inbox")
    # Signing in again gives a session that works.
    client.cookies.clear()
    await sign_in_secretariat(client)
    assert (await client.get("/inbox")).status_code == 200


async def test_a_form_sent_after_the_session_ended_signs_in_back_to_its_page(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    await db.dispose()
    await sign_in_reviewer(client)
    page = await client.get(f"/inbox/{proposal.id}")
    token = csrf_of(page.text)
    assert (await post_form(client, "/logout", {}, page="/inbox")).status_code == 303

    sent = await client.post(
        f"/inbox/{proposal.id}/respond",
        data={"csrf_token": token, "text": "Bộ sẽ trả lời sau."},
        headers={"referer": f"http://intake.test/inbox/{proposal.id}?tab=answer"},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/login?next=/inbox/{proposal.id}%3Ftab%3Danswer&ended=1"
    login = await client.get(sent.headers["location"])
    assert "Phiên đăng nhập đã hết nên biểu mẫu chưa được gửi." in login.text
    assert f'name="next" value="/inbox/{proposal.id}?tab=answer"' in login.text
    # Without a Referer of this site, the page the form's address belongs to.
    bare = await client.post(f"/inbox/{proposal.id}/respond", data={"csrf_token": token})
    assert bare.headers["location"] == f"/login?next=/inbox/{proposal.id}&ended=1"
    elsewhere = await client.post(
        f"/inbox/{proposal.id}/respond",
        data={"csrf_token": token},
        headers={"referer": "http://elsewhere.example/phish"},
    )
    assert elsewhere.headers["location"] == bare.headers["location"]
    # A page asked for after the session ended returns to itself, with no notice.
    asked = await client.get(f"/inbox/{proposal.id}")
    assert asked.headers["location"] == f"/login?next=/inbox/{proposal.id}"
