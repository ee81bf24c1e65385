"""Routing rule administration: the ordered table, create, edit, delete with confirmation,
each rule's history; invalid rules refused with the field named."""

from __future__ import annotations

import re

import httpx

from service.db import Database
from service.routing import repository as routing
from tests.web.helpers import csrf_of, sign_in_reviewer, sign_in_secretariat

RULE = {
    "position": "",
    "kinds": "PROPOSAL",
    "categories": "",
    "province": "",
    "keywordsVi": "xe buýt điện",
    "keywordsEn": "electric bus",
    "lead": "BXD",
    "cooperating": "BKHCN",
    "weight": "6",
    "active": "true",
    "note": "Giao thông xanh",
}


async def test_access_to_the_rule_pages(client: httpx.AsyncClient) -> None:
    for path in ("/admin/rules", "/admin/rules/new", "/admin/rules/1", "/admin/rules/1/delete"):
        anonymous = await client.get(path)
        assert anonymous.headers["location"] == f"/login?next={path}", path
    await sign_in_reviewer(client)
    for path in ("/admin/rules", "/admin/rules/new", "/admin/rules/1"):
        assert (await client.get(path)).status_code == 403, path


async def test_a_rule_is_created_edited_and_deleted_with_its_history(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    listing = await client.get("/admin/rules")
    assert listing.status_code == 200
    async with db.session() as session:
        count = len(await routing.list_rules(session))
    form = await client.get("/admin/rules/new")
    created = await client.post("/admin/rules", data={**RULE, "csrf_token": csrf_of(form.text)})
    assert created.status_code == 303
    location = re.fullmatch(r"/admin/rules/(\d+)\?saved=1", created.headers["location"])
    assert location is not None
    rule_id = int(location[1])
    page = await client.get(created.headers["location"])
    assert "Đã lưu quy tắc." in page.text
    assert f'value="{count + 1}"' in page.text
    edited = await client.post(
        f"/admin/rules/{rule_id}",
        data={**RULE, "weight": "8", "active": "", "csrf_token": csrf_of(page.text)},
    )
    assert edited.status_code == 303
    async with db.session() as session:
        rule = await routing.get_rule(session, rule_id)
    assert rule is not None
    assert (rule.weight, rule.active, rule.cooperating, rule.keywords_en) == (
        8.0,
        False,
        ["BKHCN"],
        ["electric bus"],
    )
    shown = await client.get(f"/admin/rules/{rule_id}")
    assert (
        "<td>secretariat@intake.localhost</td>\n    <td>Đã sửa</td>\n"
        '    <td><ul class="changes"><li>Trọng số: 6 → 8</li>'
        "<li>Đang hoạt động: Có → Không</li></ul></td>" in shown.text
    )
    listed = await client.get("/admin/rules")
    assert f'<a href="/admin/rules/{rule_id}">{count + 1}</a>' in listed.text

    confirm = await client.get(f"/admin/rules/{rule_id}/delete")
    assert f"Xóa quy tắc phân công ở vị trí {count + 1}?" in confirm.text
    deleted = await client.post(
        f"/admin/rules/{rule_id}/delete", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert deleted.headers["location"] == "/admin/rules?done=deleted"
    async with db.session() as session:
        assert await routing.get_rule(session, rule_id) is None
        history = await routing.rule_changes(session, rule_id)
    assert [(c.action, c.actor) for c in history] == [
        ("created", "user:1"),
        ("changed", "user:1"),
        ("deleted", "user:1"),
    ]
    assert (await client.get(f"/admin/rules/{rule_id}")).status_code == 404


async def test_an_invalid_rule_names_its_fields_keeps_the_input_and_stores_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    async with db.session() as session:
        before = len(await routing.list_rules(session))
    form = await client.get("/admin/rules/new")
    refused = await client.post(
        "/admin/rules",
        data={
            **RULE,
            "categories": "KHONG-CO",
            "lead": "BO-KHONG-CO",
            "weight": "nặng",
            "position": "0",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert refused.status_code == 422
    assert "Lĩnh vực: Không có mã lĩnh vực &#34;KHONG-CO&#34;." in refused.text
    assert "Cơ quan chủ trì: Không có mã cơ quan &#34;BO-KHONG-CO&#34;." in refused.text
    assert "Trọng số: &#34;nặng&#34; không phải là một số từ -100 đến 100 khác 0." in refused.text
    assert "Vị trí: Chọn vị trí từ 1 đến 10000." in refused.text
    assert 'value="BO-KHONG-CO"' in refused.text
    assert 'value="nặng"' in refused.text
    async with db.session() as session:
        assert len(await routing.list_rules(session)) == before
