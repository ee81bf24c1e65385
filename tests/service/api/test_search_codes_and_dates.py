"""search: a query that is a tracking code, and date filters at the ends of the calendar."""

from __future__ import annotations

from typing import Any

import httpx

from service.accounts.models import Role
from service.settings import Settings
from tests.graphql_client import execute, operation
from tests.service.api.test_search_api import _headers, _submit_all


async def _search(
    client: httpx.AsyncClient, variables: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": operation("SearchPage"), "variables": variables},
        headers=headers,
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _codes(data: dict[str, Any]) -> list[str]:
    return [hit["trackingCode"] for hit in data["search"]["hits"]]


async def test_a_query_that_is_a_tracking_code_finds_that_submission(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _submit_all(client, settings)
    secretariat = await _headers(settings, Role.SECRETARIAT, None)

    for query in (codes[1], codes[1].lower(), f"  {codes[1].lower()}\t"):
        data = await execute(client, "SearchPage", {"query": query}, headers=secretariat)
        assert _codes(data) == [codes[1]]
        assert data["search"]["total"] == 1
        assert data["search"]["exact"] is True
        assert data["search"]["hits"][0]["title"] == "Chuyển đổi số trong an ninh mạng"
        assert data["search"]["facets"][0] == {
            "field": "STATUS",
            "values": [{"value": "ROUTED", "count": 1}],
        }

    # Codes 1 and 3 are unpublished: BCA's (1) stays hidden from BKHCN and from the public.
    bkhcn = await _headers(settings, Role.REVIEWER, "BKHCN")
    assert _codes(await execute(client, "SearchPage", {"query": codes[1]}, headers=bkhcn)) == []
    assert _codes(await execute(client, "SearchPage", {"query": codes[3]}, headers=bkhcn)) == [
        codes[3]
    ]
    assert _codes(await execute(client, "SearchPage", {"query": codes[1]})) == []
    assert _codes(await execute(client, "SearchPage", {"query": codes[0]})) == [codes[0]]
    # Filters still apply to the code's submission.
    unpublished = {"query": codes[0], "filter": {"published": False}}
    assert _codes(await execute(client, "SearchPage", unpublished, headers=secretariat)) == []


async def test_date_filters_at_the_ends_of_the_calendar(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _submit_all(client, settings)
    secretariat = await _headers(settings, Role.SECRETARIAT, None)
    newest_first = codes[::-1]

    for bounds in (
        {"createdTo": "9999-12-31T23:59:59.999999Z"},
        {"createdFrom": "0001-01-01T00:00:00Z"},
        {"createdFrom": "0001-01-01T07:00:00+07:00", "createdTo": "9999-12-31T16:59:59+07:00"},
    ):
        body = await _search(
            client, {"query": "", "sort": "NEWEST", "filter": bounds}, headers=secretariat
        )
        assert "errors" not in body, body
        assert _codes(body["data"]) == newest_first
    nothing = await _search(
        client,
        {"query": "", "filter": {"createdTo": "0001-01-01T00:00:00Z"}},
        headers=secretariat,
    )
    assert nothing["data"]["search"]["total"] == 0
    # Outside years 1 to 9999 once in UTC: refused, naming the argument and the field.
    for name, value in (("createdFrom", "0001-01-01"), ("createdTo", "9999-12-31T23:59:59-07:00")):
        refused = await _search(client, {"query": "", "filter": {name: value}})
        assert [e["message"] for e in refused["errors"]] == [
            f"Variable '$filter' has invalid value at .{name}: Value cannot represent a"
            f' DateTime: "{value}". It is out of range.'
        ]
