"""Live events over graphql-transport-ws reach only those who may see the submission."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

from redis import Redis
from sqlmodel import select
from starlette.testclient import TestClient
from starlette.testclient import WebSocketTestSession as Socket

from service.accounts.models import Role
from service.app import create_app
from service.audit.models import AuditAction, AuditEntry
from service.db import Database
from service.proposals.events import CHANNEL
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import operation


def _tokens(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    async def issue() -> tuple[dict[str, str], dict[str, str]]:
        db = Database(settings.resolved_database_url)
        try:
            return (
                await bearer(db, Role.REVIEWER, "BKHCN", "bkhcn"),
                await bearer(db, Role.REVIEWER, "BCA", "bca"),
            )
        finally:
            await db.dispose()

    return asyncio.run(issue())


def _subscribe(socket: Socket, authorization: str) -> None:
    socket.send_json({"type": "connection_init", "payload": {"authorization": authorization}})
    assert socket.receive_json() == {"type": "connection_ack"}
    socket.send_json(
        {"id": "1", "type": "subscribe", "payload": {"query": operation("ProposalEvents")}}
    )


def _wait_for_subscribers(settings: Settings, count: int) -> None:
    redis = Redis.from_url(settings.redis_url)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            [(_, subscribers)] = cast(list[tuple[bytes, int]], redis.pubsub_numsub(CHANNEL))
            if subscribers >= count:
                return
            time.sleep(0.05)
    finally:
        redis.close()
    raise AssertionError("the subscriptions never reached Redis")


def _until_routed(socket: Socket) -> list[dict[str, Any]]:
    """Events up to the ROUTED one. Whether SUBMITTED comes first depends on timing: it is
    visible to the agency only if routing committed before the subscriber read it."""
    heard = [_event(socket)]
    while heard[-1]["event"]["status"] != "ROUTED":
        heard.append(_event(socket))
    return heard


def _event(socket: Socket) -> dict[str, Any]:
    message = socket.receive_json()
    assert message["type"] == "next", message
    notice: dict[str, Any] = message["payload"]["data"]["proposalEvents"]
    return notice


def test_each_agency_hears_only_about_its_own_submissions(settings: Settings) -> None:
    bkhcn, bca = _tokens(settings)
    protocol = ["graphql-transport-ws"]
    with (
        TestClient(create_app(settings)) as http,
        http.websocket_connect("/graphql", subprotocols=protocol) as mine,
        http.websocket_connect("/graphql", subprotocols=protocol) as theirs,
    ):
        if True:
            _subscribe(mine, bkhcn["authorization"])
            _subscribe(theirs, bca["authorization"])
            _wait_for_subscribers(settings, 2)

            hidden = graphql_input(consentToPublish=False)
            submit = operation("SubmitProposal")
            first = http.post("/graphql", json={"query": submit, "variables": {"input": hidden}})
            code = first.json()["data"]["submitProposal"]["trackingCode"]
            asyncio.run(run_worker(settings))
            heard = _until_routed(mine)
            assert {n["proposal"]["trackingCode"] for n in heard} == {code}
            assert heard[-1]["event"]["agency"] == {"code": "BKHCN"}

            theirs_input = graphql_input(categoryCode="CYBERSECURITY", email="bca@example.com")
            second = http.post(
                "/graphql", json={"query": submit, "variables": {"input": theirs_input}}
            )
            their_code = second.json()["data"]["submitProposal"]["trackingCode"]
            asyncio.run(run_worker(settings))
            # BCA's first events are about its own submission: BKHCN's never reached it.
            heard_by_them = _until_routed(theirs)
            assert {n["proposal"]["trackingCode"] for n in heard_by_them} == {their_code}


def _audited_contact_reads(settings: Settings) -> list[tuple[str, list[int]]]:
    async def read() -> list[tuple[str, list[int]]]:
        db = Database(settings.resolved_database_url)
        try:
            async with db.session() as session:
                rows = (await session.exec(select(AuditEntry))).all()
            return [
                (row.actor, row.proposal_ids)
                for row in rows
                if row.action == AuditAction.API_VIEW_CONTACT
            ]
        finally:
            await db.dispose()

    return asyncio.run(read())


def test_an_officials_read_of_the_contact_in_a_live_event_is_audited(
    settings: Settings,
) -> None:
    """As for a query: "Reading `submitter` as an official is recorded in the audit log"."""
    bkhcn, _ = _tokens(settings)
    contact = """subscription { proposalEvents {
      proposal { trackingCode submitter { email } } event { status }
    } }"""
    with (
        TestClient(create_app(settings)) as http,
        http.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket,
    ):
        socket.send_json(
            {"type": "connection_init", "payload": {"authorization": bkhcn["authorization"]}}
        )
        assert socket.receive_json() == {"type": "connection_ack"}
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": contact}})
        _wait_for_subscribers(settings, 1)
        submit = operation("SubmitProposal")
        sent = http.post(
            "/graphql",
            json={"query": submit, "variables": {"input": graphql_input(email="an@example.com")}},
        )
        assert sent.json()["data"]["submitProposal"]["__typename"] == "SubmitProposalSuccess"
        asyncio.run(run_worker(settings))
        routed = _until_routed(socket)[-1]
        assert routed["proposal"]["submitter"] == {"email": "an@example.com"}
        deadline = time.monotonic() + 10
        while not (reads := _audited_contact_reads(settings)) and time.monotonic() < deadline:
            time.sleep(0.1)
    [(actor, proposal_ids)] = reads
    assert actor.startswith("token:")
    assert len(proposal_ids) == 1
