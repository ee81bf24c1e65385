"""Evidence files sent with a submission or an answer."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    response_id: int | None = Field(default=None, foreign_key="responses.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    # A random name in the uploads directory, outside anything served as static files.
    storage_key: str = Field(max_length=64, unique=True)
    uploaded_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
