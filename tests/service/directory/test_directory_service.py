"""Loading the directory into the database with its history, and finding provinces by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from service.accounts.models import User
from service.db import Database
from service.directory import repository
from service.directory.loader import read_directory
from service.directory.models import Agency, AgencyCategory, DirectoryChange, DirectoryVersion
from service.directory.names import place_key
from service.directory.service import (
    Change,
    find_province,
    load_directory,
    provinces,
    provinces_named_in,
)
from tests.service.directory.directory_files import (
    append_row,
    copy_directory,
    drop_places,
    drop_row,
    edit_row,
)


async def _versions(db: Database) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await repository.list_versions(session)
    return [(v.version, v.actor) for v in rows]


async def test_the_seed_recorded_the_shipped_directory_as_created(database_url: str) -> None:
    db = Database(database_url)
    async with db.session() as session:
        [version] = await repository.list_versions(session)
        assert version.id is not None
        changes = await repository.list_changes(session, version.id)
        bkhcn = await repository.get_agency_by_code(session, "BKHCN")
        assert bkhcn is not None
        competences = (
            await session.exec(
                select(AgencyCategory.category_code).where(AgencyCategory.agency_id == bkhcn.id)
            )
        ).all()
    await db.dispose()
    assert (version.version, version.actor) == ("2025.07.1", "cli")
    assert version.checksum == read_directory().checksum
    assert len(changes) == 52 + 34 + 13 + len(read_directory().places)
    assert {c.field for c in changes} == {"created"}
    assert (bkhcn.emails, bkhcn.is_active, bkhcn.parent_id) == (
        ["tiepnhan@bkhcn.intake.localhost"],
        True,
        None,
    )
    assert "chuyển đổi số" in bkhcn.keywords_vi
    assert "semiconductor" in bkhcn.keywords_en
    assert sorted(competences) == [
        "DIGITAL_ECONOMY",
        "DIGITAL_INFRASTRUCTURE",
        "INNOVATION",
        "IP_TECH_TRANSFER",
        "RESEARCH_FUNDING",
        "STRATEGIC_TECHNOLOGIES",
    ]


async def test_loading_the_same_directory_again_records_nothing(database_url: str) -> None:
    db = Database(database_url)
    async with db.transaction() as session:
        summary = await load_directory(session, read_directory(), actor="cli")
    assert (summary.recorded, summary.changes) == (False, ())
    assert await _versions(db) == [("2025.07.1", "cli")]
    await db.dispose()


async def test_a_changed_directory_records_exactly_its_changes(
    database_url: str, tmp_path: Path
) -> None:
    directory = copy_directory(tmp_path)
    (directory / "VERSION").write_text("2025.08.1\n", encoding="utf-8")
    edit_row(directory, "agencies.csv", "BYT", name_en="Ministry of Health of Viet Nam")
    edit_row(
        directory, "agencies.csv", "BCA",
        emails="tiepnhan@bca.intake.localhost;a05@bca.intake.localhost", respond_days="10",
    )  # fmt: skip
    edit_row(directory, "agencies.csv", "BQP", categories="CYBERSECURITY")
    drop_row(directory, "agencies.csv", "BNG")
    append_row(
        directory, "agencies.csv", code="CUC-SHTT", kind="MINISTRY", parent="BKHCN",
        name_vi="Cục Sở hữu trí tuệ", name_en="Intellectual Property Office",
        categories="IP_TECH_TRANSFER",
    )  # fmt: skip
    edit_row(directory, "agencies.csv", "TTCP", parent="VPCP")
    edit_row(directory, "provinces.csv", "CAN-THO", aliases="Sóc Trăng")
    edit_row(directory, "categories.csv", "OTHER", name_en="Other topics")

    db = Database(database_url)
    async with db.transaction() as session:
        summary = await load_directory(session, read_directory(directory), actor="admin@gov.vn")
    async with db.session() as session:
        versions = await repository.list_versions(session)
        assert versions[-1].id is not None
        stored = await repository.list_changes(session, versions[-1].id)
        bng = await repository.get_agency_by_code(session, "BNG")
        bng_reviewer = (
            await session.exec(select(User).where(User.email == "reviewer.bng@intake.localhost"))
        ).one()
        ttcp = await repository.get_agency_by_code(session, "TTCP")
        vpcp = await repository.get_agency_by_code(session, "VPCP")
        active = (await session.exec(select(Agency.code).where(col(Agency.is_active)))).all()
        can_tho = await find_province(session, "Hậu Giang")
    async with db.transaction() as session:
        again = await load_directory(session, read_directory(directory), actor="cli")
    await db.dispose()

    expected = [
        Change("agency", "BCA", "emails", "tiepnhan@bca.intake.localhost",
               "tiepnhan@bca.intake.localhost;a05@bca.intake.localhost"),
        Change("agency", "BCA", "respond_days", None, "10"),
        Change("agency", "BYT", "name_en", "Ministry of Health", "Ministry of Health of Viet Nam"),
        Change("agency", "CUC-SHTT", "created", None, "Cục Sở hữu trí tuệ"),
        Change("agency", "BNG", "is_active", "true", "false"),
        Change("agency", "TTCP", "parent", None, "VPCP"),
        Change("category", "OTHER", "name_en", "Other", "Other topics"),
        Change("agency", "BQP", "categories", "CYBERSECURITY;STRATEGIC_TECHNOLOGIES",
               "CYBERSECURITY"),
        Change("province", "CAN-THO", "aliases", "Hậu Giang;Sóc Trăng", "Sóc Trăng"),
    ]  # fmt: skip
    assert list(summary.changes) == expected
    assert [(c.entity, c.code, c.field, c.old, c.new) for c in stored] == [
        (c.entity, c.code, c.field, c.old, c.new) for c in expected
    ]
    assert {(c.actor, c.version_id) for c in stored} == {("admin@gov.vn", versions[-1].id)}
    assert [(v.version, v.actor) for v in versions] == [
        ("2025.07.1", "cli"),
        ("2025.08.1", "admin@gov.vn"),
    ]
    assert (summary.count("agency", "added"), summary.count("agency", "changed")) == (1, 4)
    assert summary.count("agency", "deactivated") == 1
    assert (summary.count("province", "changed"), summary.count("category", "changed")) == (1, 1)
    assert bng is not None
    assert not bng.is_active
    assert bng_reviewer.agency_id == bng.id  # history stays: nothing that pointed at it breaks
    assert "BNG" not in active
    assert "CUC-SHTT" in active
    assert ttcp is not None
    assert vpcp is not None
    assert ttcp.parent_id == vpcp.id
    assert can_tho is None  # Hậu Giang is no longer an alias in this version
    assert (again.recorded, again.changes) == (False, ())


async def test_an_agency_back_in_a_newer_directory_is_active_again(
    database_url: str, tmp_path: Path
) -> None:
    directory = copy_directory(tmp_path)
    drop_row(directory, "agencies.csv", "BNG")
    db = Database(database_url)
    async with db.transaction() as session:
        await load_directory(session, read_directory(directory), actor="cli")
    async with db.transaction() as session:
        summary = await load_directory(session, read_directory(), actor="cli")
    async with db.session() as session:
        bng = await repository.get_agency_by_code(session, "BNG")
        count = len((await session.exec(select(DirectoryChange))).all())
        loads = len((await session.exec(select(DirectoryVersion))).all())
    await db.dispose()
    assert list(summary.changes) == [Change("agency", "BNG", "is_active", "false", "true")]
    assert bng is not None
    assert bng.is_active
    assert (count, loads) == (52 + 34 + 13 + len(read_directory().places) + 2, 3)


async def test_a_removed_province_leaves_the_lists_but_keeps_its_row(
    database_url: str, tmp_path: Path
) -> None:
    directory = copy_directory(tmp_path)
    drop_row(directory, "provinces.csv", "CAO-BANG")
    drop_places(directory, "CAO-BANG")
    db = Database(database_url)
    async with db.transaction() as session:
        summary = await load_directory(session, read_directory(directory), actor="cli")
    async with db.session() as session:
        listed = [p.code for p in await provinces(session)]
        kept = await repository.get_province(session, "CAO-BANG")
        found = await find_province(session, "Cao Bằng")
    await db.dispose()
    places = sorted(
        (p for p in read_directory().places if p.province == "CAO-BANG"),
        key=lambda p: place_key(p.name),
    )
    assert list(summary.changes) == [
        Change("province", "CAO-BANG", "is_active", "true", "false"),
        *(Change("place", p.name, "province", "CAO-BANG", None) for p in places),
    ]
    assert len(places) == 7
    assert (len(listed), "CAO-BANG" in listed) == (33, False)
    assert kept is not None
    assert found is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Bắc Giang", "BAC-NINH"),
        ("quang nam", "DA-NANG"),
        ("Ba Ria Vung Tau", "HO-CHI-MINH"),
        ("Bà Rịa–Vũng Tàu", "HO-CHI-MINH"),
        ("Tỉnh Hà Giang", "TUYEN-QUANG"),
        ("Thừa Thiên Huế", "HUE"),
        ("  HUE ", "HUE"),
        ("ho-chi-minh", "HO-CHI-MINH"),
        ("Ho Chi Minh City", "HO-CHI-MINH"),
        ("Thành phố Hồ Chí Minh", "HO-CHI-MINH"),
        ("TP. Đà Nẵng", "DA-NANG"),
        ("ĐẮK NÔNG", "LAM-DONG"),
        ("Kon Tum", "QUANG-NGAI"),
        ("TP.HCM", "HO-CHI-MINH"),
        ("Thủ Đức", "HO-CHI-MINH"),  # a place inside a province (places.csv)
        ("phu quoc", "AN-GIANG"),
        ("Atlantis", None),
        ("", None),
        ("tỉnh", None),
    ],
)
async def test_find_province_knows_codes_names_and_former_names(
    database_url: str, text: str, code: str | None
) -> None:
    db = Database(database_url)
    async with db.session() as session:
        province = await find_province(session, text)
    await db.dispose()
    assert (province.code if province else None) == code


async def test_provinces_named_in_free_text(database_url: str) -> None:
    db = Database(database_url)
    async with db.session() as session:
        named = await provinces_named_in(
            session,
            "Doanh nghiệp ở Bình Dương (nay là TP. Hồ Chí Minh) có nhà máy tại Bac Giang; "
            "vì hòa bình và phát triển, chị Huệ đề nghị Thành phố Huế hỗ trợ.",
        )
        unnamed = await provinces_named_in(session, "Vì hòa bình, chị Nguyễn Thị Huệ đề nghị.")
    await db.dispose()
    assert [p.code for p in named] == ["HO-CHI-MINH", "BAC-NINH", "HUE"]
    assert unnamed == []  # the word for peace and the name Huệ are not Hòa Bình and Huế


async def test_a_place_inside_a_province_names_the_province(database_url: str) -> None:
    db = Database(database_url)
    async with db.session() as session:
        alone = await provinces_named_in(session, "Startup ở Thủ Đức chờ giấy phép; Quy Nhơn.")
        same = await provinces_named_in(session, "Homestay ở Hội An, Quảng Nam")
        titled = await provinces_named_in(session, "Gia đình tôi ở Tĩnh Gia")
        unmarked = await provinces_named_in(session, "A start-up in Thu Duc, Saigon")
    await db.dispose()
    assert [p.code for p in alone] == ["HO-CHI-MINH", "GIA-LAI"]
    assert [p.code for p in same] == ["DA-NANG"]
    assert [p.code for p in titled] == ["THANH-HOA"]  # Tĩnh Gia is no "Gia" in a "Tỉnh"
    assert [p.code for p in unmarked] == ["HO-CHI-MINH"]
