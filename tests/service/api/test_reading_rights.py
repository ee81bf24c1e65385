"""What the API hands out beyond a submission's status: its text, its steps' notes, its
duplicate, whose read the audit records, and whose budget a request spends.

Each rule here is the one the tracking page keeps: a tracking code alone is not a right to read
an unpublished text, nor what officials and the submitter told each other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import select

from service.accounts.models import Role
from service.api.relay import to_global_id
from service.app import create_app
from service.audit.models import AuditAction, AuditEntry
from service.db import Database
from service.proposals.access import access_key
from service.proposals.models import Proposal
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.fixtures.api import bearer
from tests.graphql_client import execute

TRACK = """query($code: String!, $key: String) {
  trackProposal(trackingCode: $code, accessKey: $key) {
    title description legalReferences duplicateOfId
    events { action note actor }
  }
}"""


async def _post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], **headers: str
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


async def _track(
    client: httpx.AsyncClient, proposal: Proposal, key: str | None = None, **headers: str
) -> dict[str, Any]:
    variables = {"code": proposal.tracking_code, "key": key}
    tracked: dict[str, Any] = (await _post(client, TRACK, variables, **headers))["data"][
        "trackProposal"
    ]
    return tracked


def _gid(proposal: Proposal) -> str:
    assert proposal.id is not None
    return to_global_id("Proposal", proposal.id)


async def test_a_tracking_code_alone_reads_neither_an_unpublished_text_nor_the_notes(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(db, settings, legal_references="Nghị định 13/2023")
    owner = await bearer(db, Role.REVIEWER, "BKHCN", "owner")
    asked = await execute(
        client,
        "RequestInformation",
        {"input": {"id": _gid(proposal), "question": "Số giấy phép của doanh nghiệp là gì?"}},
        headers=owner,
    )
    assert asked["requestInformation"]["__typename"] == "WorkflowSuccess"
    key = access_key(settings, proposal)

    public = await _track(client, proposal)
    assert public["title"] == proposal.title  # as the tracking page shows it
    assert (public["description"], public["legalReferences"]) == ("", "")
    assert [e["action"] for e in public["events"]] == ["", "", "REQUEST_INFO"]
    assert {(e["note"], e["actor"]) for e in public["events"]} == {("", None)}

    own = await _track(client, proposal, key)
    assert own["description"] == proposal.description
    assert own["legalReferences"] == "Nghị định 13/2023"
    routed, question = own["events"][1], own["events"][2]
    assert routed["note"] == ""  # the routing engine's reasons name other submissions
    assert question["note"] == "Số giấy phép của doanh nghiệp là gì?"
    assert {e["actor"] for e in own["events"]} == {None}

    handling = await _track(client, proposal, **owner)
    assert handling["description"] == proposal.description
    assert handling["events"][1]["note"].startswith("BKHCN")  # the engine's reasons
    assert handling["events"][2]["actor"].startswith("token:")

    # Another agency's official reads a published submission's steps, not their notes.
    published = await submitted_and_routed(
        db, settings, consent_to_publish=True, title="Quỹ đổi mới sáng tạo", email="b@example.com"
    )
    await execute(
        client,
        "RequestInformation",
        {"input": {"id": _gid(published), "question": "Địa chỉ cơ sở?"}},
        headers=owner,
    )
    outsider = await bearer(db, Role.REVIEWER, "BCA", "outsider")
    theirs = await _track(client, published, **outsider)
    assert theirs["description"] == published.description  # published: anyone reads it
    assert {(e["note"], e["actor"]) for e in theirs["events"]} == {("", None)}


async def test_a_duplicate_is_named_only_to_those_handling_it(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    text = {"title": "Cấp phép thử nghiệm sandbox", "consent_to_publish": True}
    first = await submitted_and_routed(db, settings, **text, email="one@example.com")
    second = await submitted_and_routed(db, settings, **text, email="two@example.com")
    assert second.duplicate_of_id == first.id
    owner = await bearer(db, Role.REVIEWER, "BKHCN", "owner")
    outsider = await bearer(db, Role.REVIEWER, "BCA", "outsider")
    assert (await _track(client, second, **owner))["duplicateOfId"] == _gid(first)
    assert (await _track(client, second, **outsider))["duplicateOfId"] is None
    assert (await _track(client, second))["duplicateOfId"] is None


async def test_a_submitters_step_in_the_same_request_does_not_take_the_officials_name(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    """The step runs as the submitter; the request's caller, who read the contact, stays the
    official in the audit log."""
    proposal = await submitted_and_routed(db, settings)
    owner = await bearer(db, Role.REVIEWER, "BKHCN", "owner")
    both = """mutation($id: ID!, $code: String!, $key: String!) {
      a: addNote(input: {id: $id, text: "Đã liên hệ."}) {
        ... on NoteAdded { proposal { submitter { email } } }
      }
      b: rateResponse(input: {trackingCode: $code, accessKey: $key, score: 5}) { __typename }
    }"""
    variables = {
        "id": _gid(proposal),
        "code": proposal.tracking_code,
        "key": access_key(settings, proposal),
    }
    data = (await _post(client, both, variables, **owner))["data"]
    assert data["a"]["proposal"]["submitter"]["email"] == proposal.submitter_email
    assert data["b"]["__typename"] == "InvalidTransitionError"  # nothing answered yet
    async with db.session() as session:
        entries = (await session.exec(select(AuditEntry))).all()
    [viewed] = [e for e in entries if e.action == AuditAction.API_VIEW_CONTACT]
    assert viewed.actor.startswith("token:")
    assert viewed.proposal_ids == [proposal.id]


async def test_a_mutations_result_shows_the_state_it_left(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    """The caller's token is read before the mutation runs; its result is read after."""
    proposal = await submitted_and_routed(db, settings)
    owner = await bearer(db, Role.REVIEWER, "BKHCN", "owner")
    acknowledged = """mutation($id: ID!) {
      acknowledge(input: {id: $id}) {
        ... on WorkflowSuccess { proposal { status events { action } } }
      }
      addNote(input: {id: $id, text: "Chuyển phòng pháp chế."}) {
        ... on NoteAdded { proposal { status events { action } notes { text } } }
      }
    }"""
    data = (await _post(client, acknowledged, {"id": _gid(proposal)}, **owner))["data"]
    after_acknowledging = data["acknowledge"]["proposal"]
    assert after_acknowledging["status"] == "ACKNOWLEDGED"
    assert [e["action"] for e in after_acknowledging["events"]] == ["", "", "ACKNOWLEDGE"]
    after_noting = data["addNote"]["proposal"]
    assert [n["text"] for n in after_noting["notes"]] == ["Chuyển phòng pháp chế."]
    assert [e["action"] for e in after_noting["events"]] == ["", "", "ACKNOWLEDGE"]


@pytest.fixture
async def strict(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    limited = settings.model_copy(update={"rate_api_per_minute": 2})
    app = create_app(limited)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


async def test_a_made_up_bearer_value_spends_the_ip_addresss_budget(
    strict: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    query = {"query": "{ me { kind } }"}
    anonymous = [(await strict.post("/graphql", json=query)).status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]
    for attempt in range(3):
        made_up = {"authorization": f"Bearer made-up-{attempt}", "accept-language": "en"}
        refused = await strict.post("/graphql", json=query, headers=made_up)
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert refused.json()["errors"][0]["message"].startswith("Too many requests.")
    # A token the API accepts has a budget of its own.
    issued = await bearer(db, Role.REVIEWER, "BKHCN", "portal")
    assert (await strict.post("/graphql", json=query, headers=issued)).status_code == 200
