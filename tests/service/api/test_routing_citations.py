"""Routing reasons cite earlier submissions by tracking code: a reader sees only the codes of
submissions they may read, the others counted with their similarity (API)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.testclient import TestClient

from search.documents import index_proposal
from service.accounts.models import Role
from service.api.relay import to_global_id
from service.app import create_app
from service.proposals import service as proposals
from service.proposals.models import ProposalStatus
from service.routing import service as routing
from service.routing.models import RoutingMethod
from service.routing.reasons import english, loaded
from service.routing.service import Routed, route_proposal
from service.runtime import Runtime, open_runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, graphql_input, submission
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute, operation
from tests.service.api.test_subscriptions import _until_routed, _wait_for_subscribers

# A campaign's first letter, which no rule routes: the secretariat assigns it to Đà Nẵng.
FIRST: dict[str, Any] = {
    "category": "OTHER",
    "title": "Mở lại tuyến xe buýt điện số 12 qua khu dân cư Hòa Khánh",
    "description": "Cư dân khu Hòa Khánh đề nghị mở lại tuyến xe buýt điện số 12 đã dừng "
    "chạy từ tháng trước, vì hàng nghìn công nhân không còn phương tiện đi làm.",
    "consent_to_publish": False,
}
# A letter like it: routed by that precedent to Đà Nẵng.
SECOND: dict[str, Any] = {
    "category": "OTHER",
    "title": "Đề nghị mở lại tuyến xe buýt điện số 12 ở Hòa Khánh",
    "description": "Tuyến xe buýt điện số 12 qua khu dân cư Hòa Khánh dừng chạy, công nhân "
    "không có phương tiện đi làm; đề nghị mở lại.",
    "consent_to_publish": False,
    "email": "khac@example.com",
}


@dataclass(frozen=True, slots=True)
class Cited:
    first: Routed  # unpublished, handled by Đà Nẵng only
    second: Routed  # its routing reasons cite the first
    code: str  # the first's tracking code
    similarity: str  # as the reasons write it, "0.71"


async def route(runtime: Runtime, settings: Settings, **fields: Any) -> Routed:
    async with runtime.db.transaction() as session:
        proposal = await proposals.submit_proposal(session, submission(**fields), settings, "vi")
    assert proposal.id is not None
    async with runtime.db.transaction() as session:
        routed = await route_proposal(session, proposal.id, settings, runtime.search)
    assert routed is not None
    async with runtime.db.session() as session:
        await index_proposal(session, runtime.search, proposal.id)
    return routed


async def first_letter(runtime: Runtime, settings: Settings, *, cooperating: str = "") -> Routed:
    """The first letter, assigned to Đà Nẵng and indexed. With `cooperating`, a rule added then
    asks that agency to cooperate on the next letters like it (not on the first)."""
    first = await route(runtime, settings, **FIRST)
    assert first.status is ProposalStatus.TRIAGE
    assert first.proposal.id is not None
    async with runtime.db.transaction() as session:
        await workflow.assign(
            session, SECRETARIAT, first.proposal.id, "UBND-DA-NANG", settings, "vi"
        )
    async with runtime.db.session() as session:
        await index_proposal(session, runtime.search, first.proposal.id)
    if cooperating:
        async with runtime.db.transaction() as session:
            rule = {
                "kind": "PROPOSAL",
                "keywords_vi": "xe buýt điện",
                "lead": "UBND-DA-NANG",
                "cooperating": cooperating,
                "weight": "6",
            }
            await routing.save_rule(session, "secretariat@x", rule, "en")
    return first


async def cited_scene(runtime: Runtime, settings: Settings, *, cooperating: str = "") -> Cited:
    """The tester's case: BKHCN's role played by Đà Nẵng; with `cooperating`, that agency
    cooperates on the second letter (first_letter)."""
    first = await first_letter(runtime, settings, cooperating=cooperating)
    second = await route(runtime, settings, **SECOND)
    assert (second.agency.code, second.status) == ("UBND-DA-NANG", ProposalStatus.ROUTED)
    if not cooperating:
        assert second.decision.method is RoutingMethod.PRECEDENT
    [cited] = [
        r
        for r in map(loaded, second.decision.reasons)
        if not isinstance(r, str) and r.code == "precedent"
    ]
    [case] = cited.args["cases"]
    assert case["code"] == first.proposal.tracking_code
    return Cited(first, second, first.proposal.tracking_code, f"{case['similarity']:.2f}")


def routing_note(proposal: dict[str, Any]) -> str:
    [note] = [e["note"] for e in proposal["events"] if e["status"] == "ROUTED" and not e["action"]]
    return str(note)


async def test_a_transferred_submission_hides_from_its_new_agency_the_code_it_cites(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    scene = await cited_scene(runtime, settings)
    second_id = scene.second.proposal.id
    assert second_id is not None
    async with runtime.db.transaction() as session:
        await workflow.transfer(
            session, SECRETARIAT, second_id, "UBND-HA-NOI", settings, "vi", reason="Hà Nội."
        )
    ha_noi = await bearer(runtime.db, Role.REVIEWER, "UBND-HA-NOI", name="ha-noi")
    da_nang = await bearer(runtime.db, Role.REVIEWER, "UBND-DA-NANG", name="da-nang")
    secretariat = await bearer(runtime.db, Role.SECRETARIAT, None, name="secretariat")
    second, first = (
        to_global_id("Proposal", second_id),
        to_global_id("Proposal", scene.first.proposal.id or 0),
    )

    as_stored = "; ".join(english(scene.second.decision.reasons))
    stored = f"precedent: {scene.code} ({scene.similarity})"
    hidden = f"precedent: 1 earlier submission you may not see ({scene.similarity})"
    for headers, cut in ((ha_noi, True), (da_nang, False), (secretariat, False)):
        detail = await execute(client, "ProposalDetail", {"id": second}, headers=headers)
        note = routing_note(detail["proposal"])
        assert stored in as_stored
        if cut:
            assert note == as_stored.replace(stored, hidden)
            assert scene.code not in json.dumps(detail)
        else:
            assert note == as_stored
    # The submission it cites is one Hà Nội may not read.
    assert (await execute(client, "ProposalDetail", {"id": first}, headers=ha_noi)) == {
        "proposal": None
    }


async def test_a_cooperating_agency_reads_the_routing_decision_without_the_code_it_cites(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    scene = await cited_scene(runtime, settings, cooperating="UBND-HA-NOI")
    second = to_global_id("Proposal", scene.second.proposal.id or 0)
    ha_noi = await bearer(runtime.db, Role.REVIEWER, "UBND-HA-NOI", name="ha-noi")
    da_nang = await bearer(runtime.db, Role.REVIEWER, "UBND-DA-NANG", name="da-nang")

    seen = await execute(client, "RoutingDecision", {"id": second}, headers=da_nang)
    cut = await execute(client, "RoutingDecision", {"id": second}, headers=ha_noi)
    assert scene.code in json.dumps(seen)
    assert scene.code not in json.dumps(cut)
    stored = f"precedent: {scene.code} ({scene.similarity})"
    hidden = f"precedent: 1 earlier submission you may not see ({scene.similarity})"
    decision, shown = seen["proposal"]["routingDecision"], cut["proposal"]["routingDecision"]
    assert stored in decision["reasons"]
    assert shown["reasons"] == [hidden if r == stored else r for r in decision["reasons"]]
    [details] = [d for d in shown["reasonDetails"] if d["code"] == "precedent"]
    # The text in the request's language: Vietnamese unless it asks for English.
    similarity = scene.similarity.replace(".", ",")
    assert details["text"] == f"tiền lệ: 1 kiến nghị trước đó bạn không được xem ({similarity})"
    assert json.loads(details["arguments"]) == {
        "cases": [{"code": None, "similarity": float(scene.similarity)}]
    }
    english_texts = await execute(
        client, "RoutingDecision", {"id": second}, headers={**ha_noi, "accept-language": "en"}
    )
    assert hidden in [
        d["text"] for d in english_texts["proposal"]["routingDecision"]["reasonDetails"]
    ]
    lead = next(s for s in shown["suggestions"] if s["agencyCode"] == "UBND-DA-NANG")
    assert hidden in lead["reasons"]
    assert scene.code not in json.dumps(lead)
    # The timeline's routing note alike.
    detail = await execute(client, "ProposalDetail", {"id": second}, headers=ha_noi)
    assert hidden in routing_note(detail["proposal"])


# ProposalEvents with the step's note (graphql/operations/ has none that selects it).
EVENT_NOTES = """
subscription { proposalEvents { proposal { trackingCode } event { status action note } } }
"""


def test_a_live_routing_event_hides_the_code_it_cites_from_a_cooperating_agency(
    settings: Settings,
) -> None:
    async def prepare() -> tuple[str, dict[str, str]]:
        async with open_runtime(settings) as runtime:
            first = await first_letter(runtime, settings, cooperating="UBND-HA-NOI")
            token = await bearer(runtime.db, Role.REVIEWER, "UBND-HA-NOI", name="ha-noi")
        return first.proposal.tracking_code, token

    code, ha_noi = asyncio.run(prepare())
    second = graphql_input(
        categoryCode=SECOND["category"],
        title=SECOND["title"],
        description=SECOND["description"],
        consentToPublish=False,
        email=SECOND["email"],
    )
    with (
        TestClient(create_app(settings)) as http,
        http.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket,
    ):
        socket.send_json(
            {"type": "connection_init", "payload": {"authorization": ha_noi["authorization"]}}
        )
        assert socket.receive_json() == {"type": "connection_ack"}
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": EVENT_NOTES}})
        _wait_for_subscribers(settings, 1)
        sent = http.post(
            "/graphql",
            json={"query": operation("SubmitProposal"), "variables": {"input": second}},
        )
        their_code = sent.json()["data"]["submitProposal"]["trackingCode"]
        asyncio.run(run_worker(settings))
        routed = _until_routed(socket)[-1]
    assert routed["proposal"]["trackingCode"] == their_code
    note = routed["event"]["note"]
    assert "precedent: 1 earlier submission you may not see (0." in note
    assert code not in note
