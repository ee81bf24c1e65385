"""An agency portal and a submitter working through the API."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import event
from starlette.applications import Starlette

from search.factory import create_backend
from search.reindex import reindex
from service.accounts import service as accounts
from service.accounts.models import Role
from service.db import Database, utcnow
from service.proposals import repository as proposals_repository
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute


async def _submit_and_route(
    client: httpx.AsyncClient, settings: Settings, **fields: object
) -> dict[str, str]:
    data = await execute(client, "SubmitProposal", {"input": graphql_input(**fields)})
    await run_worker(settings)
    code = data["submitProposal"]["trackingCode"]
    tracked = await execute(client, "TrackProposal", {"trackingCode": code})
    return {"code": code, "status": tracked["trackProposal"]["status"]}


def _secret_key(mailbox: SmtpSink, code: str) -> str:
    for mail in mailbox.messages:
        body = mail.message.get_body(("plain",))
        if body is not None and code in body.get_content():
            match = re.search(rf"/track/{code}\?key=([A-Za-z0-9_-]+)", body.get_content())
            if match:
                return match[1]
    raise AssertionError(f"no secret link for {code}")


async def test_portal_and_submitter_take_a_submission_to_closed(
    client: httpx.AsyncClient, settings: Settings, mailbox: SmtpSink
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    submitted = await _submit_and_route(client, settings)

    inbox = await execute(
        client,
        "InboxPage",
        {"filter": {"statuses": ["ROUTED"]}, "orderBy": "NEWEST", "first": 10},
        headers=portal,
    )
    [edge] = inbox["proposals"]["edges"]
    node = edge["node"]
    assert node["trackingCode"] == submitted["code"]
    assert node["allowedActions"] == [
        "ACKNOWLEDGE",
        "REQUEST_INFO",
        "RESPOND",
        "DECLINE",
        "EXTEND_DEADLINE",
    ]
    pid = node["id"]

    acknowledged = await execute(client, "Acknowledge", {"input": {"id": pid}}, headers=portal)
    assert acknowledged["acknowledge"]["event"] == {
        "action": "ACKNOWLEDGE",
        "fromStatus": "ROUTED",
        "status": "ACKNOWLEDGED",
        "note": "",
    }
    responded = await execute(
        client,
        "Respond",
        {"input": {"id": pid, "text": "Bộ sẽ sửa quy định.", "publish": True}},
        headers=portal,
    )
    assert responded["respond"]["proposal"]["status"] == "RESPONDED"

    key = _secret_key(mailbox, submitted["code"])
    rated = await execute(
        client,
        "RateResponse",
        {"input": {"trackingCode": submitted["code"], "accessKey": key, "score": 5}},
    )
    assert rated["rateResponse"]["proposal"]["status"] == "CLOSED"

    detail = await execute(client, "ProposalDetail", {"id": pid}, headers=portal)
    proposal = detail["proposal"]
    assert proposal["submitter"]["email"] == "minh@example.com"
    assert proposal["rating"] == {"score": 5, "comment": ""}
    assert [e["action"] for e in proposal["events"]] == ["", "", "ACKNOWLEDGE", "RESPOND", "RATE"]
    assert proposal["events"][2]["actor"].startswith("token:")
    assert proposal["responses"] == [
        {
            "text": "Bộ sẽ sửa quy định.",
            "published": True,
            "createdAt": proposal["responses"][0]["createdAt"],
        }
    ]

    public = await execute(client, "ProposalDetail", {"id": pid})
    assert public["proposal"]["submitter"] is None
    assert public["proposal"]["rating"] is None
    assert {e["actor"] for e in public["proposal"]["events"]} == {None}


async def test_a_submission_waiting_for_the_submitter_is_never_overdue(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    secretariat = await bearer(db, Role.SECRETARIAT, None, name="secretariat")
    asked = await _submit_and_route(client, settings)
    running = await _submit_and_route(
        client,
        settings,
        title="Chương trình chuyển đổi số cho hợp tác xã",
        description="Đề xuất hỗ trợ hợp tác xã chuyển đổi số, dùng nền tảng số dùng chung.",
        email="lan@example.com",
    )
    async with db.transaction() as session:
        for code in (asked["code"], running["code"]):
            proposal = await proposals_repository.get_by_tracking_code(session, code)
            assert proposal is not None
            proposal.deadline = utcnow() - timedelta(days=3)
    backend = create_backend(settings)  # as `intake reindex` does after a change made by hand
    await backend.setup()
    await reindex(db, backend)
    await backend.close()
    await db.dispose()
    inbox = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 10}, headers=portal)
    ids = {e["node"]["trackingCode"]: e["node"]["id"] for e in inbox["proposals"]["edges"]}
    asked_info = await execute(
        client,
        "RequestInformation",
        {"input": {"id": ids[asked["code"]], "question": "Xin gửi số hồ sơ."}},
        headers=portal,
    )
    assert asked_info["requestInformation"]["proposal"]["status"] == "NEEDS_INFO"
    await run_worker(settings)  # the index follows the new status

    inbox = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 10}, headers=portal)
    overdue = {e["node"]["trackingCode"]: e["node"]["overdue"] for e in inbox["proposals"]["edges"]}
    assert overdue == {asked["code"]: False, running["code"]: True}
    only = await execute(
        client,
        "InboxPage",
        {"filter": {"overdue": True}, "orderBy": "NEWEST", "first": 10},
        headers=portal,
    )
    assert [e["node"]["trackingCode"] for e in only["proposals"]["edges"]] == [running["code"]]
    for headers in (portal, secretariat):
        found = await execute(client, "SearchPage", {"query": ""}, headers=headers)
        hits = {h["trackingCode"]: h["overdue"] for h in found["search"]["hits"]}
        assert hits == {asked["code"]: False, running["code"]: True}
        late = await execute(
            client, "SearchPage", {"query": "", "filter": {"overdue": True}}, headers=headers
        )
        assert [h["trackingCode"] for h in late["search"]["hits"]] == [running["code"]]


async def test_steps_out_of_order_are_typed_errors(
    client: httpx.AsyncClient, settings: Settings, mailbox: SmtpSink
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    secretariat = await bearer(db, Role.SECRETARIAT, None)
    await db.dispose()
    submitted = await _submit_and_route(client, settings)
    inbox = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 1}, headers=portal)
    pid = inbox["proposals"]["edges"][0]["node"]["id"]

    closed = await execute(client, "Close", {"input": {"id": pid}}, headers=secretariat)
    assert closed["close"] == {
        "__typename": "InvalidTransitionError",
        "code": "invalid_transition",
        "message": "Chưa thể đóng nội dung này. Trạng thái hiện tại là “Đã chuyển đến cơ quan"
        " chủ trì”. Bạn có thể: chuyển cơ quan, từ chối, hợp nhất.",
        "currentStatus": "ROUTED",
        "allowedActions": ["TRANSFER", "REJECT", "MERGE"],
    }
    not_theirs = await execute(
        client,
        "Transfer",
        {"input": {"id": pid, "agencyCode": "BCA", "reason": "x"}},
        headers=portal,
    )
    assert not_theirs["transfer"]["__typename"] == "NotPermittedError"
    empty = await execute(client, "Decline", {"input": {"id": pid, "reason": "  "}}, headers=portal)
    assert empty["decline"] == {
        "__typename": "ValidationErrors",
        "errors": [{"field": "reason", "code": "required", "message": "Trường này là bắt buộc."}],
    }
    wrong_key = await execute(
        client,
        "Withdraw",
        {"input": {"trackingCode": submitted["code"], "accessKey": "guess"}},
    )
    assert wrong_key["withdraw"] == {
        "__typename": "NotFoundError",
        "code": "not_found",
        "message": "Không tìm thấy nội dung.",
    }


async def test_me_follows_the_token_and_a_revoked_token_is_anonymous(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.AGENCY_ADMIN, "UBND-HUE")
    await db.dispose()
    me = await execute(client, "Me", headers=portal)
    assert me["me"] == {
        "kind": "TOKEN",
        "role": "AGENCY_ADMIN",
        "email": None,
        "agency": {"code": "UBND-HUE"},
    }
    nobody = await execute(client, "Me", headers={"authorization": "Bearer itk_forged"})
    assert nobody["me"] == {"kind": "ANONYMOUS", "role": None, "email": None, "agency": None}


async def test_stats_count_received_resolved_and_satisfaction(
    client: httpx.AsyncClient, settings: Settings, mailbox: SmtpSink
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    first = await _submit_and_route(client, settings)
    await _submit_and_route(client, settings, email="second@example.com")
    inbox = await execute(client, "InboxPage", {"orderBy": "OLDEST", "first": 5}, headers=portal)
    pid = inbox["proposals"]["edges"][0]["node"]["id"]
    await execute(client, "Respond", {"input": {"id": pid, "text": "Đã xử lý."}}, headers=portal)
    key = _secret_key(mailbox, first["code"])
    await execute(
        client,
        "RateResponse",
        {"input": {"trackingCode": first["code"], "accessKey": key, "score": 4}},
    )
    stats = await execute(client, "Stats", {"agency": "BKHCN"})
    assert stats["stats"] | {"medianDaysToRespond": None} == {
        "agency": {"code": "BKHCN"},
        "received": 2,
        "resolved": 1,
        "respondedOnTime": 1,
        "merged": 0,
        "resolutionRate": 0.5,
        "onTimeRate": 1.0,
        "medianDaysToRespond": None,
        "satisfaction": 4.0,
        "ratings": 1,
        # The secretariat's share is the overall figures' only.
        "awaitingAssignment": 0,
        "mergedBeforeAssignment": 0,
        "endedBeforeAssignment": 0,
    }
    assert stats["stats"]["medianDaysToRespond"] == 0.0
    other = await execute(client, "Stats", {"agency": "BCA"})
    assert other["stats"]["received"] == 0


async def test_a_token_is_read_without_a_write_and_its_use_recorded_once_a_minute(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.SECRETARIAT, None)
    statements: list[str] = []
    runtime = app.state.runtime

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    for engine in {runtime.db.engine, runtime.db.read_engine}:
        event.listen(engine.sync_engine, "before_cursor_execute", count)
    variables = {"orderBy": "NEWEST", "first": 1}
    await execute(client, "InboxPage", variables, headers=portal)
    first = [s for s in statements if s.startswith(("UPDATE", "BEGIN IMMEDIATE"))]
    statements.clear()
    await execute(client, "InboxPage", variables, headers=portal)
    second = [s for s in statements if s.startswith(("UPDATE", "BEGIN IMMEDIATE"))]
    async with db.session() as session:
        [token] = await accounts.list_tokens(session)
    await db.dispose()

    assert [s.split()[:2] for s in first if s.startswith("UPDATE")] == [["UPDATE", "api_tokens"]]
    assert second == []  # used a moment ago: nothing to write, so no write transaction
    assert token.last_used_at is not None


async def test_an_inbox_page_costs_a_fixed_number_of_queries(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.SECRETARIAT, None)
    await db.dispose()
    statements: list[str] = []
    runtime = app.state.runtime

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    for engine in {runtime.db.engine, runtime.db.read_engine}:
        event.listen(engine.sync_engine, "before_cursor_execute", count)

    async def page_cost(size: int) -> int:
        statements.clear()
        page = await execute(
            client, "InboxPage", {"orderBy": "NEWEST", "first": 100}, headers=portal
        )
        assert len(page["proposals"]["edges"]) == size
        return len([s for s in statements if not s.startswith(("BEGIN", "PRAGMA"))])

    await execute(client, "SubmitProposal", {"input": graphql_input(email="0@example.com")})
    cost_of_one = await page_cost(1)
    for n in range(1, 12):
        await execute(
            client,
            "SubmitProposal",
            {"input": graphql_input(email=f"{n}@example.com", categoryCode="CYBERSECURITY")},
        )
    await run_worker(settings)
    cost_of_twelve = await page_cost(12)
    # Token lookup, its agency, the page, the count, then one batched query per loader used
    # (assignments, category, agency, events, responses, attachments).
    assert cost_of_one == cost_of_twelve == 9
