"""Refusals that say what is wrong: a merge into an id nobody has, a lead-only step tried by a
cooperating agency, and the lead agency named again among the cooperating ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.models import Role
from service.api.relay import to_global_id
from service.db import Database
from service.errors import FieldError, ValidationFailed
from service.i18n import Language
from service.proposals import repository as proposals
from service.proposals.models import AssignmentRole, ProposalStatus
from service.settings import Settings
from service.workflow import service as workflow
from service.workflow.errors import NotPermitted
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed
from tests.fixtures.api import bearer
from tests.graphql_client import execute

ENGLISH = {"accept-language": "en"}
LEAD_COOPERATING = {
    "vi": "Cơ quan chủ trì không thể đồng thời là cơ quan phối hợp.",
    "en": "The lead agency cannot also be a cooperating agency.",
}


async def _routed(db: Database, settings: Settings, email: str = "minh@example.com") -> int:
    proposal = await submitted_and_routed(db, settings, email=email)
    assert proposal.id is not None
    return proposal.id


async def _in_triage(db: Database, settings: Settings) -> int:
    """Routed to BKHCN by the rules, then declined by it: back in the secretariat's triage."""
    proposal_id = await _routed(db, settings)
    bkhcn = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.decline(session, bkhcn, proposal_id, "Không thuộc thẩm quyền.", "vi")
    return proposal_id


async def _merge_refusal(
    db: Database, proposal_id: int, into_id: int, language: Language
) -> list[FieldError]:
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await workflow.merge(session, SECRETARIAT, proposal_id, into_id, language)
    return refused.value.errors


@pytest.mark.parametrize(
    ("language", "message"),
    [("vi", "Không có nội dung nào có mã định danh này."), ("en", "No submission has this id.")],
    ids=["vi", "en"],
)
async def test_a_merge_into_an_id_nobody_has_says_so(
    settings: Settings, language: Language, message: str
) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id = await _routed(db, settings)
    assert await _merge_refusal(db, proposal_id, proposal_id + 1000, language) == [
        FieldError("intoId", "unknown", message)
    ]
    async with db.session() as session:
        stored = await proposals.get(session, proposal_id)
    assert stored is not None
    assert (stored.status, stored.merged_into_id) == (ProposalStatus.ROUTED, None)
    await db.dispose()


async def test_a_merge_into_a_lead_that_ended_unanswered_stays_invalid(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    duplicate = await _routed(db, settings)
    rejected = await _routed(db, settings, email="lan@example.com")
    async with db.transaction() as session:
        await workflow.reject(session, SECRETARIAT, rejected, "Không phù hợp.", "en")
    assert await _merge_refusal(db, duplicate, rejected, "en") == [
        FieldError(
            "intoId",
            "invalid",
            "Choose another submission that is still handled or answered: not merged, "
            "rejected or withdrawn.",
        )
    ]
    await db.dispose()


async def test_the_api_says_no_submission_has_a_garbled_or_foreign_into_id(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id = await _routed(db, settings)
    secretariat = await bearer(db, Role.SECRETARIAT, None, name="secretariat")
    await db.dispose()
    unknown = {"field": "intoId", "code": "unknown", "message": "No submission has this id."}
    for into_id in (
        "not-an-id",
        to_global_id("Agency", 1),
        to_global_id("Proposal", proposal_id + 1000),
    ):
        merge = {"input": {"id": to_global_id("Proposal", proposal_id), "intoId": into_id}}
        refused = await execute(client, "Merge", merge, headers=secretariat | ENGLISH)
        assert refused["merge"] == {"__typename": "ValidationErrors", "errors": [unknown]}, into_id


@pytest.mark.parametrize(
    ("language", "sentences"),
    [
        (
            "vi",
            [
                "Chỉ cơ quan chủ trì mới được tiếp nhận nội dung này.",
                "Chỉ cơ quan chủ trì mới được yêu cầu người gửi bổ sung thông tin.",
                "Chỉ cơ quan chủ trì mới được trả lời nội dung này; cơ quan phối hợp gửi ý kiến"
                " phối hợp dưới dạng ghi chú.",
                "Chỉ cơ quan chủ trì mới được từ chối xử lý nội dung này.",
                "Chỉ cơ quan chủ trì mới được gia hạn thời hạn xử lý nội dung này.",
            ],
        ),
        (
            "en",
            [
                "Only the lead agency may acknowledge this submission.",
                "Only the lead agency may ask the submitter for information.",
                "Only the lead agency may answer this submission; a cooperating agency adds its"
                " contribution as a note.",
                "Only the lead agency may decline this submission.",
                "Only the lead agency may extend the deadline of this submission.",
            ],
        ),
    ],
    ids=["vi", "en"],
)
async def test_a_cooperating_agency_is_told_the_step_is_the_lead_agencys(
    settings: Settings, language: Language, sentences: list[str]
) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id = await _in_triage(db, settings)
    async with db.transaction() as session:
        await workflow.assign(
            session, SECRETARIAT, proposal_id, "BKHCN", settings, "vi", cooperating=["BCA"]
        )
    bca = official(await agency_id(db, "BCA"))
    steps: list[Callable[[AsyncSession], Awaitable[workflow.Step]]] = [
        lambda s: workflow.acknowledge(s, bca, proposal_id, language),
        lambda s: workflow.request_information(s, bca, proposal_id, "Địa chỉ?", language),
        lambda s: workflow.respond(
            s, bca, proposal_id, "Trả lời.", publish=False, language=language
        ),
        lambda s: workflow.decline(s, bca, proposal_id, "Không thuộc thẩm quyền.", language),
        lambda s: workflow.extend_deadline(s, bca, proposal_id, 5, "Cần thêm.", settings, language),
    ]
    refusals = []
    for step in steps:
        with pytest.raises(NotPermitted) as refused:
            async with db.transaction() as session:
                await step(session)
        refusals.append(str(refused.value))
    assert refusals == sentences
    # What it may do: add its contribution as a note.
    async with db.transaction() as session:
        await workflow.add_note(session, bca, proposal_id, "Ý kiến của Bộ Công an.", language)
    await db.dispose()


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_the_lead_agency_named_as_cooperating_is_refused(
    settings: Settings, language: Language
) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id = await _in_triage(db, settings)
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await workflow.assign(
                session,
                SECRETARIAT,
                proposal_id,
                "BKHCN",
                settings,
                language,
                cooperating=["BCA", " bkhcn "],
            )
    assert refused.value.errors == [
        FieldError("cooperatingAgencyCodes", "lead_cooperating", LEAD_COOPERATING[language])
    ]
    async with db.session() as session:
        stored = await proposals.get(session, proposal_id)
        active = await proposals.active_assignments(session, proposal_id)
    assert stored is not None
    assert stored.status is ProposalStatus.TRIAGE  # nothing stored
    assert [a for a in active if a.role is AssignmentRole.COOPERATING] == []
    await db.dispose()


async def test_the_api_refuses_the_lead_agency_as_cooperating(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    proposal_id = await _in_triage(db, settings)
    secretariat = await bearer(db, Role.SECRETARIAT, None, name="secretariat")
    await db.dispose()
    assign = {
        "input": {
            "id": to_global_id("Proposal", proposal_id),
            "agencyCode": "BKHCN",
            "cooperatingAgencyCodes": ["BKHCN"],
        }
    }
    refused = await execute(client, "Assign", assign, headers=secretariat | ENGLISH)
    assert refused["assign"] == {
        "__typename": "ValidationErrors",
        "errors": [
            {
                "field": "cooperatingAgencyCodes",
                "code": "lead_cooperating",
                "message": LEAD_COOPERATING["en"],
            }
        ],
    }
