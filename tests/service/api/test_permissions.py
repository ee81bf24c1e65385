"""Another agency's token learns nothing: not the item, not its existence, not its private parts.

The walk covers every query and mutation of the schema; a new field fails the coverage check
until it is added here.
"""

from __future__ import annotations

from typing import Any

import httpx

from service.accounts.models import Role
from service.api.schema import schema
from service.db import Database
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute

PUBLIC_QUERIES = {"agencies", "categories", "provinces", "stats", "me"}
# Scoped to the caller's own agency by construction; test_templates_api.py proves another
# agency neither lists, changes nor deletes them.
OWN_AGENCY_ONLY = {"responseTemplates", "saveResponseTemplate", "deleteResponseTemplate"}
# The caller's own account, or the secretariat only (empty for everyone else); both are proven
# in test_notifications_api.py.
OWN_ACCOUNT_OR_SECRETARIAT = {"setNotificationPreferences", "failedNotifications"}


def _fields(type_name: str) -> set[str]:
    graphql_type = schema._schema.get_type(type_name)
    assert graphql_type is not None
    return set(graphql_type.fields)  # type: ignore[attr-defined]


async def _setup(client: httpx.AsyncClient, settings: Settings) -> dict[str, Any]:
    db = Database(settings.resolved_database_url)
    owner = await bearer(db, Role.REVIEWER, "BKHCN", "owner")
    outsider = await bearer(db, Role.REVIEWER, "BCA", "outsider")
    await db.dispose()
    hidden = await execute(
        client,
        "SubmitProposal",
        {"input": graphql_input(title="Bí mật vệ tinh", consentToPublish=False)},
    )
    public = await execute(
        client,
        "SubmitProposal",
        {"input": graphql_input(title="Công khai vệ tinh", email="p@example.com")},
    )
    await run_worker(settings)
    inbox = await execute(client, "InboxPage", {"orderBy": "OLDEST", "first": 5}, headers=owner)
    ids = [edge["node"]["id"] for edge in inbox["proposals"]["edges"]]
    for pid in ids:
        await execute(client, "AddNote", {"input": {"id": pid, "text": "Nội bộ."}}, headers=owner)
        await execute(
            client,
            "Respond",
            {"input": {"id": pid, "text": "Trả lời riêng.", "publish": False}},
            headers=owner,
        )
    return {
        "outsider": outsider,
        "hidden_id": ids[0],
        "public_id": ids[1],
        "hidden_code": hidden["submitProposal"]["trackingCode"],
        "public_code": public["submitProposal"]["trackingCode"],
    }


async def test_another_agency_learns_nothing_through_any_query_or_mutation(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    s = await _setup(client, settings)
    outsider, hidden, public = s["outsider"], s["hidden_id"], s["public_id"]
    walked_queries: set[str] = PUBLIC_QUERIES | OWN_AGENCY_ONLY | OWN_ACCOUNT_OR_SECRETARIAT

    for name in ("node", "proposal"):
        query = f"query($id: ID!) {{ {name}(id: $id) {{ id }} }}"
        response = await client.post(
            "/graphql", json={"query": query, "variables": {"id": hidden}}, headers=outsider
        )
        assert response.json() == {"data": {name: None}}
        walked_queries.add(name)

    detail = await execute(client, "ProposalDetail", {"id": public}, headers=outsider)
    seen = detail["proposal"]
    assert seen["submitter"] is None
    assert seen["notes"] == []
    assert seen["responses"] == []
    assert seen["rating"] is None
    assert seen["allowedActions"] == []
    assert {e["actor"] for e in seen["events"]} == {None}

    listed = await execute(
        client,
        "InboxPage",
        {"filter": {"agencyCodes": ["BKHCN"]}, "orderBy": "NEWEST", "first": 50},
        headers=outsider,
    )
    assert listed["proposals"]["totalCount"] == 1
    assert [e["node"]["id"] for e in listed["proposals"]["edges"]] == [public]
    walked_queries.add("proposals")

    found = await execute(client, "Search", {"query": "ve tinh", "first": 10}, headers=outsider)
    assert found["search"]["total"] == 1
    assert [h["trackingCode"] for h in found["search"]["hits"]] == [s["public_code"]]
    walked_queries.add("search")

    tracked = await execute(client, "ProposalDetail", {"id": hidden}, headers=outsider)
    assert tracked == {"proposal": None}
    by_code = await client.post(
        "/graphql",
        json={
            "query": "query($c: String!) { trackProposal(trackingCode: $c) "
            "{ submitter { email } notes { text } responses { text } rating { score } } }",
            "variables": {"c": s["hidden_code"]},
        },
        headers=outsider,
    )
    assert by_code.json() == {
        "data": {"trackProposal": {"submitter": None, "notes": [], "responses": [], "rating": None}}
    }
    walked_queries.add("trackProposal")

    decided = await execute(client, "RoutingDecision", {"id": public}, headers=outsider)
    assert decided["proposal"]["routingDecision"] is None
    assert decided["proposal"]["duplicateOfId"] is None
    assert await execute(client, "RoutingDecision", {"id": hidden}, headers=outsider) == {
        "proposal": None
    }
    assert await execute(client, "RoutingRules", headers=outsider) == {"routingRules": []}
    changes = await execute(client, "RoutingRuleChanges", headers=outsider)
    assert changes == {"routingRuleChanges": []}
    walked_queries.update({"routingRules", "routingRuleChanges"})
    holidays = await execute(client, "Holidays", {"year": 2026}, headers=outsider)
    assert len(holidays["holidays"]) == 11  # public: what deadlines skip
    assert holidays["holidayChanges"] == []
    walked_queries.update({"holidays", "holidayChanges"})
    audit_log = await execute(client, "AuditLog", headers=outsider)
    assert (audit_log["auditLog"]["totalCount"], audit_log["auditLog"]["edges"]) == (0, [])
    walked_queries.add("auditLog")
    assert walked_queries & _fields("Query") == _fields("Query")

    walked_mutations = {"submitProposal"} | OWN_AGENCY_ONLY | OWN_ACCOUNT_OR_SECRETARIAT
    workflow_inputs: dict[str, dict[str, Any]] = {
        "Acknowledge": {},
        "RequestInformation": {"question": "?"},
        "Respond": {"text": "x"},
        "Decline": {"reason": "x"},
        "Assign": {"agencyCode": "BCA"},
        "Transfer": {"agencyCode": "BCA", "reason": "x"},
        "Reject": {"reason": "x"},
        "Merge": {"intoId": public},
        "Reopen": {"reason": "x"},
        "Close": {},
        "ExtendDeadline": {"days": 5, "reason": "x"},
    }
    for operation, extra in workflow_inputs.items():
        field = operation[0].lower() + operation[1:]
        on_hidden = await execute(
            client, operation, {"input": {"id": hidden, **extra}}, headers=outsider
        )
        assert on_hidden[field]["__typename"] == "NotFoundError", operation
        on_public = await execute(
            client, operation, {"input": {"id": public, **extra}}, headers=outsider
        )
        assert on_public[field]["__typename"] == "NotPermittedError", operation
        walked_mutations.add(field)

    note = await execute(
        client, "AddNote", {"input": {"id": hidden, "text": "x"}}, headers=outsider
    )
    assert note["addNote"]["__typename"] == "NotFoundError"
    walked_mutations.add("addNote")

    routing_inputs: dict[str, dict[str, Any]] = {
        "SaveRoutingRule": {"lead": "BCA", "weight": 100},
        "DeleteRoutingRule": {"id": "1"},
        "UpdateAgencyCompetences": {
            "agencyCode": "BCA",
            "categories": ["OTHER"],
            "keywordsVi": [],
            "keywordsEn": [],
        },
        "UpdateAgency": {
            "agencyCode": "BCA",
            "nameVi": "x",
            "nameEn": "x",
            "emails": [],
        },
        "SaveHoliday": {"date": "2027-01-01", "name": "x"},
        "DeleteHoliday": {"date": "2026-01-01"},
    }
    for operation, variables in routing_inputs.items():
        field = operation[0].lower() + operation[1:]
        result = await execute(client, operation, {"input": variables}, headers=outsider)
        assert (result[field]["__typename"], result[field]["code"]) == (
            "NotPermittedError",
            "not_permitted",
        ), operation
        walked_mutations.add(field)

    submitter_inputs: dict[str, dict[str, Any]] = {
        "Withdraw": {},
        "AnswerInformationRequest": {"answer": "x"},
        "RateResponse": {"score": 5},
        "ExportPersonalData": {},
        "ErasePersonalData": {"confirm": True},
    }
    for operation, extra in submitter_inputs.items():
        field = operation[0].lower() + operation[1:]
        result = await execute(
            client,
            operation,
            {"input": {"trackingCode": s["hidden_code"], "accessKey": "guess", **extra}},
            headers=outsider,
        )
        assert result[field]["__typename"] == "NotFoundError", operation
        walked_mutations.add(field)
    on_request = await execute(
        client,
        "ErasePersonalDataOnRequest",
        {"input": {"id": hidden, "reason": "x"}},
        headers=outsider,
    )
    assert on_request["erasePersonalDataOnRequest"]["__typename"] == "NotPermittedError"
    walked_mutations.add("erasePersonalDataOnRequest")
    assert walked_mutations & _fields("Mutation") == _fields("Mutation")
    # Subscriptions need a WebSocket; test_subscriptions.py walks this one with two agencies.
    assert _fields("Subscription") == {"proposalEvents"}
