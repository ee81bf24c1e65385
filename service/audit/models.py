"""Who viewed, exported or erased submitters' personal data, when, and for which submissions."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class AuditAction(enum.StrEnum):
    VIEW_CONTACT = "VIEW_CONTACT"  # the inbox detail page showed the submitter's contact details
    API_VIEW_CONTACT = "API_VIEW_CONTACT"  # GraphQL `submitter` fields were resolved
    DOWNLOAD_SUBMITTER_FILE = "DOWNLOAD_SUBMITTER_FILE"  # an official downloaded their evidence
    EXPORT_SEARCH = "EXPORT_SEARCH"  # search results downloaded as CSV or JSON
    EXPORT_PERSONAL_DATA = "EXPORT_PERSONAL_DATA"  # a submitter's data downloaded as JSON
    ERASE_PERSONAL_DATA = "ERASE_PERSONAL_DATA"  # a submitter's personal fields erased


class AuditEntry(SQLModel, table=True):
    """Rows are appended and never changed; old ones go after INTAKE_RETENTION_AUDIT_DAYS."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # The actor's label (user:3, token:7, submitter, system) and a signed-in user's email.
    actor: str = Field(max_length=100)
    actor_email: str = Field(default="", max_length=254)
    action: str = Field(max_length=40, index=True)
    proposal_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    # What was asked (an export's query, an erasure's reason); never the personal data itself.
    detail: str = Field(default="", sa_type=sa.Text)
    request_id: str = Field(default="", max_length=64)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: AuditAction | None = None
    actor: str = ""
    proposal_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
