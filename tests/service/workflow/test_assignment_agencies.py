"""Whom a submission is handed to: never the secretariat, which answers nothing itself; and the
cooperating agencies of an assignment, named afresh by the next and ended by a transfer or a
decline."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import col, select

from service.accounts.models import Role
from service.api.relay import to_global_id
from service.db import Database
from service.errors import FieldError, ValidationFailed
from service.i18n import Language
from service.notifications.models import Notification
from service.proposals import repository as proposals
from service.proposals import service as proposal_service
from service.proposals.models import (
    AssignmentRole,
    ProposalFilter,
    ProposalOrder,
    ProposalStatus,
)
from service.routing.models import RoutingMethod
from service.routing.reasons import english
from service.routing.service import route_proposal
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT, agency_id, official, submission, submitted_and_routed
from tests.fixtures.api import bearer
from tests.graphql_client import execute

S = ProposalStatus


async def _in_triage(db: Database, settings: Settings) -> int:
    """Routed to BKHCN by the rules, then declined by it: back in the secretariat's triage."""
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    bkhcn = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.decline(session, bkhcn, proposal.id, "Không thuộc thẩm quyền.", "vi")
    return proposal.id


async def _cooperating(db: Database, proposal_id: int) -> list[int]:
    async with db.session() as session:
        active = await proposals.active_assignments(session, proposal_id)
    return sorted(a.agency_id for a in active if a.role is AssignmentRole.COOPERATING)


async def _status(db: Database, proposal_id: int) -> tuple[S, int | None]:
    async with db.session() as session:
        proposal = await proposals.get(session, proposal_id)
    assert proposal is not None
    return proposal.status, proposal.agency_id


@pytest.mark.parametrize(
    ("language", "lead", "cooperating"),
    [
        (
            "vi",
            "Văn phòng Thường trực không chủ trì xử lý nội dung: hãy chọn cơ quan sẽ trả lời.",
            '"THUONGTRUC" là Văn phòng Thường trực: không phối hợp xử lý nội dung.',
        ),
        (
            "en",
            "The secretariat cannot lead a submission: choose the agency that will answer it.",
            '"THUONGTRUC" is the secretariat: it cannot cooperate on a submission.',
        ),
    ],
    ids=["vi", "en"],
)
async def test_the_secretariat_is_neither_lead_nor_cooperating_agency(
    settings: Settings, language: Language, lead: str, cooperating: str
) -> None:
    db = Database(settings.resolved_database_url)
    pid = await _in_triage(db, settings)
    before = await _status(db, pid)
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await workflow.assign(
                session,
                SECRETARIAT,
                pid,
                "THUONGTRUC",
                settings,
                language,
            )
    assert refused.value.errors == [FieldError("agencyCode", "not_an_agency", lead)]
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await workflow.assign(
                session,
                SECRETARIAT,
                pid,
                "BTC",
                settings,
                language,
                cooperating=["BCA", "thuongtruc"],
            )
    assert refused.value.errors == [
        FieldError("cooperatingAgencyCodes", "not_an_agency", cooperating)
    ]
    assert await _status(db, pid) == before  # nothing stored
    assert await _cooperating(db, pid) == []
    await db.dispose()


async def test_a_transfer_to_the_secretariat_is_refused(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await workflow.transfer(
                session, SECRETARIAT, proposal.id, "THUONGTRUC", settings, "en", reason="Sai."
            )
    assert [(e.field, e.code) for e in refused.value.errors] == [("agencyCode", "not_an_agency")]
    assert await _status(db, proposal.id) == (S.ROUTED, await agency_id(db, "BKHCN"))
    await db.dispose()


async def test_a_rule_naming_the_secretariat_leaves_the_submission_in_its_triage(
    settings: Settings,
) -> None:
    """The shipped rule for programme-wide matters names THUONGTRUC: the submission waits in the
    secretariat's queue for an agency, rather than sitting with it as if routed."""
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        proposal = await proposal_service.submit_proposal(
            session,
            submission(
                kind="RECOMMENDATION",
                category="OTHER",
                title="Cơ chế phối hợp khi một đề xuất liên quan nhiều bộ",
                description="Đề xuất liên quan nhiều bộ ngành nhưng không bộ nào chủ trì, đề"
                " nghị Ban Chỉ đạo Trung ương quy định cơ quan đầu mối.",
            ),
            settings,
            "vi",
        )
    assert proposal.id is not None
    async with db.transaction() as session:
        routed = await route_proposal(session, proposal.id, settings)
    assert routed is not None
    secretariat = await agency_id(db, "THUONGTRUC")
    assert (routed.status, routed.agency.id, routed.decision.method) == (
        S.TRIAGE,
        secretariat,
        RoutingMethod.TRIAGE,
    )
    assert english(routed.decision.reasons)[:2] == [
        "THUONGTRUC: confidence 0.60",  # 3 / (3 + 2)
        "rule 6: programme-wide matters go to the Standing Office",
    ]
    async with db.session() as session:
        stored = await proposals.get(session, proposal.id)
    assert stored is not None
    assert (stored.status, stored.agency_id, stored.deadline) == (S.TRIAGE, secretariat, None)
    await db.dispose()


async def test_each_assignment_names_its_cooperating_agencies_afresh(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    pid = await _in_triage(db, settings)
    bca, btc = await agency_id(db, "BCA"), await agency_id(db, "BTC")
    bkhcn = official(await agency_id(db, "BKHCN"))

    async with db.transaction() as session:
        await workflow.assign(
            session, SECRETARIAT, pid, "BKHCN", settings, "vi", cooperating=["BCA", "BTC"]
        )
    assert await _cooperating(db, pid) == sorted([bca, btc])

    # Declined: back in triage, nobody handles it, the cooperation ends with the lead's.
    async with db.transaction() as session:
        await workflow.decline(session, bkhcn, pid, "Vẫn không thuộc thẩm quyền.", "vi")
    assert await _cooperating(db, pid) == []

    async with db.transaction() as session:
        await workflow.assign(session, SECRETARIAT, pid, "BKHCN", settings, "vi")
    assert await _cooperating(db, pid) == []  # none given: none, not the earlier ones

    async with db.transaction() as session:
        await workflow.decline(session, bkhcn, pid, "Không thuộc thẩm quyền.", "vi")
    async with db.transaction() as session:
        await workflow.assign(
            session, SECRETARIAT, pid, "BKHCN", settings, "vi", cooperating=["BTC"]
        )
    assert await _cooperating(db, pid) == [btc]

    # A transfer names none: the cooperation asked for the former lead ends.
    async with db.transaction() as session:
        await workflow.transfer(
            session, SECRETARIAT, pid, "BNV", settings, "vi", reason="Thuộc Bộ Nội vụ."
        )
    assert await _cooperating(db, pid) == []
    async with db.session() as session:
        proposal = await proposals.get(session, pid)
        assert proposal is not None
        record = await workflow.record(session, SECRETARIAT, proposal)
        # Those let go keep read access to the case, as a former lead does.
        assert await proposal_service.get_for(session, official(btc), pid) is not None
    assert record.cooperating_agency_ids == []

    # Answered and reopened: the reopening is mailed to the lead alone, not to BCA or BTC.
    bnv = official(await agency_id(db, "BNV"))
    async with db.transaction() as session:
        await workflow.respond(session, bnv, pid, "Bộ đã xử lý.", publish=False, language="vi")
    async with db.transaction() as session:
        await workflow.reopen(session, SECRETARIAT, pid, "Người gửi chưa rõ.", "vi")
    async with db.session() as session:
        mails = (
            await session.exec(
                select(Notification)
                .where(Notification.template == "reopened_assignment")
                .order_by(col(Notification.id))
            )
        ).all()
    assert [m.recipient for m in mails] == ["reviewer.bnv@intake.localhost"]
    await db.dispose()


async def test_a_cooperating_agency_lists_what_it_cooperates_on(settings: Settings) -> None:
    """The inbox's filter: what the agency leads now or cooperates on now, nothing it let go."""
    db = Database(settings.resolved_database_url)
    pid = await _in_triage(db, settings)
    async with db.transaction() as session:
        await workflow.assign(
            session, SECRETARIAT, pid, "BKHCN", settings, "vi", cooperating=["BCA"]
        )
    bca = await agency_id(db, "BCA")

    async def listed(agency: int) -> list[int]:
        async with db.session() as session:
            rows, total = await proposal_service.list_for(
                session,
                official(agency),
                ProposalFilter(handled_by=frozenset({agency})),
                order=ProposalOrder.DEADLINE,
                limit=10,
                offset=0,
            )
        assert total == len(rows)
        return [p.id for p in rows if p.id is not None]

    assert await listed(bca) == [pid]
    assert await listed(await agency_id(db, "BKHCN")) == [pid]
    assert await listed(await agency_id(db, "BTC")) == []
    async with db.transaction() as session:
        await workflow.transfer(session, SECRETARIAT, pid, "BNV", settings, "vi", reason="BNV.")
    assert await listed(bca) == []
    assert await listed(await agency_id(db, "BNV")) == [pid]
    await db.dispose()


async def test_the_api_refuses_the_secretariat_and_lists_cooperation(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    pid = await _in_triage(db, settings)
    secretariat = await bearer(db, Role.SECRETARIAT, None, name="secretariat")
    bca = await bearer(db, Role.REVIEWER, "BCA", name="bca")
    await db.dispose()
    global_id = to_global_id("Proposal", pid)
    refused = await execute(
        client,
        "Assign",
        {
            "input": {
                "id": global_id,
                "agencyCode": "BKHCN",
                "cooperatingAgencyCodes": ["THUONGTRUC"],
            }
        },
        headers={**secretariat, "accept-language": "en"},
    )
    assert refused["assign"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {
                "field": "cooperatingAgencyCodes",
                "code": "not_an_agency",
                "message": '"THUONGTRUC" is the secretariat: it cannot cooperate on a submission.',
            }
        ],
    }
    assigned = await execute(
        client,
        "Assign",
        {"input": {"id": global_id, "agencyCode": "BKHCN", "cooperatingAgencyCodes": ["BCA"]}},
        headers=secretariat,
    )
    assert assigned["assign"]["proposal"]["status"] == "ROUTED"
    # The API lists what an official may read: BCA's cooperation is among it.
    listed = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 5}, headers=bca)
    assert [e["node"]["id"] for e in listed["proposals"]["edges"]] == [global_id]
