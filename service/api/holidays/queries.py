"""Reading the holidays (anyone) and their edits (the secretariat)."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.holidays.types import Holiday, HolidayChange
from service.holidays import service


@strawberry.type
class HolidayQuery:
    @strawberry.field(description="The public holidays of a year that deadlines skip, by date.")
    async def holidays(self, info: Info, year: int) -> list[Holiday]:
        if not service.MIN_YEAR <= year <= service.MAX_YEAR:
            return []
        async with info.context.runtime.db.session() as session:
            return [Holiday(row=h) for h in await service.holidays_in(session, year)]

    @strawberry.field(description="Secretariat: the edits of a year's holidays, newest first.")
    async def holiday_changes(self, info: Info, year: int) -> list[HolidayChange]:
        if not info.context.actor.is_secretariat:
            return []
        if not service.MIN_YEAR <= year <= service.MAX_YEAR:
            return []
        async with info.context.runtime.db.session() as session:
            return [HolidayChange(row=c) for c in await service.changes_in(session, year)]
