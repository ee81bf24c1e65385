"""Holidays in the database: seeded with Vietnam's, edited with history, honoured by deadlines;
the GraphQL doors for holidays and for an agency's names, emails and deadline overrides."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from service.accounts.models import Role
from service.calendar import VIETNAM_HOLIDAYS, add_business_days
from service.db import Database, utcnow
from service.directory import repository as directory_repository
from service.directory import service as directory
from service.errors import ValidationFailed
from service.holidays import service
from service.holidays.errors import HolidayNotFound
from service.routing import repository as routing_repository
from service.routing.deadlines import business_days
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.fixtures.api import bearer
from tests.graphql_client import execute


async def test_the_migration_seeds_vietnams_holidays(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        days = await service.holiday_dates(session)
        listed = await service.holidays_in(session, 2026)
    await db.dispose()
    assert days == VIETNAM_HOLIDAYS
    assert [(h.day, h.name) for h in listed][:2] == [
        (date(2026, 1, 1), "Tết Dương lịch"),
        (date(2026, 2, 16), "Tết Nguyên đán"),
    ]


async def test_holidays_are_added_renamed_and_removed_with_history(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    new_year = date(2027, 1, 1)
    async with db.transaction() as session:
        await service.save_holiday(session, "user:7", new_year, "Tết Dương lịch", "vi")
    async with db.transaction() as session:
        await service.save_holiday(session, "user:8", new_year, " Tết Dương lịch 2027 ", "vi")
    with pytest.raises(ValidationFailed) as unnamed:
        async with db.transaction() as session:
            await service.save_holiday(session, "user:8", date(2027, 1, 4), "  ", "en")
    with pytest.raises(HolidayNotFound):
        async with db.transaction() as session:
            await service.delete_holiday(session, "user:8", date(2027, 1, 4))
    async with db.transaction() as session:
        await service.delete_holiday(session, "user:9", new_year)
    async with db.session() as session:
        left = await service.holidays_in(session, 2027)
        history = await service.changes_in(session, 2027)
    await db.dispose()
    assert left == []
    assert [(c.action, c.actor, c.old_name, c.new_name) for c in history] == [
        ("removed", "user:9", "Tết Dương lịch 2027", None),
        ("renamed", "user:8", "Tết Dương lịch", "Tết Dương lịch 2027"),
        ("added", "user:7", None, "Tết Dương lịch"),
    ]
    assert [(e.field, e.code, e.message) for e in unnamed.value.errors] == [
        ("name", "required", "This field is required.")
    ]


def test_a_date_is_read_strictly() -> None:
    assert service.parse_day("2027-04-30", "vi") == date(2027, 4, 30)
    with pytest.raises(ValidationFailed) as wrong:
        service.parse_day("30/04/2027", "en")
    assert [(e.field, e.message) for e in wrong.value.errors] == [
        ("date", "Write the date as YYYY-MM-DD, e.g. 2027-01-01.")
    ]
    with pytest.raises(ValidationFailed) as far:
        service.parse_day("1999-01-01", "en")
    assert [e.message for e in far.value.errors] == ["Choose a date from 2000 to 2100."]


async def test_deadlines_skip_a_holiday_added_to_the_table(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    next_business_day = add_business_days(utcnow(), 1, VIETNAM_HOLIDAYS).date()
    async with db.transaction() as session:
        await service.save_holiday(session, "user:1", next_business_day, "Nghỉ bù", "vi")
    routed = await submitted_and_routed(db, settings)
    assert routed.agency_id is not None
    async with db.session() as session:
        agency = await directory_repository.get_agency(session, routed.agency_id)
        rules = await routing_repository.deadline_rules(session)
    await db.dispose()
    assert agency is not None
    assert routed.acknowledge_deadline is not None
    assert routed.updated_at is not None
    acknowledge, _ = business_days(rules, routed, agency, settings)
    holidays = VIETNAM_HOLIDAYS | {next_business_day}
    assert routed.acknowledge_deadline == add_business_days(
        routed.updated_at, acknowledge, holidays
    )
    assert routed.acknowledge_deadline != add_business_days(
        routed.updated_at, acknowledge, VIETNAM_HOLIDAYS
    )


async def test_agency_names_emails_and_deadline_overrides_are_recorded(
    settings: Settings,
) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        agency = await directory.update_agency(
            session,
            "user:3",
            "bkhcn",
            "vi",
            name_vi="Bộ Khoa học và Công nghệ",
            name_en="Ministry of Science and Technology",
            emails=["vanphong@most.gov.vn", " ", "vanphong@most.gov.vn"],
            acknowledge_days=2,
            respond_days=None,
        )
        assert agency.emails == ["vanphong@most.gov.vn"]
    with pytest.raises(ValidationFailed) as refused:
        async with db.transaction() as session:
            await directory.update_agency(
                session,
                "user:3",
                "BKHCN",
                "en",
                name_vi="",
                name_en="Ministry",
                emails=["not-an-address"],
                acknowledge_days=0,
                respond_days=None,
            )
    async with db.session() as session:
        history = await directory.agency_history(session, "BKHCN")
        unchanged = await directory.agency(session, "BKHCN")
    await db.dispose()
    assert unchanged is not None
    assert unchanged.name_en == "Ministry of Science and Technology"
    fields = {c.field: (c.actor, c.new) for c in history if c.actor == "user:3"}
    assert fields["emails"] == ("user:3", "vanphong@most.gov.vn")
    assert fields["acknowledge_days"] == ("user:3", "2")
    assert [(e.field, e.code, e.message) for e in refused.value.errors] == [
        ("nameVi", "required", "This field is required."),
        ("emails", "invalid", '"not-an-address" is not a valid email address.'),
        ("acknowledgeDays", "out_of_range", "Choose from 1 to 365 business days."),
    ]


async def test_holidays_and_agencies_through_graphql(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    secretariat = {
        **await bearer(db, Role.SECRETARIAT, None, "secretariat"),
        "accept-language": "en",
    }
    reviewer = await bearer(db, Role.REVIEWER, "BKHCN", "reviewer")
    await db.dispose()
    saved = await execute(
        client,
        "SaveHoliday",
        {"input": {"date": "2027-01-01", "name": "Tết Dương lịch"}},
        headers=secretariat,
    )
    assert saved["saveHoliday"] == {
        "__typename": "HolidaySaved",
        "holiday": {"date": "2027-01-01", "name": "Tết Dương lịch"},
    }
    bad = await execute(
        client, "SaveHoliday", {"input": {"date": "2027-01-04", "name": ""}}, headers=secretariat
    )
    assert bad["saveHoliday"]["errors"] == [
        {"field": "name", "code": "required", "message": "This field is required."}
    ]
    refused = await execute(
        client, "SaveHoliday", {"input": {"date": "2027-01-02", "name": "x"}}, headers=reviewer
    )
    assert refused["saveHoliday"]["__typename"] == "NotPermittedError"
    listed = await execute(client, "Holidays", {"year": 2027}, headers=secretariat)
    assert listed == {
        "holidays": [{"date": "2027-01-01", "name": "Tết Dương lịch"}],
        "holidayChanges": [
            {
                "date": "2027-01-01",
                "action": "added",
                "actor": "token:1",
                "oldName": None,
                "newName": "Tết Dương lịch",
            }
        ],
    }
    public = await execute(client, "Holidays", {"year": 2027})
    assert public["holidayChanges"] == []
    deleted = await execute(
        client, "DeleteHoliday", {"input": {"date": "2027-01-01"}}, headers=secretariat
    )
    assert deleted["deleteHoliday"] == {"__typename": "HolidayDeleted", "date": "2027-01-01"}
    missing = await execute(
        client, "DeleteHoliday", {"input": {"date": "2027-01-01"}}, headers=secretariat
    )
    assert missing["deleteHoliday"] == {
        "__typename": "NotFoundError",
        "code": "not_found",
        "message": "No holiday on that date.",
    }

    update = {
        "agencyCode": "BKHCN",
        "nameVi": "Bộ Khoa học và Công nghệ",
        "nameEn": "Ministry of Science and Technology",
        "emails": ["vanphong@most.gov.vn"],
        "acknowledgeDays": 2,
        "respondDays": 20,
    }
    updated = await execute(client, "UpdateAgency", {"input": update}, headers=secretariat)
    assert updated["updateAgency"]["agency"] == {
        "code": "BKHCN",
        "nameVi": "Bộ Khoa học và Công nghệ",
        "nameEn": "Ministry of Science and Technology",
        "emails": ["vanphong@most.gov.vn"],
        "acknowledgeDays": 2,
        "respondDays": 20,
    }
    invalid = await execute(
        client, "UpdateAgency", {"input": {**update, "respondDays": 400}}, headers=secretariat
    )
    assert invalid["updateAgency"]["errors"] == [
        {
            "field": "respondDays",
            "code": "out_of_range",
            "message": "Choose from 1 to 365 business days.",
        }
    ]
    not_allowed = await execute(client, "UpdateAgency", {"input": update}, headers=reviewer)
    assert not_allowed["updateAgency"] == {
        "__typename": "NotPermittedError",
        "code": "not_permitted",
        "message": "Chỉ Văn phòng Thường trực được thay đổi thông tin cơ quan.",
    }
