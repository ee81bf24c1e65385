"""Journeys in a real browser: keyboard-only submission and tracking, language, an official's
answer from a template, the submitter's rating, the secretariat's triage assignment, and
similar titles and search as you type."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from service.db import Database
from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, reviewer_email
from service.proposals.models import Proposal
from service.settings import Settings
from tests.browser.conftest import save_screenshot
from tests.factories import submitted_and_routed
from tests.fixtures.worker import run_worker
from tests.web.helpers import private_link, save_template

pytestmark = pytest.mark.browser


def _prepare(settings: Settings, **fields: object) -> tuple[Proposal, int]:
    async def prepare() -> tuple[Proposal, int]:
        db = Database(settings.resolved_database_url)
        try:
            proposal = await submitted_and_routed(db, settings, **fields)
            template = await save_template(db, "Cảm ơn", "Cảm ơn anh/chị đã gửi đề xuất.")
        finally:
            await db.dispose()
        return proposal, template

    # Playwright's sync API keeps an event loop running in this thread: prepare in another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, prepare()).result()


def _sign_in(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")


def _tab_to(page: Page, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_keyboard_only_submission_then_tracking(page: Page, server: str) -> None:
    page.goto(f"{server}/submit")
    save_screenshot(page, "submit-vi")
    _tab_to(page, "title")
    page.keyboard.press("Enter")  # an empty form: the error summary takes the focus's place
    expect(page.locator(".error-summary")).to_be_visible()
    _tab_to(page, "kind-PROPOSAL")  # past the summary's links, into the radio group
    page.keyboard.press("Space")
    _tab_to(page, "title")
    page.keyboard.type("Thủ tục cấp phép thử nghiệm kéo dài")
    _tab_to(page, "description")
    page.keyboard.type("Hồ sơ xin cấp phép thử nghiệm có kiểm soát đã chờ sáu tháng.")
    _tab_to(page, "categoryCode")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "submitterType")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "name")
    page.keyboard.type("Trần Văn Đức")
    _tab_to(page, "email")
    page.keyboard.type("duc@example.com")
    page.keyboard.press("Enter")
    expect(page.locator("#tracking-code")).to_have_text(re.compile(r"^[2-9A-HJKMNP-Z]{10}$"))
    code = page.locator("#tracking-code").inner_text()
    expect(page.locator("#status")).to_have_text("Đã gửi")
    save_screenshot(page, "confirmation-vi")
    page.goto(f"{server}/track")
    page.fill("#code", code.lower())
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Thủ tục cấp phép thử nghiệm kéo dài")


def test_language_switch_is_remembered(page: Page, server: str) -> None:
    page.goto(f"{server}/")
    save_screenshot(page, "landing-vi")
    page.click("text=English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{server}/submit")
    expect(page.locator("h1")).to_have_text("Send a submission")
    save_screenshot(page, "submit-en")
    page.goto(f"{server}/")
    save_screenshot(page, "landing-en")
    for path, name in (("/published", "published"), ("/statistics", "statistics")):
        page.goto(f"{server}{path}")
        save_screenshot(page, f"{name}-en")
    page.click("text=Tiếng Việt")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    for path, name in (("/published", "published"), ("/statistics", "statistics")):
        page.goto(f"{server}{path}")
        save_screenshot(page, f"{name}-vi")


def test_reviewer_answers_from_a_template_and_the_submitter_rates(
    page: Page, server: str, settings: Settings
) -> None:
    proposal, template = _prepare(settings, consent_to_publish=True)
    _sign_in(page, server, reviewer_email("BKHCN"))
    page.goto(f"{server}/inbox")
    expect(page.locator("#count")).to_have_text("Số nội dung tìm thấy: 1")
    save_screenshot(page, "inbox-vi")
    page.click(f"a[href='/inbox/{proposal.id}']")
    page.select_option("#template", str(template))
    page.click("text=Dùng mẫu này")
    expect(page.locator("#respond-text")).to_have_value("Cảm ơn anh/chị đã gửi đề xuất.")
    save_screenshot(page, "detail-vi")
    page.click("text=Gửi trả lời")
    expect(page.locator("#status")).to_have_text("Đã trả lời")

    page.context.clear_cookies()
    page.goto(server + private_link(settings, proposal))
    expect(page.locator("article.response .response-text")).to_have_text(
        "Cảm ơn anh/chị đã gửi đề xuất."
    )
    save_screenshot(page, "track-vi")
    page.check("input[name=score][value='5']")
    page.click("text=Gửi đánh giá")
    expect(page.locator("#done")).to_have_text("Cảm ơn bạn đã đánh giá câu trả lời.")
    expect(page.locator("#status")).to_have_text("Đã kết thúc")


def test_secretariat_assigns_from_the_triage_queue(
    page: Page, server: str, settings: Settings
) -> None:
    proposal, _ = _prepare(
        settings,
        category="OTHER",
        title="Góp ý chung",
        description="Tôi có vài ý kiến chung, mong được xem xét.",  # nothing to route by
    )
    _sign_in(page, server, SECRETARIAT_EMAIL)
    page.goto(f"{server}/secretariat/triage")
    save_screenshot(page, "triage-vi")
    page.select_option(f"#agency-{proposal.id}", "BKHCN")
    page.click(f"text=Giao {proposal.tracking_code}")
    expect(page.locator("#done")).to_have_text(f"{proposal.tracking_code} đã được giao.")
    expect(page.locator("#count")).to_have_text("Số nội dung tìm thấy: 0")


def _published_and_indexed(settings: Settings) -> Proposal:
    async def prepare() -> Proposal:
        db = Database(settings.resolved_database_url)
        try:
            proposal = await submitted_and_routed(
                db,
                settings,
                title="Chuyển đổi số cho hợp tác xã nông nghiệp",
                description="Hỗ trợ hợp tác xã dùng phần mềm quản lý và bán hàng trực tuyến.",
                consent_to_publish=True,
            )
        finally:
            await db.dispose()
        # The index job, as the worker runs it; its sweep takes the jobs this test did not
        # enqueue (submitted_and_routed writes the outbox only) once they are a second old.
        await asyncio.sleep(1)
        await run_worker(settings.model_copy(update={"outbox_sweep_after_seconds": 1}))
        return proposal

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, prepare()).result()


def test_typing_shows_similar_submissions_and_searches_as_you_type(
    page: Page, server: str, settings: Settings
) -> None:
    proposal = _published_and_indexed(settings)
    # The form: similar published submissions appear under the title while it is typed.
    page.goto(f"{server}/submit")
    similar = page.locator("#similar")
    expect(similar).to_be_hidden()
    page.locator("#title").press_sequentially("hop tac xa chuyen doi so", delay=20)
    expect(similar).to_be_visible()
    expect(similar.locator("li")).to_contain_text([proposal.title])
    expect(similar.locator("a")).to_have_attribute("href", re.compile(proposal.tracking_code))

    # The secretariat's search page: results follow the query box without pressing Enter.
    _sign_in(page, server, SECRETARIAT_EMAIL)
    page.goto(f"{server}/secretariat/search?q=khong+co+ket+qua+nao")
    results = page.locator("#search-results")
    expect(results).not_to_contain_text(proposal.tracking_code)
    page.fill("#q", "")
    page.locator("#q").press_sequentially("hop tac xa", delay=20)
    expect(results).to_contain_text(proposal.tracking_code)
    expect(page).to_have_url(re.compile(r"q=hop\+tac\+xa"))
