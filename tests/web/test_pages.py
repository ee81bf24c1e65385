"""Pages over HTTP: the form, its errors, tracking, language, health."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlmodel import func, select

from service.app import create_app
from service.db import Database
from service.proposals.models import Proposal
from service.settings import Settings
from tests.factories import form_data
from tests.web_client import post_form


async def _proposal_count(settings: Settings) -> int:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Proposal))).one()
    await db.dispose()
    return count


async def test_form_offers_every_field_in_vietnamese_by_default(client: httpx.AsyncClient) -> None:
    # Pages stay Vietnamese until the visitor switches, whatever the browser announces.
    page = await client.get("/submit", headers={"accept-language": "en-US,en;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    for name in (
        "title",
        "description",
        "categoryCode",
        "provinceCode",
        "legalReferences",
        "submitterType",
        "name",
        "email",
        "phone",
        "organisation",
        "consentToPublish",
    ):
        assert f'name="{name}"' in page.text  # fmt: skip
    assert page.text.count('name="kind"') == 3
    assert "Hạ tầng số" in page.text
    assert ">Đắk Lắk</option>" in page.text
    assert "Gửi đề xuất, phản ánh" in page.text


async def test_bad_form_keeps_input_and_links_each_error(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    page = await post_form(
        client, "/submit", form_data(title="", email="sai@", description="Giữ nguyên <nội dung>")
    )
    assert page.status_code == 422
    assert '<a href="#title">Tiêu đề: Trường này là bắt buộc.</a>' in page.text
    assert (
        '<a href="#email">Thư điện tử: Hãy nhập địa chỉ thư điện tử hợp lệ, ví dụ ten@example.com.'
        "</a>" in page.text
    )
    title_input = (
        '<input id="title" name="title" type="text" maxlength="500" value=""'
        ' aria-describedby="title-error" aria-invalid="true">'
    )
    assert title_input in page.text
    assert 'value="sai@"' in page.text
    assert "Giữ nguyên &lt;nội dung&gt;</textarea>" in page.text
    assert '<option value="DA-NANG" selected>' in page.text
    assert await _proposal_count(settings) == 0


async def test_errors_in_english_after_switching_language(client: httpx.AsyncClient) -> None:
    switched = await client.get("/lang/en?next=/submit")
    assert switched.status_code == 303
    assert switched.headers["location"] == "/submit"
    page = await post_form(client, "/submit", form_data(categoryCode="MOON"))
    assert page.status_code == 422
    assert '<html lang="en">' in page.text
    assert '<a href="#categoryCode">Topic: Choose a topic from the list.</a>' in page.text


async def test_language_switch_refuses_offsite_redirects(client: httpx.AsyncClient) -> None:
    response = await client.get("/lang/en?next=//evil.example/")
    assert response.headers["location"] == "/"
    assert (await client.get("/lang/fr")).status_code == 404


async def test_good_form_redirects_to_the_confirmation_with_tracking_code(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await post_form(client, "/submit", form_data())
    assert response.status_code == 303
    match = re.fullmatch(
        r"/track/([2-9A-HJKMNP-Z]{10})\?new=1&key=([A-Za-z0-9_-]{32})",
        response.headers["location"],
    )
    assert match is not None
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert f'<p class="tracking-code" id="tracking-code">{match[1]}</p>' in page.text
    assert "Đã nhận nội dung của bạn" in page.text
    # The receipt is queued, not yet sent: the page says it is on its way.
    assert "Chúng tôi cũng đang gửi mã này cho bạn qua thư điện tử" in page.text
    assert '<strong id="status">Đã gửi</strong>' in page.text
    assert await _proposal_count(settings) == 1


async def test_track_lookup_normalises_codes_and_says_not_found(client: httpx.AsyncClient) -> None:
    redirect = await client.get("/track", params={"code": "abcd-efgh-23"})
    assert (redirect.status_code, redirect.headers["location"]) == (303, "/track/ABCDEFGH23")
    missing = await client.get("/track/ABCDEFGH23")
    assert missing.status_code == 404
    assert "Không tìm thấy nội dung nào có mã tra cứu ABCDEFGH23" in missing.text
    nonsense = await client.get("/track", params={"code": "<script>"})
    assert nonsense.status_code == 404
    assert "&lt;script&gt;" in nonsense.text
    assert "<script>" not in nonsense.text


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).text == "ok"
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (
        200,
        {"ready": True, "checks": {"database": "ok", "redis": "ok"}},
    )


async def test_not_ready_without_redis(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings.model_copy(update={"redis_url": f"unix://{tmp_path}/none.sock"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            ready = await http.get("/readyz")
            health = await http.get("/healthz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "redis": "error: ConnectionError"}
    assert health.status_code == 200


async def test_submissions_are_kept_while_redis_is_down(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings.model_copy(update={"redis_url": f"unix://{tmp_path}/none.sock"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await post_form(http, "/submit", form_data())
    assert response.status_code == 303
    assert await _proposal_count(settings) == 1


async def test_development_mailbox_exists_only_in_development(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/dev/mail")).status_code == 404
    development = create_app(settings.model_copy(update={"environment": "development"}))
    async with development.router.lifespan_context(development):
        transport = httpx.ASGITransport(app=development)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            page = await http.get("/dev/mail")
            missing = await http.get("/dev/mail/..%2F..%2Fetc%2Fpasswd")
    assert page.status_code == 200
    assert "Chưa có thư nào." in page.text
    assert missing.status_code == 404


async def test_an_address_that_leads_nowhere_gets_a_page_with_the_ways_back(
    client: httpx.AsyncClient,
) -> None:
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/no/such/page", "/admin", "/lang/fr"):
        page = await client.get(path, headers=browser)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="vi">' in page.text
        assert "<h1>Không tìm thấy trang</h1>" in page.text
        for link in ('href="/track"', 'href="/submit"', 'href="/"'):
            assert link in page.text
    client.cookies.set("intake_lang", "en")
    english = await client.get("/no/such/page", headers=browser)
    assert "<h1>Page not found</h1>" in english.text
    # Programs, which do not ask for HTML, keep the short plain answer.
    for accept in ("application/json", "*/*"):
        plain = await client.get("/no/such/page", headers={"accept": accept})
        assert (plain.status_code, plain.text) == (404, "Not Found")
        assert plain.headers["content-type"].startswith("text/plain")
