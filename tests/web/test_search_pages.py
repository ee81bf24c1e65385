"""The officials' search page, its exports, similar titles on the form, and tenant tokens."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from search.base import utc
from service.accounts.models import Role
from service.app import create_app
from service.calendar import ZONE
from service.db import Database
from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, reviewer_email
from service.i18n import LANGUAGE_COOKIE
from service.proposals import service as proposals
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute
from tests.search.test_meili_wire import FakeMeilisearch, fake_server  # noqa: F401
from tests.web_client import post_form

SEARCH_KEY = "d0552b41536279a0ad88bd595327b96f01176a60c2243e906c52ac02375f9bc4"
KEY_UID = "85c3c2f9-bdd6-41f1-abd8-11fcf80e0f76"


async def _submit(
    client: httpx.AsyncClient, title: str, description: str, *, category: str, published: bool
) -> str:
    data = await execute(
        client,
        "SubmitProposal",
        {
            "input": graphql_input(
                title=title,
                description=description,
                categoryCode=category,
                consentToPublish=published,
                email="private.contact@example.com",
            )
        },
    )
    code: str = data["submitProposal"]["trackingCode"]
    return code


async def _corpus(client: httpx.AsyncClient, settings: Settings) -> list[str]:
    codes = [
        await _submit(
            client,
            "Chuyển đổi số cho hợp tác xã",
            "Hỗ trợ <script>alert(1)</script> chuyển đổi số ở nông thôn.",
            category="DIGITAL_ECONOMY",
            published=True,
        ),
        await _submit(
            client,
            '=HYPERLINK("http://evil") chuyển đổi số',
            "An ninh mạng và chuyển đổi số: phòng chống tấn công mạng, mã độc; chưa công bố.",
            category="CYBERSECURITY",
            published=False,
        ),
        await _submit(
            client,
            "Quỹ nghiên cứu khoa học cơ bản",
            "Kinh phí cho nghiên cứu cơ bản.",
            category="RESEARCH_FUNDING",
            published=False,
        ),
    ]
    await run_worker(settings)
    return codes


async def _proposal_id(settings: Settings, code: str) -> int:
    db = Database(settings.resolved_database_url)
    try:
        async with db.session() as session:
            proposal_id = (await proposals.track(session, code)).proposal.id
    finally:
        await db.dispose()
    assert proposal_id is not None
    return proposal_id


async def _sign_in(client: httpx.AsyncClient, email: str) -> None:
    response = await post_form(
        client, "/login", {"email": email, "password": DEMO_PASSWORD}, page="/login"
    )
    assert response.status_code == 303


async def test_anonymous_visitors_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    for path in ("/secretariat/search?q=chuyen+doi&status=ROUTED", "/secretariat/search.csv"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=" + re.sub(
            "[/?=&+]",
            lambda m: {"/": "%2F", "?": "%3F", "=": "%3D", "&": "%26", "+": "%2B"}[m[0]],
            path,
        )


async def test_the_secretariat_searches_without_javascript(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(client, settings)
    await _sign_in(client, SECRETARIAT_EMAIL)

    page = await client.get("/secretariat/search", params={"q": "chuyen doi so"})

    assert page.status_code == 200
    html = page.text
    assert '<h2 id="results-heading">Số kết quả: 2</h2>' in html
    assert html.count('<li class="hit">') == 2
    # Officials search: a hit opens the case in the inbox, not the public tracking page.
    first_id = await _proposal_id(settings, codes[0])
    assert f'<a href="/inbox/{first_id}">Chuyển đổi số cho hợp tác xã</a>' in html
    assert f'href="/track/{codes[0]}"' not in html
    assert (
        '<p class="snippet">Hỗ trợ &lt;script&gt;alert(1)&lt;/script&gt; <mark>chuyển</mark>'
        " <mark>đổi</mark> <mark>số</mark> ở nông thôn.</p>"
    ) in html
    assert "<script>alert" not in html
    assert "&#34;http://evil&#34;" in html  # titles are escaped like any text
    assert (
        '<input type="checkbox" name="category" value="CYBERSECURITY">'
        ' An ninh mạng <span class="count">(1)</span>'
    ) in html
    assert (
        '<input type="checkbox" name="agency" value="BKHCN">'
        ' Bộ Khoa học và Công nghệ <span class="count">(1)</span>'
    ) in html
    assert 'href="/secretariat/search.csv?q=chuyen+doi+so"' in html
    # Each hit's facts, one separator between each two, with a space on either side.
    metas = [
        re.sub(r"<[^>]+>|\s+", " ", m) for m in re.findall(r'<p class="meta">(.*?)</p>', html, re.S)
    ]
    assert len(metas) == 2
    for meta in metas:
        assert meta.count(" · ") == 6, meta  # status, kind, category, agency, sent, due by
        assert re.search(r"\S·|·\S", meta) is None, meta
    assert '<script src="/static/intake.js" defer></script>' in html

    narrowed = await client.get(
        "/secretariat/search", params={"q": "chuyen doi so", "category": "CYBERSECURITY"}
    )
    assert narrowed.text.count('<li class="hit">') == 1
    assert 'value="CYBERSECURITY" checked>' in narrowed.text
    unknown = await client.get(
        "/secretariat/search",
        params={"q": "", "status": "LOST", "sort": "sideways", "page": "x", "from": "31/12"},
    )
    assert unknown.status_code == 422
    assert '<h2 id="results-heading">Số kết quả: 0</h2>' in unknown.text
    assert '<p class="field-error" id="from-error">Nhập ngày theo dạng 2026-03-31.</p>' in (
        unknown.text
    )
    assert '<input id="from" name="from" type="date" value="31/12" aria-invalid="true"' in (
        unknown.text
    )

    fragment = await client.get(
        "/secretariat/search", params={"q": "quy"}, headers={"x-intake-fragment": "results"}
    )
    assert fragment.text.startswith('<div class="search-layout">')
    assert "<html" not in fragment.text
    assert fragment.text.count('<li class="hit">') == 1


async def test_exports_stream_every_match_in_csv_and_json(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(client, settings)
    await _sign_in(client, SECRETARIAT_EMAIL)
    detail = await execute(
        client, "SearchPage", {"query": "", "sort": "NEWEST"},
        headers=await _token(settings, Role.SECRETARIAT, None),
    )  # fmt: skip
    created = {h["trackingCode"]: h["createdAt"] for h in detail["search"]["hits"]}
    deadline = {h["trackingCode"]: h["deadline"] for h in detail["search"]["hits"]}

    exported = await client.get("/secretariat/search.csv", params={"q": "chuyen doi so"})

    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="intake-search-\d{8}-\d{4}\.csv"',
        exported.headers["content-disposition"],
    )
    assert exported.content.startswith(b"\xef\xbb\xbf")
    lines = exported.content.decode("utf-8-sig").split("\r\n")
    assert lines == [
        "Mã tra cứu,Tiêu đề,Loại,Trạng thái,Lĩnh vực,Cơ quan,"
        '"Tỉnh, thành phố",Đã gửi lúc,Hạn trả lời',
        f'{codes[1]},"\'=HYPERLINK(""http://evil"") chuyển đổi số",PROPOSAL,ROUTED,CYBERSECURITY,'
        f"BCA,,{_iso(created[codes[1]])},{_iso(deadline[codes[1]])}",
        f"{codes[0]},Chuyển đổi số cho hợp tác xã,PROPOSAL,ROUTED,DIGITAL_ECONOMY,BKHCN,,"
        f"{_iso(created[codes[0]])},{_iso(deadline[codes[0]])}",
        "",
    ]
    assert "private.contact" not in exported.text

    as_json = await client.get("/secretariat/search.json", params={"category": "RESEARCH_FUNDING"})
    assert as_json.headers["content-type"] == "application/json"
    assert json.loads(as_json.content) == [
        {
            "trackingCode": codes[2],
            "title": "Quỹ nghiên cứu khoa học cơ bản",
            "kind": "PROPOSAL",
            "status": "ROUTED",
            "category": "RESEARCH_FUNDING",
            "agency": "BKHCN",
            "province": None,
            "createdAt": _iso(created[codes[2]]),
            "deadline": _iso(deadline[codes[2]]),
        }
    ]
    empty = await client.get("/secretariat/search.json", params={"q": "khong co gi"})
    assert empty.content == b"[]\n"
    assert (await client.get("/secretariat/search.xml")).status_code == 404


def _iso(value: str) -> str:
    """The API's time as the exports write it: in Vietnam's time, with its offset."""
    local = datetime.fromisoformat(value).astimezone(ZONE).isoformat()
    assert local.endswith("+07:00")
    return local


async def _token(settings: Settings, role: Role, agency: str | None) -> dict[str, str]:
    db = Database(settings.resolved_database_url)
    try:
        return await bearer(db, role, agency)
    finally:
        await db.dispose()


async def test_an_agency_official_searches_within_its_scope(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(client, settings)
    await _sign_in(client, reviewer_email("BKHCN"))

    page = await client.get("/secretariat/search", params={"q": ""})

    # BCA's unpublished submission is neither listed, nor counted, nor exported.
    assert page.text.count('<li class="hit">') == 2
    assert codes[1] not in page.text
    assert 'value="CYBERSECURITY"' not in page.text
    exported = await client.get("/secretariat/search.csv")
    assert [line.split(",")[0] for line in exported.text.split("\r\n")[1:-1]] == [
        codes[2],
        codes[0],
    ]


async def test_similar_titles_are_published_submissions_only(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(client, settings)

    found = await client.get("/api/similar", params={"title": "Hợp tác xã chuyển đổi số"})

    assert found.json() == {
        "results": [
            {
                "trackingCode": codes[0],
                "title": "Chuyển đổi số cho hợp tác xã",
                "url": f"/track/{codes[0]}",
            }
        ]
    }
    assert (await client.get("/api/similar", params={"title": "an ninh"})).json() == {"results": []}
    assert (await client.get("/api/similar", params={"title": "ab"})).json() == {"results": []}
    assert (await client.get("/api/similar")).json() == {"results": []}
    form = await client.get("/submit")
    assert (
        '<div id="similar" class="similar" aria-live="polite" hidden'
        ' data-similar-url="/api/similar" data-similar-for="title">'
    ) in form.text


async def test_tenant_tokens_need_an_official_and_meilisearch(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    anonymous = await client.post("/api/search/tenant-token")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "errors": [
            {
                "message": "Send an agency portal's bearer token, or sign in as an official,"
                " to get one."
            }
        ]
    }
    portal = await _token(settings, Role.REVIEWER, "BKHCN")
    without = await client.post("/api/search/tenant-token", headers=portal)
    assert without.status_code == 404
    assert without.json()["errors"][0]["message"].startswith(
        "Tenant tokens need the Meilisearch backend with INTAKE_MEILI_SEARCH_KEY"
    )


@pytest.fixture
async def meili_client(
    settings: Settings,
    fake_server: tuple[FakeMeilisearch, str],  # noqa: F811
) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(
        update={
            "meili_url": fake_server[1],
            "meili_search_key": SEARCH_KEY,
            "meili_search_key_uid": KEY_UID,
            "meili_public_url": "https://search.intake.example/",
            "meili_tenant_token_seconds": 600,
        }
    )
    app: Starlette = create_app(configured)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            yield http


async def test_a_tenant_token_carries_the_agency_scope_for_ten_minutes(
    meili_client: httpx.AsyncClient, settings: Settings
) -> None:
    portal = await _token(settings, Role.REVIEWER, "BKHCN")

    response = await meili_client.post("/api/search/tenant-token", headers=portal)

    assert response.status_code == 200
    body = response.json()
    expires = datetime.fromisoformat(body["expiresAt"])
    assert {k: v for k, v in body.items() if k not in ("token", "expiresAt")} == {
        "indexUid": "proposals",
        "host": "https://search.intake.example",
    }
    claims = jwt.decode(body["token"], SEARCH_KEY, algorithms=["HS256"])
    assert claims == {
        "searchRules": {"proposals": {"filter": '(published = true OR agencies IN ["BKHCN"])'}},
        "apiKeyUid": KEY_UID,
        "exp": int(expires.timestamp()),
    }
    assert response.headers["cache-control"] == "no-store"
    await _sign_in(meili_client, SECRETARIAT_EMAIL)
    secretariat = await meili_client.post("/api/search/tenant-token")
    assert jwt.decode(secretariat.json()["token"], SEARCH_KEY, algorithms=["HS256"])[
        "searchRules"
    ] == {"proposals": {}}


async def test_the_detail_page_shows_officials_similar_submissions_within_their_scope(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(client, settings)
    db = Database(settings.resolved_database_url)
    try:
        async with db.session() as session:
            ids = [(await proposals.track(session, code)).proposal.id for code in codes]
    finally:
        await db.dispose()
    cooperative, unpublished_security, _ = ids

    await _sign_in(client, SECRETARIAT_EMAIL)
    page = (await client.get(f"/inbox/{cooperative}")).text
    listed = re.findall(r'<li><a href="/inbox/(\d+)">', page.split('id="similar-title"')[1])
    # The secretariat sees the unpublished submission on the same subject first, never the
    # page's own submission.
    assert '<h2 id="similar-title">Nội dung tương tự</h2>' in page
    assert listed[0] == str(unpublished_security)
    assert str(cooperative) not in listed

    # BKHCN's reviewer does not see another agency's unpublished submission there.
    client.cookies.clear()
    await _sign_in(client, reviewer_email("BKHCN"))
    page = (await client.get(f"/inbox/{cooperative}")).text
    assert page.count(f'href="/inbox/{unpublished_security}"') == 0


async def test_exports_give_times_in_vietnam_time(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(client, settings)
    await _sign_in(client, SECRETARIAT_EMAIL)
    db = Database(settings.resolved_database_url)
    try:
        async with db.session() as session:
            tracked = (await proposals.track(session, codes[2])).proposal
    finally:
        await db.dispose()
    assert tracked.deadline is not None
    created = utc(tracked.created_at).astimezone(ZONE)
    deadline = utc(tracked.deadline).astimezone(ZONE)

    exported = await client.get("/secretariat/search.csv", params={"q": codes[2]})
    as_json = await client.get("/secretariat/search.json", params={"q": codes[2]})

    row = exported.content.decode("utf-8-sig").split("\r\n")[1].split(",")
    assert row[-2:] == [created.isoformat(), deadline.isoformat()]
    assert row[-2].endswith("+07:00")
    assert row[-1].endswith("+07:00")
    [record] = json.loads(as_json.content)
    assert (record["createdAt"], record["deadline"]) == (created.isoformat(), deadline.isoformat())


@pytest.mark.parametrize(
    ("name", "value"), [("to", "9999-12-31"), ("from", "0001-01-01"), ("to", "1899-12-31")]
)
async def test_dates_outside_the_calendar_are_named_under_their_field(
    client: httpx.AsyncClient, settings: Settings, name: str, value: str
) -> None:
    await _corpus(client, settings)
    await _sign_in(client, SECRETARIAT_EMAIL)

    page = await client.get("/secretariat/search", params={"q": "chuyen doi so", name: value})

    assert page.status_code == 422
    assert (
        f'<p class="field-error" id="{name}-error">'
        "Nhập ngày trong khoảng từ 1900-01-01 đến 2999-12-31.</p>"
    ) in page.text
    assert (
        f'<input id="{name}" name="{name}" type="date" value="{value}" aria-invalid="true"'
    ) in page.text
    assert '<input id="q" name="q" type="search" value="chuyen doi so"' in page.text
    # The region the page's script swaps in while typing shows the same error.
    region = await client.get(
        "/secretariat/search", params={name: value}, headers={"x-intake-fragment": "results"}
    )
    assert region.status_code == 200
    assert f'<p class="field-error" id="{name}-error">Nhập ngày trong khoảng' in region.text
    for kind in ("csv", "json"):
        export = await client.get(f"/secretariat/search.{kind}", params={name: value})
        assert export.status_code == 422
        assert export.headers["content-type"] == "text/plain; charset=utf-8"
        assert export.text == f"{name}: Nhập ngày trong khoảng từ 1900-01-01 đến 2999-12-31.\n"
    client.cookies.set(LANGUAGE_COOKIE, "en")
    english = await client.get("/secretariat/search", params={name: value})
    assert "Enter a date between 1900-01-01 and 2999-12-31." in english.text


async def test_the_widest_dates_the_form_takes_filter_nothing_out(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(client, settings)
    await _sign_in(client, SECRETARIAT_EMAIL)
    widest = {"from": "1900-01-01", "to": "2999-12-31"}

    page = await client.get("/secretariat/search", params=widest)
    exported = await client.get("/secretariat/search.csv", params=widest)

    assert page.status_code == 200
    assert '<h2 id="results-heading">Số kết quả: 3</h2>' in page.text
    assert [line.split(",")[0] for line in exported.text.split("\r\n")[1:-1]] == codes[::-1]


async def test_a_tracking_code_finds_its_submission(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(client, settings)
    await _sign_in(client, SECRETARIAT_EMAIL)

    for query in (codes[1], f"  {codes[1].lower()} "):
        page = await client.get("/secretariat/search", params={"q": query})
        assert '<h2 id="results-heading">Số kết quả: 1</h2>' in page.text
        assert page.text.count('<li class="hit">') == 1
        assert f'<span class="code">{codes[1]}</span>' in page.text
    exported = await client.get("/secretariat/search.csv", params={"q": codes[1].lower()})
    assert [line.split(",")[0] for line in exported.text.split("\r\n")[1:-1]] == [codes[1]]

    # BKHCN may not see BCA's unpublished submission, by its code or otherwise.
    await _sign_in(client, reviewer_email("BKHCN"))
    hidden = await client.get("/secretariat/search", params={"q": codes[1]})
    assert '<h2 id="results-heading">Số kết quả: 0</h2>' in hidden.text
    own = await client.get("/secretariat/search", params={"q": codes[2].lower()})
    assert f'<span class="code">{codes[2]}</span>' in own.text


@pytest.fixture
async def small_pages(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_app(settings.model_copy(update={"search_max_page_size": 2}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            yield http


async def test_a_page_past_the_last_shows_the_last_page(
    small_pages: httpx.AsyncClient, settings: Settings
) -> None:
    codes = await _corpus(small_pages, settings)
    await _sign_in(small_pages, SECRETARIAT_EMAIL)

    past = await small_pages.get("/secretariat/search", params={"sort": "newest", "page": "9999"})

    assert past.status_code == 200
    html = past.text
    assert '<h2 id="results-heading">Số kết quả: 3</h2>' in html
    assert '<ol class="hits" start="3">' in html
    assert html.count('<li class="hit">') == 1
    assert f'<span class="code">{codes[0]}</span>' in html  # the oldest, alone on page 2
    assert "Không có kết quả phù hợp" not in html
    assert '<a href="/secretariat/search?sort=newest&amp;page=1" rel="prev">Trang trước</a>' in html
    assert "<span>Trang 2</span>" in html
    assert 'rel="next"' not in html
    second = await small_pages.get("/secretariat/search", params={"sort": "newest", "page": "2"})
    assert re.findall(r'<li class="hit">.*?</li>', second.text, re.S) == re.findall(
        r'<li class="hit">.*?</li>', html, re.S
    )

    nothing = await small_pages.get("/secretariat/search", params={"q": "khong co gi", "page": "5"})
    assert '<h2 id="results-heading">Số kết quả: 0</h2>' in nothing.text
    assert 'class="pagination"' not in nothing.text
    assert '<ol class="hits"' not in nothing.text
