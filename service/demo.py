"""Demo data: the shipped directory, one secretariat user and one reviewer per agency, and
sample submissions for a local system that holds none yet."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts import repository as accounts_repository
from service.accounts import service as accounts
from service.accounts.models import Role
from service.db import Database
from service.directory import repository as directory
from service.directory import service as directory_service
from service.directory.loader import read_directory
from service.directory.models import SECRETARIAT_CODE
from service.i18n import parse_language
from service.outbox import service as outbox
from service.outbox.service import JobQueue
from service.proposals.models import Proposal, ProposalStatus
from service.proposals.service import submit_proposal
from service.proposals.validation import SubmissionInput
from service.routing import repository as routing_repository
from service.routing import service as routing
from service.routing.loader import read_rules
from service.settings import Settings
from service.workflow import service as workflow

DEMO_PASSWORD = "intake-demo"  # noqa: S105 - printed at start; demo data only
DEMO_DOMAIN = "intake.localhost"
SECRETARIAT_EMAIL = f"secretariat@{DEMO_DOMAIN}"
DEMO_SUBMISSIONS = Path(__file__).with_name("demo_submissions.json")


def reviewer_email(agency_code: str) -> str:
    return f"reviewer.{agency_code.lower()}@{DEMO_DOMAIN}"


async def load_demo(session: AsyncSession, actor: str = "cli") -> None:
    """Idempotent: the shipped directory loaded when it is not the one last loaded from the
    files, existing users kept.

    Each start of `intake dev` runs this: the secretariat's edits of the agencies since the last
    load stay, until the project ships another directory (or `intake directory load` is run).
    """
    data = read_directory()
    loaded = await directory.latest_file_load(session)
    if loaded is None or loaded.checksum != data.checksum:
        await directory_service.load_directory(session, data, actor)
    if not await routing_repository.list_rules(session):
        known = await routing.known_directory(session)
        await routing.load_rules(session, read_rules(known), actor)
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    # Secretariat accounts belong to no agency (the users page refuses one with an agency).
    clerk = await accounts.ensure_user(
        session,
        email=SECRETARIAT_EMAIL,
        name="Thư ký Văn phòng Thường trực",
        role=Role.SECRETARIAT,
        password_hash=password_hash,
    )
    if clerk.role is Role.SECRETARIAT and clerk.agency_id is not None:
        clerk.agency_id = None  # seeded with the standing office's agency before December 2026
    for entry in data.agencies:
        if entry.code == SECRETARIAT_CODE:
            continue
        agency = await directory.get_agency_by_code(session, entry.code)
        assert agency is not None
        await accounts.ensure_user(
            session,
            email=reviewer_email(entry.code),
            name=f"Cán bộ tiếp nhận {entry.code}",
            role=Role.REVIEWER,
            password_hash=password_hash,
            agency=agency,
        )


@dataclass(frozen=True, slots=True)
class Sample:
    """A sample submission, and the answer its agency's demo reviewer gives it, if any."""

    submission: SubmissionInput
    answer: str = ""


def read_demo_submissions(path: Path = DEMO_SUBMISSIONS) -> list[Sample]:
    """The sample submissions, as a submitter would type them into the form."""
    known = {field.name for field in fields(SubmissionInput)}
    rows = json.loads(path.read_text(encoding="utf-8"))
    samples = []
    for number, row in enumerate(rows, start=1):
        answer = row.pop("answer", "")
        unknown = sorted(set(row) - known)
        if unknown:
            raise ValueError(f"{path.name}: submission {number}: unknown field {unknown[0]!r}")
        samples.append(Sample(SubmissionInput(**row), answer))
    return samples


async def load_demo_submissions(
    db: Database, jobs: JobQueue | None, settings: Settings
) -> list[Proposal]:
    """Submit the samples when the system holds no submission yet; otherwise nothing.

    Each goes through the same path as the form (checks, receipt mailed, routing queued); those
    with an answer are routed by the rules at once, acknowledged and answered (published) by
    their agency's demo reviewer, so that the tracking page, the published list and the figures
    show a whole journey. All in one transaction: either every sample is stored or none, so a
    run stopped halfway loads them whole the next time.
    """
    async with outbox.unit_of_work(db, jobs) as session:
        if (await session.exec(select(Proposal.id).limit(1))).first() is not None:
            return []
        stored = []
        for sample in read_demo_submissions():
            language = parse_language(sample.submission.language) or settings.default_language
            proposal = await submit_proposal(session, sample.submission, settings, language)
            if sample.answer:
                await _answer(session, proposal, sample.answer, settings)
            stored.append(proposal)
        return stored


async def _answer(session: AsyncSession, proposal: Proposal, text: str, settings: Settings) -> None:
    assert proposal.id is not None
    routed = await routing.route_proposal(session, proposal.id, settings)
    if routed is None or routed.status is not ProposalStatus.ROUTED:
        raise ValueError(f"sample {proposal.title!r} has an answer but no rule routes it")
    reviewer = await accounts_repository.get_by_email(session, reviewer_email(routed.agency.code))
    assert reviewer is not None
    assert reviewer.id is not None
    actor = await accounts.actor_for_user(session, reviewer.id)
    assert actor is not None
    await workflow.acknowledge(session, actor, proposal.id)
    await workflow.respond(session, actor, proposal.id, text, publish=True, language="vi")
