"""Agencies, categories and provinces as the API shows them."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.directory.models import Agency as AgencyRow
from service.directory.models import AgencyKind
from service.directory.models import Category as CategoryRow
from service.directory.models import Province as ProvinceRow

strawberry.enum(AgencyKind)


@strawberry.type
class Agency:
    row: strawberry.Private[AgencyRow]

    @strawberry.field(description="Stable code, e.g. BKHCN or UBND-HA-NOI.")
    def code(self) -> str:
        return self.row.code

    @strawberry.field(description="Name in the caller's language.")
    def name(self, info: Info) -> str:
        return self.row.name(info.context.language)

    @strawberry.field
    def name_vi(self) -> str:
        return self.row.name_vi

    @strawberry.field
    def name_en(self) -> str:
        return self.row.name_en

    @strawberry.field
    def kind(self) -> AgencyKind:
        return self.row.kind

    @strawberry.field(description="Officials: the agency's contact emails; empty for others.")
    def emails(self, info: Info) -> list[str]:
        return list(self.row.emails) if info.context.actor.is_official else []

    @strawberry.field(description="Business days to acknowledge; null: the default.")
    def acknowledge_days(self) -> int | None:
        return self.row.acknowledge_days

    @strawberry.field(description="Business days to respond; null: the default.")
    def respond_days(self) -> int | None:
        return self.row.respond_days


@strawberry.type
class Category:
    row: strawberry.Private[CategoryRow]

    @strawberry.field
    def code(self) -> str:
        return self.row.code

    @strawberry.field(description="Name in the caller's language.")
    def name(self, info: Info) -> str:
        return self.row.name(info.context.language)


@strawberry.type
class Province:
    row: strawberry.Private[ProvinceRow]

    @strawberry.field
    def code(self) -> str:
        return self.row.code

    @strawberry.field(description="Name in the caller's language.")
    def name(self, info: Info) -> str:
        return self.row.name(info.context.language)
