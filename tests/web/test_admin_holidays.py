"""Holiday administration: a year's list, adding and removing with history, bad input named;
deadlines set after a holiday is added through the page skip it."""

from __future__ import annotations

import httpx

from service.calendar import VIETNAM_HOLIDAYS, add_business_days
from service.db import Database, utcnow
from service.directory import repository as directory
from service.holidays import service as holidays
from service.i18n import format_day
from service.routing import repository as routing
from service.routing.deadlines import business_days
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.web.helpers import csrf_of, sign_in_reviewer, sign_in_secretariat


async def test_access_to_the_holiday_page(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/admin/holidays")
    assert anonymous.headers["location"] == "/login?next=/admin/holidays"
    await sign_in_reviewer(client)
    assert (await client.get("/admin/holidays")).status_code == 403


async def test_the_seeded_year_is_listed(client: httpx.AsyncClient) -> None:
    await sign_in_secretariat(client)
    page = await client.get("/admin/holidays", params={"year": "2026"})
    assert page.status_code == 200
    assert "<h1>Ngày nghỉ lễ năm 2026</h1>" in page.text
    assert "<td>Giỗ Tổ Hùng Vương (nghỉ bù)</td>" in page.text
    assert page.text.count('action="/admin/holidays/2026-') == len(VIETNAM_HOLIDAYS)


async def test_a_holiday_added_through_the_page_moves_deadlines_and_is_recorded(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await sign_in_secretariat(client)
    day = add_business_days(utcnow(), 1, VIETNAM_HOLIDAYS).date()
    page = await client.get("/admin/holidays")
    added = await client.post(
        "/admin/holidays",
        data={"date": day.isoformat(), "name": "Nghỉ bù", "csrf_token": csrf_of(page.text)},
    )
    assert added.headers["location"] == f"/admin/holidays?year={day.year}&done=added"
    listed = await client.get(added.headers["location"])
    assert "Đã lưu ngày nghỉ lễ." in listed.text
    assert (
        f"<td>secretariat@intake.localhost</td><td>Đã thêm</td><td>{format_day(day, 'vi')}</td>"
        "<td>— → Nghỉ bù</td>" in listed.text
    )

    routed = await submitted_and_routed(db, settings)
    assert routed.agency_id is not None
    assert routed.acknowledge_deadline is not None
    assert routed.updated_at is not None
    async with db.session() as session:
        agency = await directory.get_agency(session, routed.agency_id)
        rules = await routing.deadline_rules(session)
    assert agency is not None
    acknowledge, _ = business_days(rules, routed, agency, settings)
    assert routed.acknowledge_deadline == add_business_days(
        routed.updated_at, acknowledge, VIETNAM_HOLIDAYS | {day}
    )

    removed = await client.post(
        f"/admin/holidays/{day.isoformat()}/delete", data={"csrf_token": csrf_of(page.text)}
    )
    assert removed.headers["location"] == f"/admin/holidays?year={day.year}&done=removed"
    async with db.session() as session:
        assert day not in await holidays.holiday_dates(session)
        history = await holidays.changes_in(session, day.year)
    assert [(c.action, c.actor) for c in history][:2] == [
        ("removed", "user:1"),
        ("added", "user:1"),
    ]


async def test_a_bad_holiday_names_the_field_and_keeps_the_input(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    page = await client.get("/admin/holidays")
    refused = await client.post(
        "/admin/holidays",
        data={"date": "30.04.2027", "name": " ", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 422
    assert (
        "Ngày: Hãy viết ngày theo dạng DD/MM/YYYY hoặc YYYY-MM-DD, ví dụ 01/01/2027."
        in refused.text
    )
    assert "Tên: Trường này là bắt buộc." in refused.text
    assert 'value="30.04.2027"' in refused.text
    await client.get("/lang/en")
    english = await client.post(
        "/admin/holidays",
        data={"date": "1999-12-31", "name": "New Year's Eve", "csrf_token": csrf_of(page.text)},
    )
    assert english.status_code == 422
    assert "Date: Choose a date from 2000 to 2100." in english.text
    assert 'value="New Year&#39;s Eve"' in english.text
    gone = await client.post(
        "/admin/holidays/2027-04-30/delete", data={"csrf_token": csrf_of(page.text)}
    )
    assert gone.status_code == 404
    async with db.session() as session:
        assert await holidays.holidays_in(session, 2027) == []
