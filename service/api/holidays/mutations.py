"""The secretariat's edits of the holidays deadlines skip."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.errors import ValidationErrors
from service.api.holidays.types import (
    DeleteHolidayInput,
    DeleteHolidayResult,
    Holiday,
    HolidayDeleted,
    HolidaySaved,
    SaveHolidayInput,
    SaveHolidayResult,
)
from service.api.workflow.types import NotFoundError, NotPermittedError
from service.errors import ValidationFailed
from service.holidays import service
from service.holidays.errors import HolidayNotFound
from service.i18n import translations


def _not_permitted(info: Info) -> NotPermittedError:
    _ = translations(info.context.language).gettext
    return NotPermittedError(message=_("Only the secretariat may change the holidays."))


@strawberry.type
class HolidayMutation:
    @strawberry.mutation(description="Secretariat: add a holiday, or rename the one that day.")
    async def save_holiday(self, info: Info, input: SaveHolidayInput) -> SaveHolidayResult:
        context = info.context
        if not context.actor.is_secretariat:
            return _not_permitted(info)
        try:
            async with context.write() as session:
                holiday = await service.save_holiday(
                    session, context.actor.label, input.date, input.name, context.language
                )
        except ValidationFailed as failure:
            return ValidationErrors.from_domain(failure.errors)
        return HolidaySaved(holiday=Holiday(row=holiday))

    @strawberry.mutation(description="Secretariat: remove a holiday; its history stays.")
    async def delete_holiday(self, info: Info, input: DeleteHolidayInput) -> DeleteHolidayResult:
        context = info.context
        if not context.actor.is_secretariat:
            return _not_permitted(info)
        try:
            async with context.write() as session:
                await service.delete_holiday(session, context.actor.label, input.date)
        except HolidayNotFound:
            _ = translations(context.language).gettext
            return NotFoundError(message=_("No holiday on that date."))
        return HolidayDeleted(date=input.date)
