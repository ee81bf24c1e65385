"""The GraphQL API over HTTP against the whole application."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from service.db import Database
from service.proposals.access import access_key
from service.proposals.repository import get_by_tracking_code as get_proposal_by_code
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute


async def test_submit_returns_tracking_code_and_public_view(client: httpx.AsyncClient) -> None:
    data = await execute(client, "SubmitProposal", {"input": graphql_input()})
    result = data["submitProposal"]
    assert result["__typename"] == "SubmitProposalSuccess"
    assert len(result["trackingCode"]) == 10
    assert result["proposal"]["status"] == "SUBMITTED"

    tracked = await execute(client, "TrackProposal", {"trackingCode": result["trackingCode"]})
    proposal = tracked["trackProposal"]
    assert proposal["title"] == "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ"
    assert proposal["kind"] == "PROPOSAL"
    assert proposal["agency"] is None
    assert [e["status"] for e in proposal["events"]] == ["SUBMITTED"]


async def test_a_submitter_by_phone_alone_gets_the_key_that_their_steps_need(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    data = await execute(
        client, "SubmitProposal", {"input": graphql_input(email=None, phone="0912 345 678")}
    )
    result = data["submitProposal"]
    assert result["__typename"] == "SubmitProposalSuccess"
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        stored = await get_proposal_by_code(session, result["trackingCode"])
    await db.dispose()
    assert stored is not None
    assert stored.submitter_email == ""
    assert result["accessKey"] == access_key(settings, stored)
    withdrawn = await execute(
        client,
        "Withdraw",
        {"input": {"trackingCode": result["trackingCode"], "accessKey": result["accessKey"]}},
    )
    assert withdrawn["withdraw"]["proposal"]["status"] == "WITHDRAWN"


async def test_validation_errors_name_fields_in_the_callers_language(
    client: httpx.AsyncClient,
) -> None:
    bad = graphql_input(title="", email="nobody@", categoryCode="SPACE", provinceCode="HUE")
    data = await execute(
        client, "SubmitProposal", {"input": bad}, headers={"accept-language": "en"}
    )
    assert data["submitProposal"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {"field": "title", "code": "required", "message": "This field is required."},
            {
                "field": "email",
                "code": "invalid",
                "message": "Enter a valid email address, like name@example.com.",
            },
            {
                "field": "categoryCode",
                "code": "unknown",
                "message": "Choose a topic from the list.",
            },
        ],
    }
    vietnamese = await execute(client, "SubmitProposal", {"input": graphql_input(name="")})
    assert vietnamese["submitProposal"]["errors"] == [
        {"field": "name", "code": "required", "message": "Trường này là bắt buộc."}
    ]


async def test_an_unknown_enum_value_is_a_graphql_error_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": "mutation($i: SubmitProposalInput!) { submitProposal(input: $i) "
            "{ __typename } }",
            "variables": {"i": graphql_input(kind="IDEA")},
        },
    )
    [error] = response.json()["errors"]
    assert "kind" in error["message"]
    assert "IDEA" in error["message"]


async def test_track_unknown_code_is_null(client: httpx.AsyncClient) -> None:
    data = await execute(client, "TrackProposal", {"trackingCode": "no such code"})
    assert data == {"trackProposal": None}


async def test_routed_submission_shows_agency_deadline_and_timeline(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    submitted = await execute(
        client,
        "SubmitProposal",
        {
            "input": graphql_input(
                kind="OBSTACLE",
                provinceCode="CAN-THO",
                title="Bộ phận một cửa phường không nhận hồ sơ trực tuyến",
                description="Cán bộ phường yêu cầu nộp bản giấy dù hồ sơ đã nộp trực tuyến.",
            )
        },
        headers={"accept-language": "en"},
    )
    code = submitted["submitProposal"]["trackingCode"]
    await run_worker(settings)
    english = {"accept-language": "en"}
    data = await execute(client, "TrackProposal", {"trackingCode": code}, headers=english)
    proposal = data["trackProposal"]
    assert proposal["status"] == "ROUTED"
    assert proposal["agency"] == {"code": "UBND-CAN-THO", "name": "Can Tho City People's Committee"}
    assert proposal["deadline"] is not None
    assert [(e["status"], e["agency"]) for e in proposal["events"]] == [
        ("SUBMITTED", None),
        ("ROUTED", {"code": "UBND-CAN-THO"}),
    ]


async def test_anonymous_search_sees_published_submissions_only(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    public = await execute(client, "SubmitProposal", {"input": graphql_input()})
    await execute(
        client,
        "SubmitProposal",
        {
            "input": graphql_input(
                title="Chuyển đổi số trong bệnh viện", consentToPublish=False, email="x@example.com"
            )
        },
    )
    await run_worker(settings)
    data = await execute(client, "Search", {"query": "chuyen doi so", "first": 10})
    assert data["search"]["total"] == 1
    [hit] = data["search"]["hits"]
    assert hit["trackingCode"] == public["submitProposal"]["trackingCode"]
    assert "<mark>chuyển</mark>" in hit["snippet"]


async def test_directory_lists_categories_and_34_provinces(client: httpx.AsyncClient) -> None:
    data = await execute(client, "Directory", headers={"accept-language": "en"})
    assert data["categories"][0] == {"code": "INSTITUTIONS", "name": "Institutions and policy"}
    assert len(data["provinces"]) == 34
    assert {"code": "HO-CHI-MINH", "name": "Ho Chi Minh City"} in data["provinces"]


async def test_unexpected_errors_are_masked(
    app: Starlette, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await app.state.runtime.search.close()  # the search backend is gone
    response = await client.post("/graphql", json={"query": '{ search(query: "x") { total } }'})
    request_id = response.headers["x-request-id"]
    assert response.json() == {
        "data": None,
        "errors": [
            {"message": "Unexpected error.", "locations": [{"line": 1, "column": 3}],
             "path": ["search"],
             "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}
        ],
    }  # fmt: skip
    [record] = [r for r in caplog.records if r.name == "intake.graphql"]
    assert record.getMessage() == f"Unexpected error at search (request {request_id})"
    assert record.exc_info is not None
    assert str(record.exc_info[1]).endswith("is closed")


async def test_graphiql_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
