"""Errors of the workflow: each carries what the caller needs to explain it, in their language."""

from __future__ import annotations

from collections.abc import Callable

from service.errors import DomainError
from service.i18n import DEFAULT_LANGUAGE, Language, translations
from service.proposals.labels import status_labels
from service.proposals.models import ProposalStatus
from service.workflow.rules import Action

Gettext = Callable[[str], str]

# Steps that are not state changes but are refused the same way.
ADD_NOTE = "ADD_NOTE"
SAVE_TEMPLATE = "SAVE_TEMPLATE"


class WorkflowError(DomainError):
    code = "workflow_error"


def _not_permitted(_: Gettext) -> dict[str, str]:
    return {
        # A cooperating agency handles the submission too: these steps are its lead's alone.
        Action.ACKNOWLEDGE: _("Only the lead agency may acknowledge this submission."),
        Action.REQUEST_INFO: _("Only the lead agency may ask the submitter for information."),
        Action.RESPOND: _(
            "Only the lead agency may answer this submission; a cooperating agency adds its"
            " contribution as a note."
        ),
        Action.DECLINE: _("Only the lead agency may decline this submission."),
        Action.EXTEND_DEADLINE: _(
            "Only the lead agency may extend the deadline of this submission."
        ),
        Action.ASSIGN: _("Only the secretariat may assign this submission to an agency."),
        Action.TRANSFER: _("Only the secretariat may transfer this submission to another agency."),
        Action.REJECT: _("Only the secretariat may reject this submission."),
        Action.MERGE: _("Only the secretariat may merge this submission into another."),
        Action.REOPEN: _("Only the secretariat may reopen this submission."),
        Action.CLOSE: _("Only the secretariat may close this submission."),
        Action.WITHDRAW: _("Only the submitter may withdraw this submission."),
        Action.ANSWER_INFO: _("Only the submitter may answer the request for information."),
        Action.RATE: _("Only the submitter may rate the answer to this submission."),
        ADD_NOTE: _(
            "Only the secretariat and the agencies handling this submission now may add notes"
            " to it."
        ),
        SAVE_TEMPLATE: _("Only agency officials may keep response templates."),
    }


def _not_now(_: Gettext) -> dict[str, str]:
    return {
        Action.ACKNOWLEDGE: _("This submission cannot be acknowledged now."),
        Action.REQUEST_INFO: _("Information cannot be requested on this submission now."),
        Action.RESPOND: _("This submission cannot be answered now."),
        Action.DECLINE: _("This submission cannot be declined now."),
        Action.EXTEND_DEADLINE: _("The deadline of this submission cannot be extended now."),
        Action.ASSIGN: _("This submission cannot be assigned now."),
        Action.TRANSFER: _("This submission cannot be transferred now."),
        Action.REJECT: _("This submission cannot be rejected now."),
        Action.MERGE: _("This submission cannot be merged now."),
        Action.REOPEN: _("This submission cannot be reopened now."),
        Action.CLOSE: _("This submission cannot be closed now."),
        Action.WITHDRAW: _("This submission cannot be withdrawn now."),
        Action.ANSWER_INFO: _("There is no request for information to answer now."),
        Action.RATE: _("The answer to this submission cannot be rated now."),
    }


def _action_names(_: Gettext) -> dict[str, str]:
    return {
        Action.ACKNOWLEDGE: _("acknowledge"),
        Action.REQUEST_INFO: _("request information"),
        Action.RESPOND: _("respond"),
        Action.DECLINE: _("decline"),
        Action.ASSIGN: _("assign"),
        Action.TRANSFER: _("transfer"),
        Action.REJECT: _("reject"),
        Action.MERGE: _("merge"),
        Action.REOPEN: _("reopen"),
        Action.CLOSE: _("close"),
        Action.WITHDRAW: _("withdraw"),
        Action.ANSWER_INFO: _("answer the request for information"),
        Action.RATE: _("rate the answer"),
        Action.EXTEND_DEADLINE: _("extend the deadline"),
    }


class NotPermitted(WorkflowError):
    code = "not_permitted"

    def __init__(self, action: str, language: Language = DEFAULT_LANGUAGE) -> None:
        self.action = action
        super().__init__(self.message(language))

    def message(self, language: Language) -> str:
        """Who may take the step, as a sentence in `language`."""
        _ = translations(language).gettext
        sentences = _not_permitted(_)
        return sentences.get(self.action) or _("You may not take this step on this submission.")


class InvalidTransition(WorkflowError):
    code = "invalid_transition"

    def __init__(
        self,
        action: str,
        current: ProposalStatus,
        allowed: tuple[Action, ...],
        language: Language = DEFAULT_LANGUAGE,
    ) -> None:
        self.action = action
        self.current = current
        self.allowed = allowed
        super().__init__(self.message(language))

    def message(self, language: Language) -> str:
        """Why the step is refused now and what is open instead, as sentences in `language`."""
        _ = translations(language).gettext
        refused = _not_now(_).get(self.action) or _("This step is not possible now.")
        status = _("Its status is “%(status)s”.") % {"status": status_labels(_)[self.current]}
        if self.allowed:
            names = _action_names(_)
            steps = _("Open to you now: %(steps)s.") % {
                "steps": ", ".join(names[a] for a in self.allowed)
            }
        else:
            steps = _("No step is open to you now.")
        return f"{refused} {status} {steps}"
