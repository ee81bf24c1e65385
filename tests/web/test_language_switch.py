"""The language switch returns to the very page: its path and query string, same-site only."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from service.db import Database
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.web.helpers import private_link, sign_in_secretariat
from tests.web_client import post_form

_SWITCH = re.compile(r'<a href="(/lang/(?:en|vi)\?next=[^"]*)" lang=')


def _switch_link(page: str) -> str:
    found = _SWITCH.search(page)
    assert found is not None, "no language switch on the page"
    return html.unescape(found[1])


async def test_switching_on_a_private_link_keeps_its_key_and_its_forms(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    await db.dispose()
    link = private_link(settings, proposal)
    page = await client.get(link)
    assert f'action="/track/{proposal.tracking_code}/withdraw"' in page.text
    switched = await client.get(_switch_link(page.text))
    assert switched.status_code == 303
    assert switched.headers["location"] == link
    english = await client.get(switched.headers["location"])
    assert '<html lang="en">' in english.text
    assert f'action="/track/{proposal.tracking_code}/withdraw"' in english.text


async def test_switching_keeps_the_inbox_filters(client: httpx.AsyncClient) -> None:
    await sign_in_secretariat(client)
    page = await client.get("/inbox?status=all&kind=PROPOSAL&overdue=yes")
    assert _switch_link(page.text) == (
        "/lang/en?next=/inbox%3Fstatus%3Dall%26kind%3DPROPOSAL%26overdue%3Dyes"
    )
    switched = await client.get(_switch_link(page.text))
    assert switched.headers["location"] == "/inbox?status=all&kind=PROPOSAL&overdue=yes"


async def test_switching_keeps_escaped_search_text_exactly(client: httpx.AsyncClient) -> None:
    # "đ&x" typed into a search: the & and the Vietnamese letter must come back escaped once.
    page = await client.get("/track?code=%C4%91%26x")
    switched = await client.get(_switch_link(page.text))
    assert switched.headers["location"] == "/track?code=%C4%91%26x"
    again = await client.get(switched.headers["location"])
    assert 'value="đ&amp;x"' in again.text


async def test_switching_after_a_failed_form_at_a_get_page_stays_on_it(
    client: httpx.AsyncClient,
) -> None:
    # /submit's refused form switches by a post instead: tests/web/test_submit_language_switch.py
    wrong = {"email": "nobody@example.com", "password": "not the password"}
    refused = await post_form(client, "/login", wrong, page="/login")
    assert refused.status_code == 401
    switched = await client.get(_switch_link(refused.text))
    assert switched.headers["location"] == "/login"


@pytest.mark.parametrize(
    "post_only",
    [
        "/track/F99E7V76FW/answer",
        "/inbox/11/respond",
        "/secretariat/triage/11/assign",
        "/admin/tokens/3/revoke?x=1",
    ],
)
async def test_switching_from_a_url_that_only_takes_posts_goes_home_not_to_405(
    client: httpx.AsyncClient, post_only: str
) -> None:
    switched = await client.get("/lang/en", params={"next": post_only})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/"
    assert switched.cookies["intake_lang"] == "en"


@pytest.mark.parametrize(
    "offsite",
    [
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\r\nSet-Cookie: x=1",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
async def test_switching_refuses_every_offsite_target(
    client: httpx.AsyncClient, offsite: str
) -> None:
    switched = await client.get("/lang/en", params={"next": offsite})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/"


async def test_an_unknown_page_keeps_its_path_for_the_not_found_page(
    client: httpx.AsyncClient,
) -> None:
    switched = await client.get("/lang/en", params={"next": "/no/such/page?a=1"})
    assert switched.headers["location"] == "/no/such/page?a=1"


async def test_switching_after_a_refused_step_returns_to_the_page_of_its_form(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """The tracking page, the inbox's case page and the triage queue render refused steps at
    addresses that take only POST; their switch leads back to the page itself."""
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    await db.dispose()
    link = private_link(settings, proposal)
    page = await client.get(link)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    key = link.split("key=")[1]
    refused = await client.post(
        f"/track/{proposal.tracking_code}/rate",
        data={"key": key, "score": "", "csrf_token": token[1]},
    )
    assert refused.status_code == 409  # nothing to rate yet
    switched = await client.get(_switch_link(refused.text))
    assert switched.headers["location"] == link

    await sign_in_secretariat(client)
    case = await client.get(f"/inbox/{proposal.id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', case.text)
    assert token is not None
    declined = await client.post(
        f"/inbox/{proposal.id}/transfer",
        data={"agencyCode": "", "reason": "", "csrf_token": token[1]},
    )
    assert declined.status_code == 422
    switched = await client.get(_switch_link(declined.text))
    assert switched.headers["location"] == f"/inbox/{proposal.id}"
