"""Officials' administration: the secretariat manages every account, an agency admin only
their agency's reviewers; every change is recorded with who and when."""

from __future__ import annotations

import re

import httpx

from service.accounts import repository as accounts
from service.accounts.models import Role
from service.db import Database
from service.demo import reviewer_email
from tests.web.helpers import (
    add_agency_admin,
    csrf_of,
    sign_in,
    sign_in_reviewer,
    sign_in_secretariat,
)
from tests.web_client import post_form


async def _user_id(db: Database, email: str) -> int:
    async with db.session() as session:
        user = await accounts.get_by_email(session, email)
    assert user is not None
    assert user.id is not None
    return user.id


async def test_access_to_the_user_pages(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/admin/users")
    assert anonymous.headers["location"] == "/login?next=/admin/users"
    await sign_in_reviewer(client)
    assert (await client.get("/admin/users")).status_code == 403
    refused = await client.post("/admin/users", data={"csrf_token": "x"})
    assert refused.status_code == 403


async def test_the_secretariat_creates_changes_deactivates_and_reactivates_an_official(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    created = await post_form(
        client,
        "/admin/users",
        {"email": "Lan.Nguyen@most.gov.vn", "name": "Nguyễn Thị Lan", "role": "REVIEWER",
         "agency": "BKHCN", "password": ""},
        page="/admin/users",
    )  # fmt: skip
    assert (created.status_code, created.headers["location"]) == (303, "/admin/users")
    shown = await client.get("/admin/users")
    assert shown.headers["cache-control"] == "no-store"
    password = re.search(r'id="new-password">([^<]+)<', shown.text)
    assert password is not None
    assert "Đã tạo tài khoản cho lan.nguyen@most.gov.vn" in shown.text
    user_id = await _user_id(db, "lan.nguyen@most.gov.vn")
    assert password[1] not in (await client.get("/admin/users")).text

    listed = await client.get("/admin/users", params={"agency": "BKHCN", "role": "REVIEWER"})
    assert f'<a href="/admin/users/{user_id}">lan.nguyen@most.gov.vn</a>' in listed.text
    assert "secretariat@intake.localhost</a>" not in listed.text

    page = await client.get(f"/admin/users/{user_id}")
    changed = await client.post(
        f"/admin/users/{user_id}",
        data={"role": "AGENCY_ADMIN", "agency": "BKHCN", "csrf_token": csrf_of(page.text)},
    )
    assert changed.headers["location"] == f"/admin/users/{user_id}?saved=changed"
    off = await client.post(
        f"/admin/users/{user_id}/deactivate", data={"csrf_token": csrf_of(page.text)}
    )
    assert off.headers["location"] == f"/admin/users/{user_id}?saved=deactivated"

    other = httpx.AsyncClient(transport=client._transport, base_url="http://intake.test")
    async with other:
        login = await post_form(
            other,
            "/login",
            {"email": "lan.nguyen@most.gov.vn", "password": password[1]},
            page="/login",
        )
        assert login.status_code == 401

    back = await client.post(
        f"/admin/users/{user_id}/reactivate", data={"csrf_token": csrf_of(page.text)}
    )
    assert back.status_code == 303
    shown = await client.get(f"/admin/users/{user_id}")
    assert '<strong id="state">Đang hoạt động</strong>' in shown.text
    history = re.findall(
        r"<td>secretariat@intake.localhost</td><td>([^<]+)</td><td>(.*?)</td></tr>", shown.text
    )
    assert history == [
        ("Đã kích hoạt lại", "—"),
        ("Đã vô hiệu hóa", "—"),
        (
            "Đã sửa",
            '<ul class="changes"><li>Vai trò: Cán bộ xử lý → Quản trị viên cơ quan</li></ul>',
        ),
        (
            "Đã tạo",
            '<ul class="changes"><li>Vai trò: Cán bộ xử lý</li>'
            "<li>Cơ quan: Bộ Khoa học và Công nghệ</li></ul>",
        ),
    ]


async def test_bad_account_input_names_the_field_and_keeps_what_was_typed(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    refused = await post_form(
        client,
        "/admin/users",
        {"email": "khong-phai-thu", "name": "Trần Văn Bình", "role": "REVIEWER", "agency": "",
         "password": "ngan"},
        page="/admin/users",
    )  # fmt: skip
    assert refused.status_code == 422
    assert (
        "Thư điện tử: Hãy nhập địa chỉ thư điện tử hợp lệ, ví dụ ten@example.com." in refused.text
    )
    assert (
        "Mật khẩu ban đầu: Hãy chọn mật khẩu dài từ 12 đến 200 ký tự, hoặc để trống."
        in refused.text
    )
    assert "Cơ quan: Hãy chọn cơ quan nơi cán bộ này làm việc." in refused.text
    assert 'value="khong-phai-thu"' in refused.text
    assert 'value="Trần Văn Bình"' in refused.text
    for expected in (303, 422):
        again = await post_form(
            client,
            "/admin/users",
            {"email": "binh@most.gov.vn", "name": "Bình", "role": "REVIEWER", "agency": "BKHCN"},
            page="/admin/users",
        )
        assert again.status_code == expected
    assert "Thư điện tử: Đã có tài khoản dùng thư điện tử này." in again.text
    own = await _user_id(db, "secretariat@intake.localhost")
    page = await client.get(f"/admin/users/{own}")
    assert "/deactivate" not in page.text
    myself = await client.post(
        f"/admin/users/{own}/deactivate", data={"csrf_token": csrf_of(page.text)}
    )
    assert myself.status_code == 422
    assert "Bạn không được vô hiệu hóa tài khoản của chính mình." in myself.text
    async with db.session() as session:
        assert await accounts.get_by_email(session, "khong-phai-thu") is None
        me = await accounts.get_user(session, own)
    assert me is not None
    assert me.is_active


async def test_an_agency_admin_manages_only_its_own_reviewers(
    client: httpx.AsyncClient, db: Database
) -> None:
    await add_agency_admin(db, "UBND-HUE", "admin.hue@intake.localhost")
    await sign_in(client, "admin.hue@intake.localhost")
    page = await client.get("/admin/users")
    assert page.status_code == 200
    assert reviewer_email("UBND-HUE") in page.text
    assert reviewer_email("BKHCN") not in page.text
    roles = re.search(r'<select id="role" name="role">(.*?)</select>', page.text, re.S)
    assert roles is not None
    assert roles[1].strip() == '<option value="REVIEWER" selected>Cán bộ xử lý</option>'
    elsewhere = await post_form(
        client,
        "/admin/users",
        {"email": "a@hue.gov.vn", "name": "A", "role": "REVIEWER", "agency": "BKHCN"},
        page="/admin/users",
    )
    assert elsewhere.status_code == 422
    assert "Bạn chỉ được quản lý cán bộ xử lý của cơ quan mình." in elsewhere.text
    promoted = await post_form(
        client,
        "/admin/users",
        {"email": "a@hue.gov.vn", "name": "A", "role": "SECRETARIAT", "agency": ""},
        page="/admin/users",
    )
    assert promoted.status_code == 422
    assert "Vai trò: Bạn không được cấp vai trò Văn phòng Thường trực." in promoted.text
    assert "SECRETARIAT." not in promoted.text
    own = await post_form(
        client,
        "/admin/users",
        {"email": "b@hue.gov.vn", "name": "B", "role": "REVIEWER", "agency": "UBND-HUE",
         "password": "mot-mat-khau-du-dai"},
        page="/admin/users",
    )  # fmt: skip
    assert (own.status_code, own.headers["location"]) == (303, "/admin/users")
    listed = await client.get("/admin/users")
    assert "Đã tạo tài khoản cho b@hue.gov.vn" in listed.text
    assert 'id="new-password"' not in listed.text
    other_agency = await _user_id(db, reviewer_email("BKHCN"))
    assert (await client.get(f"/admin/users/{other_agency}")).status_code == 403
    token = csrf_of(page.text)
    forbidden = await client.post(
        f"/admin/users/{other_agency}/deactivate", data={"csrf_token": token}
    )
    assert forbidden.status_code == 403
    ours = await _user_id(db, "b@hue.gov.vn")
    off = await client.post(f"/admin/users/{ours}/deactivate", data={"csrf_token": token})
    assert off.status_code == 303
    async with db.session() as session:
        bkhcn = await accounts.get_user(session, other_agency)
        hue = await accounts.get_user(session, ours)
    assert bkhcn is not None
    assert bkhcn.is_active
    assert hue is not None
    assert (hue.is_active, hue.role) == (False, Role.REVIEWER)


async def test_a_generated_password_is_shown_once_and_a_reload_creates_no_second_account(
    client: httpx.AsyncClient, db: Database
) -> None:
    await sign_in_secretariat(client)
    await client.get("/lang/en")
    created = await post_form(
        client,
        "/admin/users",
        {"email": "an@most.gov.vn", "name": "An", "role": "REVIEWER", "agency": "BKHCN",
         "password": ""},
        page="/admin/users",
    )  # fmt: skip
    assert (created.status_code, created.headers["location"]) == (303, "/admin/users")
    shown = await client.get("/admin/users")
    assert "<h2>Account created for an@most.gov.vn</h2>" in shown.text
    password = re.search(r'id="new-password">([^<]+)<', shown.text)
    assert password is not None
    reloaded = await client.get("/admin/users")
    assert "Account created for" not in reloaded.text
    assert password[1] not in reloaded.text
    assert reloaded.text.count(">an@most.gov.vn</a>") == 1
    other = httpx.AsyncClient(transport=client._transport, base_url="http://intake.test")
    async with other:
        login = await post_form(
            other, "/login", {"email": "an@most.gov.vn", "password": password[1]}, page="/login"
        )
        assert login.status_code == 303


def _role_and_agency(page: str) -> tuple[str, str]:
    shown = re.search(r'<dd id="role">([^<]*)</dd>.*?<dd id="agency">([^<]*)</dd>', page, re.S)
    assert shown is not None
    return shown[1], shown[2]


async def test_an_agency_admin_sees_their_own_account_read_only(
    client: httpx.AsyncClient, db: Database
) -> None:
    own = await add_agency_admin(db, "UBND-HUE", "admin.hue@intake.localhost")
    colleague = await add_agency_admin(db, "UBND-HUE", "admin2.hue@intake.localhost")
    await sign_in(client, "admin.hue@intake.localhost")
    page = await client.get(f"/admin/users/{own}")
    assert page.status_code == 200
    assert _role_and_agency(page.text) == (
        "Quản trị viên cơ quan",
        "UBND-HUE — Ủy ban nhân dân thành phố Huế",
    )
    assert (
        '<p id="read-only">Không ai tự đổi vai trò hay tự vô hiệu hóa tài khoản của mình:'
        " việc đó do một quản trị viên khác thực hiện.</p>"
    ) in page.text
    assert f'action="/admin/users/{own}"' not in page.text
    assert f'action="/admin/users/{own}/deactivate"' not in page.text
    assert "Lưu tài khoản" not in page.text
    assert '<select id="role"' not in page.text
    # Another agency administrator is the secretariat's to change: shown, without forms.
    theirs = await client.get(f"/admin/users/{colleague}")
    assert _role_and_agency(theirs.text) == (
        "Quản trị viên cơ quan",
        "UBND-HUE — Ủy ban nhân dân thành phố Huế",
    )
    assert (
        '<p id="read-only">Chỉ Văn phòng Thường trực mới thay đổi tài khoản của quản trị viên'
        " cơ quan.</p>" in theirs.text
    )
    assert f'action="/admin/users/{colleague}' not in theirs.text
    # A form kept open from before, or crafted, is refused on the account page, saying why.
    token = csrf_of(page.text)
    saved = await client.post(
        f"/admin/users/{own}", data={"role": "REVIEWER", "agency": "UBND-HUE", "csrf_token": token}
    )
    assert saved.status_code == 403
    assert (
        '<div class="error-summary" role="alert" tabindex="-1"><p>Tài khoản này không được thay'
        " đổi. Không ai tự đổi vai trò hay tự vô hiệu hóa tài khoản của mình: việc đó do một"
        " quản trị viên khác thực hiện.</p></div>"
    ) in saved.text
    assert "Trang này dành cho" not in saved.text
    off = await client.post(f"/admin/users/{colleague}/deactivate", data={"csrf_token": token})
    assert off.status_code == 403
    assert (
        "<p>Tài khoản này không được thay đổi. Chỉ Văn phòng Thường trực mới thay đổi tài khoản"
        " của quản trị viên cơ quan.</p>"
    ) in off.text
    async with db.session() as session:
        me = await accounts.get_user(session, own)
        them = await accounts.get_user(session, colleague)
    assert me is not None
    assert (me.role, me.is_active) == (Role.AGENCY_ADMIN, True)
    assert them is not None
    assert (them.role, them.is_active) == (Role.AGENCY_ADMIN, True)


async def test_a_role_refused_on_an_account_is_named_by_its_label(
    client: httpx.AsyncClient, db: Database
) -> None:
    await add_agency_admin(db, "UBND-HUE", "admin.hue@intake.localhost")
    await sign_in(client, "admin.hue@intake.localhost")
    await client.get("/lang/en")
    reviewer = await _user_id(db, reviewer_email("UBND-HUE"))
    page = await client.get(f"/admin/users/{reviewer}")
    assert '<select id="role" name="role">' in page.text
    promoted = await client.post(
        f"/admin/users/{reviewer}",
        data={"role": "AGENCY_ADMIN", "agency": "UBND-HUE", "csrf_token": csrf_of(page.text)},
    )
    assert promoted.status_code == 422
    assert (
        '<a href="#role">Role: You may not give the role Agency administrator.</a>' in promoted.text
    )
    assert "AGENCY_ADMIN." not in promoted.text
    async with db.session() as session:
        user = await accounts.get_user(session, reviewer)
    assert user is not None
    assert user.role is Role.REVIEWER
