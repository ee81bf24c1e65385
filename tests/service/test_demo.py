"""The demo's sample submissions: submitted as the form would, once, and routed where the
demo means to show (a ministry by topic, a province's committee, an old province name, English,
the secretariat's triage)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, func, select

from service.accounts import repository as accounts_repository
from service.accounts import service as accounts
from service.accounts.models import Role
from service.db import Database
from service.demo import (
    DEMO_SUBMISSIONS,
    SECRETARIAT_EMAIL,
    load_demo,
    load_demo_submissions,
    read_demo_submissions,
)
from service.directory import repository as directory_repository
from service.directory import service as directory_service
from service.outbox.models import OutboxMessage
from service.proposals.models import Proposal, ProposalStatus
from service.proposals.service import ROUTE_JOB, track
from service.routing.service import route_proposal
from service.runtime import Runtime
from service.settings import Settings
from service.workflow.repository import responses_for
from tests.factories import SECRETARIAT, submitted_and_routed

# Where each sample goes, by the start of its title: what a careful official would choose.
EXPECTED = {
    "Giao quyền tự chủ kinh phí": "BKHCN",
    "Ưu đãi thuế thu nhập doanh nghiệp": "BTC",
    "Chậm bàn giao đất trong Khu công nghệ cao Đà Nẵng": "UBND-DA-NANG",
    "Hồ sơ cấp giấy phép xây dựng trung tâm dữ liệu": "UBND-HO-CHI-MINH",
    "Thủ tục đánh giá tác động xử lý dữ liệu cá nhân": "BCA",
    "Đưa lập trình và kỹ năng số": "BGDDT",
    "Work permits for foreign AI researchers": "BNV",
    "Cấp phép khám bệnh, chữa bệnh từ xa": "BYT",
    "A national semiconductor design talent programme": "BKHCN",
    # Bắc Giang, merged into Bắc Ninh in July 2025, named in the text only.
    "Hồ sơ thành lập doanh nghiệp khoa học và công nghệ ở Bắc Giang": "UBND-BAC-NINH",
}
TRIAGED = "Góp ý chung về cách tổ chức thực hiện"


async def _count(db: Database) -> int:
    async with db.session() as session:
        return (await session.exec(select(func.count()).select_from(Proposal))).one()


async def test_the_samples_are_submitted_once_with_their_route_jobs(
    runtime: Runtime, settings: Settings
) -> None:
    db = runtime.db
    stored = await load_demo_submissions(db, None, settings)
    samples = read_demo_submissions()
    assert [p.title for p in stored] == [s.submission.title for s in samples]
    assert {p.language for p in stored} == {"vi", "en"}
    async with db.session() as session:
        jobs = (
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.job) == ROUTE_JOB))
        ).all()
        statuses = {p.title: (await session.get(Proposal, p.id)) for p in stored}
    assert sorted(int(str(job.payload["proposal_id"])) for job in jobs) == sorted(
        p.id for p in stored if p.id is not None
    )
    answered = {s.submission.title for s in samples if s.answer}
    assert len(answered) == 2
    for title, proposal in statuses.items():
        assert proposal is not None
        expected = ProposalStatus.RESPONDED if title in answered else ProposalStatus.SUBMITTED
        assert (title, proposal.status) == (title, expected)
    # Again, or on a system that holds submissions already: nothing.
    assert await load_demo_submissions(db, None, settings) == []
    assert await _count(db) == len(samples)


async def test_the_answered_samples_show_a_whole_journey_to_anyone(
    runtime: Runtime, settings: Settings, client: httpx.AsyncClient
) -> None:
    stored = await load_demo_submissions(runtime.db, None, settings)
    answers = {s.submission.title: s.answer for s in read_demo_submissions() if s.answer}
    for proposal in stored:
        if proposal.title not in answers:
            continue
        assert proposal.id is not None
        async with runtime.db.session() as session:
            tracked = await track(session, proposal.tracking_code)
            responses = await responses_for(session, [proposal.id])
        assert [event.status for event, _ in tracked.events] == [
            ProposalStatus.SUBMITTED,
            ProposalStatus.ROUTED,
            ProposalStatus.ACKNOWLEDGED,
            ProposalStatus.RESPONDED,
        ]
        assert tracked.agency is not None
        assert tracked.agency.code == _expected(proposal.title)
        assert [(r.text, r.published, r.agency_id) for r in responses] == [
            (answers[proposal.title], True, tracked.agency.id)
        ]
        page = await client.get(f"/track/{proposal.tracking_code}")
        assert page.status_code == 200
        assert html.escape(answers[proposal.title], quote=False) in page.text


async def test_a_system_with_submissions_gets_no_samples(
    runtime: Runtime, settings: Settings
) -> None:
    db = runtime.db
    await submitted_and_routed(db, settings)
    assert await load_demo_submissions(db, None, settings) == []
    assert await _count(db) == 1


def _expected(title: str) -> str:
    [code] = [code for start, code in EXPECTED.items() if title.startswith(start)]
    return code


async def test_the_samples_reach_the_agencies_they_are_written_for(
    runtime: Runtime, settings: Settings
) -> None:
    db = runtime.db
    routed: dict[str, tuple[ProposalStatus, str]] = {}
    answered = {s.submission.title for s in read_demo_submissions() if s.answer}
    for proposal in await load_demo_submissions(db, None, settings):
        if proposal.title in answered:
            continue  # routed already, above
        assert proposal.id is not None
        async with db.transaction() as session:
            done = await route_proposal(session, proposal.id, settings)
        assert done is not None
        routed[proposal.title] = (done.proposal.status, done.agency.code)
    assert set(routed) | answered == {s.submission.title for s in read_demo_submissions()}
    for title, (status, agency) in routed.items():
        if title == TRIAGED:
            assert (status, agency) == (ProposalStatus.TRIAGE, "THUONGTRUC")
            continue
        assert (title, status, agency) == (title, ProposalStatus.ROUTED, _expected(title))


def test_a_samples_file_with_an_unknown_field_is_refused_by_number(tmp_path: Path) -> None:
    rows = json.loads(DEMO_SUBMISSIONS.read_text(encoding="utf-8"))
    rows[1]["submitter"] = "x"
    wrong = tmp_path / "samples.json"
    wrong.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(ValueError, match=r"samples.json: submission 2: unknown field 'submitter'"):
        read_demo_submissions(wrong)


async def test_the_demo_secretariat_belongs_to_no_agency_and_its_account_can_be_saved(
    runtime: Runtime,
) -> None:
    async with runtime.db.transaction() as session:
        clerk = await accounts_repository.get_by_email(session, SECRETARIAT_EMAIL)
        assert clerk is not None
        assert clerk.id is not None
        assert (clerk.role, clerk.agency_id) == (Role.SECRETARIAT, None)
        # Saved unchanged on the users page by another secretariat official: accepted.
        saved = await accounts.update_official(
            session, SECRETARIAT, clerk.id, role="SECRETARIAT", agency_code="", language="vi"
        )
        assert saved.agency_id is None
        # A database seeded before, with the standing office as its agency, is mended.
        office = await directory_service.secretariat(session)
        clerk.agency_id = office.id
    async with runtime.db.transaction() as session:
        await load_demo(session)
    async with runtime.db.session() as session:
        mended = await accounts_repository.get_by_email(session, SECRETARIAT_EMAIL)
        assert mended is not None
        assert mended.agency_id is None


async def test_a_restart_keeps_the_secretariats_agency_edits_until_another_directory_ships(
    db: Database,
) -> None:
    """`intake dev` loads the demo at every start: the shipped directory only when it is not the
    one last loaded from the files."""
    async with db.transaction() as session:
        shipped = await directory_service.agency(session, "BYT")
        assert shipped is not None
        as_shipped = (shipped.name_en, shipped.respond_days)
        await directory_service.update_agency(
            session,
            "user:1",
            "BYT",
            "en",
            name_vi=shipped.name_vi,
            name_en="Ministry of Health (edited)",
            emails=shipped.emails,
            acknowledge_days=None,
            respond_days=12,
        )
    async with db.transaction() as session:
        await load_demo(session)  # a restart
    async with db.session() as session:
        kept = await directory_service.agency(session, "BYT")
    assert kept is not None
    assert (kept.name_en, kept.respond_days) == ("Ministry of Health (edited)", 12)
    # Another directory shipped (here: the last load's checksum no longer the files'): loaded.
    async with db.transaction() as session:
        loaded = await directory_repository.latest_file_load(session)
        assert loaded is not None
        loaded.checksum = "an older directory"
    async with db.transaction() as session:
        await load_demo(session)
    async with db.session() as session:
        reloaded = await directory_service.agency(session, "BYT")
    assert reloaded is not None
    assert (reloaded.name_en, reloaded.respond_days) == as_shipped
