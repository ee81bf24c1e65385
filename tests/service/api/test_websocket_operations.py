"""The WebSocket carries subscriptions only: queries and mutations go over POST, where the
per-token rate limit and the operation timeout apply."""

from __future__ import annotations

from starlette.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.service.api.test_subscriptions_credentials import PROTOCOL, _issue, _routed

REFUSED = [
    {"message": "Only subscriptions run over the WebSocket: send queries and mutations with "
     "POST to /graphql."}
]  # fmt: skip


def test_queries_and_mutations_over_the_websocket_are_refused(settings: Settings) -> None:
    _, reviewer = _issue(settings, "portal")
    with TestClient(create_app(settings)) as http:
        proposal = _routed(http, settings, reviewer)
        note = f'mutation {{ addNote(input: {{id: "{proposal}", text: "qua WebSocket"}}) {{ __typename }} }}'  # noqa: E501
        with http.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
            socket.send_json({"type": "connection_init", "payload": {"authorization": reviewer}})
            assert socket.receive_json() == {"type": "connection_ack"}
            socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": note}})
            assert socket.receive_json() == {"id": "1", "type": "error", "payload": REFUSED}
            query = "query Mine { proposals(first: 1) { totalCount } }"
            socket.send_json({"id": "2", "type": "subscribe", "payload": {"query": query}})
            assert socket.receive_json() == {"id": "2", "type": "error", "payload": REFUSED}
            # The connection still serves subscriptions.
            subscription = "subscription { proposalEvents { event { action } } }"
            socket.send_json({"id": "3", "type": "subscribe", "payload": {"query": subscription}})
            socket.send_json({"type": "ping"})
            assert socket.receive_json() == {"type": "pong"}
        notes = http.post(
            "/graphql",
            json={"query": f'{{ proposal(id: "{proposal}") {{ notes {{ text }} }} }}'},
            headers={"authorization": reviewer},
        )
    # The note was never written.
    assert notes.json() == {"data": {"proposal": {"notes": []}}}
