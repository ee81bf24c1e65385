"""Typical data for the page benchmark: the shipped directory and demo users, a few hundred
submissions with timelines, one agency's inbox of current submissions, answer templates.

The text comes from the labelled routing set (real Vietnamese and English), so that routing,
search and the pages work on the language they meet in production. Everything goes through the
services, as a web request or a job would, so timelines, deadlines and notifications are real.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.factory import create_backend
from search.reindex import reindex
from service.accounts.actor import Actor, ActorKind
from service.accounts.models import Role
from service.db import Database
from service.demo import load_demo
from service.directory.repository import get_agency_by_code
from service.migrate import upgrade
from service.proposals.access import access_key
from service.proposals.models import Proposal, ProposalStatus
from service.proposals.service import submit_proposal
from service.proposals.validation import SubmissionInput
from service.routing.service import route_proposal
from service.settings import Language, Settings
from service.workflow import service as workflow

LABELLED = Path(__file__).resolve().parents[1] / "routing" / "labelled.jsonl"
INBOX_AGENCY = "BKHCN"
SECRETARIAT = Actor(ActorKind.USER, role=Role.SECRETARIAT, user_id=1)
TEMPLATES = [
    ("Cảm ơn", "Cảm ơn anh/chị đã gửi đề xuất. Bộ đã tiếp nhận và sẽ trả lời đúng hạn."),
    ("Cần thêm thông tin", "Đề nghị anh/chị bổ sung số hồ sơ, ngày nộp và cơ quan đã tiếp nhận."),
    ("Đã chuyển", "Nội dung thuộc thẩm quyền của cơ quan khác và đã được chuyển đến cơ quan đó."),
    ("Thank you", "Thank you for your submission. The ministry will answer within the deadline."),
]


@dataclass(frozen=True, slots=True)
class PageData:
    """What the benchmark requests: one tracked submission, one inbox detail, a search word."""

    submissions: int
    inbox: int
    track_path: str  # the submitter's private link, with an answer and a long timeline
    detail_path: str  # /inbox/<id> of a submission in the agency's inbox
    search_word: str


def _rows() -> list[dict[str, Any]]:
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _submission(row: dict[str, Any], number: int) -> SubmissionInput:
    return SubmissionInput(
        kind=row["kind"],
        title=f"{row['title']} ({number})"[:200],
        description=row["description"],
        category=row["category"],
        province=row["province"] or "",
        submitter_type=row["submitter_type"],
        name=f"Người gửi {number}",
        email=f"sender{number}@example.com",
        consent_to_publish=number % 3 != 0,
    )


def _official(agency_id: int | None) -> Actor:
    return Actor(ActorKind.USER, role=Role.REVIEWER, agency_id=agency_id, user_id=1)


async def _advance(db: Database, proposal: Proposal, number: int, settings: Settings) -> None:
    """A timeline as long as its place in the sequence says: acknowledged, asked and answered,
    answered (published or not), rated; some stay where routing left them."""
    assert proposal.id is not None
    official = _official(proposal.agency_id)
    submitter = Actor(ActorKind.SUBMITTER, proposal_id=proposal.id)
    stage = number % 6
    async with db.transaction() as session:
        if stage == 0:
            return
        await workflow.acknowledge(session, official, proposal.id)
        if stage >= 2:
            await workflow.request_information(
                session, official, proposal.id, "Xin gửi thêm số hồ sơ và ngày nộp.", "vi"
            )
        if stage >= 3:
            await workflow.answer_information(
                session, submitter, proposal.id, "Hồ sơ số 123, nộp ngày 5/3.", "vi", settings
            )
            await workflow.respond(
                session,
                official,
                proposal.id,
                "Bộ đã xem xét và sẽ sửa đổi quy định trong quý tới.",
                publish=stage != 4,
                language="vi",
                settings=settings,
            )
        if stage == 5:
            await workflow.rate(session, submitter, proposal.id, 4, "Rõ ràng, đúng hạn.", "vi")


async def _fill(settings: Settings, submissions: int, inbox: int) -> PageData:
    db = Database(settings.resolved_database_url)
    rows = itertools.cycle(_rows())
    try:
        async with db.transaction() as session:
            await load_demo(session)
            agency = await get_agency_by_code(session, INBOX_AGENCY)
            assert agency is not None
            for name, body in TEMPLATES:
                language: Language = "en" if body.isascii() else "vi"
                await workflow.save_response_template(
                    session, _official(agency.id), name, body, language
                )
        tracked: Proposal | None = None
        detail: Proposal | None = None
        for number in range(1, submissions + 1):
            async with db.transaction() as session:
                proposal = await submit_proposal(
                    session, _submission(next(rows), number), settings, "vi"
                )
            assert proposal.id is not None
            async with db.transaction() as session:
                if number <= inbox:  # the agency's inbox: assigned by the secretariat
                    await workflow.assign(
                        session, SECRETARIAT, proposal.id, INBOX_AGENCY, settings, "vi"
                    )
                else:
                    await route_proposal(session, proposal.id, settings)
            async with db.session() as session:
                current = await session.get(Proposal, proposal.id)
            assert current is not None
            if number <= inbox:
                if number % 3 == 1:  # a third acknowledged: still current, still in the inbox
                    async with db.transaction() as session:
                        await workflow.acknowledge(
                            session, _official(current.agency_id), proposal.id
                        )
                detail = detail or current
            elif current.status is ProposalStatus.ROUTED:
                await _advance(db, current, number, settings)
                if number % 6 == 5 and tracked is None:
                    tracked = current
        backend = create_backend(settings)
        try:
            await backend.setup()
            await reindex(db, backend)
        finally:
            await backend.close()
    finally:
        await db.dispose()
    chosen = tracked or detail
    assert chosen is not None
    assert detail is not None
    return PageData(
        submissions=submissions,
        inbox=inbox,
        track_path=f"/track/{chosen.tracking_code}?key={access_key(settings, chosen)}",
        detail_path=f"/inbox/{detail.id}",
        search_word="thủ tục",
    )


def build(settings: Settings, *, submissions: int = 300, inbox: int = 100) -> PageData:
    """A new database at settings.database_url, migrated and filled. Call outside an event loop."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    return asyncio.run(_fill(settings, submissions, inbox))
