"""Every kind of message Intake sends: who it is for and whether it may be declined."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Audience(enum.Enum):
    SUBMITTER = "submitter"
    OFFICIALS = "officials"


@dataclass(frozen=True, slots=True)
class MailKind:
    template: str
    audience: Audience
    # Essential mail reaches submitters who opted out: it carries their link or the outcome.
    essential: bool = True
    # Officials who prefer the daily digest find these there instead of in separate emails.
    digestible: bool = False


RECEIPT = MailKind("receipt", Audience.SUBMITTER)
INFORMATION_REQUESTED = MailKind("information_requested", Audience.SUBMITTER)
RESPONDED = MailKind("responded", Audience.SUBMITTER)
REJECTED = MailKind("rejected", Audience.SUBMITTER)
CLOSED = MailKind("closed", Audience.SUBMITTER, essential=False)
MERGED = MailKind("merged", Audience.SUBMITTER, essential=False)
# The agency's one extension: when the answer is now due, and why.
DEADLINE_EXTENDED = MailKind("deadline_extended", Audience.SUBMITTER, essential=False)
# Essential: the outcome they were told of no longer stands.
REOPENED = MailKind("reopened", Audience.SUBMITTER)
ASSIGNMENT = MailKind("assignment", Audience.OFFICIALS, digestible=True)
TRIAGE = MailKind("triage", Audience.OFFICIALS, digestible=True)
DECLINED = MailKind("declined", Audience.OFFICIALS, digestible=True)
TRANSFERRED = MailKind("transferred", Audience.OFFICIALS)
# Not in the digest, which lists what was newly assigned, not what came back: sent at once.
REOPENED_ASSIGNMENT = MailKind("reopened_assignment", Audience.OFFICIALS)
ANSWER_RECEIVED = MailKind("answer_received", Audience.OFFICIALS)
REMINDER = MailKind("reminder", Audience.OFFICIALS, digestible=True)
OVERDUE = MailKind("overdue", Audience.OFFICIALS)
DIGEST = MailKind("digest", Audience.OFFICIALS)

KINDS: dict[str, MailKind] = {
    kind.template: kind
    for kind in (
        RECEIPT,
        INFORMATION_REQUESTED,
        RESPONDED,
        REJECTED,
        CLOSED,
        MERGED,
        DEADLINE_EXTENDED,
        REOPENED,
        ASSIGNMENT,
        TRIAGE,
        DECLINED,
        TRANSFERRED,
        REOPENED_ASSIGNMENT,
        ANSWER_RECEIVED,
        REMINDER,
        OVERDUE,
        DIGEST,
    )
}
