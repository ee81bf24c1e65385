"""Human names of the values people choose from, in their language."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from service.accounts.models import Role
from service.directory.models import AgencyKind
from service.privacy.service import ERASED
from service.proposals.labels import status_labels as status_labels  # the service's too
from service.proposals.models import ProposalKind, SubmitterType

Gettext = Callable[[str], str]


def kind_labels(_: Gettext) -> dict[str, str]:
    return {
        ProposalKind.PROPOSAL: _("Proposal"),
        ProposalKind.RECOMMENDATION: _("Recommendation"),
        ProposalKind.OBSTACLE: _("Obstacle report"),
    }


def agency_kind_labels(_: Gettext) -> dict[str, str]:
    return {
        AgencyKind.MINISTRY: _("Ministry or central agency"),
        AgencyKind.PROVINCE: _("Province or city"),
        AgencyKind.SECRETARIAT: _("Secretariat"),
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


def field_labels(_: Gettext) -> dict[str, str]:
    """Names of the submission form's fields in the order the page shows them: its labels
    (optional ones with `optional` added) and its error summary both read them from here."""
    return {
        "kind": _("What are you sending?"),
        "title": _("Title"),
        "description": _("Description"),
        "categoryCode": _("Topic"),
        "provinceCode": _("Province or city"),
        "legalReferences": _("Related legal documents or procedures"),
        "attachments": _("Evidence files"),
        "submitterType": _("You are sending as"),
        "name": _("Full name"),
        "email": _("Email"),
        "phone": _("Phone"),
        # Not "Organisation": that is one of the submitter types (SubmitterType.ORGANISATION).
        "organisation": _("Agency or organisation"),
        "website": _("Leave this field empty"),
    }


def optional(label: str, _: Gettext) -> str:
    """A field's label with the mark of an optional field."""
    return _("%(field)s (optional)") % {"field": label}


def shown_personal(value: str, _: Gettext) -> str:
    """A submitter's detail or note as a page shows it: erasure's stored marker in the page's
    language, anything else as it is."""
    return _("[erased]") if value == ERASED else value


def rating_labels(_: Gettext) -> dict[int, str]:
    return {
        1: _("1 – Very dissatisfied"),
        2: _("2 – Dissatisfied"),
        3: _("3 – Neutral"),
        4: _("4 – Satisfied"),
        5: _("5 – Very satisfied"),
    }


def actor_label(label: str, names: Mapping[str, str], _: Gettext) -> str:
    """Who did something, as histories record it ("user:3", "token:2", "system", "cli"): a user
    by email and a token by its name where `names` has them."""
    match label.partition(":"):
        case ("system", "", ""):
            return _("the system")
        case ("cli", "", ""):
            return _("the command line")
        case ("submitter", "", ""):
            return _("the submitter")
        case ("anonymous", "", ""):
            return _("an anonymous visitor")
        case ("token", ":", number):
            name = names.get(label, "")
            if name and name != label:
                return _("API token “%(name)s”") % {"name": name}
            return _("API token no. %(number)s") % {"number": number}
        case ("user", ":", number):
            name = names.get(label, "")
            return (
                name
                if name and name != label
                else _("official no. %(number)s") % {"number": number}
            )
    return names.get(label, label)
