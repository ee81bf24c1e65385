"""Reading the directory: the choices a submission form offers."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.directory.types import Agency, Category, Province
from service.directory import service


@strawberry.type
class DirectoryQuery:
    @strawberry.field(description="Every agency of the directory, by code.")
    async def agencies(self, info: Info) -> list[Agency]:
        async with info.context.runtime.db.session() as session:
            return [Agency.of(a, info.context.language) for a in await service.agencies(session)]

    @strawberry.field(description="Topic categories, in display order.")
    async def categories(self, info: Info) -> list[Category]:
        async with info.context.runtime.db.session() as session:
            return [
                Category.of(c, info.context.language) for c in await service.categories(session)
            ]

    @strawberry.field(description="The 34 provincial units.")
    async def provinces(self, info: Info) -> list[Province]:
        async with info.context.runtime.db.session() as session:
            return [Province.of(p, info.context.language) for p in await service.provinces(session)]
