"""Public holidays that deadlines skip, and the history of their edits."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class Holiday(SQLModel, table=True):
    """A day off that is not a weekend; deadlines count business days around it."""

    __tablename__ = "holidays"

    day: date = Field(primary_key=True)
    name: str = Field(max_length=200)
    updated_by: str = Field(default="", max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HolidayChange(SQLModel, table=True):
    """Who added, renamed or removed which holiday, and when."""

    __tablename__ = "holiday_changes"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    action: str = Field(max_length=20)  # added, renamed, removed
    actor: str = Field(max_length=254)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    old_name: str | None = Field(default=None, max_length=200)
    new_name: str | None = Field(default=None, max_length=200)
