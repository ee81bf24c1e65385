"""Agencies, categories and provinces as the API shows them."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.directory.models import Agency as AgencyRow
from service.directory.models import AgencyKind
from service.directory.models import Category as CategoryRow
from service.directory.models import Province as ProvinceRow
from service.i18n import Language

strawberry.enum(AgencyKind)


@strawberry.type
class Agency:
    row: strawberry.Private[AgencyRow]
    code: str = strawberry.field(description="Stable code, e.g. BKHCN or UBND-HA-NOI.")
    name_vi: str
    name_en: str
    kind: AgencyKind
    acknowledge_days: int | None = strawberry.field(
        description="Business days to acknowledge; null: the default."
    )
    respond_days: int | None = strawberry.field(
        description="Business days to respond; null: the default."
    )
    name: str = strawberry.field(description="Name in the caller's language.")

    @classmethod
    def of(cls, row: AgencyRow, language: Language) -> Agency:
        """`language`: the caller's (info.context.language), for `name`."""
        # Plain fields, not resolvers: Strawberry hands them out without an Info per field.
        return cls(
            row=row,
            code=row.code,
            name_vi=row.name_vi,
            name_en=row.name_en,
            kind=row.kind,
            acknowledge_days=row.acknowledge_days,
            respond_days=row.respond_days,
            name=row.name(language),
        )

    @strawberry.field(description="Officials: the agency's contact emails; empty for others.")
    def emails(self, info: Info) -> list[str]:
        return list(self.row.emails) if info.context.actor.is_official else []


@strawberry.type
class Category:
    row: strawberry.Private[CategoryRow]
    code: str
    name: str = strawberry.field(description="Name in the caller's language.")

    @classmethod
    def of(cls, row: CategoryRow, language: Language) -> Category:
        """`language`: the caller's (info.context.language), for `name`."""
        # Plain fields, not resolvers: Strawberry hands them out without an Info per field.
        return cls(row=row, code=row.code, name=row.name(language))


@strawberry.type
class Province:
    row: strawberry.Private[ProvinceRow]
    code: str
    name: str = strawberry.field(description="Name in the caller's language.")

    @classmethod
    def of(cls, row: ProvinceRow, language: Language) -> Province:
        """`language`: the caller's (info.context.language), for `name`."""
        # Plain fields, not resolvers: Strawberry hands them out without an Info per field.
        return cls(row=row, code=row.code, name=row.name(language))
