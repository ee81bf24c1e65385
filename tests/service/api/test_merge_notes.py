"""A merge's note names the lead by tracking code, and so does the reopening of its followers
when the lead is withdrawn: an agency that may not read the lead is told of it, not given its
code; `duplicateOfId` likewise names only a submission the caller may read (API)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import event
from starlette.applications import Starlette
from starlette.testclient import TestClient

from service.accounts.models import Role
from service.api.relay import to_global_id
from service.app import create_app
from service.proposals import service as proposals
from service.proposals.access import access_key
from service.proposals.models import Proposal, ProposalStatus
from service.proposals.repository import get as get_proposal
from service.routing.service import route_proposal
from service.runtime import Runtime, open_runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, submission, submitter_of
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import operation
from tests.service.api.test_subscriptions import _event, _wait_for_subscribers

# One letter of a campaign, which no rule routes: each copy waits for the secretariat.
LETTER: dict[str, Any] = {
    "category": "OTHER",
    "title": "Mở lại tuyến xe buýt điện số 12 qua khu dân cư Hòa Khánh",
    "description": "Cư dân khu Hòa Khánh đề nghị mở lại tuyến xe buýt điện số 12 đã dừng "
    "chạy từ tháng trước, vì hàng nghìn công nhân không còn phương tiện đi làm.",
    "consent_to_publish": False,
}
TITLE = str(LETTER["title"])
MERGED_NOTE = "merged into a submission you may not see"
REOPENED_NOTE = "the submission it was merged into, one you may not see, was withdrawn"

# A timeline with its notes and the duplicate found at routing, as an agency portal asks.
TIMELINE = """
query Timeline($id: ID!) {
  proposal(id: $id) { duplicateOfId events { action status note } }
}
"""
PAGE = """
query Page($first: Int!) {
  proposals(first: $first) { edges { node { trackingCode duplicateOfId events { note } } } }
}
"""
OWN_TIMELINE = """
query Own($code: String!, $key: String!) {
  trackProposal(trackingCode: $code, accessKey: $key) { events { action note } }
}
"""


@dataclass(frozen=True, slots=True)
class Merged:
    lead: Proposal  # unpublished, Đà Nẵng's
    duplicate: Proposal  # an exact copy, Hà Nội's, merged into the lead


async def assigned(
    runtime: Runtime, settings: Settings, agency: str, email: str, title: str
) -> Proposal:
    """A copy of the letter, routed (a later copy: duplicateOfId set) and assigned."""
    letter = submission(**{**LETTER, "title": title}, email=email)
    async with runtime.db.transaction() as session:
        sent = await proposals.submit_proposal(session, letter, settings, "vi")
    assert sent.id is not None
    async with runtime.db.transaction() as session:
        routed = await route_proposal(session, sent.id, settings)
    assert routed is not None
    assert routed.status is ProposalStatus.TRIAGE
    async with runtime.db.transaction() as session:
        await workflow.assign(session, SECRETARIAT, sent.id, agency, settings, "vi")
    async with runtime.db.session() as session:
        stored = await get_proposal(session, sent.id)
    assert stored is not None
    return stored


async def merged_scene(
    runtime: Runtime, settings: Settings, *, copies: int = 1, title: str = TITLE
) -> Merged:
    """The lead with Đà Nẵng; `copies` of it with Hà Nội, merged into it (the first returned)."""
    lead = await assigned(runtime, settings, "UBND-DA-NANG", "dau@example.com", title)
    duplicates = [
        await assigned(runtime, settings, "UBND-HA-NOI", f"sau{n}@example.com", title)
        for n in range(copies)
    ]
    for duplicate in duplicates:
        assert duplicate.duplicate_of_id == lead.id
        assert duplicate.id is not None
        assert lead.id is not None
        async with runtime.db.transaction() as session:
            await workflow.merge(session, SECRETARIAT, duplicate.id, lead.id, "vi")
    return Merged(lead, duplicates[0])


async def timeline(client: httpx.AsyncClient, proposal_id: int, headers: dict[str, str]) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": TIMELINE, "variables": {"id": to_global_id("Proposal", proposal_id)}},
        headers=headers,
    )
    assert "errors" not in response.json(), response.text
    return response.json()["data"]["proposal"]


def notes_of(proposal: Any, action: str) -> list[str]:
    return [e["note"] for e in proposal["events"] if e["action"] == action]


async def test_an_agency_that_may_not_read_the_lead_reads_the_merge_without_its_code(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    scene = await merged_scene(runtime, settings)
    duplicate_id, lead_id = scene.duplicate.id, scene.lead.id
    assert duplicate_id is not None
    assert lead_id is not None
    code = scene.lead.tracking_code
    ha_noi = await bearer(runtime.db, Role.REVIEWER, "UBND-HA-NOI", name="ha-noi")
    secretariat = await bearer(runtime.db, Role.SECRETARIAT, None, name="secretariat")

    cut = await timeline(client, duplicate_id, ha_noi)
    assert notes_of(cut, "MERGE") == [MERGED_NOTE]
    assert cut["duplicateOfId"] is None
    assert code not in json.dumps(cut)
    # The lead is one Hà Nội may not read.
    assert await timeline(client, lead_id, ha_noi) is None

    seen = await timeline(client, duplicate_id, secretariat)
    assert notes_of(seen, "MERGE") == [code]
    assert seen["duplicateOfId"] == to_global_id("Proposal", lead_id)

    # The duplicate's submitter keeps the code: it is their next tracking code.
    key = access_key(settings, scene.duplicate)
    own = await client.post(
        "/graphql",
        json={
            "query": OWN_TIMELINE,
            "variables": {"code": scene.duplicate.tracking_code, "key": key},
        },
    )
    assert notes_of(own.json()["data"]["trackProposal"], "MERGE") == [code]

    # Once Hà Nội handles the lead too, it reads the code: the cut is made when read.
    async with runtime.db.transaction() as session:
        await workflow.transfer(
            session, SECRETARIAT, lead_id, "UBND-HA-NOI", settings, "vi", reason="Hà Nội."
        )
    now = await timeline(client, duplicate_id, ha_noi)
    assert notes_of(now, "MERGE") == [code]
    assert now["duplicateOfId"] == to_global_id("Proposal", lead_id)


async def test_the_followers_of_a_withdrawn_lead_are_reopened_without_its_code(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    scene = await merged_scene(runtime, settings)
    duplicate_id, lead_id = scene.duplicate.id, scene.lead.id
    assert duplicate_id is not None
    assert lead_id is not None
    code = scene.lead.tracking_code
    lead_submitter = await submitter_of(runtime.db, settings, lead_id)
    async with runtime.db.transaction() as session:
        await workflow.withdraw(session, lead_submitter, lead_id, "", "vi")
    ha_noi = await bearer(runtime.db, Role.REVIEWER, "UBND-HA-NOI", name="ha-noi")
    secretariat = await bearer(runtime.db, Role.SECRETARIAT, None, name="secretariat")

    cut = await timeline(client, duplicate_id, ha_noi)
    assert cut["events"][-1] == {"action": "REOPEN", "status": "TRIAGE", "note": REOPENED_NOTE}
    assert notes_of(cut, "MERGE") == [MERGED_NOTE]
    assert code not in json.dumps(cut)
    seen = await timeline(client, duplicate_id, secretariat)
    assert notes_of(seen, "REOPEN") == [code]


async def test_a_page_of_merged_submissions_reads_their_leads_in_one_query(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    async def page_cost(headers: dict[str, str], size: int) -> tuple[int, list[Any]]:
        statements.clear()
        response = await client.post(
            "/graphql", json={"query": PAGE, "variables": {"first": 100}}, headers=headers
        )
        edges = response.json()["data"]["proposals"]["edges"]
        assert len(edges) == size
        return len([s for s in statements if not s.startswith(("BEGIN", "PRAGMA"))]), edges

    scene = await merged_scene(runtime, settings)
    ha_noi = await bearer(runtime.db, Role.REVIEWER, "UBND-HA-NOI", name="ha-noi")
    for engine in {runtime.db.engine, runtime.db.read_engine}:
        event.listen(engine.sync_engine, "before_cursor_execute", count)
    await page_cost(ha_noi, 1)  # the token's first use is recorded: a write, once
    cost_of_one, [edge] = await page_cost(ha_noi, 1)
    assert edge["node"]["duplicateOfId"] is None
    assert MERGED_NOTE in [e["note"] for e in edge["node"]["events"]]

    more = await merged_scene(runtime, settings, copies=4, title="Tuyến xe buýt số 12")
    cost_of_five, edges = await page_cost(ha_noi, 5)
    assert cost_of_one == cost_of_five
    leads = {scene.lead.tracking_code, more.lead.tracking_code}
    for edge in edges:
        assert edge["node"]["duplicateOfId"] is None
        assert MERGED_NOTE in [e["note"] for e in edge["node"]["events"]]
        assert not any(code in json.dumps(edge) for code in leads)


# The live events with their notes (graphql/operations/ has none that selects them).
EVENT_NOTES = """
subscription { proposalEvents { proposal { trackingCode } event { action status note } } }
"""


def test_the_live_merge_and_reopening_hide_the_lead_from_an_agency_that_may_not_read_it(
    settings: Settings,
) -> None:
    async def prepare() -> tuple[Proposal, Proposal, dict[str, str], dict[str, str]]:
        async with open_runtime(settings) as runtime:
            lead = await assigned(runtime, settings, "UBND-DA-NANG", "dau@example.com", TITLE)
            duplicate = await assigned(runtime, settings, "UBND-HA-NOI", "sau@example.com", TITLE)
            ha_noi = await bearer(runtime.db, Role.REVIEWER, "UBND-HA-NOI", name="ha-noi")
            secretariat = await bearer(runtime.db, Role.SECRETARIAT, None, name="secretariat")
        return lead, duplicate, ha_noi, secretariat

    lead, duplicate, ha_noi, secretariat = asyncio.run(prepare())
    protocol = ["graphql-transport-ws"]
    with (
        TestClient(create_app(settings)) as http,
        http.websocket_connect("/graphql", subprotocols=protocol) as cut,
        http.websocket_connect("/graphql", subprotocols=protocol) as seen,
    ):
        for socket, token in ((cut, ha_noi), (seen, secretariat)):
            socket.send_json(
                {"type": "connection_init", "payload": {"authorization": token["authorization"]}}
            )
            assert socket.receive_json() == {"type": "connection_ack"}
            socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": EVENT_NOTES}})
        _wait_for_subscribers(settings, 2)
        ids = {"id": to_global_id("Proposal", duplicate.id or 0)}
        into = {"intoId": to_global_id("Proposal", lead.id or 0)}
        merged = http.post(
            "/graphql",
            json={"query": operation("Merge"), "variables": {"input": ids | into}},
            headers=secretariat,
        )
        assert merged.json()["data"]["merge"]["__typename"] == "WorkflowSuccess"
        key = access_key(settings, lead)
        withdrawal = {"trackingCode": lead.tracking_code, "accessKey": key}
        withdrawn = http.post(
            "/graphql", json={"query": operation("Withdraw"), "variables": {"input": withdrawal}}
        )
        assert withdrawn.json()["data"]["withdraw"]["__typename"] == "WorkflowSuccess"
        asyncio.run(run_worker(settings))  # publishes the steps' events

        # The worker may publish the two in either order.
        heard = sorted((_event(cut), _event(cut)), key=lambda n: str(n["event"]["action"]))
        assert [notice["event"] for notice in heard] == [
            {"action": "MERGE", "status": "MERGED", "note": MERGED_NOTE},
            {"action": "REOPEN", "status": "TRIAGE", "note": REOPENED_NOTE},
        ]
        assert {n["proposal"]["trackingCode"] for n in heard} == {duplicate.tracking_code}
        # The secretariat hears the lead's withdrawal too, between the two.
        told = [_event(seen) for _ in range(3)]
        notes = {(n["proposal"]["trackingCode"], n["event"]["action"]): n["event"] for n in told}
        assert notes[(duplicate.tracking_code, "MERGE")]["note"] == lead.tracking_code
        assert notes[(duplicate.tracking_code, "REOPEN")]["note"] == lead.tracking_code
