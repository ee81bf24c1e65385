"""DateTime inputs without a zone, and ids and cursors that are not ours, through the API."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.accounts.models import Role
from service.db import Database
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
NOT_OUR_CURSOR = "after is not a cursor this API gave out"


async def _post(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _vietnam_wall_clock(delta: timedelta) -> str:
    """Now plus `delta` as a Vietnamese clock reads it, without a zone."""
    return (datetime.now(VIETNAM) + delta).replace(tzinfo=None).isoformat(timespec="seconds")


async def _submit_and_route(client: httpx.AsyncClient, settings: Settings) -> None:
    await execute(client, "SubmitProposal", {"input": graphql_input()})
    await run_worker(settings)


async def test_datetime_inputs_without_a_zone_are_read_in_vietnams_time(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    secretariat = await bearer(db, Role.SECRETARIAT, None)
    await db.dispose()
    await _submit_and_route(client, settings)
    # Reading the secretariat the contact details writes one audit entry, now.
    seen = await _post(client, "{ proposals(first: 1) { edges { node { submitter { name } } } } }",
                       secretariat)  # fmt: skip
    assert seen["data"]["proposals"]["edges"][0]["node"]["submitter"] == {"name": "Nguyễn Thị Minh"}

    # A minute ago on a Vietnamese clock; read as UTC it would be seven hours ahead, after now.
    before, after = (
        _vietnam_wall_clock(timedelta(minutes=-1)),
        _vietnam_wall_clock(timedelta(minutes=1)),
    )
    for since, expected in ((before, 1), (after, 0)):
        proposals = await _post(
            client, f'{{ proposals(filter: {{createdFrom: "{since}"}}) {{ totalCount }} }}'
        )
        assert proposals == {"data": {"proposals": {"totalCount": expected}}}
        log = await _post(
            client, f'{{ auditLog(filter: {{since: "{since}"}}) {{ totalCount }} }}', secretariat
        )
        assert log == {"data": {"auditLog": {"totalCount": expected}}}
        found = await _post(
            client, f'{{ search(query: "", filter: {{createdFrom: "{since}"}}) {{ total }} }}'
        )
        assert found == {"data": {"search": {"total": expected}}}

    # The figures count whole days of Vietnam's calendar: today there holds the submission.
    today = datetime.now(VIETNAM).date()
    for day, expected in ((today, 1), (today - timedelta(days=1), 0)):
        stats = await _post(client, f'{{ stats(from: "{day}", to: "{day}") {{ received }} }}')
        assert stats == {"data": {"stats": {"received": expected}}}
    stats = await _post(
        client,
        '{ stats(from: "2026-01-01", to: "2026-02-01T00:00:00") '
        "{ firstDay lastDay periodFrom periodTo } }",
    )
    assert stats == {
        "data": {
            "stats": {
                "firstDay": "2026-01-01",
                "lastDay": "2026-02-01",
                "periodFrom": "2026-01-01T00:00:00+07:00",
                "periodTo": "2026-02-02T00:00:00+07:00",
            }
        }
    }
    # Midnight in Vietnam written in UTC is the same day; midnight in UTC is a time within one.
    zoned = await _post(client, '{ stats(from: "2025-12-31T17:00:00Z") { firstDay periodFrom } }')
    assert zoned == {
        "data": {"stats": {"firstDay": "2026-01-01", "periodFrom": "2026-01-01T00:00:00+07:00"}}
    }
    within = await _post(client, '{ stats(from: "2026-01-01T00:00:00Z") { firstDay } }')
    assert within["errors"][0]["extensions"] == {"errors": [{"field": "from", "code": "not_a_day"}]}
    anonymous_log = await _post(
        client, '{ auditLog(filter: {since: "2026-01-01T00:00:00"}) { totalCount } }'
    )
    assert anonymous_log == {"data": {"auditLog": {"totalCount": 0}}}


async def test_datetime_inputs_that_are_no_dates_or_out_of_range_are_refused_by_name(
    client: httpx.AsyncClient,
) -> None:
    refused = await _post(client, '{ stats(from: "0001-01-01T00:00:00") { received } }')
    assert "data" not in refused
    assert refused["errors"] == [
        {
            "message": 'Value cannot represent a DateTime: "0001-01-01T00:00:00". '
            "It is out of range.",
            "locations": [{"line": 1, "column": 15}],
        }
    ]
    response = await client.post(
        "/graphql",
        json={
            "query": "query($from: DateTime) { stats(from: $from) { received } }",
            "variables": {"from": "tomorrow"},
        },
    )
    assert [e["message"] for e in response.json()["errors"]] == [
        "Variable '$from' has invalid value: Value cannot represent a DateTime: \"tomorrow\". "
        "Invalid isoformat string: 'tomorrow'"
    ]
    literal = await _post(client, "{ proposals(filter: {createdFrom: 5}) { totalCount } }")
    assert literal == {
        "errors": [
            {
                "message": "Value cannot represent a DateTime: 5. Expected a string.",
                "locations": [{"line": 1, "column": 35}],
            }
        ]
    }


async def test_ids_beyond_the_databases_integers_or_in_other_digits_name_nothing(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    await _submit_and_route(client, settings)  # submission 1, published
    own = await _post(client, f'{{ proposal(id: "{_b64("Proposal:1")}") {{ trackingCode }} }}')
    assert own["data"]["proposal"] is not None
    for pk in ("99999999999999999999999", "2147483648", "²", "١", "-1", "1 "):
        global_id = _b64(f"Proposal:{pk}")
        found = await _post(
            client,
            f'{{ proposal(id: "{global_id}") {{ id }} node(id: "{global_id}") {{ id }} }}',
        )
        assert found == {"data": {"proposal": None, "node": None}}, pk
        acknowledged = await _post(
            client,
            f'mutation {{ acknowledge(input: {{id: "{global_id}"}}) '
            "{ __typename ... on NotFoundError { code } } }",
            portal,
        )
        assert acknowledged == {
            "data": {"acknowledge": {"__typename": "NotFoundError", "code": "not_found"}}
        }, pk
    largest = _b64("Proposal:2147483647")
    assert await _post(client, f'{{ proposal(id: "{largest}") {{ id }} }}') == {
        "data": {"proposal": None}
    }


async def test_cursors_beyond_any_page_walk_or_in_other_digits_are_not_ours(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    secretariat = await bearer(db, Role.SECRETARIAT, None)
    await db.dispose()
    for offset in ("99999999999999999999999", "10000001", "²", "١"):
        after = _b64(f"offset:{offset}")
        for query in (
            f'{{ proposals(after: "{after}") {{ totalCount }} }}',
            f'{{ auditLog(after: "{after}") {{ totalCount }} }}',
            f'{{ search(query: "", after: "{after}") {{ total }} }}',
        ):
            refused = await _post(client, query, secretariat)
            assert refused["data"] is None, query
            assert [e["message"] for e in refused["errors"]] == [NOT_OUR_CURSOR], query
            assert "extensions" not in refused["errors"][0], query
    far = _b64("offset:9999999")  # the largest offset a cursor may carry: an empty page
    page = await _post(
        client, f'{{ proposals(after: "{far}") {{ totalCount edges {{ cursor }} }} }}', secretariat
    )
    assert page == {"data": {"proposals": {"totalCount": 0, "edges": []}}}
