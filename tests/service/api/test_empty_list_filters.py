"""A given empty list in the filter of `proposals` and `search` matches nothing, as in the
subscriptions; null or absent filters nothing. It used to match everything."""

from __future__ import annotations

from typing import Any

import httpx

from service.accounts.models import Role
from service.db import Database
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute, operation

PROPOSAL_LISTS = (
    "statuses",
    "kinds",
    "categoryCodes",
    "provinceCodes",
    "agencyCodes",
    "submitterTypes",
)
SEARCH_LISTS = ("statuses", "kinds", "categories", "agencies", "provinces", "submitterTypes")


async def _one_routed_submission(client: httpx.AsyncClient, settings: Settings) -> dict[str, str]:
    await execute(client, "SubmitProposal", {"input": graphql_input()})
    await run_worker(settings)
    db = Database(settings.resolved_database_url)
    try:
        return await bearer(db, Role.SECRETARIAT, None)
    finally:
        await db.dispose()


async def test_proposals_match_nothing_for_a_given_empty_list(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    secretariat = await _one_routed_submission(client, settings)

    async def inbox(filter: dict[str, Any] | None) -> dict[str, Any]:
        variables = {"filter": filter, "orderBy": "NEWEST", "first": 5}
        page: dict[str, Any] = (await execute(client, "InboxPage", variables, headers=secretariat))[
            "proposals"
        ]
        return page

    assert (await inbox(None))["totalCount"] == 1
    assert (await inbox({}))["totalCount"] == 1
    for name in PROPOSAL_LISTS:
        assert (await inbox({name: None}))["totalCount"] == 1, name
        assert await inbox({name: []}) == {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }, name
    # The other fields are still checked by name.
    refused = await client.post(
        "/graphql",
        json={
            "query": operation("InboxPage"),
            "variables": {
                "filter": {
                    "statuses": [],
                    "createdFrom": "2026-12-03T00:00:00Z",
                    "createdTo": "2026-12-01T00:00:00Z",
                },
                "orderBy": "NEWEST",
                "first": 5,
            },
        },
        headers=secretariat,
    )
    assert refused.json()["errors"][0]["extensions"]["errors"] == [
        {"field": "createdFrom", "code": "after_to"}
    ]


async def test_search_matches_nothing_for_a_given_empty_list(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    secretariat = await _one_routed_submission(client, settings)

    async def search(filter: dict[str, Any] | None) -> dict[str, Any]:
        variables = {"query": "", "filter": filter, "first": 5}
        result: dict[str, Any] = (
            await execute(client, "SearchPage", variables, headers=secretariat)
        )["search"]
        return result

    assert (await search(None))["total"] == 1
    for name in SEARCH_LISTS:
        assert (await search({name: None}))["total"] == 1, name
        assert await search({name: []}) == {
            "total": 0,
            "exact": True,
            "facets": [
                {"field": field, "values": []}
                for field in ("STATUS", "KIND", "CATEGORY", "AGENCY", "PROVINCE")
            ],
            "hits": [],
            "pageInfo": {"hasNextPage": False, "endCursor": None},
        }, name
    # A page size out of limits is refused all the same.
    refused = await client.post(
        "/graphql",
        json={
            "query": operation("SearchPage"),
            "variables": {"query": "", "filter": {"kinds": []}, "first": 1000},
        },
        headers=secretariat,
    )
    assert [e["message"] for e in refused.json()["errors"]] == [
        f"first must be between 0 and {settings.search_max_page_size}, not 1000"
    ]
