"""The API's `stats`: whose answers and ratings count where, and periods read as the dashboard
reads them (whole days in Vietnam, the last one included), refused by name when they make no
sense."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from service.accounts.actor import Actor
from service.db import Database
from service.directory.repository import get_agency_by_code
from service.proposals import repository as proposals_repository
from service.settings import Settings
from service.statistics import service as statistics
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, official, submitted_and_routed

FIGURES = "received resolved respondedOnTime medianDaysToRespond satisfaction ratings passedOn"


async def _stats(
    client: httpx.AsyncClient, arguments: str, fields: str = FIGURES, language: str = "en"
) -> dict[str, Any]:
    call = f"stats({arguments})" if arguments else "stats"
    response = await client.post(
        "/graphql",
        json={"query": f"{{ {call} {{ {fields} }} }}"},
        headers={"accept-language": language},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _received_on_page(page: str) -> str:
    found = re.search(r"<dt>Submissions received</dt><dd>([^<]+)</dd>", page)
    assert found is not None
    return found[1]


async def test_an_answer_and_its_rating_stay_with_the_agency_that_gave_them(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Answered by BKHCN and rated 4 (closed); the secretariat reopens it and transfers it to
    BYT, which has answered nothing."""
    db = Database(settings.resolved_database_url)
    try:
        routed = await submitted_and_routed(db, settings)
        pid = routed.id
        assert pid is not None
        async with db.transaction() as session:
            await workflow.respond(
                session, official(routed.agency_id), pid, "Trả lời.", publish=False, language="vi"
            )
        async with db.transaction() as session:
            await workflow.rate(session, Actor.submitter(pid), pid, 4, "", "vi")
        async with db.transaction() as session:
            await workflow.reopen(session, SECRETARIAT, pid, "Cần Bộ Y tế trả lời.", "vi")
        async with db.transaction() as session:
            await workflow.transfer(
                session, SECRETARIAT, pid, "BYT", settings, "vi", reason="Thuộc ngành y tế."
            )
    finally:
        await db.dispose()
    byt = await _stats(client, 'agency: "BYT"')
    assert byt == {
        "data": {
            "stats": {
                "received": 1,
                "resolved": 0,
                "respondedOnTime": 0,
                "medianDaysToRespond": None,
                "satisfaction": None,
                "ratings": 0,
                "passedOn": 0,
            }
        }
    }
    bkhcn = await _stats(client, 'agency: "BKHCN"')
    assert bkhcn == {
        "data": {
            "stats": {
                "received": 0,
                "resolved": 0,
                "respondedOnTime": 0,
                "medianDaysToRespond": 0.0,
                "satisfaction": 4.0,
                "ratings": 1,
                "passedOn": 1,
            }
        }
    }
    await client.get("/lang/en")
    page = await client.get("/statistics")
    rows = re.findall(r"\?agency=([A-Z0-9-]+)&.*?</th>(.*?)</tr>", page.text, re.S)
    cells = {code: re.findall(r"<td[^>]*>([^<]*)</td>", row) for code, row in rows}
    assert cells == {
        "BKHCN": ["0", "0", "—", "—", "0", "4 / 5", "1"],
        "BYT": ["1", "0", "0.0%", "—", "—", "—", "0"],
    }


async def test_stats_reads_its_period_as_the_dashboard_does(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Received at 23:30 in Hanoi on 3 December 2026 (16:30 UTC): `from` and `to` both 3
    December take it in, on the page and in the API alike; the 4th does not."""
    db = Database(settings.resolved_database_url)
    try:
        routed = await submitted_and_routed(db, settings)
        async with db.transaction() as session:
            row = await proposals_repository.get(session, routed.id or 0)
            assert row is not None
            row.created_at = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)
    finally:
        await db.dispose()
    period = "firstDay lastDay periodFrom periodTo received"
    third = await _stats(client, 'from: "2026-12-03", to: "2026-12-03"', period)
    assert third == {
        "data": {
            "stats": {
                "firstDay": "2026-12-03",
                "lastDay": "2026-12-03",
                "periodFrom": "2026-12-03T00:00:00+07:00",
                "periodTo": "2026-12-04T00:00:00+07:00",
                "received": 1,
            }
        }
    }
    fourth = await _stats(client, 'from: "2026-12-04", to: "2026-12-04"', "received")
    assert fourth == {"data": {"stats": {"received": 0}}}
    await client.get("/lang/en")
    page = await client.get("/statistics", params={"from": "2026-12-03", "to": "2026-12-03"})
    assert _received_on_page(page.text) == "1"
    page = await client.get("/statistics", params={"from": "2026-12-04", "to": "2026-12-04"})
    assert _received_on_page(page.text) == "0"

    # By default the last 365 days up to today, today included: the page's default too.
    today = statistics.today()
    default = await _stats(client, "", "firstDay lastDay periodFrom received")
    assert default == {
        "data": {
            "stats": {
                "firstDay": (today - timedelta(days=364)).isoformat(),
                "lastDay": today.isoformat(),
                "periodFrom": f"{today - timedelta(days=364)}T00:00:00+07:00",
                "received": 1,
            }
        }
    }
    page = await client.get("/statistics")
    assert f'id="from" name="from" type="date" value="{today - timedelta(days=364)}"' in page.text
    assert f'id="to" name="to" type="date" value="{today}"' in page.text
    assert _received_on_page(page.text) == "1"
    # Up to a day alone: the 365 days ending on it.
    up_to = await _stats(client, 'to: "2026-03-31"', "firstDay lastDay")
    assert up_to == {"data": {"stats": {"firstDay": "2025-04-01", "lastDay": "2026-03-31"}}}


async def test_stats_refuses_a_period_out_of_the_calendar_or_backwards_by_name(
    client: httpx.AsyncClient,
) -> None:
    cases = {
        'to: "0001-01-02"': ("to", "out_of_range", "to: Choose a date from 2000 to 2100."),
        'from: "2000-01-01", to: "2101-01-01"': (
            "to",
            "out_of_range",
            "to: Choose a date from 2000 to 2100.",
        ),
        'to: "9999-12-31"': ("to", "out_of_range", "to: Choose a date from 2000 to 2100."),
        'from: "2026-12-05", to: "2026-12-01"': (
            "from",
            "after_to",
            "from: The first day of the period must not come after its last day, 2026-12-01.",
        ),
    }
    for arguments, (field, code, message) in cases.items():
        refused = await _stats(client, arguments, "received")
        assert refused == {
            "data": {"stats": None},
            "errors": [
                {
                    "message": message,
                    "locations": [{"line": 1, "column": 3}],
                    "path": ["stats"],
                    "extensions": {"errors": [{"field": field, "code": code}]},
                }
            ],
        }, arguments
    # A day whose midnight in Vietnam is before year 1 in UTC: the DateTime scalar's refusal.
    assert await _stats(client, 'from: "0001-01-01"', "received") == {
        "errors": [
            {
                "message": 'Value cannot represent a DateTime: "0001-01-01". It is out of range.',
                "locations": [{"line": 1, "column": 15}],
            }
        ]
    }
    vietnamese = await _stats(client, 'from: "2026-12-05", to: "2026-12-01"', "received", "vi")
    assert [e["message"] for e in vietnamese["errors"]] == [
        "from: Ngày đầu của khoảng thời gian không được sau ngày cuối, 2026-12-01."
    ]
    both = await _stats(client, 'from: "1999-12-31", to: "2101-01-01"', "received")
    assert [e["message"] for e in both["errors"]] == [
        "from: Choose a date from 2000 to 2100. to: Choose a date from 2000 to 2100."
    ]


async def test_stats_takes_days_or_their_midnights_in_vietnam_not_instants(
    client: httpx.AsyncClient,
) -> None:
    """`from` and `to` stay DateTime arguments (no breaking change to the contract) but name
    days: a time within a day in Vietnam is refused by name rather than rounded silently."""
    for value in ("2026-12-03T00:00:00+07:00", "2026-12-02T17:00:00Z", "2026-12-03T00:00:00"):
        same = await _stats(client, f'from: "{value}", to: "{value}"', "firstDay lastDay")
        assert same == {"data": {"stats": {"firstDay": "2026-12-03", "lastDay": "2026-12-03"}}}
    message = (
        "Give a day, such as 2026-12-03, or its midnight in Vietnam: the period counts whole days."
    )
    for arguments, fields in (
        ('to: "2026-12-03T15:00:00"', ["to"]),
        ('from: "2026-01-01T00:00:00Z"', ["from"]),  # 07:00 in Vietnam
        ('from: "2026-12-01T08:00:00", to: "2026-12-03T23:59:59"', ["from", "to"]),
    ):
        refused = await _stats(client, arguments, "received")
        assert refused == {
            "data": {"stats": None},
            "errors": [
                {
                    "message": " ".join(f"{field}: {message}" for field in fields),
                    "locations": [{"line": 1, "column": 3}],
                    "path": ["stats"],
                    "extensions": {
                        "errors": [{"field": field, "code": "not_a_day"} for field in fields]
                    },
                }
            ],
        }, arguments


async def test_stats_refuses_an_unknown_agency_by_name(client: httpx.AsyncClient) -> None:
    """It used to answer `stats: null` with no error at all."""
    expected = {
        "en": 'agency: Unknown agency code "NOPE".',
        "vi": 'agency: Không có mã cơ quan "NOPE".',
    }
    for language, message in expected.items():
        refused = await _stats(client, 'agency: "NOPE"', "received", language)
        assert refused == {
            "data": {"stats": None},
            "errors": [
                {
                    "message": message,
                    "locations": [{"line": 1, "column": 3}],
                    "path": ["stats"],
                    "extensions": {"errors": [{"field": "agency", "code": "unknown"}]},
                }
            ],
        }, language
    # Every problem at once, in the arguments' order.
    both = await _stats(client, 'agency: "NOPE", from: "2026-12-05", to: "2026-12-01"', "received")
    assert both["errors"][0]["message"] == (
        'agency: Unknown agency code "NOPE". '
        "from: The first day of the period must not come after its last day, 2026-12-01."
    )
    assert both["errors"][0]["extensions"] == {
        "errors": [{"field": "agency", "code": "unknown"}, {"field": "from", "code": "after_to"}]
    }


async def test_stats_answers_for_a_deactivated_agency(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Its figures are public history: deactivating it takes it out of routing, not of them."""
    db = Database(settings.resolved_database_url)
    try:
        await submitted_and_routed(
            db,
            settings,
            title="Căn cước điện tử cho người nước ngoài",
            description="Đề nghị cấp căn cước điện tử cho chuyên gia nước ngoài.",
            category="DATA",
        )
        async with db.transaction() as session:
            bca = await get_agency_by_code(session, "BCA")
            assert bca is not None
            bca.is_active = False
    finally:
        await db.dispose()
    answered = await _stats(client, 'agency: "BCA"', "agency { code } received resolved")
    assert answered == {
        "data": {"stats": {"agency": {"code": "BCA"}, "received": 1, "resolved": 0}}
    }


async def test_stats_gives_a_day_out_of_range_beside_a_time_within_a_day(
    client: httpx.AsyncClient,
) -> None:
    """A time within a day on one argument used to hide the other's range: only `to not_a_day`
    came back. Every problem now comes at once, in the arguments' order."""
    day = (
        "Give a day, such as 2026-12-03, or its midnight in Vietnam: the period counts whole days."
    )
    out = "Choose a date from 2000 to 2100."
    for arguments, expected in (
        (
            'from: "1999-01-01", to: "2026-12-03T10:00:00"',
            [("from", "out_of_range", out), ("to", "not_a_day", day)],
        ),
        (
            'from: "2026-12-03T10:00:00", to: "2101-01-01"',
            [("from", "not_a_day", day), ("to", "out_of_range", out)],
        ),
        # A `from` after the default `to` (today), which stands in for a `to` that is no day,
        # is not compared: only the time within a day is refused.
        ('from: "2100-12-31", to: "2026-12-03T10:00:00"', [("to", "not_a_day", day)]),
    ):
        refused = await _stats(client, arguments, "received")
        assert refused == {
            "data": {"stats": None},
            "errors": [
                {
                    "message": " ".join(f"{field}: {message}" for field, _, message in expected),
                    "locations": [{"line": 1, "column": 3}],
                    "path": ["stats"],
                    "extensions": {
                        "errors": [{"field": field, "code": code} for field, code, _ in expected]
                    },
                }
            ],
        }, arguments
