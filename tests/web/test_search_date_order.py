"""A search whose "From" comes after its "To" could find nothing: refused by name, as the
statistics page refuses it, on the page, in the exports and through the API."""

from __future__ import annotations

from typing import Any

import httpx

from service.accounts.models import Role
from service.db import Database
from service.demo import SECRETARIAT_EMAIL
from service.i18n import LANGUAGE_COOKIE
from tests.fixtures.api import bearer
from tests.graphql_client import operation
from tests.web.helpers import sign_in

REVERSED = {"q": "", "from": "2026-12-10", "to": "2026-12-01"}
MESSAGE_VI = "Ngày đầu của khoảng thời gian không được sau ngày cuối, 2026-12-01."


async def test_the_page_and_the_exports_refuse_from_after_to(client: httpx.AsyncClient) -> None:
    await sign_in(client, SECRETARIAT_EMAIL)
    page = await client.get("/secretariat/search", params=REVERSED)
    assert page.status_code == 422
    assert f'<p class="field-error" id="from-error">{MESSAGE_VI}</p>' in page.text
    assert (
        '<input id="from" name="from" type="date" value="2026-12-10" aria-invalid="true"'
    ) in page.text
    assert '<input id="to" name="to" type="date" value="2026-12-01">' in page.text
    region = await client.get(
        "/secretariat/search", params=REVERSED, headers={"x-intake-fragment": "results"}
    )
    assert region.status_code == 200
    assert f'<p class="field-error" id="from-error">{MESSAGE_VI}</p>' in region.text
    for kind in ("csv", "json"):
        export = await client.get(f"/secretariat/search.{kind}", params=REVERSED)
        assert export.status_code == 422
        assert export.headers["content-type"] == "text/plain; charset=utf-8"
        assert "content-disposition" not in export.headers
        assert export.text == f"from: {MESSAGE_VI}\n"
    client.cookies.set(LANGUAGE_COOKIE, "en")
    english = await client.get("/secretariat/search", params=REVERSED)
    assert english.status_code == 422
    assert (
        "The first day of the period must not come after its last day, 2026-12-01." in english.text
    )
    # One day, from and to the same: a period like any other.
    same_day = await client.get(
        "/secretariat/search", params={"from": "2026-12-01", "to": "2026-12-01"}
    )
    assert same_day.status_code == 200
    assert 'id="from-error"' not in same_day.text


async def _search(
    client: httpx.AsyncClient, headers: dict[str, str], bounds: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": operation("SearchPage"), "variables": {"query": "", "filter": bounds}},
        headers=headers,
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_the_api_refuses_created_from_after_created_to(
    client: httpx.AsyncClient, db: Database
) -> None:
    secretariat = await bearer(db, Role.SECRETARIAT, None)
    reversed_bounds = {
        "createdFrom": "2026-12-10T00:00:00+07:00",
        "createdTo": "2026-12-01T00:00:00+07:00",
    }
    refused = await _search(client, {**secretariat, "accept-language": "en"}, reversed_bounds)
    assert refused["data"] is None
    [error] = refused["errors"]
    assert (
        error["message"] == "createdFrom: Must not come after createdTo, 2026-12-01T00:00:00+07:00."
    )
    assert error["extensions"]["errors"] == [{"field": "createdFrom", "code": "after_to"}]
    vietnamese = await _search(client, {**secretariat, "accept-language": "vi"}, reversed_bounds)
    assert [e["message"] for e in vietnamese["errors"]] == [
        "createdFrom: Không được sau createdTo, 2026-12-01T00:00:00+07:00."
    ]
    anonymous = await _search(client, {}, reversed_bounds)
    assert anonymous["data"] is None
    ordered = {
        "createdFrom": reversed_bounds["createdTo"],
        "createdTo": reversed_bounds["createdFrom"],
    }
    found = await _search(client, secretariat, ordered)
    assert "errors" not in found, found
    assert found["data"]["search"]["total"] == 0


async def test_the_proposals_list_refuses_created_from_after_created_to(
    client: httpx.AsyncClient, db: Database
) -> None:
    reviewer = await bearer(db, Role.REVIEWER, "BKHCN")
    reversed_bounds = {
        "createdFrom": "2026-12-10T00:00:00+07:00",
        "createdTo": "2026-12-01T00:00:00+07:00",
    }
    response = await client.post(
        "/graphql",
        json={
            "query": operation("InboxPage"),
            "variables": {"filter": reversed_bounds, "orderBy": "OLDEST", "first": 5},
        },
        headers={**reviewer, "accept-language": "vi"},
    )
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "createdFrom: Không được sau createdTo, 2026-12-01T00:00:00+07:00."
    assert error["extensions"]["errors"] == [{"field": "createdFrom", "code": "after_to"}]
