"""Every field given in a subscription's filter narrows the stream; a bad id is refused."""

from __future__ import annotations

import time
from typing import Any

from starlette.testclient import TestClient
from starlette.testclient import WebSocketTestSession as Socket

from service.api.relay import to_global_id
from service.app import create_app
from service.settings import Settings
from tests.graphql_client import operation
from tests.service.api.test_subscriptions import _wait_for_subscribers
from tests.service.api.test_subscriptions_credentials import PROTOCOL, _issue, _routed, _step


def _open(socket: Socket, authorization: str) -> None:
    socket.send_json({"type": "connection_init", "payload": {"authorization": authorization}})
    assert socket.receive_json() == {"type": "connection_ack"}


def _subscribe(socket: Socket, id: str, filter: dict[str, Any] | None) -> None:
    payload = {"query": operation("ProposalEvents"), "variables": {"filter": filter}}
    socket.send_json({"id": id, "type": "subscribe", "payload": payload})


def _assert_refused(socket: Socket, message: str) -> None:
    """The subscribe message is answered with an `error`, before a ping sent after it."""
    time.sleep(0.5)
    socket.send_json({"type": "ping"})
    assert socket.receive_json() == {
        "id": "1",
        "type": "error",
        "payload": [
            {
                "message": message,
                "locations": [{"line": 2, "column": 3}],
                "path": ["proposalEvents"],
            }
        ],
    }
    assert socket.receive_json() == {"type": "pong"}


def test_an_id_that_is_not_a_submissions_is_refused_naming_it(settings: Settings) -> None:
    _, reviewer = _issue(settings, "portal")
    proposal_id = to_global_id("Proposal", 1)
    with (
        TestClient(create_app(settings)) as http,
        http.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket,
    ):
        _open(socket, reviewer)
        _subscribe(socket, "1", {"proposalIds": ["not-an-id"]})
        _assert_refused(socket, "filter.proposalIds[0] is not a submission id this API gave out")
        # Another type's id is not a submission's either; the id is free for a new subscription.
        _subscribe(socket, "1", {"proposalIds": [proposal_id, to_global_id("Agency", 1)]})
        _assert_refused(socket, "filter.proposalIds[1] is not a submission id this API gave out")


def test_an_empty_list_in_the_filter_matches_nothing(settings: Settings) -> None:
    _, reviewer = _issue(settings, "portal")
    with TestClient(create_app(settings)) as http:
        proposal = _routed(http, settings, reviewer)
        with (
            http.websocket_connect("/graphql", subprotocols=PROTOCOL) as everything,
            http.websocket_connect("/graphql", subprotocols=PROTOCOL) as nothing,
        ):
            _open(everything, reviewer)
            _subscribe(everything, "1", None)
            _open(nothing, reviewer)
            _subscribe(nothing, "1", {"proposalIds": []})
            _subscribe(nothing, "2", {"statuses": []})
            _subscribe(nothing, "3", {"proposalIds": [proposal], "statuses": []})
            _wait_for_subscribers(settings, 4)
            _step(http, settings, reviewer, "Acknowledge", {"id": proposal})

            heard = everything.receive_json()
            assert heard["type"] == "next", heard
            assert heard["payload"]["data"]["proposalEvents"]["proposal"]["id"] == proposal
            # The same event reached the other socket's subscriptions at the same moment;
            # had any of them let it through, it would have been sent before this pong.
            time.sleep(1)
            nothing.send_json({"type": "ping"})
            assert nothing.receive_json() == {"type": "pong"}
