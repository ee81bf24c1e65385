"""A refused step names every field that is wrong at once, and stores nothing; text made only of
invisible characters is no text, and bidirectional overrides are refused like control characters."""

from __future__ import annotations

import pytest

from service.db import Database
from service.directory.models import Agency
from service.errors import ValidationFailed
from service.proposals import repository as proposals
from service.proposals.models import ProposalStatus
from service.proposals.validation import check_submission
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import (
    SECRETARIAT,
    agency_id,
    official,
    submission,
    submitted_and_routed,
    submitter_of,
)


def _problems(refused: pytest.ExceptionInfo[ValidationFailed]) -> list[tuple[str, str, str]]:
    return [(e.field, e.code, e.message) for e in refused.value.errors]


async def test_a_transfer_and_an_assignment_name_every_wrong_field_and_code(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    async with db.session() as session:
        before = len(await proposals.events(session, pid))
    with pytest.raises(ValidationFailed) as unchanged:
        async with db.transaction() as session:
            await workflow.transfer(
                session, SECRETARIAT, pid, "BKHCN", settings, "en", reason="\u200b"
            )
    with pytest.raises(ValidationFailed) as transfer:
        async with db.transaction() as session:
            await workflow.transfer(session, SECRETARIAT, pid, "NOPE", settings, "en", reason=" ")
    async with db.transaction() as session:
        reviewer = official(await agency_id(db, "BKHCN"))
        await workflow.decline(session, reviewer, pid, "Không thuộc thẩm quyền.", "vi")
    with pytest.raises(ValidationFailed) as assign:
        async with db.transaction() as session:
            await workflow.assign(
                session,
                SECRETARIAT,
                pid,
                "NOPE",
                settings,
                "en",
                cooperating=["BTC", "nope2"],
                note="\u0007",
            )
    async with db.session() as session:
        after = len(await proposals.events(session, pid))  # the decline's step only
    assert _problems(transfer) == [
        ("reason", "required", "This field is required."),
        ("agencyCode", "unknown", "Choose an agency from the directory."),
    ]
    assert _problems(assign) == [
        ("note", "control_characters", "Remove control characters from this field."),
        ("agencyCode", "unknown", "Choose an agency from the directory."),
        ("cooperatingAgencyCodes", "unknown", '"nope2" is not an agency of the directory.'),
    ]
    assert _problems(unchanged) == [
        ("reason", "required", "This field is required."),
        ("agencyCode", "unchanged", "The submission is already with this agency."),
    ]
    assert after == before + 1


async def test_an_extension_a_template_and_a_rating_name_both_of_their_problems(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    pid = proposal.id
    reviewer = official(await agency_id(db, "BKHCN"))
    with pytest.raises(ValidationFailed) as extension:
        async with db.transaction() as session:
            await workflow.extend_deadline(session, reviewer, pid, 0, "", settings, "vi")
    with pytest.raises(ValidationFailed) as template:
        async with db.transaction() as session:
            await workflow.save_response_template(session, reviewer, "", "", "en")
    with pytest.raises(ValidationFailed) as long_name:
        async with db.transaction() as session:
            await workflow.save_response_template(session, reviewer, "x" * 101, "Nội dung", "en")
    async with db.transaction() as session:
        await workflow.respond(
            session, reviewer, pid, "Bộ sẽ nghiên cứu.", publish=False, language="en"
        )
    submitter = await submitter_of(db, settings, pid)
    with pytest.raises(ValidationFailed) as rating:
        async with db.transaction() as session:
            await workflow.rate(session, submitter, pid, 9, "a\u202eb", "en")
    assert _problems(extension) == [
        ("days", "out_of_range", "Chọn từ 1 đến 15 ngày làm việc."),
        ("reason", "required", "Trường này là bắt buộc."),
    ]
    assert _problems(template) == [
        ("name", "required", "This field is required."),
        ("body", "required", "This field is required."),
    ]
    assert _problems(long_name) == [("name", "too_long", "Use at most 100 characters.")]
    assert _problems(rating) == [
        ("score", "out_of_range", "Choose a score from 1 to 5."),
        ("comment", "control_characters", "Remove control characters from this field."),
    ]


async def test_a_note_of_invisible_characters_is_no_note(db: Database, settings: Settings) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    reviewer = official(await agency_id(db, "BKHCN"))
    refusals = []
    for text in ("\u200b", " \u200b\u2060 \ufeff ", "Gọi lại \u202esau\u202c."):
        with pytest.raises(ValidationFailed) as refused:
            async with db.transaction() as session:
                await workflow.add_note(session, reviewer, proposal.id, text, "en")
        refusals.append(_problems(refused))
    async with db.transaction() as session:
        kept = await workflow.add_note(
            session, reviewer, proposal.id, "👩\u200d💻 gọi lại sau.", "en"
        )
    assert refusals == [
        [("text", "required", "This field is required.")],
        [("text", "required", "This field is required.")],
        [("text", "control_characters", "Remove control characters from this field.")],
    ]
    assert kept.text == "👩\u200d💻 gọi lại sau."


def test_a_submission_of_invisible_characters_is_refused_field_by_field(
    settings: Settings,
) -> None:
    clean, problems = check_submission(
        submission(title="\u200b\u200b", description="Mô tả \u202ecó đảo chiều"), settings, "en"
    )
    assert clean is None
    assert [(e.field, e.code) for e in problems] == [
        ("title", "required"),
        ("description", "control_characters"),
    ]


async def test_nothing_is_handed_to_an_agency_no_longer_in_the_directory(
    db: Database, settings: Settings
) -> None:
    proposal = await submitted_and_routed(db, settings)
    assert proposal.id is not None
    async with db.transaction() as session:
        defence = await session.get(Agency, await agency_id(db, "BQP"))
        assert defence is not None
        defence.is_active = False
    with pytest.raises(ValidationFailed) as transfer:
        async with db.transaction() as session:
            await workflow.transfer(
                session, SECRETARIAT, proposal.id, "BQP", settings, "en", reason="Quốc phòng."
            )
    async with db.transaction() as session:
        reviewer = official(await agency_id(db, "BKHCN"))
        await workflow.decline(session, reviewer, proposal.id, "Không thuộc thẩm quyền.", "vi")
    with pytest.raises(ValidationFailed) as cooperating:
        async with db.transaction() as session:
            await workflow.assign(
                session, SECRETARIAT, proposal.id, "BTC", settings, "en", cooperating=["bqp"]
            )
    async with db.session() as session:
        kept = await proposals.get(session, proposal.id)
    assert _problems(transfer) == [
        ("agencyCode", "unknown", "Choose an agency from the directory."),
    ]
    assert [e.field for e in cooperating.value.errors] == ["cooperatingAgencyCodes"]
    assert kept is not None
    assert kept.status is ProposalStatus.TRIAGE
