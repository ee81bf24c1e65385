"""Personal data through the API: the submitter's export and erasure, the secretariat's, the log."""

from __future__ import annotations

import httpx

from service.accounts.models import Role
from service.api.relay import to_global_id
from service.db import Database
from service.proposals.access import access_key
from service.proposals.repository import get_by_tracking_code
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute


async def _submitted(client: httpx.AsyncClient, settings: Settings) -> tuple[str, str, str]:
    """A routed submission's tracking code, access key and global id."""
    data = await execute(client, "SubmitProposal", {"input": graphql_input(phone="0912345678")})
    await run_worker(settings)
    code = data["submitProposal"]["trackingCode"]
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        proposal = await get_by_tracking_code(session, code)
    await db.dispose()
    assert proposal is not None
    assert proposal.id is not None
    return code, access_key(settings, proposal), to_global_id("Proposal", proposal.id)


async def test_a_submitter_downloads_and_erases_their_data(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    code, key, pid = await _submitted(client, settings)
    exported = await execute(
        client, "ExportPersonalData", {"input": {"trackingCode": code, "accessKey": key}}
    )
    export = exported["exportPersonalData"]
    assert (export["__typename"], export["trackingCode"]) == ("PersonalDataExport", code)
    assert export["data"]["submitter"]["email"] == "minh@example.com"
    assert export["data"]["submitter"]["phone"] == "0912345678"

    wrong = await execute(
        client, "ExportPersonalData", {"input": {"trackingCode": code, "accessKey": "nope"}}
    )
    assert wrong["exportPersonalData"] == {
        "__typename": "NotFoundError",
        "code": "not_found",
        "message": "Không tìm thấy nội dung.",
    }

    unconfirmed = await execute(
        client,
        "ErasePersonalData",
        {"input": {"trackingCode": code, "accessKey": key, "confirm": False}},
        headers={"accept-language": "en"},
    )
    assert unconfirmed["erasePersonalData"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {
                "field": "confirm",
                "code": "required",
                "message": "Confirm that your personal data should be erased; "
                "this cannot be undone.",
            }
        ],
    }

    erased = await execute(
        client,
        "ErasePersonalData",
        {"input": {"trackingCode": code, "accessKey": key, "confirm": True}},
    )
    result = erased["erasePersonalData"]
    assert (result["__typename"], result["alreadyErased"]) == ("PersonalDataErased", False)
    assert result["proposal"]["id"] == pid
    assert result["proposal"]["status"] == "ROUTED"
    assert result["proposal"]["submitter"] == {
        "name": "[erased]",
        "email": "",
        "phone": "",
        "organisation": "",
        "erasedAt": result["erasedAt"],
    }
    again = await execute(
        client,
        "ErasePersonalData",
        {"input": {"trackingCode": code, "accessKey": key, "confirm": True}},
    )
    assert again["erasePersonalData"]["alreadyErased"] is True


async def test_the_secretariat_erases_on_request_and_reads_the_audit_log(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    secretariat = await bearer(db, Role.SECRETARIAT, None)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    _, _, pid = await _submitted(client, settings)

    detail = await execute(
        client,
        "ProposalDetail",
        {"id": pid},
        headers={**portal, "x-request-id": "portal-detail-0001"},
    )
    assert detail["proposal"]["submitter"]["email"] == "minh@example.com"

    refused = await execute(
        client,
        "ErasePersonalDataOnRequest",
        {"input": {"id": pid, "reason": "phone call"}},
        headers=portal,
    )
    assert refused["erasePersonalDataOnRequest"] == {
        "__typename": "NotPermittedError",
        "code": "not_permitted",
        "message": "Chỉ Văn phòng Thường trực mới xoá dữ liệu cá nhân theo yêu cầu.",
    }
    # Refused before the input is read: no reason, or an id of nothing, says the same.
    for refused_input in ({"id": pid, "reason": " "}, {"id": "UHJvcG9zYWw6OTk5OQ==", "reason": ""}):
        again = await execute(
            client, "ErasePersonalDataOnRequest", {"input": refused_input}, headers=portal
        )
        assert again == refused
    no_reason = await execute(
        client,
        "ErasePersonalDataOnRequest",
        {"input": {"id": pid, "reason": "  "}},
        headers=secretariat,
    )
    assert no_reason["erasePersonalDataOnRequest"]["errors"] == [
        {
            "field": "reason",
            "code": "required",
            "message": "Hãy ghi rõ người gửi đã yêu cầu xoá dữ liệu bằng cách nào.",
        }
    ]
    erased = await execute(
        client,
        "ErasePersonalDataOnRequest",
        {"input": {"id": pid, "reason": "letter of 2026-11-30"}},
        headers=secretariat,
    )
    assert erased["erasePersonalDataOnRequest"]["__typename"] == "PersonalDataErased"

    log = await execute(client, "AuditLog", {}, headers=secretariat)
    entries = [e["node"] for e in log["auditLog"]["edges"]]
    assert log["auditLog"]["totalCount"] == 2
    assert [(e["action"], e["proposalIds"], e["detail"]) for e in entries] == [
        ("ERASE_PERSONAL_DATA", [pid], "letter of 2026-11-30"),
        ("API_VIEW_CONTACT", [pid], ""),
    ]
    assert entries[1]["requestId"] == "portal-detail-0001"
    assert entries[1]["actor"].startswith("token:")

    only = await execute(
        client,
        "AuditLog",
        {"filter": {"action": "API_VIEW_CONTACT", "proposalId": pid}, "first": 1},
        headers=secretariat,
    )
    assert [e["node"]["action"] for e in only["auditLog"]["edges"]] == ["API_VIEW_CONTACT"]

    # After erasure there is nothing personal left to read: no entry for reading it.
    await execute(client, "ProposalDetail", {"id": pid}, headers=portal)
    hidden = await execute(client, "AuditLog", {}, headers=portal)
    assert hidden["auditLog"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }
    after = await execute(client, "AuditLog", {}, headers=secretariat)
    assert after["auditLog"]["totalCount"] == 2
