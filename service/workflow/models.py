"""What happens to a submission after routing: answers, ratings, notes, templates."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class Response(SQLModel, table=True):
    """An agency's answer; the submitter and, when published, the public can read it."""

    __tablename__ = "responses"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    agency_id: int = Field(foreign_key="agencies.id")
    author: str = Field(max_length=100)
    text: str = Field(sa_type=sa.Text)
    published: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Rating(SQLModel, table=True):
    """The submitter's satisfaction with the answer, once per submission."""

    __tablename__ = "ratings"

    proposal_id: int = Field(foreign_key="proposals.id", primary_key=True)
    score: int
    comment: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NoteKind(enum.StrEnum):
    NOTE = "NOTE"  # internal to the officials handling the submission
    CONTRIBUTION = "CONTRIBUTION"  # a co-handling agency's input to the lead agency


class ProposalNote(SQLModel, table=True):
    """Officials' notes and co-handling contributions; never shown to the public."""

    __tablename__ = "proposal_notes"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    kind: NoteKind = Field(sa_type=sa.Enum(NoteKind, native_enum=False, length=20))
    author: str = Field(max_length=100)
    text: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ResponseTemplate(SQLModel, table=True):
    __tablename__ = "response_templates"
    __table_args__ = (sa.UniqueConstraint("agency_id", "name", name="uq_template_name"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)
    name: str = Field(max_length=100)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
