"""The agency directory: agencies, topic categories and provinces."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class AgencyKind(enum.StrEnum):
    MINISTRY = "MINISTRY"
    PROVINCE = "PROVINCE"
    SECRETARIAT = "SECRETARIAT"


class Agency(SQLModel, table=True):
    __tablename__ = "agencies"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    kind: AgencyKind = Field(sa_type=sa.Enum(AgencyKind, native_enum=False, length=20))
    email: str = Field(max_length=254, default="")

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


class Category(SQLModel, table=True):
    __tablename__ = "categories"

    code: str = Field(primary_key=True, max_length=40)
    name_vi: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    position: int = 0
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


class Province(SQLModel, table=True):
    __tablename__ = "provinces"

    code: str = Field(primary_key=True, max_length=40)
    name_vi: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    is_city: bool = False
    agency_id: int = Field(foreign_key="agencies.id")

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi
