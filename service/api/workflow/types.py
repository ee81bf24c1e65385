"""What every workflow mutation returns: the step taken, or why not."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from service.api.errors import ValidationErrors
from service.api.proposals.types import Proposal, ProposalEvent
from service.proposals.models import ProposalStatus
from service.workflow.rules import Action


@strawberry.type(description="The step was taken.")
class WorkflowSuccess:
    proposal: Proposal
    event: ProposalEvent


@strawberry.type(description="No such submission, or none you may see.")
class NotFoundError:
    code: str = "not_found"
    message: str


@strawberry.type(description="You may see the submission but not take this step.")
class NotPermittedError:
    code: str = "not_permitted"
    message: str


@strawberry.type(description="The submission's state does not allow this step.")
class InvalidTransitionError:
    code: str = "invalid_transition"
    message: str
    current_status: ProposalStatus
    allowed_actions: list[Action] = strawberry.field(description="What you may do now instead.")


WorkflowResult = Annotated[
    WorkflowSuccess | ValidationErrors | NotFoundError | NotPermittedError | InvalidTransitionError,
    strawberry.union("WorkflowResult"),
]


@strawberry.input
class ProposalIdInput:
    id: strawberry.ID


@strawberry.input
class RequestInformationInput:
    id: strawberry.ID
    question: str


@strawberry.input
class RespondInput:
    id: strawberry.ID
    text: str
    publish: bool = strawberry.field(
        default=True, description="Show the answer publicly when the submission is published."
    )
    attachments: list[Upload] | None = strawberry.field(
        default=None, description="Files for the answer (GraphQL multipart request)."
    )


@strawberry.input
class ReasonInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class AssignInput:
    id: strawberry.ID
    agency_code: str
    cooperating_agency_codes: list[str] = strawberry.field(default_factory=list)
    note: str = ""


@strawberry.input
class TransferInput:
    id: strawberry.ID
    agency_code: str
    reason: str


@strawberry.input
class MergeInput:
    id: strawberry.ID = strawberry.field(description="The duplicate.")
    into_id: strawberry.ID = strawberry.field(description="The submission it follows from now on.")


@strawberry.input
class CloseInput:
    id: strawberry.ID
    note: str = ""


@strawberry.input
class AddNoteInput:
    id: strawberry.ID
    text: str


@strawberry.input(
    description="The submitter acts with the tracking code and the key from their link."
)
class WithdrawInput:
    tracking_code: str
    access_key: str
    reason: str = ""


@strawberry.input
class AnswerInformationInput:
    tracking_code: str
    access_key: str
    answer: str


@strawberry.input
class RateResponseInput:
    tracking_code: str
    access_key: str
    score: int = strawberry.field(description="1 (poor) to 5 (excellent).")
    comment: str = ""


@strawberry.type
class NoteAdded:
    proposal: Proposal


NoteResult = Annotated[
    NoteAdded | ValidationErrors | NotFoundError | NotPermittedError,
    strawberry.union("AddNoteResult"),
]
