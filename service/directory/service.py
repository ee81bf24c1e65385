"""The agency directory: loading the shipped data and looking agencies up."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from service.directory import data, repository
from service.directory.models import Agency, Category, Province


async def load_directory(session: AsyncSession) -> None:
    """Insert or update every agency, province and category of the shipped directory."""
    agencies: dict[str, Agency] = {}
    for entry in data.AGENCIES:
        agency = await repository.get_agency_by_code(session, entry.code)
        if agency is None:
            agency = Agency(code=entry.code, name_vi="", name_en="", kind=entry.kind)
            repository.add(session, agency)
        agency.name_vi, agency.name_en, agency.kind = entry.name_vi, entry.name_en, entry.kind
        agencies[entry.code] = agency
    await session.flush()

    for province_entry in data.PROVINCES:
        agency_id = agencies[province_entry.agency_code].id
        assert agency_id is not None
        province = await repository.get_province(session, province_entry.code)
        if province is None:
            province = Province(code=province_entry.code, name_vi="", name_en="", agency_id=0)
            repository.add(session, province)
        province.name_vi, province.name_en = province_entry.name_vi, province_entry.name_en
        province.is_city, province.agency_id = province_entry.is_city, agency_id

    for position, category_entry in enumerate(data.CATEGORIES):
        category = await repository.get_category(session, category_entry.code)
        if category is None:
            category = Category(code=category_entry.code, name_vi="", name_en="")
            repository.add(session, category)
        category.name_vi, category.name_en = category_entry.name_vi, category_entry.name_en
        category.position = position
        category.agency_id = (
            agencies[category_entry.agency_code].id if category_entry.agency_code else None
        )
    await session.flush()


async def secretariat(session: AsyncSession) -> Agency:
    agency = await repository.get_agency_by_code(session, data.SECRETARIAT_CODE)
    if agency is None:
        raise LookupError("the directory is not loaded: run `intake seed`")
    return agency


async def agencies(session: AsyncSession) -> list[Agency]:
    return list(await repository.list_agencies(session))


async def categories(session: AsyncSession) -> list[Category]:
    return list(await repository.list_categories(session))


async def provinces(session: AsyncSession) -> list[Province]:
    return list(await repository.list_provinces(session))
