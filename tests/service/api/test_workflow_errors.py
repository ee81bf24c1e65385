"""Workflow steps through the API: every note checked, the extension offered once, publication
kept through reject and reopen, refusals explained in sentences in the caller's language."""

from __future__ import annotations

from typing import Any

import httpx

from service.accounts.models import Role
from service.db import Database
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute

ENGLISH = {"accept-language": "en"}


async def _callers(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    secretariat = await bearer(db, Role.SECRETARIAT, None, name="secretariat")
    await db.dispose()
    return portal, secretariat


async def _routed(
    client: httpx.AsyncClient, settings: Settings, secretariat: dict[str, str], **fields: Any
) -> str:
    data = await execute(client, "SubmitProposal", {"input": graphql_input(**fields)})
    await run_worker(settings)
    inbox = await execute(
        client, "InboxPage", {"orderBy": "NEWEST", "first": 1}, headers=secretariat
    )
    [edge] = inbox["proposals"]["edges"]
    assert edge["node"]["trackingCode"] == data["submitProposal"]["trackingCode"]
    assert edge["node"]["status"] == "ROUTED"
    pid: str = edge["node"]["id"]
    return pid


async def _events(client: httpx.AsyncClient, pid: str, headers: dict[str, str]) -> list[str]:
    detail = await execute(client, "ProposalDetail", {"id": pid}, headers=headers)
    return [e["note"] for e in detail["proposal"]["events"]]


async def test_assign_and_close_notes_get_the_checks_of_every_other_text(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    portal, secretariat = await _callers(settings)
    pid = await _routed(client, settings, secretariat)
    declined = await execute(
        client,
        "Decline",
        {"input": {"id": pid, "reason": "Không thuộc thẩm quyền."}},
        headers=portal,
    )
    assert declined["decline"]["proposal"]["status"] == "TRIAGE"
    too_long = {"field": "note", "code": "too_long", "message": "Hãy dùng tối đa 20.000 ký tự."}
    control = {
        "field": "note",
        "code": "control_characters",
        "message": "Hãy xóa các ký tự điều khiển khỏi trường này.",
    }
    for note, error in (("x" * 20_001, too_long), ("closing\u0000\u001b[31m", control)):
        assigned = await execute(
            client,
            "Assign",
            {"input": {"id": pid, "agencyCode": "BCA", "note": note}},
            headers=secretariat,
        )
        assert assigned["assign"] == {"__typename": "ValidationErrors", "errors": [error]}
    assigned = await execute(
        client,
        "Assign",
        {"input": {"id": pid, "agencyCode": "BKHCN", "note": "  Giao lại.  "}},
        headers=secretariat,
    )
    assert assigned["assign"]["event"]["note"] == "Giao lại."

    await execute(client, "Respond", {"input": {"id": pid, "text": "Đã xử lý."}}, headers=portal)
    for note, error in (
        ("closing\u0000\u001b[31m" + "y" * 500_000, control),
        ("y" * 20_001, too_long),
    ):
        closed = await execute(
            client, "Close", {"input": {"id": pid, "note": note}}, headers=secretariat
        )
        assert closed["close"] == {"__typename": "ValidationErrors", "errors": [error]}
    notes = await _events(client, pid, secretariat)
    assert notes[2:] == ["Không thuộc thẩm quyền.", "Giao lại.", ""]  # nothing more stored
    closed = await execute(
        client, "Close", {"input": {"id": pid, "note": "Xong."}}, headers=secretariat
    )
    assert closed["close"]["proposal"]["status"] == "CLOSED"
    assert (await _events(client, pid, secretariat))[-1] == "Xong."


async def test_extend_deadline_is_offered_only_until_it_is_used(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    portal, secretariat = await _callers(settings)
    pid = await _routed(client, settings, secretariat)
    extended = await execute(
        client,
        "ExtendDeadline",
        {"input": {"id": pid, "days": 5, "reason": "Cần ý kiến."}},
        headers=portal,
    )
    assert extended["extendDeadline"]["proposal"]["allowedActions"] == [
        "ACKNOWLEDGE",
        "REQUEST_INFO",
        "RESPOND",
        "DECLINE",
    ]
    again = await execute(
        client,
        "ExtendDeadline",
        {"input": {"id": pid, "days": 5, "reason": "Lại."}},
        headers=portal,
    )
    assert again["extendDeadline"]["__typename"] == "ValidationErrors"
    assert again["extendDeadline"]["errors"][0]["code"] == "already_extended"


async def test_reopening_a_rejected_submission_publishes_it_again_with_the_submitters_consent(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    _, secretariat = await _callers(settings)
    consented = await _routed(client, settings, secretariat)
    private = await _routed(
        client, settings, secretariat, consentToPublish=False, email="b@example.com"
    )
    for pid, published in ((consented, True), (private, False)):
        detail = await execute(client, "ProposalDetail", {"id": pid}, headers=secretariat)
        assert detail["proposal"]["published"] is published
        rejected = await execute(
            client, "Reject", {"input": {"id": pid, "reason": "Trùng lặp."}}, headers=secretariat
        )
        assert rejected["reject"]["proposal"]["status"] == "REJECTED"
        detail = await execute(client, "ProposalDetail", {"id": pid}, headers=secretariat)
        assert detail["proposal"]["published"] is False
        reopened = await execute(
            client, "Reopen", {"input": {"id": pid, "reason": "Nhầm."}}, headers=secretariat
        )
        assert reopened["reopen"]["proposal"]["status"] == "ROUTED"
        detail = await execute(client, "ProposalDetail", {"id": pid}, headers=secretariat)
        assert detail["proposal"]["published"] is published
    public = await execute(client, "ProposalDetail", {"id": consented})
    assert public["proposal"]["status"] == "ROUTED"
    assert (await execute(client, "ProposalDetail", {"id": private}))["proposal"] is None


async def test_refusals_are_sentences_in_the_callers_language(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    portal, secretariat = await _callers(settings)
    pid = await _routed(client, settings, secretariat)
    for headers, message in (
        (
            secretariat,
            "Chỉ cơ quan chủ trì mới được trả lời nội dung này; cơ quan phối hợp gửi ý kiến"
            " phối hợp dưới dạng ghi chú.",
        ),
        (
            secretariat | ENGLISH,
            "Only the lead agency may answer this submission; a cooperating agency adds its"
            " contribution as a note.",
        ),
    ):
        refused = await execute(
            client, "Respond", {"input": {"id": pid, "text": "x"}}, headers=headers
        )
        assert refused["respond"] == {
            "__typename": "NotPermittedError",
            "code": "not_permitted",
            "message": message,
        }
    transfer = {"input": {"id": pid, "agencyCode": "BCA", "reason": "x"}}
    refused = await execute(client, "Transfer", transfer, headers=portal | ENGLISH)
    assert refused["transfer"]["message"] == (
        "Only the secretariat may transfer this submission to another agency."
    )
    note = await execute(client, "AddNote", {"input": {"id": pid, "text": "x"}}, headers=ENGLISH)
    assert note["addNote"] == {
        "__typename": "NotPermittedError",
        "code": "not_permitted",
        "message": "Only the secretariat and the agencies handling this submission now may add"
        " notes to it.",
    }

    for headers, message in (
        (
            secretariat,
            "Chưa thể mở lại nội dung này. Trạng thái hiện tại là “Đã chuyển đến cơ quan chủ trì”."
            " Bạn có thể: chuyển cơ quan, từ chối, hợp nhất.",
        ),
        (
            secretariat | ENGLISH,
            "This submission cannot be reopened now. Its status is “Sent to the agency"
            " responsible”. Open to you now: transfer, reject, merge.",
        ),
    ):
        reopened = await execute(
            client, "Reopen", {"input": {"id": pid, "reason": "x"}}, headers=headers
        )
        assert reopened["reopen"] == {
            "__typename": "InvalidTransitionError",
            "code": "invalid_transition",
            "message": message,
            "currentStatus": "ROUTED",
            "allowedActions": ["TRANSFER", "REJECT", "MERGE"],
        }
