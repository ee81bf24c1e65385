"""Random sequences of actions by every kind of actor keep the workflow's invariants.

Runs on SQLite only: the invariants are about the rules, which are the same on both databases,
and the transactional behaviour of each step is covered on both by test_workflow.py.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from service.accounts.actor import Actor
from service.db import Database
from service.errors import DomainError, ValidationFailed
from service.proposals import repository as proposals
from service.proposals.models import AWAITING_AGENCY, Proposal, ProposalEvent
from service.settings import Settings
from service.workflow import service as workflow
from service.workflow.rules import RULES, Action, is_party
from tests.factories import SECRETARIAT, agency_id, official, submitted_and_routed

T = TypeVar("T")
ACTORS = ("lead agency", "other agency", "secretariat", "submitter", "anonymous")
AGENCIES = ("BKHCN", "BCA", "BTC")


class WorkflowMachine(RuleBasedStateMachine):
    settings: Settings

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.db = Database(self.settings.resolved_database_url)
        self.outsider = official(self.run(agency_id(self.db, "BYT")), user_id=2)

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def teardown(self) -> None:
        self.run(self.db.dispose())
        self.loop.close()

    @initialize()
    def submit(self) -> None:
        email = f"{uuid.uuid4().hex}@example.com"
        self.proposal_id = self._id(
            self.run(submitted_and_routed(self.db, self.settings, email=email))
        )
        other = f"{uuid.uuid4().hex}@example.com"
        self.lead_id = self._id(self.run(submitted_and_routed(self.db, self.settings, email=other)))

    @staticmethod
    def _id(proposal: Proposal) -> int:
        assert proposal.id is not None
        return proposal.id

    async def _state(self) -> tuple[Proposal, list[ProposalEvent]]:
        async with self.db.session() as session:
            proposal = await proposals.get(session, self.proposal_id)
            events = list(await proposals.events(session, self.proposal_id))
        assert proposal is not None
        return proposal, events

    def _actor(self, who: str, proposal: Proposal) -> Actor:
        match who:
            case "lead agency":
                return official(proposal.agency_id, user_id=1)
            case "other agency":
                return self.outsider
            case "secretariat":
                return SECRETARIAT
            case "submitter":
                return Actor.submitter(self.proposal_id)
            case _:
                return Actor.anonymous()

    async def _perform(self, action: Action, actor: Actor, agency: str) -> None:
        pid, s = self.proposal_id, self.settings
        async with self.db.transaction() as session:
            match action:
                case Action.ACKNOWLEDGE:
                    await workflow.acknowledge(session, actor, pid)
                case Action.REQUEST_INFO:
                    await workflow.request_information(session, actor, pid, "Câu hỏi?", "vi")
                case Action.RESPOND:
                    await workflow.respond(
                        session, actor, pid, "Trả lời.", publish=True, language="vi"
                    )
                case Action.DECLINE:
                    await workflow.decline(session, actor, pid, "Không thuộc thẩm quyền.", "vi")
                case Action.ASSIGN:
                    await workflow.assign(session, actor, pid, agency, s, "vi")
                case Action.TRANSFER:
                    await workflow.transfer(session, actor, pid, agency, s, "vi", reason="Chuyển.")
                case Action.REJECT:
                    await workflow.reject(session, actor, pid, "Lý do.", "vi")
                case Action.MERGE:
                    await workflow.merge(session, actor, pid, self.lead_id, "vi")
                case Action.REOPEN:
                    await workflow.reopen(session, actor, pid, "Mở lại.", "vi")
                case Action.CLOSE:
                    await workflow.close(session, actor, pid, "")
                case Action.WITHDRAW:
                    await workflow.withdraw(session, actor, pid, "", "vi")
                case Action.ANSWER_INFO:
                    await workflow.answer_information(session, actor, pid, "Bổ sung.", "vi")
                case Action.RATE:
                    await workflow.rate(session, actor, pid, 3, "", "vi")
                case Action.EXTEND_DEADLINE:
                    await workflow.extend_deadline(session, actor, pid, 5, "Cần thêm.", s, "vi")

    @rule(
        action=st.sampled_from(list(Action)),
        who=st.sampled_from(ACTORS),
        agency=st.sampled_from(AGENCIES),
    )
    def act(self, action: Action, who: str, agency: str) -> None:
        before, events_before = self.run(self._state())
        actor = self._actor(who, before)
        rule_ = RULES[action]
        allowed = before.status in rule_.sources and is_party(actor, rule_.party, before)
        try:
            self.run(self._perform(action, actor, agency))
            succeeded = True
        except ValidationFailed:
            assert allowed, "a party that may not act got as far as input checking"
            succeeded = False
        except DomainError:
            succeeded = False
        after, events_after = self.run(self._state())
        if succeeded:
            assert allowed, f"{who} took {action} from {before.status}"
            assert len(events_after) == len(events_before) + 1
            assert events_after[-1].action == action.value
        else:
            assert (after.status, after.agency_id) == (before.status, before.agency_id)
            assert len(events_after) == len(events_before)

    @invariant()
    def timeline_matches_state(self) -> None:
        if not hasattr(self, "proposal_id"):
            return
        proposal, events = self.run(self._state())
        assert events[-1].status is proposal.status
        for earlier, later in itertools.pairwise(events):
            assert later.from_status is earlier.status
        if proposal.status in AWAITING_AGENCY:
            assert proposal.agency_id is not None
            assert proposal.deadline is not None


def test_workflow_invariants_hold_for_random_action_sequences(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "intake.db"
    shutil.copyfile(sqlite_template, database)
    WorkflowMachine.settings = Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{database}",
    )
    machine = WorkflowMachine.TestCase
    machine.settings = hypothesis_settings(
        max_examples=30,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    machine().runTest()
