"""SQL for the agency directory."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.directory.models import (
    Agency,
    AgencyCategory,
    Category,
    DirectoryChange,
    DirectoryVersion,
    Place,
    Province,
    ProvinceAlias,
)

DirectoryRow = (
    Agency
    | AgencyCategory
    | Category
    | DirectoryChange
    | DirectoryVersion
    | Place
    | Province
    | ProvinceAlias
)


async def list_agencies(session: AsyncSession) -> Sequence[Agency]:
    """Every agency, the deactivated ones included."""
    return (await session.exec(select(Agency).order_by(col(Agency.code)))).all()


async def get_agency(session: AsyncSession, agency_id: int) -> Agency | None:
    return await session.get(Agency, agency_id)


async def get_agency_by_code(session: AsyncSession, code: str) -> Agency | None:
    return (await session.exec(select(Agency).where(Agency.code == code))).first()


async def get_agencies(session: AsyncSession, ids: Sequence[int]) -> Sequence[Agency]:
    if not ids:
        return []
    return (await session.exec(select(Agency).where(col(Agency.id).in_(ids)))).all()


async def list_agency_categories(session: AsyncSession) -> Sequence[AgencyCategory]:
    return (await session.exec(select(AgencyCategory))).all()


async def list_categories(session: AsyncSession) -> Sequence[Category]:
    """The active categories, in display order."""
    statement = (
        select(Category)
        .where(col(Category.is_active))
        .order_by(col(Category.position), col(Category.code))
    )
    return (await session.exec(statement)).all()


async def list_all_categories(session: AsyncSession) -> Sequence[Category]:
    return (await session.exec(select(Category).order_by(col(Category.code)))).all()


async def get_category(session: AsyncSession, code: str) -> Category | None:
    return await session.get(Category, code)


async def list_provinces(session: AsyncSession) -> Sequence[Province]:
    """The active provinces, cities first."""
    statement = (
        select(Province)
        .where(col(Province.is_active))
        .order_by(col(Province.is_city).desc(), col(Province.name_en))
    )
    return (await session.exec(statement)).all()


async def list_all_provinces(session: AsyncSession) -> Sequence[Province]:
    return (await session.exec(select(Province).order_by(col(Province.code)))).all()


async def get_province(session: AsyncSession, code: str) -> Province | None:
    return await session.get(Province, code)


async def list_province_aliases(session: AsyncSession) -> Sequence[ProvinceAlias]:
    statement = select(ProvinceAlias).order_by(
        col(ProvinceAlias.province_code), col(ProvinceAlias.key)
    )
    return (await session.exec(statement)).all()


async def list_places(session: AsyncSession) -> Sequence[Place]:
    statement = select(Place).order_by(col(Place.province_code), col(Place.key))
    return (await session.exec(statement)).all()


async def alias_and_place_names(session: AsyncSession) -> list[tuple[str, str]]:
    """(name, province code) of every former province name and every place, as columns: read on
    every routing of a submission without a province."""
    aliases = select(ProvinceAlias.name, ProvinceAlias.province_code).order_by(
        col(ProvinceAlias.province_code), col(ProvinceAlias.key)
    )
    places = select(Place.name, Place.province_code).order_by(
        col(Place.province_code), col(Place.key)
    )
    return [
        *(await session.exec(aliases)).all(),
        *(await session.exec(places)).all(),
    ]


async def get_province_alias(session: AsyncSession, key: str) -> ProvinceAlias | None:
    return await session.get(ProvinceAlias, key)


async def get_place(session: AsyncSession, key: str) -> Place | None:
    return await session.get(Place, key)


async def latest_version(session: AsyncSession) -> DirectoryVersion | None:
    statement = select(DirectoryVersion).order_by(col(DirectoryVersion.id).desc()).limit(1)
    return (await session.exec(statement)).first()


async def latest_file_load(session: AsyncSession) -> DirectoryVersion | None:
    """The last directory loaded from its files (edits on the pages record no checksum)."""
    statement = (
        select(DirectoryVersion)
        .where(DirectoryVersion.checksum != "")
        .order_by(col(DirectoryVersion.id).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def list_versions(session: AsyncSession) -> Sequence[DirectoryVersion]:
    return (await session.exec(select(DirectoryVersion).order_by(col(DirectoryVersion.id)))).all()


async def list_changes(session: AsyncSession, version_id: int) -> Sequence[DirectoryChange]:
    statement = (
        select(DirectoryChange)
        .where(DirectoryChange.version_id == version_id)
        .order_by(col(DirectoryChange.id))
    )
    return (await session.exec(statement)).all()


async def remove(session: AsyncSession, row: AgencyCategory | Place | ProvinceAlias) -> None:
    await session.delete(row)


def add(session: AsyncSession, row: DirectoryRow) -> None:
    session.add(row)


async def get_categories(session: AsyncSession, codes: Sequence[str]) -> Sequence[Category]:
    return (await session.exec(select(Category).where(col(Category.code).in_(codes)))).all()


async def get_provinces(session: AsyncSession, codes: Sequence[str]) -> Sequence[Province]:
    return (await session.exec(select(Province).where(col(Province.code).in_(codes)))).all()


async def entity_changes(
    session: AsyncSession, entity: str, code: str, limit: int
) -> Sequence[DirectoryChange]:
    """The newest recorded changes of one directory entry, newest first."""
    statement = (
        select(DirectoryChange)
        .where(DirectoryChange.entity == entity, DirectoryChange.code == code)
        .order_by(col(DirectoryChange.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def agency_category_codes(session: AsyncSession, agency_id: int) -> list[str]:
    statement = (
        select(AgencyCategory)
        .where(AgencyCategory.agency_id == agency_id)
        .order_by(col(AgencyCategory.category_code))
    )
    return [link.category_code for link in (await session.exec(statement)).all()]
