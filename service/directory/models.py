"""The agency directory: agencies, topic categories, provinces, and the history of its loads."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow

SECRETARIAT_CODE = "THUONGTRUC"  # the standing office: it triages what no rule routes


class AgencyKind(enum.StrEnum):
    MINISTRY = "MINISTRY"
    PROVINCE = "PROVINCE"
    SECRETARIAT = "SECRETARIAT"


class Agency(SQLModel, table=True):
    """An agency; one removed from a newer directory is deactivated, never deleted."""

    __tablename__ = "agencies"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    kind: AgencyKind = Field(sa_type=sa.Enum(AgencyKind, native_enum=False, length=20))
    parent_id: int | None = Field(default=None, foreign_key="agencies.id")
    emails: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    keywords_vi: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    keywords_en: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    acknowledge_days: int | None = None  # None: the default deadline
    respond_days: int | None = None
    is_active: bool = True

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


class Category(SQLModel, table=True):
    __tablename__ = "categories"

    code: str = Field(primary_key=True, max_length=40)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    position: int = 0
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    is_active: bool = True

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


class AgencyCategory(SQLModel, table=True):
    """A topic category an agency is competent for."""

    __tablename__ = "agency_categories"

    agency_id: int = Field(foreign_key="agencies.id", primary_key=True)
    category_code: str = Field(foreign_key="categories.code", primary_key=True, max_length=40)


class Province(SQLModel, table=True):
    __tablename__ = "provinces"

    code: str = Field(primary_key=True, max_length=40)
    name_vi: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    is_city: bool = False
    agency_id: int = Field(foreign_key="agencies.id")
    is_active: bool = True

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


class ProvinceAlias(SQLModel, table=True):
    """A former province merged into this one (July 2025), looked up by its folded name."""

    __tablename__ = "province_aliases"

    key: str = Field(primary_key=True, max_length=100)  # names.place_key(name)
    province_code: str = Field(foreign_key="provinces.code", index=True, max_length=40)
    name: str = Field(max_length=100)


class Place(SQLModel, table=True):
    """A place inside a province (a former district or city, a well-known area), looked up by
    its folded name: a text naming it names its province."""

    __tablename__ = "places"

    key: str = Field(primary_key=True, max_length=100)  # names.place_key(name)
    province_code: str = Field(foreign_key="provinces.code", index=True, max_length=40)
    name: str = Field(max_length=100)
    kind: str = Field(max_length=20)


class DirectoryVersion(SQLModel, table=True):
    """One load of the directory that changed something or carried new data."""

    __tablename__ = "directory_versions"

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=40)
    checksum: str = Field(max_length=64)
    actor: str = Field(max_length=254)
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DirectoryChange(SQLModel, table=True):
    """Who changed which field of which directory entry, when, from what to what."""

    __tablename__ = "directory_changes"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="directory_versions.id", index=True)
    actor: str = Field(max_length=254)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    entity: str = Field(max_length=20)  # agency, province, category
    code: str = Field(max_length=40)
    field: str = Field(max_length=40)
    old: str | None = Field(default=None, sa_type=sa.Text)
    new: str | None = Field(default=None, sa_type=sa.Text)
