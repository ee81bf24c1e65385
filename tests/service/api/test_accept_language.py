"""The API's language from Accept-Language: the highest q-value we speak wins, over real
requests, for answers and for the 429 alike."""

from __future__ import annotations

import httpx
import pytest

from service.app import create_app
from service.settings import Settings

ENGLISH = 'agency: Unknown agency code "NOPE".'
VIETNAMESE = 'agency: Không có mã cơ quan "NOPE".'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en;q=0.1, vi;q=0.9", VIETNAMESE),  # it used to answer in English, the first listed
        ("vi;q=0.1, en;q=0.9", ENGLISH),
        ("vi-VN;q=0.5, en-US", ENGLISH),  # no q-value is q=1
        ("fr, en;q=0.8, vi;q=0.8", ENGLISH),  # a tie goes to the one listed first
        ("fr, vi;q=0.8, en;q=0.8", VIETNAMESE),
        ("en;q=0, vi;q=0.1", VIETNAMESE),  # q=0: not acceptable
        ("en;q=0.000", VIETNAMESE),  # nothing of ours acceptable: Vietnamese, the default
        ("en;q=1.0", ENGLISH),
        ("EN;Q=0.5", ENGLISH),
        ("en;q=high, vi;q=0.2", VIETNAMESE),  # a malformed q-value passes the entry over
        ("en;q=2, vi;q=0.2", VIETNAMESE),
        ("*, en;q=0.5", ENGLISH),  # `*` and unknown languages name nothing of ours
        ("*", VIETNAMESE),
        ("fr-CA, de;q=0.9", VIETNAMESE),
        ("", VIETNAMESE),
    ],
)
async def test_the_highest_q_value_we_speak_wins(
    client: httpx.AsyncClient, header: str, expected: str
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": '{ stats(agency: "NOPE") { received } }'},
        headers={"accept-language": header},
    )
    assert [e["message"] for e in response.json()["errors"]] == [expected], header


async def test_the_language_cookie_still_wins_over_the_header(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": '{ stats(agency: "NOPE") { received } }'},
        headers={"accept-language": "vi;q=0.1, en;q=0.9", "cookie": "intake_lang=vi"},
    )
    assert [e["message"] for e in response.json()["errors"]] == [VIETNAMESE]


async def test_the_apis_429_reads_the_q_values_too(settings: Settings) -> None:
    """It used to look at the header's first two letters only."""
    app = create_app(settings.model_copy(update={"rate_api_per_minute": 1}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.23", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            query = {"query": "{ me { kind } }"}
            assert (await http.post("/graphql", json=query)).status_code == 200
            replies = {}
            for header in ("en;q=0.1, vi;q=0.9", "vi;q=0.1, en;q=0.9"):
                refused = await http.post(
                    "/graphql", json=query, headers={"accept-language": header}
                )
                assert refused.status_code == 429
                wait = refused.headers["retry-after"]
                replies[header] = (refused.json(), wait)
    assert [body["errors"][0]["message"].replace(wait, "N") for body, wait in replies.values()] == [
        "Quá nhiều yêu cầu. Hãy thử lại sau N giây.",
        "Too many requests. Try again in N seconds.",
    ]
