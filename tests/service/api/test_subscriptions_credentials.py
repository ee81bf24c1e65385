"""A subscription holds the caller's rights only while the credential it began with is valid."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from sqlmodel import select
from starlette.testclient import TestClient
from starlette.testclient import WebSocketTestSession as Socket

from service.accounts import repository as accounts_repository
from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.accounts.models import Role
from service.app import create_app
from service.audit.models import AuditAction, AuditEntry
from service.db import Database
from service.demo import DEMO_PASSWORD, reviewer_email
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.worker import run_worker
from tests.graphql_client import operation
from tests.service.api.test_subscriptions import _wait_for_subscribers

PROTOCOL = ["graphql-transport-ws"]
CONTACT = """subscription { proposalEvents {
  proposal { trackingCode submitter { email } description } event { action }
} }"""
ENDED = {
    "message": "Your credential is no longer valid (the token was revoked, the session signed "
    "out, or the account deactivated): the subscription has ended. Connect again with a valid "
    "one.",
    "extensions": {"code": "CREDENTIAL_ENDED"},
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _issue(settings: Settings, name: str, agency: str = "BKHCN") -> tuple[int, str]:
    """A reviewer token, as `intake token create --role REVIEWER` issues it: (id, header)."""

    async def issue() -> tuple[int, str]:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                issued = await accounts.create_token(
                    session, name=name, role=Role.REVIEWER, agency_code=agency, created_by="cli"
                )
            assert issued.token.id is not None
            return issued.token.id, f"Bearer {issued.secret}"
        finally:
            await db.dispose()

    return asyncio.run(issue())


def _revoke(settings: Settings, token_id: int) -> None:
    async def revoke() -> None:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                assert await accounts.revoke_token(session, token_id) is not None
        finally:
            await db.dispose()

    asyncio.run(revoke())


def _change_official(settings: Settings, email: str, *, agency: str = "", active: bool) -> None:
    """What the secretariat's officials page does: move an official or deactivate them."""

    async def change() -> None:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                user = await accounts_repository.get_by_email(session, email)
                assert user is not None
                assert user.id is not None
                admin = Actor.command_line()
                if agency:
                    await accounts.update_official(
                        session, admin, user.id, role="REVIEWER", agency_code=agency, language="en"
                    )
                await accounts.set_official_active(session, admin, user.id, active, "en")
        finally:
            await db.dispose()

    asyncio.run(change())


def _contact_reads(settings: Settings, actor: str) -> list[list[int]]:
    async def read() -> list[list[int]]:
        db = Database(settings.resolved_database_url)
        try:
            async with db.session() as session:
                rows = (await session.exec(select(AuditEntry).order_by(AuditEntry.id))).all()  # type: ignore[arg-type]
            return [
                row.proposal_ids
                for row in rows
                if row.action == AuditAction.API_VIEW_CONTACT and row.actor == actor
            ]
        finally:
            await db.dispose()

    return asyncio.run(read())


def _routed(http: TestClient, settings: Settings, reader: str, **overrides: Any) -> str:
    """An unpublished submission, routed by the worker; its global id as `reader` sees it."""
    submit = operation("SubmitProposal")
    given = graphql_input(consentToPublish=False, **overrides)
    sent = http.post("/graphql", json={"query": submit, "variables": {"input": given}})
    code = sent.json()["data"]["submitProposal"]["trackingCode"]
    asyncio.run(run_worker(settings))
    listed = http.post(
        "/graphql",
        json={"query": "{ proposals(first: 20) { edges { node { id trackingCode } } } }"},
        headers={"authorization": reader},
    )
    [global_id] = [
        edge["node"]["id"]
        for edge in listed.json()["data"]["proposals"]["edges"]
        if edge["node"]["trackingCode"] == code
    ]
    assert isinstance(global_id, str)
    return global_id


def _step(
    http: TestClient, settings: Settings, actor: str, name: str, variables: dict[str, str]
) -> None:
    """A workflow step over POST, then the worker, which publishes its event to subscribers."""
    done = http.post(
        "/graphql",
        json={"query": operation(name), "variables": {"input": variables}},
        headers={"authorization": actor},
    )
    assert done.json()["data"], done.json()
    assert next(iter(done.json()["data"].values()))["__typename"] == "WorkflowSuccess"
    asyncio.run(run_worker(settings))


def _subscribe(socket: Socket, payload: dict[str, str], query: str = CONTACT) -> None:
    socket.send_json({"type": "connection_init", "payload": payload})
    assert socket.receive_json() == {"type": "connection_ack"}
    socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})


def _notice(socket: Socket) -> dict[str, Any]:
    message = socket.receive_json()
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    notice: dict[str, Any] = message["payload"]["data"]["proposalEvents"]
    return notice


def _assert_ended(socket: Socket) -> None:
    assert socket.receive_json() == {
        "id": "1",
        "type": "next",
        "payload": {"data": None, "errors": [ENDED]},
    }
    assert socket.receive_json() == {"id": "1", "type": "complete"}
    # The connection stays, but a new subscription on it is refused at once.
    socket.send_json({"id": "2", "type": "subscribe", "payload": {"query": CONTACT}})
    assert socket.receive_json() == {
        "id": "2",
        "type": "error",
        "payload": [
            {**ENDED, "locations": [{"line": 1, "column": 16}], "path": ["proposalEvents"]}
        ],
    }


def _sign_in(http: TestClient, email: str) -> None:
    page = http.get("/login")
    token = _CSRF.search(page.text)
    assert token is not None
    form = {"email": email, "password": DEMO_PASSWORD, "csrf_token": token[1]}
    assert http.post("/login", data=form, follow_redirects=False).status_code == 303


def _sign_out(http: TestClient) -> None:
    page = http.get("/")
    token = _CSRF.search(page.text)
    assert token is not None
    response = http.post("/logout", data={"csrf_token": token[1]}, follow_redirects=False)
    assert response.status_code == 303


def test_a_revoked_token_ends_its_subscription_before_the_next_event(settings: Settings) -> None:
    token_id, revoked = _issue(settings, "wsrevoke")
    _, other = _issue(settings, "desk")
    with TestClient(create_app(settings)) as http:
        proposal = _routed(http, settings, other)
        with http.websocket_connect(
            "/graphql", subprotocols=PROTOCOL, headers={"authorization": revoked}
        ) as socket:
            _subscribe(socket, {})
            _wait_for_subscribers(settings, 1)
            _step(http, settings, other, "Acknowledge", {"id": proposal})
            heard = _notice(socket)
            assert heard["event"] == {"action": "ACKNOWLEDGE"}
            assert heard["proposal"]["submitter"] == {"email": "minh@example.com"}
            deadline = time.monotonic() + 10
            while not (read := _contact_reads(settings, f"token:{token_id}")):
                assert time.monotonic() < deadline, "the contact read was never audited"
                time.sleep(0.05)

            _revoke(settings, token_id)
            question = {"id": proposal, "question": "Doanh nghiệp ở tỉnh nào?"}
            _step(http, settings, other, "RequestInformation", question)
            _assert_ended(socket)
    # Nothing of the submission was read under the revoked token after its revocation.
    assert _contact_reads(settings, f"token:{token_id}") == read


def test_a_revoked_connection_init_token_ends_its_subscription(settings: Settings) -> None:
    token_id, revoked = _issue(settings, "browser")
    _, other = _issue(settings, "desk")
    with TestClient(create_app(settings)) as http:
        proposal = _routed(http, settings, other)
        with http.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
            _subscribe(socket, {"authorization": revoked})
            _wait_for_subscribers(settings, 1)
            _revoke(settings, token_id)
            _step(http, settings, other, "Acknowledge", {"id": proposal})
            _assert_ended(socket)


def test_signing_out_ends_the_sessions_subscription(settings: Settings) -> None:
    _, other = _issue(settings, "desk")
    with TestClient(create_app(settings)) as http:
        proposal = _routed(http, settings, other)
        _sign_in(http, reviewer_email("BKHCN"))
        with http.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
            _subscribe(socket, {})
            _wait_for_subscribers(settings, 1)
            _step(http, settings, other, "Acknowledge", {"id": proposal})
            assert _notice(socket)["proposal"]["submitter"] == {"email": "minh@example.com"}

            _sign_out(http)  # every session of the account ends, this socket's too
            question = {"id": proposal, "question": "Doanh nghiệp ở tỉnh nào?"}
            _step(http, settings, other, "RequestInformation", question)
            _assert_ended(socket)


def test_a_deactivated_officials_subscription_ends(settings: Settings) -> None:
    _, other = _issue(settings, "desk")
    with TestClient(create_app(settings)) as http:
        proposal = _routed(http, settings, other)
        _sign_in(http, reviewer_email("BKHCN"))
        with http.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
            _subscribe(socket, {})
            _wait_for_subscribers(settings, 1)
            _change_official(settings, reviewer_email("BKHCN"), active=False)
            _step(http, settings, other, "Acknowledge", {"id": proposal})
            _assert_ended(socket)


def test_an_official_moved_to_another_agency_hears_only_the_new_agencys(
    settings: Settings,
) -> None:
    _, bkhcn = _issue(settings, "desk")
    _, bca = _issue(settings, "bca-desk", agency="BCA")
    with TestClient(create_app(settings)) as http:
        theirs = _routed(http, settings, bkhcn)
        new = _routed(
            http,
            settings,
            bca,
            categoryCode="CYBERSECURITY",
            email="bca@example.com",
            title="Phòng chống tấn công mạng vào doanh nghiệp nhỏ",
            description="Đề nghị hỗ trợ doanh nghiệp nhỏ ứng phó tấn công mạng và mã độc.",
        )
        _sign_in(http, reviewer_email("BKHCN"))
        with http.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
            _subscribe(socket, {})
            _wait_for_subscribers(settings, 1)
            _step(http, settings, bkhcn, "Acknowledge", {"id": theirs})
            assert _notice(socket)["proposal"]["submitter"] == {"email": "minh@example.com"}

            _change_official(settings, reviewer_email("BKHCN"), agency="BCA", active=True)
            question = {"id": theirs, "question": "Doanh nghiệp ở tỉnh nào?"}
            _step(http, settings, bkhcn, "RequestInformation", question)
            _step(http, settings, bca, "Acknowledge", {"id": new})
            # BKHCN's question, published first, is no longer theirs to hear.
            heard = _notice(socket)
            assert heard["event"] == {"action": "ACKNOWLEDGE"}
            assert heard["proposal"]["submitter"] == {"email": "bca@example.com"}


def test_an_idle_subscription_ends_soon_after_its_token_is_revoked(settings: Settings) -> None:
    # Checked every 2 s rather than the default 15 s, so that the test waits seconds.
    settings = settings.model_copy(update={"subscription_recheck_seconds": 2.0})
    token_id, revoked = _issue(settings, "quiet")
    with (
        TestClient(create_app(settings)) as http,
        http.websocket_connect(
            "/graphql", subprotocols=PROTOCOL, headers={"authorization": revoked}
        ) as socket,
    ):
        _subscribe(socket, {})
        _wait_for_subscribers(settings, 1)
        _revoke(settings, token_id)
        deadline = time.monotonic() + settings.subscription_recheck_seconds + 10
        # No event comes: the periodic check ends it. A ping answered first means not yet.
        while True:
            assert time.monotonic() < deadline, "the subscription outlived its token"
            time.sleep(1)
            socket.send_json({"type": "ping"})
            answer = socket.receive_json()
            if answer != {"type": "pong"}:
                break
        assert answer == {"id": "1", "type": "next", "payload": {"data": None, "errors": [ENDED]}}
        assert socket.receive_json() == {"id": "1", "type": "complete"}
        assert socket.receive_json() == {"type": "pong"}
