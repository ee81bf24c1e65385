"""Links that carry their language (`?lang=`, as email links do) open the page in it and keep
the choice, so an English notice opens English pages in a browser that never chose one."""

from __future__ import annotations

import httpx

from service.db import Database
from service.i18n import LANGUAGE_COOKIE
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.web.helpers import private_link


async def test_a_private_link_in_english_opens_the_english_page_with_its_key(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    await db.dispose()
    link = private_link(settings, proposal)
    arrived = await client.get(f"{link}&lang=en")
    assert arrived.status_code == 303
    assert arrived.headers["location"] == link
    assert client.cookies[LANGUAGE_COOKIE] == "en"
    page = await client.get(link)
    assert '<html lang="en">' in page.text
    assert f'action="/track/{proposal.tracking_code}/withdraw"' in page.text
    # The choice stays with the browser for the pages that follow.
    assert '<html lang="en">' in (await client.get("/submit")).text


async def test_an_officials_link_in_english_signs_in_in_english_and_returns_to_the_case(
    client: httpx.AsyncClient,
) -> None:
    arrived = await client.get("/inbox/7?lang=en")
    assert arrived.headers["location"] == "/inbox/7"
    to_login = await client.get("/inbox/7")
    assert to_login.status_code == 303
    login = await client.get(to_login.headers["location"])
    assert '<html lang="en">' in login.text
    assert 'name="next" value="/inbox/7"' in login.text


async def test_a_vietnamese_link_overrides_an_english_choice(client: httpx.AsyncClient) -> None:
    await client.get("/lang/en?next=/")
    arrived = await client.get("/inbox?overdue=yes&lang=vi")
    assert arrived.headers["location"] == "/inbox?overdue=yes"
    assert client.cookies[LANGUAGE_COOKIE] == "vi"


async def test_an_unknown_language_is_dropped_and_nothing_is_remembered(
    client: httpx.AsyncClient,
) -> None:
    arrived = await client.get("/track?code=%C4%91%26x&lang=fr")
    assert arrived.status_code == 303
    assert arrived.headers["location"] == "/track?code=%C4%91%26x"
    assert LANGUAGE_COOKIE not in client.cookies
    assert '<html lang="vi">' in (await client.get(arrived.headers["location"])).text


async def test_a_form_posted_to_an_address_with_a_language_is_not_redirected(
    client: httpx.AsyncClient,
) -> None:
    plain = await client.post("/login", data={"email": "", "password": ""})
    posted = await client.post("/login?lang=en", data={"email": "", "password": ""})
    # Refused as the plain address is (no token): the form-expired page, not a redirect.
    assert (posted.status_code, plain.status_code) == (403, 403)
    assert "<h1>Biểu mẫu đã hết hạn</h1>" in posted.text
