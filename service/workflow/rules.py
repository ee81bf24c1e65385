"""The state machine: which action moves a submission from which states, and who may take it."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from service.accounts.actor import Actor, ActorKind
from service.proposals.models import Proposal, ProposalStatus

S = ProposalStatus


class Action(enum.StrEnum):
    ACKNOWLEDGE = "ACKNOWLEDGE"
    REQUEST_INFO = "REQUEST_INFO"
    RESPOND = "RESPOND"
    DECLINE = "DECLINE"
    ASSIGN = "ASSIGN"
    TRANSFER = "TRANSFER"
    REJECT = "REJECT"
    MERGE = "MERGE"
    REOPEN = "REOPEN"
    CLOSE = "CLOSE"
    WITHDRAW = "WITHDRAW"
    ANSWER_INFO = "ANSWER_INFO"
    RATE = "RATE"
    EXTEND_DEADLINE = "EXTEND_DEADLINE"


class Party(enum.Enum):
    LEAD_AGENCY = "lead agency"
    SECRETARIAT = "secretariat"
    SUBMITTER = "submitter"


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[ProposalStatus]
    party: Party
    target: ProposalStatus | None  # None: decided by the service (back to where it was)


_HANDLING = frozenset({S.ROUTED, S.ACKNOWLEDGED, S.NEEDS_INFO})
_OPEN = frozenset({S.SUBMITTED, S.TRIAGE}) | _HANDLING
FINISHED = frozenset({S.RESPONDED, S.CLOSED, S.REJECTED, S.MERGED, S.WITHDRAWN})

RULES: dict[Action, Rule] = {
    Action.ACKNOWLEDGE: Rule(frozenset({S.ROUTED}), Party.LEAD_AGENCY, S.ACKNOWLEDGED),
    Action.REQUEST_INFO: Rule(
        frozenset({S.ROUTED, S.ACKNOWLEDGED}), Party.LEAD_AGENCY, S.NEEDS_INFO
    ),
    Action.RESPOND: Rule(frozenset({S.ROUTED, S.ACKNOWLEDGED}), Party.LEAD_AGENCY, S.RESPONDED),
    Action.DECLINE: Rule(_HANDLING, Party.LEAD_AGENCY, S.TRIAGE),
    Action.ASSIGN: Rule(frozenset({S.SUBMITTED, S.TRIAGE}), Party.SECRETARIAT, S.ROUTED),
    Action.TRANSFER: Rule(_HANDLING, Party.SECRETARIAT, S.ROUTED),
    Action.REJECT: Rule(_OPEN, Party.SECRETARIAT, S.REJECTED),
    Action.MERGE: Rule(_OPEN, Party.SECRETARIAT, S.MERGED),
    Action.REOPEN: Rule(
        frozenset({S.RESPONDED, S.CLOSED, S.REJECTED, S.WITHDRAWN}), Party.SECRETARIAT, None
    ),
    Action.CLOSE: Rule(frozenset({S.RESPONDED}), Party.SECRETARIAT, S.CLOSED),
    Action.WITHDRAW: Rule(_OPEN, Party.SUBMITTER, S.WITHDRAWN),
    Action.ANSWER_INFO: Rule(frozenset({S.NEEDS_INFO}), Party.SUBMITTER, None),
    Action.RATE: Rule(frozenset({S.RESPONDED}), Party.SUBMITTER, S.CLOSED),
    # Once per submission, with a reason; the status stays as it is.
    Action.EXTEND_DEADLINE: Rule(_HANDLING, Party.LEAD_AGENCY, None),
}


def is_party(actor: Actor, party: Party, proposal: Proposal) -> bool:
    match party:
        case Party.LEAD_AGENCY:
            return actor.is_agency_official and actor.agency_id == proposal.agency_id
        case Party.SECRETARIAT:
            return actor.is_secretariat
        case Party.SUBMITTER:
            return actor.kind is ActorKind.SUBMITTER and actor.proposal_id == proposal.id


def may_take(actor: Actor, action: Action, proposal: Proposal) -> bool:
    return is_party(actor, RULES[action].party, proposal)


def allowed_actions(actor: Actor, proposal: Proposal) -> tuple[Action, ...]:
    """The actions this actor may take on this submission in its current state."""
    parties = frozenset(party for party in Party if is_party(actor, party, proposal))
    allowed = _allowed(proposal.status, parties)
    if proposal.deadline_extended and Action.EXTEND_DEADLINE in allowed:
        # The one extension is used: offering it again would only earn `already_extended`.
        return tuple(action for action in allowed if action is not Action.EXTEND_DEADLINE)
    return allowed


@functools.cache
def _allowed(status: ProposalStatus, parties: frozenset[Party]) -> tuple[Action, ...]:
    """The rules' answer for a status and the parties the actor is: a page asks it of every
    submission, and there are only so many statuses and parties."""
    return tuple(
        action for action, rule in RULES.items() if status in rule.sources and rule.party in parties
    )
