"""Errors of the workflow: each carries what the caller needs to explain it."""

from __future__ import annotations

from service.errors import DomainError
from service.proposals.models import ProposalStatus
from service.workflow.rules import Action


class WorkflowError(DomainError):
    code = "workflow_error"


class NotPermitted(WorkflowError):
    code = "not_permitted"

    def __init__(self, action: str) -> None:
        super().__init__(f"you may not {action.lower().replace('_', ' ')} this submission")
        self.action = action


class InvalidTransition(WorkflowError):
    code = "invalid_transition"

    def __init__(self, action: str, current: ProposalStatus, allowed: tuple[Action, ...]) -> None:
        allowed_text = ", ".join(a.lower() for a in allowed) or "nothing"
        super().__init__(
            f"cannot {action.lower().replace('_', ' ')} a submission that is {current.value}; "
            f"allowed now: {allowed_text}"
        )
        self.action = action
        self.current = current
        self.allowed = allowed
