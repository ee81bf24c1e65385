"""The names of a submission's statuses, in the reader's language: one list for the pages, the
API's refusals and the emails."""

from __future__ import annotations

from collections.abc import Callable

from service.proposals.models import ProposalStatus

Gettext = Callable[[str], str]


def status_labels(_: Gettext) -> dict[str, str]:
    return {
        ProposalStatus.SUBMITTED: _("Submitted"),
        ProposalStatus.TRIAGE: _("Awaiting triage by the secretariat"),
        ProposalStatus.ROUTED: _("Sent to the agency responsible"),
        ProposalStatus.ACKNOWLEDGED: _("Acknowledged by the agency"),
        ProposalStatus.NEEDS_INFO: _("More information requested"),
        ProposalStatus.RESPONDED: _("Answered"),
        ProposalStatus.CLOSED: _("Closed"),
        ProposalStatus.REJECTED: _("Rejected"),
        ProposalStatus.MERGED: _("Merged with another submission"),
        ProposalStatus.WITHDRAWN: _("Withdrawn"),
    }
