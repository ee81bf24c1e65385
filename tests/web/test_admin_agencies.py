"""Agency administration: list and filter, edit names, emails, competences and deadline
overrides with history; the secretariat's only."""

from __future__ import annotations

import httpx

from service.db import Database
from service.directory import service as directory
from tests.web.helpers import (
    add_agency_admin,
    csrf_of,
    sign_in,
    sign_in_reviewer,
    sign_in_secretariat,
)

BKHCN_DEFAULTS = [
    "DIGITAL_ECONOMY",
    "DIGITAL_INFRASTRUCTURE",
    "INNOVATION",
    "IP_TECH_TRANSFER",
    "RESEARCH_FUNDING",
    "STRATEGIC_TECHNOLOGIES",
]


def _form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        "nameVi": "Bộ Khoa học và Công nghệ",
        "nameEn": "Ministry of Science and Technology",
        "emails": "vanphong@most.gov.vn\ntiepnhan@most.gov.vn",
        "acknowledgeDays": "2",
        "respondDays": "",
        # Its six default categories, which it must keep, and one more.
        "categories": [*BKHCN_DEFAULTS, "HUMAN_RESOURCES"],
        "keywordsVi": "khoa học\ncông nghệ",
        "keywordsEn": "science",
    }
    values.update(overrides)
    return values


async def test_access_to_the_agency_pages(client: httpx.AsyncClient, db: Database) -> None:
    anonymous = await client.get("/admin/agencies")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/agencies"
    await sign_in_reviewer(client)
    assert (await client.get("/admin/agencies")).status_code == 403
    assert (await client.get("/admin/agencies/BKHCN")).status_code == 403
    await add_agency_admin(db, "BKHCN", "admin.bkhcn@intake.localhost")
    await sign_in(client, "admin.bkhcn@intake.localhost")
    assert (await client.get("/admin/agencies")).status_code == 403
    page = await client.get("/admin/users")
    assert '<a href="/admin/users">Quản trị</a>' in page.text
    assert 'href="/admin/agencies"' not in page.text


async def test_the_secretariat_filters_and_edits_an_agency_with_history(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    home = await client.get("/")
    assert '<a href="/admin/agencies">Quản trị</a>' in home.text
    ministries = await client.get("/admin/agencies", params={"kind": "MINISTRY", "q": "khoa hoc"})
    assert ministries.status_code == 200
    assert '<a href="/admin/agencies/BKHCN">BKHCN</a>' in ministries.text
    assert "UBND-HUE" not in ministries.text
    provinces = await client.get("/admin/agencies", params={"kind": "PROVINCE", "q": "huế"})
    assert '<a href="/admin/agencies/UBND-HUE">UBND-HUE</a>' in provinces.text
    assert "BKHCN" not in provinces.text

    page = await client.get("/admin/agencies/BKHCN")
    saved = await client.post(
        "/admin/agencies/BKHCN", data={**_form(), "csrf_token": csrf_of(page.text)}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/admin/agencies/BKHCN?saved=1"
    shown = await client.get(saved.headers["location"])
    assert "Đã lưu cơ quan." in shown.text
    assert "vanphong@most.gov.vn\ntiepnhan@most.gov.vn</textarea>" in shown.text
    assert 'name="categories" value="HUMAN_RESOURCES" checked' in shown.text
    assert (
        "<td>secretariat@intake.localhost</td><td>Số ngày làm việc để xác nhận tiếp nhận</td>"
        "<td>—</td><td>2</td>" in shown.text
    )
    async with db.session() as session:
        agency = await directory.agency(session, "BKHCN")
        assert agency is not None
        categories = await directory.agency_categories(session, agency)
        history = await directory.agency_history(session, "BKHCN")
    assert agency.emails == ["vanphong@most.gov.vn", "tiepnhan@most.gov.vn"]
    assert (agency.acknowledge_days, agency.respond_days) == (2, None)
    assert agency.keywords_vi == ["khoa học", "công nghệ"]
    assert sorted(categories) == sorted([*BKHCN_DEFAULTS, "HUMAN_RESOURCES"])
    assert {c.field for c in history if c.actor.startswith("user:")} == {
        "emails",
        "acknowledge_days",
        "categories",
        "keywords_vi",
        "keywords_en",
    }


async def test_bad_agency_input_names_the_field_keeps_the_input_and_stores_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.session() as session:
        before = await directory.agency(session, "BKHCN")
        assert before is not None
        categories_before = await directory.agency_categories(session, before)
    await sign_in_secretariat(client)
    page = await client.get("/admin/agencies/BKHCN")
    refused = await client.post(
        "/admin/agencies/BKHCN",
        data={
            **_form(nameEn="", emails="khong-phai-thu", respondDays="ba mươi"),
            "csrf_token": csrf_of(page.text),
        },
    )
    assert refused.status_code == 422
    assert "Tên tiếng Anh: Trường này là bắt buộc." in refused.text
    assert "&#34;khong-phai-thu&#34; không phải là địa chỉ thư điện tử hợp lệ." in refused.text
    assert "Hãy nhập một số nguyên ngày làm việc, hoặc để trống." in refused.text
    assert 'id="respondDays" name="respondDays"' in refused.text
    assert 'value="ba mươi"' in refused.text
    assert ">khong-phai-thu</textarea>" in refused.text
    async with db.session() as session:
        agency = await directory.agency(session, "BKHCN")
        assert agency is not None
        categories = await directory.agency_categories(session, agency)
    assert (agency.emails, agency.acknowledge_days) == (before.emails, before.acknowledge_days)
    assert (agency.name_en, agency.keywords_vi) == (before.name_en, before.keywords_vi)
    assert categories == categories_before

    # Leaving out a category whose default agency it is: refused by name, nothing stored.
    dropped = await client.post(
        "/admin/agencies/BKHCN",
        data={
            **_form(categories=["DIGITAL_ECONOMY", "INNOVATION"]),
            "csrf_token": csrf_of(page.text),
        },
    )
    assert dropped.status_code == 422
    assert (
        "BKHCN là cơ quan mặc định của lĩnh vực DIGITAL_INFRASTRUCTURE, IP_TECH_TRANSFER, "
        "RESEARCH_FUNDING, STRATEGIC_TECHNOLOGIES nên phải giữ thẩm quyền về lĩnh vực đó."
        in dropped.text
    )
    async with db.session() as session:
        agency = await directory.agency(session, "BKHCN")
        assert agency is not None
        assert await directory.agency_categories(session, agency) == categories_before


async def test_agency_kinds_show_as_words_in_both_languages(client: httpx.AsyncClient) -> None:
    await sign_in_secretariat(client)
    vietnamese = await client.get("/admin/agencies", params={"kind": "PROVINCE"})
    assert '<option value="MINISTRY">Bộ, cơ quan trung ương</option>' in vietnamese.text
    assert '<option value="PROVINCE" selected>Tỉnh, thành phố</option>' in vietnamese.text
    assert '<option value="SECRETARIAT">Văn phòng Thường trực</option>' in vietnamese.text
    assert "<td>Tỉnh, thành phố</td>" in vietnamese.text
    await client.get("/lang/en")
    english = await client.get("/admin/agencies")
    assert '<option value="MINISTRY">Ministry or central agency</option>' in english.text
    assert '<option value="PROVINCE">Province or city</option>' in english.text
    assert '<option value="SECRETARIAT">Secretariat</option>' in english.text
    assert "<td>Ministry or central agency</td>" in english.text
    assert "<td>Secretariat</td>" in english.text
    for page in (vietnamese, english):
        for code in ("MINISTRY", "PROVINCE", "SECRETARIAT"):
            assert f">{code}<" not in page.text
