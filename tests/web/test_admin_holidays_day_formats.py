"""The holidays page reads and writes dates as it shows them: the remove button names the day
as the list does, and the Vietnamese page also takes DD/MM/YYYY (and D/M/YYYY) as typed."""

from __future__ import annotations

import html
from datetime import date

import httpx
import pytest

from service.db import Database
from service.errors import ValidationFailed
from service.holidays import service as holidays
from tests.web.helpers import csrf_of, sign_in_secretariat


async def _add(client: httpx.AsyncClient, typed: str, name: str) -> httpx.Response:
    page = await client.get("/admin/holidays")
    return await client.post(
        "/admin/holidays", data={"date": typed, "name": name, "csrf_token": csrf_of(page.text)}
    )


async def test_vietnamese_dates_are_taken_as_typed_and_the_button_reads_as_the_list(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    page = await client.get("/admin/holidays")
    assert "Ví dụ 01/01/2027 hoặc 2027-01-01. Ngày đã có trong danh sách sẽ được đổi tên." in (
        page.text
    )
    for typed, name in (("30/04/2027", "Giải phóng miền Nam"), ("3/5/2027", "Nghỉ bù")):
        added = await _add(client, typed, name)
        assert added.headers["location"] == "/admin/holidays?year=2027&done=added", typed
    assert (await _add(client, "2027-09-02", "Quốc khánh")).status_code == 303  # ISO still
    async with db.session() as session:
        listed = [(h.day, h.name) for h in await holidays.holidays_in(session, 2027)]
    assert listed == [
        (date(2027, 4, 30), "Giải phóng miền Nam"),
        (date(2027, 5, 3), "Nghỉ bù"),
        (date(2027, 9, 2), "Quốc khánh"),
    ]

    shown = (await client.get("/admin/holidays?year=2027")).text
    assert "<td>30/04/2027</td>" in shown
    assert (
        '<form method="post" action="/admin/holidays/2027-04-30/delete" class="inline-form">'
        in shown
    )
    assert '<button type="submit" class="link-button">Bỏ ngày 30/04/2027</button>' in shown
    await client.get("/lang/en")
    shown = (await client.get("/admin/holidays?year=2027")).text
    assert '<button type="submit" class="link-button">Remove 30 Apr 2027</button>' in shown
    assert "For example 2027-01-01. A date already listed is renamed." in shown


async def test_a_date_neither_form_reads_is_refused_in_the_page_language(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    for typed in ("31/02/2027", "30.04.2027", "30/04/27"):
        refused = await _add(client, typed, "Ngày nghỉ")
        assert refused.status_code == 422, typed
        assert (
            "Ngày: Hãy viết ngày theo dạng DD/MM/YYYY hoặc YYYY-MM-DD, ví dụ 01/01/2027."
            in refused.text
        ), typed
        assert f'value="{typed}"' in refused.text
    await client.get("/lang/en")
    # An English page shows "30 Apr 2027": 04/05/2027 could be read either way, so only ISO.
    refused = await _add(client, "30/04/2027", "Reunification Day")
    assert refused.status_code == 422
    assert "Date: Write the date as YYYY-MM-DD, e.g. 2027-01-01." in html.unescape(refused.text)
    async with db.session() as session:
        assert await holidays.holidays_in(session, 2027) == []


def test_parse_day_reads_day_month_year_in_vietnamese_only() -> None:
    assert holidays.parse_day(" 1/2/2027 ", "vi") == date(2027, 2, 1)
    assert holidays.parse_day("01/02/2027", "vi") == date(2027, 2, 1)
    assert holidays.parse_day("2027-02-01", "vi") == date(2027, 2, 1)
    with pytest.raises(ValidationFailed) as wrong:
        holidays.parse_day("01/02/2027", "en")
    assert [e.message for e in wrong.value.errors] == [
        "Write the date as YYYY-MM-DD, e.g. 2027-01-01."
    ]
    with pytest.raises(ValidationFailed) as digits:
        holidays.parse_day("٠١/٠٢/٢٠٢٧", "vi")  # other scripts' digits are not dates here
    assert [e.code for e in digits.value.errors] == ["invalid"]
