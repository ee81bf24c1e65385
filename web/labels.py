"""Human names of the values people choose from, in their language."""

from __future__ import annotations

from collections.abc import Callable

from service.accounts.models import Role
from service.proposals.models import ProposalKind, ProposalStatus, SubmitterType

Gettext = Callable[[str], str]


def kind_labels(_: Gettext) -> dict[str, str]:
    return {
        ProposalKind.PROPOSAL: _("Proposal"),
        ProposalKind.RECOMMENDATION: _("Recommendation"),
        ProposalKind.OBSTACLE: _("Obstacle report"),
    }


def role_labels(_: Gettext) -> dict[str, str]:
    return {
        Role.REVIEWER: _("Reviewer"),
        Role.AGENCY_ADMIN: _("Agency administrator"),
        Role.SECRETARIAT: _("Secretariat"),
        Role.ADMIN: _("System administrator"),
    }


def submitter_type_labels(_: Gettext) -> dict[str, str]:
    return {
        SubmitterType.CITIZEN: _("Citizen"),
        SubmitterType.ENTERPRISE: _("Enterprise"),
        SubmitterType.UNIVERSITY: _("University"),
        SubmitterType.RESEARCH_INSTITUTE: _("Research institute"),
        SubmitterType.MINISTRY_OR_AGENCY: _("Ministry or agency"),
        SubmitterType.LOCALITY: _("Locality"),
        SubmitterType.ORGANISATION: _("Organisation"),
        SubmitterType.OVERSEAS_EXPERT: _("Overseas expert"),
    }


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


def field_labels(_: Gettext) -> dict[str, str]:
    """Names of the form's fields, as the error summary shows them."""
    return {
        "kind": _("What are you sending?"),
        "title": _("Title"),
        "description": _("Description"),
        "categoryCode": _("Topic"),
        "provinceCode": _("Province or city"),
        "legalReferences": _("Related legal documents or procedures"),
        "submitterType": _("You are sending as"),
        "name": _("Full name"),
        "email": _("Email"),
        "phone": _("Phone"),
        "organisation": _("Organisation"),
        "attachments": _("Evidence files"),
        "website": _("Leave this field empty"),
        "formStarted": _("Time taken to fill the form"),
    }


def rating_labels(_: Gettext) -> dict[int, str]:
    return {
        1: _("1 – Very dissatisfied"),
        2: _("2 – Dissatisfied"),
        3: _("3 – Neutral"),
        4: _("4 – Satisfied"),
        5: _("5 – Very satisfied"),
    }
