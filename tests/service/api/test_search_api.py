"""search: filters, facets, sort, pages and the caller's scope, through the GraphQL API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.accounts.models import Role
from service.db import Database
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute, operation

# (title, category -> routed agency, published)
SUBMISSIONS = [
    ("Chuyển đổi số cho hợp tác xã", "DIGITAL_ECONOMY", True),  # BKHCN
    ("Chuyển đổi số trong an ninh mạng", "CYBERSECURITY", False),  # BCA, hidden
    ("Dữ liệu dân cư và chuyển đổi số", "DATA", True),  # BCA
    ("Quỹ nghiên cứu khoa học cơ bản", "RESEARCH_FUNDING", False),  # BKHCN, hidden
]


# Enough of each topic's language for the routing engine to be confident.
DETAILS = {
    "DIGITAL_ECONOMY": "hỗ trợ doanh nghiệp nhỏ chuyển đổi số, thương mại điện tử.",
    "CYBERSECURITY": "phòng chống tấn công mạng, mã độc, bảo đảm an ninh mạng.",
    "DATA": "cơ sở dữ liệu quốc gia về dân cư, căn cước, định danh điện tử.",
    "RESEARCH_FUNDING": "quỹ phát triển khoa học và công nghệ, đề tài nghiên cứu.",
}


async def _submit_all(client: httpx.AsyncClient, settings: Settings) -> list[str]:
    codes = []
    for number, (title, category, published) in enumerate(SUBMISSIONS):
        data = await execute(
            client,
            "SubmitProposal",
            {
                "input": graphql_input(
                    title=title,
                    description=f"{title}: {DETAILS[category]}",
                    categoryCode=category,
                    consentToPublish=published,
                    email=f"s{number}@example.com",
                )
            },
        )
        codes.append(data["submitProposal"]["trackingCode"])
    await run_worker(settings)
    return codes


async def _headers(settings: Settings, role: Role, agency: str | None) -> dict[str, str]:
    db = Database(settings.resolved_database_url)
    try:
        return await bearer(db, role, agency)
    finally:
        await db.dispose()


def _facets(data: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        facet["field"]: {v["value"]: v["count"] for v in facet["values"]}
        for facet in data["search"]["facets"]
    }


async def test_secretariat_pages_through_filtered_sorted_results_with_facets(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _submit_all(client, settings)
    secretariat = await _headers(settings, Role.SECRETARIAT, None)

    first = await execute(
        client, "SearchPage", {"query": "chuyen doi so", "sort": "NEWEST", "first": 2},
        headers=secretariat,
    )  # fmt: skip
    search = first["search"]
    assert (search["total"], search["exact"]) == (3, True)
    assert [hit["trackingCode"] for hit in search["hits"]] == [codes[2], codes[1]]
    assert _facets(first) == {
        "STATUS": {"ROUTED": 3},
        "KIND": {"PROPOSAL": 3},
        "CATEGORY": {"CYBERSECURITY": 1, "DATA": 1, "DIGITAL_ECONOMY": 1},
        "AGENCY": {"BCA": 2, "BKHCN": 1},
        "PROVINCE": {},
    }
    newest = search["hits"][0]
    assert newest["title"] == "Dữ liệu dân cư và chuyển đổi số"
    assert newest["snippet"] == (
        "Dữ liệu dân cư và <mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>: "
        "cơ <mark>sở</mark> dữ liệu quốc gia về dân cư, căn cước, định danh điện tử."
    )
    assert (newest["categoryCode"], newest["agencyCode"], newest["status"]) == (
        "DATA",
        "BCA",
        "ROUTED",
    )
    assert newest["proposal"]["agency"] == {"code": "BCA", "name": "Bộ Công an"}
    assert search["pageInfo"]["hasNextPage"] is True

    second = await execute(
        client,
        "SearchPage",
        {"query": "chuyen doi so", "sort": "NEWEST", "first": 2,
         "after": search["pageInfo"]["endCursor"]},
        headers=secretariat,
    )  # fmt: skip
    assert [hit["trackingCode"] for hit in second["search"]["hits"]] == [codes[0]]
    assert second["search"]["pageInfo"]["hasNextPage"] is False

    filtered = await execute(
        client,
        "SearchPage",
        {"query": "", "filter": {"agencies": ["BKHCN"], "published": False}},
        headers=secretariat,
    )
    assert [hit["trackingCode"] for hit in filtered["search"]["hits"]] == [codes[3]]
    unknown = await execute(
        client, "SearchPage", {"query": "", "filter": {"categories": ["NO-SUCH-CODE"]}},
        headers=secretariat,
    )  # fmt: skip
    assert (unknown["search"]["total"], unknown["search"]["hits"]) == (0, [])


async def test_an_agency_sees_its_own_and_published_submissions_only_even_in_counts(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _submit_all(client, settings)
    bkhcn = await _headers(settings, Role.REVIEWER, "BKHCN")

    data = await execute(client, "SearchPage", {"query": "", "sort": "NEWEST"}, headers=bkhcn)

    # BCA's unpublished "an ninh mạng" is neither listed nor counted.
    assert [hit["trackingCode"] for hit in data["search"]["hits"]] == [
        codes[3],
        codes[2],
        codes[0],
    ]
    assert _facets(data)["AGENCY"] == {"BCA": 1, "BKHCN": 2}
    assert _facets(data)["CATEGORY"] == {"DATA": 1, "DIGITAL_ECONOMY": 1, "RESEARCH_FUNDING": 1}
    hidden = await execute(client, "SearchPage", {"query": "an ninh mang"}, headers=bkhcn)
    assert (hidden["search"]["total"], hidden["search"]["facets"][0]["values"]) == (0, [])

    anonymous = await execute(client, "SearchPage", {"query": "", "sort": "NEWEST"})
    assert [hit["trackingCode"] for hit in anonymous["search"]["hits"]] == [codes[2], codes[0]]
    # Published hits of other agencies: the proposal loads, its contact details do not.
    assert anonymous["search"]["hits"][0]["proposal"]["agency"]["code"] == "BCA"


async def _raw(client: httpx.AsyncClient, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": operation("SearchPage"), "variables": variables}
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    "query",
    [
        "x" * 100_000,
        '"chuyen doi',
        "chuyen) OR (1=1",
        "NEAR(chuyen doi) title:so *",
        "'; DROP TABLE proposals; --",
        "chuyen:* & !doi | <-> so",
        "\x00",
    ],
)
async def test_bad_queries_are_plain_words_never_errors(
    client: httpx.AsyncClient, settings: Settings, query: str
) -> None:
    body = await _raw(client, {"query": query})
    assert "errors" not in body
    assert body["data"]["search"]["exact"] is True


async def test_first_over_the_limit_and_bad_cursors_are_named(client: httpx.AsyncClient) -> None:
    over = await _raw(client, {"query": "so", "first": 51})
    assert over["data"] is None
    assert [e["message"] for e in over["errors"]] == ["first must be between 0 and 50, not 51"]
    negative = await _raw(client, {"query": "so", "first": -1})
    assert [e["message"] for e in negative["errors"]] == ["first must be between 0 and 50, not -1"]
    cursor = await _raw(client, {"query": "so", "after": "bm90LWEtY3Vyc29y"})
    assert [e["message"] for e in cursor["errors"]] == ["after is not a cursor this API gave out"]
    unknown_status = await _raw(client, {"query": "so", "filter": {"statuses": ["LOST"]}})
    assert [e["message"] for e in unknown_status["errors"]] == [
        "Variable '$filter' has invalid value at .statuses[0]: Value 'LOST' does not exist in"
        " 'ProposalStatus' enum."
    ]
