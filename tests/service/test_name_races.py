"""Holidays saved or removed at the same instant end as if one had followed the other: the
second add of a day renames it, the second removal finds nothing, no unexpected error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from service.db import Database
from service.holidays import service
from service.holidays.errors import HolidayNotFound
from service.holidays.models import Holiday
from service.settings import Settings
from tests.fixtures.races import while_one_is_held

DAY = date(2027, 5, 3)


def _save(actor: str, name: str) -> Callable[[AsyncSession], Awaitable[Holiday]]:
    async def save(session: AsyncSession) -> Holiday:
        return await service.save_holiday(session, actor, DAY, name, "vi")

    return save


def _delete(actor: str) -> Callable[[AsyncSession], Awaitable[None]]:
    async def delete(session: AsyncSession) -> None:
        await service.delete_holiday(session, actor, DAY)

    return delete


async def _year(db: Database) -> tuple[list[tuple[date, str, str]], list[tuple[str, ...]]]:
    async with db.session() as session:
        listed = await service.holidays_in(session, DAY.year)
        history = await service.changes_in(session, DAY.year)
    return (
        [(h.day, h.name, h.updated_by) for h in listed],
        [(c.action, c.actor, str(c.old_name), str(c.new_name)) for c in history],
    )


async def test_the_same_day_added_twice_at_once_is_added_then_renamed(settings: Settings) -> None:
    url = settings.resolved_database_url
    first, second = await while_one_is_held(
        url, _save("user:7", "Nghỉ bù A"), _save("user:8", "Nghỉ bù B")
    )

    db = Database(url)
    listed, history = await _year(db)
    await db.dispose()
    assert (first.name, second.result().name) == ("Nghỉ bù A", "Nghỉ bù B")
    assert listed == [(DAY, "Nghỉ bù B", "user:8")]
    assert history == [
        ("renamed", "user:8", "Nghỉ bù A", "Nghỉ bù B"),
        ("added", "user:7", "None", "Nghỉ bù A"),
    ]


async def test_the_same_day_renamed_twice_at_once_records_each_rename(settings: Settings) -> None:
    url = settings.resolved_database_url
    db = Database(url)
    async with db.transaction() as session:
        await service.save_holiday(session, "user:6", DAY, "Nghỉ bù", "vi")

    await while_one_is_held(url, _save("user:7", "Nghỉ bù A"), _save("user:8", "Nghỉ bù B"))

    listed, history = await _year(db)
    await db.dispose()
    assert listed == [(DAY, "Nghỉ bù B", "user:8")]
    assert history == [
        ("renamed", "user:8", "Nghỉ bù A", "Nghỉ bù B"),
        ("renamed", "user:7", "Nghỉ bù", "Nghỉ bù A"),
        ("added", "user:6", "None", "Nghỉ bù"),
    ]


async def test_the_same_day_removed_twice_at_once_is_removed_once(settings: Settings) -> None:
    url = settings.resolved_database_url
    db = Database(url)
    async with db.transaction() as session:
        await service.save_holiday(session, "user:6", DAY, "Nghỉ bù", "vi")

    _, second = await while_one_is_held(url, _delete("user:7"), _delete("user:8"))

    with pytest.raises(HolidayNotFound):
        second.result()
    listed, history = await _year(db)
    await db.dispose()
    assert listed == []
    assert history == [
        ("removed", "user:7", "Nghỉ bù", "None"),
        ("added", "user:6", "None", "Nghỉ bù"),
    ]
