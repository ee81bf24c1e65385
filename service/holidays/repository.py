"""SQL for holidays and their history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.holidays.models import Holiday, HolidayChange


def add(session: AsyncSession, row: Holiday | HolidayChange) -> None:
    session.add(row)


async def remove(session: AsyncSession, row: Holiday) -> None:
    await session.delete(row)


async def add_new(session: AsyncSession, holiday: Holiday) -> bool:
    """Insert a holiday on a day that had none; False, adding nothing, when another transaction
    has inserted one on that day since (PostgreSQL: the insert waits for it to commit)."""
    try:
        async with session.begin_nested():
            session.add(holiday)
    except IntegrityError:
        return False
    return True


async def get(session: AsyncSession, day: date, *, for_update: bool = False) -> Holiday | None:
    return await session.get(Holiday, day, populate_existing=True, with_for_update=for_update)


async def all_days(session: AsyncSession) -> list[date]:
    return [h.day for h in (await session.exec(select(Holiday))).all()]


async def in_range(session: AsyncSession, first: date, last: date) -> Sequence[Holiday]:
    statement = (
        select(Holiday)
        .where(col(Holiday.day) >= first, col(Holiday.day) <= last)
        .order_by(col(Holiday.day))
    )
    return (await session.exec(statement)).all()


async def changes_in_range(
    session: AsyncSession, first: date, last: date
) -> Sequence[HolidayChange]:
    statement = (
        select(HolidayChange)
        .where(col(HolidayChange.day) >= first, col(HolidayChange.day) <= last)
        .order_by(col(HolidayChange.id).desc())
    )
    return (await session.exec(statement)).all()
