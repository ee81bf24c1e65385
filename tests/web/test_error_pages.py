"""People get pages, in their language, for a form refused by a limit: too many submissions
(429), an expired form (403) and a body too large (413). The API keeps its JSON, and its
refused submissions spend none of the form's budget."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlmodel import func, select

from service.app import create_app
from service.db import Database
from service.proposals.models import Proposal
from service.settings import Settings
from tests.factories import form_data, graphql_input
from tests.graphql_client import operation
from tests.web_client import csrf_token


@asynccontextmanager
async def serving(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update=overrides))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            yield http


def paragraph(html: str, element_id: str) -> str:
    found = re.search(rf'<p id="{element_id}">(.*?)</p>', html, re.S)
    assert found is not None, element_id
    return found[1]


def heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found is not None
    return found[1]


async def _proposal_count(settings: Settings) -> int:
    db = Database(settings.resolved_database_url)
    async with db.session() as session:
        count = (await session.exec(select(func.count()).select_from(Proposal))).one()
    await db.dispose()
    return count


async def _submit(client: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post("/submit", data={**form_data(**overrides), "csrf_token": token})


async def test_past_the_submission_limit_the_form_answers_with_a_page_saying_how_long_to_wait(
    settings: Settings,
) -> None:
    async with serving(settings, rate_submissions_per_hour=1) as client:
        assert (await _submit(client)).status_code == 303
        refused = await _submit(client, title="Một đề xuất thứ hai về thủ tục cấp phép")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "text/html; charset=utf-8"
        wait = int(refused.headers["retry-after"])
        assert "content-security-policy" in refused.headers  # as on every page
        assert 0 < wait <= 3600
        minutes = -(-wait // 60)
        assert heading(refused.text) == "Quá nhiều lần gửi"
        assert paragraph(refused.text, "too-many") == (
            "Biểu mẫu này đã được gửi quá nhiều lần từ kết nối của bạn trong thời gian ngắn."
            " Nội dung bạn vừa gửi chưa được lưu."
        )
        expected_vi = (
            f"Vui lòng chờ khoảng {minutes} phút rồi thử lại."
            if minutes > 1
            else "Vui lòng chờ khoảng một phút rồi thử lại."
        )
        assert paragraph(refused.text, "wait") == expected_vi
        client.cookies.set("intake_lang", "en")
        english = await _submit(client)
        assert english.status_code == 429
        assert heading(english.text) == "Too many attempts"
        minutes = -(-int(english.headers["retry-after"]) // 60)
        expected_en = (
            f"Please wait about {minutes} minutes, then try again."
            if minutes > 1
            else "Please wait about a minute, then try again."
        )
        assert paragraph(english.text, "wait") == expected_en
    assert await _proposal_count(settings) == 1


async def test_the_api_past_its_limit_keeps_its_json_429(settings: Settings) -> None:
    async with serving(settings, rate_api_per_minute=1) as client:
        query = {"query": "{ me { kind } }"}
        assert (await client.post("/graphql", json=query)).status_code == 200
        refused = await client.post("/graphql", json=query, headers={"accept-language": "en"})
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/json; charset=utf-8"
        wait = int(refused.headers["retry-after"])
        assert refused.json() == {
            "errors": [{"message": f"Too many requests. Try again in {wait} seconds."}]
        }


async def test_posts_refused_for_a_field_error_do_not_spend_the_submission_budget(
    settings: Settings,
) -> None:
    async with serving(settings, rate_submissions_per_hour=2) as client:
        mistyped = [(await _submit(client, email="duc@")).status_code for _ in range(4)]
        assert mistyped == [422, 422, 422, 422]
        accepted = [
            (await _submit(client, title=f"Đề xuất số {n} về thủ tục cấp phép")).status_code
            for n in range(3)
        ]
        assert accepted == [303, 303, 429]
    assert await _proposal_count(settings) == 2


async def test_refused_posts_are_limited_too_by_a_budget_five_times_larger(
    settings: Settings,
) -> None:
    async with serving(settings, rate_submissions_per_hour=1) as client:
        garbage = [(await _submit(client, title="")).status_code for _ in range(6)]
        assert garbage == [422, 422, 422, 422, 422, 429]
        # A flood spends the refused budget: a good submission waits for the window too.
        assert (await _submit(client)).status_code == 429
    assert await _proposal_count(settings) == 0


async def _api_submit(client: httpx.AsyncClient, **overrides: str) -> str:
    body = {
        "query": operation("SubmitProposal"),
        "variables": {"input": graphql_input(**overrides)},
    }
    result = (await client.post("/graphql", json=body)).json()["data"]["submitProposal"]
    if result["__typename"] == "SubmitProposalSuccess":
        return "accepted"
    return ",".join(f"{error['field']}:{error['code']}" for error in result["errors"])


async def test_the_apis_refusals_at_an_ip_address_do_not_spend_the_forms_budget(
    settings: Settings,
) -> None:
    async with serving(settings, rate_submissions_per_hour=2) as client:
        api = [await _api_submit(client, email="duc@") for _ in range(4)]
        api.append(await _api_submit(client))
        form = [
            (await _submit(client, title=f"Đề xuất số {n} về thủ tục cấp phép")).status_code
            for n in range(2)
        ]
    assert api == ["email:invalid"] * 4 + ["accepted"]
    # The API's accepted submission and the form's share one budget; its refusals spend none.
    assert form == [303, 429]
    assert await _proposal_count(settings) == 2


async def test_an_expired_form_is_a_page_in_the_visitors_language(settings: Settings) -> None:
    async with serving(settings) as client:
        await client.get("/submit")
        data = {**form_data(), "csrf_token": "from-a-session-that-expired"}
        referer = {"referer": "http://intake.test/submit"}
        expired = await client.post("/submit", data=data, headers=referer)
        assert expired.status_code == 403
        assert expired.headers["content-type"] == "text/html; charset=utf-8"
        assert heading(expired.text) == "Biểu mẫu đã hết hạn"
        assert paragraph(expired.text, "form-expired") == (
            "Chưa có gì được lưu: trang đã mở quá lâu,"
            " hoặc trình duyệt của bạn chặn cookie của trang này."
        )
        assert '<a href="/submit">Quay lại biểu mẫu</a>' in expired.text
        client.cookies.set("intake_lang", "en")
        answer = await client.post("/track/AB12CD34/answer", data={"answer": "x"})
        assert answer.status_code == 403
        assert heading(answer.text) == "The form has expired"
        assert paragraph(answer.text, "form-expired") == (
            "Nothing was saved: the page was open for too long,"
            " or your browser blocks cookies for this site."
        )
        assert '<a href="/track/AB12CD34">Back to the form</a>' in answer.text
    assert await _proposal_count(settings) == 0


async def test_uploads_too_large_together_are_a_page_naming_the_field_and_the_limit(
    settings: Settings,
) -> None:
    async with serving(
        settings, max_form_bytes=4096, attachment_max_count=1, attachment_max_bytes=8192
    ) as client:
        token = await csrf_token(client)
        fields = {**form_data(), "csrf_token": token}
        big = {"attachments": ("a.pdf", b"%PDF-1.4\n" + b"0" * 20000)}
        referer = {"referer": "http://intake.test/submit"}
        refused = await client.post("/submit", data=fields, files=big, headers=referer)
        assert refused.status_code == 413
        assert refused.headers["content-type"] == "text/html; charset=utf-8"
        assert heading(refused.text) == "Tệp quá lớn"
        assert paragraph(refused.text, "too-large") == (
            "Tệp minh chứng: tổng dung lượng các tệp vượt quá 16 KB,"
            " mức tối đa biểu mẫu này nhận. Chưa có gì được lưu."
        )
        assert '<a href="/submit">Quay lại biểu mẫu</a>' in refused.text
        client.cookies.set("intake_lang", "en")
        english = await client.post("/submit", data=fields, files=big)
        assert paragraph(english.text, "too-large") == (
            "Evidence files: the files together are larger than 16 KB,"
            " the most this form accepts. Nothing was saved."
        )
        assert '<a href="/submit">Back to the form</a>' in english.text
    assert await _proposal_count(settings) == 0
