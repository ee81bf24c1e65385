"""Submissions (proposals, recommendations, obstacle reports) and their timeline."""

from __future__ import annotations

import enum
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class ProposalKind(enum.StrEnum):
    PROPOSAL = "PROPOSAL"
    OBSTACLE = "OBSTACLE"
    RECOMMENDATION = "RECOMMENDATION"


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    TRIAGE = "TRIAGE"
    ROUTED = "ROUTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    NEEDS_INFO = "NEEDS_INFO"
    RESPONDED = "RESPONDED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"
    MERGED = "MERGED"
    WITHDRAWN = "WITHDRAWN"


class SubmitterType(enum.StrEnum):
    CITIZEN = "CITIZEN"
    ENTERPRISE = "ENTERPRISE"
    UNIVERSITY = "UNIVERSITY"
    RESEARCH_INSTITUTE = "RESEARCH_INSTITUTE"
    MINISTRY_OR_AGENCY = "MINISTRY_OR_AGENCY"
    LOCALITY = "LOCALITY"
    ORGANISATION = "ORGANISATION"
    OVERSEAS_EXPERT = "OVERSEAS_EXPERT"


def _enum(kind: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(kind, native_enum=False, length=24)


class Proposal(SQLModel, table=True):
    __tablename__ = "proposals"
    # A page of what a scope may read takes the newest (or oldest) published submissions in this
    # order without sorting them all (repository.list_visible).
    __table_args__ = (
        sa.Index("ix_proposals_published_created_at", "published", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_code: str = Field(max_length=10, unique=True)
    kind: ProposalKind = Field(sa_type=_enum(ProposalKind))
    status: ProposalStatus = Field(sa_type=_enum(ProposalStatus), index=True)
    title: str = Field(max_length=500)
    description: str = Field(sa_type=sa.Text)
    legal_references: str = Field(default="", sa_type=sa.Text)
    category_code: str = Field(foreign_key="categories.code", max_length=40, index=True)
    province_code: str | None = Field(default=None, foreign_key="provinces.code", max_length=40)
    submitter_type: SubmitterType = Field(sa_type=_enum(SubmitterType))
    submitter_name: str = Field(max_length=200)
    submitter_email: str = Field(default="", max_length=254)
    submitter_phone: str = Field(default="", max_length=20)
    submitter_organisation: str = Field(default="", max_length=200)
    consent_to_publish: bool = False
    published: bool = Field(default=False, index=True)
    language: str = Field(default="vi", max_length=5)
    content_hash: str = Field(max_length=64, index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="proposals.id")
    # A near-duplicate found at routing time (the same letter sent again, a campaign): the
    # secretariat decides whether to merge it.
    duplicate_of_id: int | None = Field(default=None, foreign_key="proposals.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledge_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deadline_extended: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Set while the submission waits for the submitter's answer (NEEDS_INFO): the clock stops.
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the submitter's personal fields were erased (on request or by retention).
    personal_data_erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProposalEvent(SQLModel, table=True):
    """One step of a submission's timeline; rows are appended, never changed."""

    __tablename__ = "proposal_events"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    from_status: ProposalStatus | None = Field(default=None, sa_type=_enum(ProposalStatus))
    status: ProposalStatus = Field(sa_type=_enum(ProposalStatus))
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    actor: str = Field(max_length=100)
    action: str = Field(default="", max_length=40)
    note: str = Field(default="", sa_type=sa.Text)
    # The routing job's reasons, structured (see service.routing.reasons): pages render them in
    # the reader's language, while `note` keeps their English text.
    reasons: list[Any] = Field(
        default_factory=list, sa_type=sa.JSON, sa_column_kwargs={"server_default": "[]"}
    )
    # The response deadline this step set (an extension, the clock resumed after an answer to
    # the agency's question); None where the step left the deadline as it was.
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssignmentRole(enum.StrEnum):
    LEAD = "LEAD"
    COOPERATING = "COOPERATING"


class ProposalAgency(SQLModel, table=True):
    """Every agency a submission has been assigned to, now or earlier (the permission scope)."""

    __tablename__ = "proposal_agencies"

    proposal_id: int = Field(foreign_key="proposals.id", primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", primary_key=True, index=True)
    role: AssignmentRole = Field(default=AssignmentRole.LEAD, sa_type=_enum(AssignmentRole))
    active: bool = True  # False once transferred away; the agency keeps read access
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProposalOrder(enum.StrEnum):
    NEWEST = "NEWEST"
    OLDEST = "OLDEST"
    DEADLINE = "DEADLINE"


@dataclass(frozen=True, slots=True)
class ProposalFilter:
    """Filters for listing submissions; an empty set means no filter on that field."""

    statuses: frozenset[ProposalStatus] = frozenset()
    kinds: frozenset[ProposalKind] = frozenset()
    categories: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()
    agency_ids: frozenset[int] = frozenset()  # the lead now
    # The lead now, or cooperating on it now: what an agency's inbox lists.
    handled_by: frozenset[int] = frozenset()
    submitter_types: frozenset[SubmitterType] = frozenset()
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


# Statuses in which a submission still waits for its agency; the rest are finished.
AWAITING_AGENCY = frozenset(
    {ProposalStatus.ROUTED, ProposalStatus.ACKNOWLEDGED, ProposalStatus.NEEDS_INFO}
)
# Statuses in which the agency's deadline runs. NEEDS_INFO waits for the agency too, but its
# clock is stopped until the submitter answers (the deadline then moves by the days waited), so
# it is never overdue, due soon, reminded or escalated.
CLOCK_RUNNING = frozenset({ProposalStatus.ROUTED, ProposalStatus.ACKNOWLEDGED})


def is_overdue(status: ProposalStatus | str, deadline: datetime | None, now: datetime) -> bool:
    """Past its deadline while the agency's clock runs: the one rule every page and API uses."""
    return status in CLOCK_RUNNING and deadline is not None and deadline < now


def shown_note(actor: str, note: str, *, official: bool, submitter: bool) -> str:
    """The note of a timeline step as its viewer may read it: the one rule the pages and the API
    share.

    Officials who handle or handled the submission read every note. The submitter, through the
    private link, reads the people's notes (the agency's question, their own answer and reasons,
    the reasons for a decision) but not the routing engine's reasons, which name other
    submissions. Anyone else who has the tracking code reads the steps without their notes:
    those hold what the submitter wrote and what officials told each other.
    """
    if official or (submitter and actor != "system"):
        return note
    return ""


class Step(Protocol):
    """A timeline step as stored, or as the API reads it (repository.TimelineEvent)."""

    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def note(self) -> str: ...


def named_lead(step: Step) -> str | None:
    """The tracking code a step's note holds, of another submission: the lead a merge folded
    this one into, or the lead it left when that lead was withdrawn (the system's REOPEN).
    Named by the workflow's Action values, which build on these models."""
    if step.action == "MERGE" or (step.action == "REOPEN" and step.actor == "system"):
        return step.note or None
    return None


def named_leads(steps: Iterable[Step]) -> set[str]:
    """The tracking codes these steps' notes name (named_lead)."""
    return {code for step in steps if (code := named_lead(step)) is not None}


def lead_note(step: Step, readable: Container[str] | None, gettext: Callable[[str], str]) -> str:
    """The step's note for an official who may read only the `readable` submissions (None:
    all): a lead it names outside them is told of, not named, since a tracking code opens the
    public tracking page. Not for the submitter: the lead's code is their next tracking code."""
    code = named_lead(step)
    if code is None or readable is None or code in readable:
        return step.note
    _ = gettext
    if step.action == "MERGE":
        return _("merged into a submission you may not see")
    return _("the submission it was merged into, one you may not see, was withdrawn")
