"""What an answer's `publish` and a merge's `intoId` may ask for, through the service and the API,
and the secretariat's assignment note reaching the agency's mail."""

from __future__ import annotations

from email.message import EmailMessage

import httpx
import pytest
from sqlmodel import col, select

from service.accounts.models import Role
from service.api.relay import to_global_id
from service.db import Database
from service.errors import FieldError, ValidationFailed
from service.i18n import Language
from service.notifications import service as notifications
from service.notifications.models import Notification
from service.proposals import repository as proposals
from service.proposals.models import ProposalStatus
from service.settings import Settings
from service.workflow import service as workflow
from service.workflow.models import Response
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed
from tests.fixtures.api import bearer
from tests.graphql_client import execute


async def _answers(db: Database, proposal_id: int) -> list[bool]:
    async with db.session() as session:
        rows = await session.exec(
            select(Response).where(Response.proposal_id == proposal_id).order_by(col(Response.id))
        )
        return [row.published for row in rows]


async def _mail_context(db: Database, proposal_id: int, template: str) -> list[dict[str, object]]:
    async with db.session() as session:
        rows = await session.exec(
            select(Notification)
            .where(Notification.proposal_id == proposal_id, Notification.template == template)
            .order_by(col(Notification.id))
        )
        return [dict(row.context) for row in rows]


async def test_an_answer_asked_published_without_the_submitters_consent_is_stored_unpublished(
    db: Database, settings: Settings
) -> None:
    private = await submitted_and_routed(db, settings, consent_to_publish=False)
    public = await submitted_and_routed(
        db, settings, consent_to_publish=True, email="public@example.com"
    )
    assert private.id is not None
    assert public.id is not None
    reviewer = official(await agency_id(db, "BKHCN"))
    for proposal_id in (private.id, public.id):
        async with db.transaction() as session:
            await workflow.respond(
                session, reviewer, proposal_id, "Trả lời.", publish=True, language="vi"
            )
    assert await _answers(db, private.id) == [False]
    assert await _answers(db, public.id) == [True]
    # The submitter's mail says what was stored, not what was asked.
    [told_private] = await _mail_context(db, private.id, "responded")
    [told_public] = await _mail_context(db, public.id, "responded")
    assert (told_private["published"], told_public["published"]) == (False, True)


async def test_the_api_answer_without_consent_is_unpublished_though_publish_defaults_to_true(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    private = await submitted_and_routed(db, settings, consent_to_publish=False)
    assert private.id is not None
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    answered = await execute(
        client,
        "Respond",
        {"input": {"id": to_global_id("Proposal", private.id), "text": "Trả lời."}},
        headers=portal,
    )
    assert answered["respond"]["__typename"] == "WorkflowSuccess"
    assert await _answers(db, private.id) == [False]


async def test_a_merge_without_a_lead_or_into_itself_says_so_and_changes_nothing(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    refusals = []
    attempts: list[tuple[int | None, Language]] = [
        (None, "en"),
        (proposal.id, "en"),
        (None, "vi"),
        (proposal.id, "vi"),
    ]
    for into_id, language in attempts:
        with pytest.raises(ValidationFailed) as refused:
            async with db.transaction() as session:
                await workflow.merge(session, SECRETARIAT, proposal.id, into_id, language)
        refusals.append(refused.value.errors)
    assert refusals == [
        [FieldError("intoId", "required", "This field is required.")],
        [FieldError("intoId", "self", "A submission cannot be merged into itself.")],
        [FieldError("intoId", "required", "Trường này là bắt buộc.")],
        [FieldError("intoId", "self", "Không thể gộp một nội dung vào chính nó.")],
    ]
    async with db.session() as session:
        row = await proposals.get(session, proposal.id)
    assert row is not None
    assert (row.status, row.merged_into_id) == (ProposalStatus.ROUTED, None)


async def test_the_api_merge_without_a_lead_or_into_itself_names_the_field(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    own = to_global_id("Proposal", proposal.id)
    secretariat = await bearer(db, Role.SECRETARIAT, None) | {"accept-language": "en"}
    answers = [
        (
            await execute(
                client, "Merge", {"input": {"id": own, "intoId": into}}, headers=secretariat
            )
        )["merge"]
        for into in ("", "  ", own)
    ]
    assert answers == [
        {
            "__typename": "ValidationErrors",
            "errors": [
                {"field": "intoId", "code": "required", "message": "This field is required."}
            ],
        },
        {
            "__typename": "ValidationErrors",
            "errors": [
                {"field": "intoId", "code": "required", "message": "This field is required."}
            ],
        },
        {
            "__typename": "ValidationErrors",
            "errors": [
                {
                    "field": "intoId",
                    "code": "self",
                    "message": "A submission cannot be merged into itself.",
                }
            ],
        },
    ]


def _bodies(message: EmailMessage) -> str:
    parts = [message.get_body((subtype,)) for subtype in ("plain", "html")]
    return "\n".join(str(part.get_content()) for part in parts if part is not None)


async def test_the_assignment_mail_carries_the_secretariats_note(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    async with db.transaction() as session:
        await workflow.decline(
            session, official(proposal.agency_id), proposal.id, "Không thuộc Bộ.", "vi"
        )
    note = "Đề nghị phối hợp với Sở Khoa học và Công nghệ Hà Nội."
    async with db.transaction() as session:
        await workflow.assign(
            session,
            SECRETARIAT,
            proposal.id,
            "BCT",
            settings,
            "vi",
            cooperating=["BTC"],
            note=note,
        )
    async with db.session() as session:
        rows = (
            await session.exec(
                select(Notification)
                .where(
                    Notification.proposal_id == proposal.id,
                    Notification.template == "assignment",
                )
                .order_by(col(Notification.id))
            )
        ).all()
        # The first mails came with the rules' routing, which has no note.
        bodies = {
            row.recipient: _bodies(await notifications.compose(session, row, settings))
            for row in rows
        }
    routed = bodies.pop("reviewer.bkhcn@intake.localhost")
    assert "Ghi chú của Văn phòng Thường trực:" not in routed
    assert sorted(bodies) == ["reviewer.bct@intake.localhost", "reviewer.btc@intake.localhost"]
    for recipient, body in bodies.items():
        # Once in the plain text, once in the HTML part.
        assert body.count("Ghi chú của Văn phòng Thường trực:") == 2, recipient
        assert body.count(note) == 2, recipient


async def test_an_assignment_without_a_note_mails_no_empty_note(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    async with db.transaction() as session:
        await workflow.decline(session, official(proposal.agency_id), proposal.id, "Không.", "vi")
    async with db.transaction() as session:
        await workflow.assign(session, SECRETARIAT, proposal.id, "BCT", settings, "vi")
    async with db.session() as session:
        [row] = (
            await session.exec(
                select(Notification).where(
                    Notification.proposal_id == proposal.id,
                    Notification.template == "assignment",
                    Notification.recipient == "reviewer.bct@intake.localhost",
                )
            )
        ).all()
        body = _bodies(await notifications.compose(session, row, settings))
    assert "Ghi chú của Văn phòng Thường trực:" not in body
