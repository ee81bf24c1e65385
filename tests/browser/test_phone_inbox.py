"""The secretariat's inbox on a 390 px phone: the table scrolls in its region, the page does not."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page

from service.db import Database
from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL
from service.settings import Settings
from tests.factories import submitted_and_routed

pytestmark = pytest.mark.browser

_PAGE_WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
_REGION_WIDTHS = """() => {
  const region = document.querySelector("main .table-scroll");
  return region ? [region.scrollWidth, region.clientWidth] : null;
}"""


async def _two_routed(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    try:
        await submitted_and_routed(db, settings, title="Thủ tục cấp phép thử nghiệm công nghệ")
        await submitted_and_routed(db, settings, title="Sàn giao dịch công nghệ quốc gia")
    finally:
        await db.dispose()


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_secretariat_inbox_fits_a_phone_without_sideways_scrolling(
    settings: Settings, server: str, page: Page, language: str
) -> None:
    # Playwright's sync API keeps an event loop running in this thread: build in another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _two_routed(settings)).result()
    page.context.add_cookies([{"name": "intake_lang", "value": language, "url": server}])
    page.goto(f"{server}/login")
    page.fill("#email", SECRETARIAT_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("form[action='/logout']")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/inbox?status=all")
    assert page.locator("table tbody tr").count() >= 2
    page_width, window_width = page.evaluate(_PAGE_WIDTHS)
    assert page_width <= window_width, f"{page_width} > {window_width}"
    region = page.evaluate(_REGION_WIDTHS)
    assert region is not None, "the table is not inside a .table-scroll region"
    table_width, region_width = region
    assert region_width <= window_width
    assert table_width >= region_width  # a wide table scrolls inside its region instead
    assert page.locator("input[name=ids]").count() == 0
