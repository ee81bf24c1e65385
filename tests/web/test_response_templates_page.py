"""The agency's response templates page: list, create, edit and delete them from the inbox,
for agency officials only, with refusals naming the field as the service words them."""

from __future__ import annotations

import re

import httpx

from service.db import Database
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import add_agency_admin, submitted_and_routed
from tests.web.helpers import (
    csrf_of,
    reviewer,
    save_template,
    sign_in,
    sign_in_reviewer,
    sign_in_secretariat,
)


async def _names(db: Database, agency_code: str = "BKHCN") -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await workflow.response_templates(session, await reviewer(db, agency_code))
    return [(t.name, t.body) for t in rows]


async def test_only_agency_officials_reach_the_templates_pages(
    client: httpx.AsyncClient, db: Database
) -> None:
    template_id = await save_template(db, "Cảm ơn", "Cảm ơn anh/chị.")
    for path in ("/inbox/templates", f"/inbox/templates/{template_id}"):
        anonymous = await client.get(path)
        assert (anonymous.status_code, anonymous.headers["location"]) == (
            303,
            f"/login?next={path}",
        )
    # The service keeps templates for agencies only: the secretariat has none to keep.
    await sign_in_secretariat(client)
    inbox = await client.get("/inbox")
    assert 'href="/inbox/templates"' not in inbox.text
    for path in ("/inbox/templates", f"/inbox/templates/{template_id}"):
        refused = await client.get(path)
        assert refused.status_code == 403, path
        assert "Chỉ cán bộ của cơ quan mới được lưu mẫu trả lời." in refused.text
    token = csrf_of(inbox.text)
    for path in (
        "/inbox/templates",
        f"/inbox/templates/{template_id}",
        f"/inbox/templates/{template_id}/delete",
    ):
        posted = await client.post(path, data={"name": "X", "body": "Y", "csrf_token": token})
        assert posted.status_code == 403, path
    assert await _names(db) == [("Cảm ơn", "Cảm ơn anh/chị.")]


async def test_a_reviewer_creates_edits_and_deletes_a_template(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_reviewer(client)
    inbox = await client.get("/inbox")
    assert '<a href="/inbox/templates">Mẫu trả lời</a>' in inbox.text
    page = await client.get("/inbox/templates")
    assert page.status_code == 200
    assert "Chưa có mẫu trả lời nào." in page.text
    created = await client.post(
        "/inbox/templates",
        data={
            "name": " Cảm ơn ",
            "body": "Cảm ơn anh/chị đã gửi.",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert (created.status_code, created.headers["location"]) == (
        303,
        "/inbox/templates?done=saved",
    )
    assert await _names(db) == [("Cảm ơn", "Cảm ơn anh/chị đã gửi.")]
    listed = await client.get(created.headers["location"])
    assert "Đã lưu mẫu trả lời." in listed.text
    link = re.search(r'<a href="(/inbox/templates/(\d+))">Cảm ơn</a>', listed.text)
    assert link is not None

    edit = await client.get(link[1])
    assert 'value="Cảm ơn"' in edit.text
    assert ">Cảm ơn anh/chị đã gửi.</textarea>" in edit.text
    saved = await client.post(
        link[1],
        data={"name": "Cảm ơn", "body": "Xin cảm ơn.", "csrf_token": csrf_of(edit.text)},
    )
    assert (saved.status_code, saved.headers["location"]) == (303, "/inbox/templates?done=saved")
    assert await _names(db) == [("Cảm ơn", "Xin cảm ơn.")]

    deleted = await client.post(f"{link[1]}/delete", data={"csrf_token": csrf_of(edit.text)})
    assert (deleted.status_code, deleted.headers["location"]) == (
        303,
        "/inbox/templates?done=deleted",
    )
    assert await _names(db) == []
    assert "Đã xóa mẫu trả lời." in (await client.get(deleted.headers["location"])).text
    assert (await client.get(link[1])).status_code == 404


async def test_forms_need_their_csrf_token(client: httpx.AsyncClient, db: Database) -> None:
    template_id = await save_template(db, "Cảm ơn", "Cảm ơn anh/chị.")
    await sign_in_reviewer(client)
    for path in (
        "/inbox/templates",
        f"/inbox/templates/{template_id}",
        f"/inbox/templates/{template_id}/delete",
    ):
        posted = await client.post(path, data={"name": "Khác", "body": "Khác"})
        assert posted.status_code == 403, path
    assert await _names(db) == [("Cảm ơn", "Cảm ơn anh/chị.")]


async def test_refusals_name_the_fields_in_page_order_and_keep_the_text(
    client: httpx.AsyncClient, db: Database
) -> None:
    await save_template(db, "Cảm ơn", "Cảm ơn anh/chị.")
    await sign_in_reviewer(client)
    page = await client.get("/inbox/templates")
    token = csrf_of(page.text)
    empty = await client.post(
        "/inbox/templates", data={"name": "Mới", "body": " ", "csrf_token": token}
    )
    assert empty.status_code == 422
    assert '<a href="#body">Nội dung mẫu: Trường này là bắt buộc.</a>' in empty.text
    assert 'value="Mới"' in empty.text
    both = await client.post(
        "/inbox/templates", data={"name": "x" * 101, "body": "", "csrf_token": token}
    )
    assert both.status_code == 422
    summary = re.findall(r'<li><a href="#(\w+)">([^<]*)</a></li>', both.text)
    assert summary == [
        ("name", "Tên mẫu: Hãy dùng tối đa 100 ký tự."),
        ("body", "Nội dung mẫu: Trường này là bắt buộc."),
    ]
    assert 'aria-invalid="true"' in both.text
    duplicate = await client.post(
        "/inbox/templates", data={"name": "Cảm ơn", "body": "Khác", "csrf_token": token}
    )
    assert duplicate.status_code == 422
    assert "Tên mẫu: Cơ quan của bạn đã có mẫu trả lời với tên này." in duplicate.text
    assert ">Khác</textarea>" in duplicate.text

    await client.get("/lang/en")
    english = await client.post(
        "/inbox/templates", data={"name": "", "body": "Thanks", "csrf_token": token}
    )
    assert english.status_code == 422
    assert '<a href="#name">Template name: This field is required.</a>' in english.text
    assert ">Thanks</textarea>" in english.text
    assert await _names(db) == [("Cảm ơn", "Cảm ơn anh/chị.")]


async def test_a_refused_edit_keeps_what_was_typed(client: httpx.AsyncClient, db: Database) -> None:
    await save_template(db, "Cảm ơn", "Cảm ơn anh/chị.")
    other_id = await save_template(db, "Xin lỗi", "Xin lỗi vì sự chậm trễ.")
    await sign_in_reviewer(client)
    edit = await client.get(f"/inbox/templates/{other_id}")
    refused = await client.post(
        f"/inbox/templates/{other_id}",
        data={"name": "Cảm ơn", "body": "Đã sửa", "csrf_token": csrf_of(edit.text)},
    )
    assert refused.status_code == 422
    assert "Tên mẫu: Cơ quan của bạn đã có mẫu trả lời với tên này." in refused.text
    assert 'value="Cảm ơn"' in refused.text
    assert ">Đã sửa</textarea>" in refused.text
    assert f'action="/inbox/templates/{other_id}"' in refused.text
    assert await _names(db) == [
        ("Cảm ơn", "Cảm ơn anh/chị."),
        ("Xin lỗi", "Xin lỗi vì sự chậm trễ."),
    ]


async def test_another_agencys_templates_are_out_of_reach(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        theirs = await workflow.save_response_template(
            session, await reviewer(db, "BXD"), "Của BXD", "Nội dung BXD", "vi"
        )
    await sign_in_reviewer(client)
    page = await client.get("/inbox/templates")
    assert "Của BXD" not in page.text
    token = csrf_of(page.text)
    assert (await client.get(f"/inbox/templates/{theirs.id}")).status_code == 404
    for path in (f"/inbox/templates/{theirs.id}", f"/inbox/templates/{theirs.id}/delete"):
        posted = await client.post(path, data={"name": "Đổi", "body": "Đổi", "csrf_token": token})
        assert posted.status_code == 404, path
    for path in ("/inbox/templates/abc", "/inbox/templates/0"):
        assert (await client.get(path)).status_code == 404, path
    assert await _names(db, "BXD") == [("Của BXD", "Nội dung BXD")]


async def test_an_agency_administrator_keeps_templates_too(
    client: httpx.AsyncClient, db: Database
) -> None:
    email = "admin.bkhcn@example.org"
    await add_agency_admin(db, "BKHCN", email)
    await sign_in(client, email)
    page = await client.get("/inbox/templates")
    assert page.status_code == 200
    created = await client.post(
        "/inbox/templates",
        data={"name": "Đã nhận", "body": "Chúng tôi đã nhận.", "csrf_token": csrf_of(page.text)},
    )
    assert created.status_code == 303
    assert await _names(db) == [("Đã nhận", "Chúng tôi đã nhận.")]


async def test_the_answer_form_links_to_the_templates_page(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(db, settings)
    await sign_in_reviewer(client)
    # No template yet: the link is where one would be picked.
    bare = await client.get(f"/inbox/{proposal.id}")
    assert 'id="template"' not in bare.text
    assert 'href="/inbox/templates">Quản lý mẫu trả lời của cơ quan</a>' in bare.text
    await save_template(db, "Cảm ơn", "Cảm ơn anh/chị.")
    picking = await client.get(f"/inbox/{proposal.id}")
    picker = picking.text.index('id="template"')
    link = picking.text.index('href="/inbox/templates">Quản lý mẫu trả lời của cơ quan</a>')
    answer = picking.text.index(f'action="/inbox/{proposal.id}/respond"')
    assert picker < link < answer
