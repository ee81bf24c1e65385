"""SQL for the agency directory."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.directory.models import Agency, Category, Province


async def list_agencies(session: AsyncSession) -> Sequence[Agency]:
    return (await session.exec(select(Agency).order_by(col(Agency.code)))).all()


async def get_agency(session: AsyncSession, agency_id: int) -> Agency | None:
    return await session.get(Agency, agency_id)


async def get_agency_by_code(session: AsyncSession, code: str) -> Agency | None:
    return (await session.exec(select(Agency).where(Agency.code == code))).first()


async def get_agencies(session: AsyncSession, ids: Sequence[int]) -> Sequence[Agency]:
    if not ids:
        return []
    return (await session.exec(select(Agency).where(col(Agency.id).in_(ids)))).all()


async def list_categories(session: AsyncSession) -> Sequence[Category]:
    statement = select(Category).order_by(col(Category.position), col(Category.code))
    return (await session.exec(statement)).all()


async def get_category(session: AsyncSession, code: str) -> Category | None:
    return await session.get(Category, code)


async def list_provinces(session: AsyncSession) -> Sequence[Province]:
    statement = select(Province).order_by(col(Province.is_city).desc(), col(Province.name_en))
    return (await session.exec(statement)).all()


async def get_province(session: AsyncSession, code: str) -> Province | None:
    return await session.get(Province, code)


def add(session: AsyncSession, row: Agency | Category | Province) -> None:
    session.add(row)


async def get_categories(session: AsyncSession, codes: Sequence[str]) -> Sequence[Category]:
    return (await session.exec(select(Category).where(col(Category.code).in_(codes)))).all()


async def get_provinces(session: AsyncSession, codes: Sequence[str]) -> Sequence[Province]:
    return (await session.exec(select(Province).where(col(Province.code).in_(codes)))).all()
