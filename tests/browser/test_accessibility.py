"""WCAG 2.1 AA in a real browser: axe-core on every main page in both languages, no horizontal
scrolling on a 360 px phone, and a visible focus outline for the keyboard."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from service.accounts.actor import Actor, ActorKind
from service.accounts.models import Role
from service.db import Database
from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, reviewer_email
from service.i18n import LANGUAGE_COOKIE
from service.notifications.service import unsubscribe_token
from service.settings import Settings
from service.workflow import service as workflow
from tests.browser.conftest import launched_browser, save_screenshot, serving
from tests.factories import agency_id, submitted_and_routed
from tests.fixtures.smtp import SmtpSink
from tests.web.helpers import private_link, save_template

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# WCAG 2.1 A and AA, and axe's best practices (landmarks, heading order, one h1, unique names).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
LANGUAGES = ("vi", "en")
_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return results.violations.map((v) => ({
    id: v.id,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


@dataclass(frozen=True)
class Site:
    """One server with its data for the whole module: every page below reads, none writes."""

    url: str
    links: dict[str, str]


@pytest.fixture(scope="module")
def site_settings(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    redis_server: str,
    smtp_sink: SmtpSink,
) -> Settings:
    base = tmp_path_factory.mktemp("a11y")
    shutil.copyfile(sqlite_template, base / "intake.db")
    return Settings(
        environment="test",
        data_dir=base / "data",
        database_url=f"sqlite+aiosqlite:///{base / 'intake.db'}",
        redis_url=redis_server,
        smtp_host=smtp_sink.host,
        smtp_port=smtp_sink.port,
        base_url="http://intake.test",
        spam_min_fill_seconds=0,  # the checks post forms the moment they open them
    )


async def _build(settings: Settings) -> dict[str, str]:
    """A submission with a question to answer, one with a published answer to rate, one no rule
    routes (for triage), one fresh in the reviewer's inbox, one for a People's Committee, and
    an answer template."""
    db = Database(settings.resolved_database_url)
    try:
        reviewer = Actor(
            ActorKind.USER,
            role=Role.REVIEWER,
            agency_id=await agency_id(db, "BKHCN"),
            user_id=1,
        )
        asked = await submitted_and_routed(db, settings, title="Thủ tục cấp phép thử nghiệm")
        answered = await submitted_and_routed(db, settings, consent_to_publish=True)
        await submitted_and_routed(
            db,
            settings,
            category="OTHER",
            title="Góp ý chung",
            description="Tôi có vài ý kiến chung, mong được xem xét.",
        )
        fresh = await submitted_and_routed(db, settings, title="Sàn giao dịch công nghệ quốc gia")
        # For an agency whose name the chart's axis cuts short.
        await submitted_and_routed(
            db,
            settings,
            kind="OBSTACLE",
            category="DIGITAL_GOVERNMENT",
            province="HO-CHI-MINH",
            title="Bộ phận một cửa ở phường không nhận hồ sơ trực tuyến",
            description="Cán bộ yêu cầu nộp bản giấy dù hồ sơ đã nộp trên cổng của thành phố.",
            email="hcm@example.com",
        )
        await save_template(db, "Cảm ơn", "Cảm ơn anh/chị đã gửi đề xuất.")
        assert asked.id is not None
        assert answered.id is not None
        async with db.transaction() as session:
            await workflow.request_information(
                session, reviewer, asked.id, "Xin gửi thêm số hồ sơ đã nộp.", "vi"
            )
            await workflow.respond(
                session,
                reviewer,
                answered.id,
                "Cảm ơn anh/chị, Bộ sẽ xem xét trong quý tới.",
                publish=True,
                language="vi",
            )
    finally:
        await db.dispose()
    return {
        "asked": private_link(settings, asked),
        "answered": private_link(settings, answered),
        "fresh": f"/inbox/{fresh.id}",
        "unsubscribe": f"/unsubscribe/{unsubscribe_token(settings, 'minh@example.com')}",
    }


@pytest.fixture(scope="module")
def site(site_settings: Settings) -> Iterator[Site]:
    # Playwright's sync API keeps an event loop running in this thread: build in another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        links = pool.submit(asyncio.run, _build(site_settings)).result()
    with serving(site_settings) as url:
        yield Site(url, links)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    with launched_browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def contexts(site: Site, browser: Browser) -> Iterator[Callable[[str, str], BrowserContext]]:
    """One browser context per (who, language), signed in once and reused by every page."""
    opened: dict[tuple[str, str], BrowserContext] = {}
    emails = {"reviewer": reviewer_email("BKHCN"), "secretariat": SECRETARIAT_EMAIL}

    def context_for(who: str, language: str) -> BrowserContext:
        if (who, language) not in opened:
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": site.url}])
            if who in emails:
                page = context.new_page()
                page.goto(f"{site.url}/login")
                page.fill("#email", emails[who])
                page.fill("#password", DEMO_PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_selector("form[action='/logout']")
                page.close()
            opened[who, language] = context
        return opened[who, language]

    yield context_for
    for context in opened.values():
        context.close()


def _submit_empty(page: Page) -> None:
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary")


def _login_wrong(page: Page) -> None:
    page.fill("#email", "nobody@example.com")
    page.fill("#password", "not the password")
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary")


def _lookup_unknown(page: Page) -> None:
    page.fill("#code", "ZZZZZZZZZZ")
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary")


# (name, who, path or link name, what to do before checking)
# Every field of the dashboard's period refused at once: the error summary and its links.
_BAD_PERIOD = "/statistics?from=abc&to=2026-02-30&agency=NOPE"
PAGES: list[tuple[str, str, str, Callable[[Page], None] | None]] = [
    ("landing", "anyone", "/", None),
    ("submit", "anyone", "/submit", None),
    ("submit-errors", "anyone", "/submit", _submit_empty),
    ("track-question", "anyone", "asked", None),
    ("track-rate", "anyone", "answered", None),
    ("track-lookup", "anyone", "/track", None),
    ("track-lookup-errors", "anyone", "/track", _lookup_unknown),
    ("published", "anyone", "/published", None),
    ("statistics", "anyone", "/statistics", None),
    ("statistics-errors", "anyone", _BAD_PERIOD, None),
    ("login", "anyone", "/login", None),
    ("login-errors", "anyone", "/login", _login_wrong),
    ("unsubscribe", "anyone", "unsubscribe", None),
    ("inbox", "reviewer", "/inbox", None),
    ("inbox-detail", "reviewer", "fresh", None),
    ("inbox-detail-secretariat", "secretariat", "fresh", None),
    ("triage", "secretariat", "/secretariat/triage", None),
    ("secretariat-search", "secretariat", "/secretariat/search", None),
    ("admin-tokens", "secretariat", "/admin/tokens", None),
    ("admin-agencies", "secretariat", "/admin/agencies", None),
    ("admin-agency", "secretariat", "/admin/agencies/BKHCN", None),
    ("admin-users", "secretariat", "/admin/users", None),
    ("admin-rules", "secretariat", "/admin/rules", None),
    ("admin-rule-new", "secretariat", "/admin/rules/new", None),
    ("admin-holidays", "secretariat", "/admin/holidays", None),
    ("admin-audit", "secretariat", "/admin/audit", None),
    ("not-found", "anyone", "/no/such/page", None),
]
# Pages that answer with another status than 200.
_STATUS = {"/no/such/page": 404, _BAD_PERIOD: 422}


def _open(site: Site, context: BrowserContext, path: str, width: int = 1100) -> Page:
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(site.url + site.links.get(path, path))
    assert response is not None
    assert response.status == _STATUS.get(path, 200), path
    return page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "who", "path", "action"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_wcag_violations(
    contexts: Callable[[str, str], BrowserContext],
    site: Site,
    name: str,
    who: str,
    path: str,
    action: Callable[[Page], None] | None,
    language: str,
) -> None:
    page = _open(site, contexts(who, language), path)
    try:
        if action is not None:
            action(page)
        assert page.evaluate("document.documentElement.lang") == language
        save_screenshot(page, f"{name}-{language}")
        page.evaluate(AXE)  # through the DevTools protocol: the page's CSP stays in force
        violations = page.evaluate(_RUN_AXE, AXE_TAGS)
    finally:
        page.close()
    report = "\n".join(f"{v['id']}: {v['help']} at {v['targets']}" for v in violations)
    assert violations == [], f"{name} ({language}):\n{report}"


# The page's widths, and the innermost elements that reach past the window's right edge.
_WIDTHS = """() => {
  const past = (e) => e.getBoundingClientRect().right > window.innerWidth + 0.5;
  const culprits = [...document.querySelectorAll("body *")]
    .filter((e) => past(e) && ![...e.children].some(past))
    .slice(0, 8)
    .map((e) => e.outerHTML.slice(0, 120));
  return [document.documentElement.scrollWidth, window.innerWidth, culprits];
}"""
PHONE_PAGES = [p for p in PAGES if p[3] is None] + [p for p in PAGES if p[0] == "submit-errors"]


@pytest.mark.parametrize(
    ("name", "who", "path", "action"), PHONE_PAGES, ids=[p[0] for p in PHONE_PAGES]
)
def test_page_fits_a_phone_without_horizontal_scrolling(
    contexts: Callable[[str, str], BrowserContext],
    site: Site,
    name: str,
    who: str,
    path: str,
    action: Callable[[Page], None] | None,
) -> None:
    page = _open(site, contexts(who, "vi"), path, width=360)
    try:
        if action is not None:
            action(page)
        widths = page.evaluate(_WIDTHS)
    finally:
        page.close()
    scroll_width, inner_width, overflowing = widths
    assert scroll_width <= inner_width, f"{name}: {scroll_width} > {inner_width}, {overflowing}"


def test_keyboard_focus_is_visible_on_links_and_buttons(
    contexts: Callable[[str, str], BrowserContext], site: Site
) -> None:
    page = _open(site, contexts("anyone", "vi"), "/submit")
    focus_style = """() => {
      const style = getComputedStyle(document.activeElement);
      return [document.activeElement.tagName, style.outlineStyle, style.outlineWidth,
              style.outlineColor, style.boxShadow];
    }"""
    seen: dict[str, list[str]] = {}
    try:
        for _ in range(80):
            page.keyboard.press("Tab")
            tag = page.evaluate("document.activeElement.tagName")
            if tag in ("A", "BUTTON") and tag not in seen:
                seen[tag] = page.evaluate(focus_style)
            if len(seen) == 2:
                break
    finally:
        page.close()
    assert seen == {
        "A": ["A", "solid", "3px", "rgb(255, 191, 71)", "rgb(0, 0, 0) 0px 0px 0px 2px"],
        "BUTTON": ["BUTTON", "solid", "3px", "rgb(255, 191, 71)", "rgb(0, 0, 0) 0px 0px 0px 2px"],
    }


ERROR_PAGES = [p for p in PAGES if p[0].endswith("-errors")]
_INVALID = """() => [...document.querySelectorAll("[aria-invalid=true]")].map((e) => [
  e.id,
  (e.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)
    .map((id) => (document.getElementById(id) || {}).textContent || "")
    .filter((text) => text.trim() !== "").length,
])"""


@pytest.mark.parametrize(
    ("name", "who", "path", "action"), ERROR_PAGES, ids=[p[0] for p in ERROR_PAGES]
)
def test_every_invalid_field_is_described_by_its_message(
    contexts: Callable[[str, str], BrowserContext],
    site: Site,
    name: str,
    who: str,
    path: str,
    action: Callable[[Page], None] | None,
) -> None:
    page = _open(site, contexts(who, "en"), path)
    try:
        if action is not None:  # else the address itself holds the bad input
            action(page)
        invalid = page.evaluate(_INVALID)
    finally:
        page.close()
    assert invalid != [], name
    assert [field for field, messages in invalid if messages == 0] == [], name


def test_pages_work_without_javascript(site: Site, browser: Browser) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1100, "height": 900}
    )
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "en", "url": site.url}])
    page = context.new_page()
    try:
        page.goto(f"{site.url}/submit")
        page.click("main button[type=submit]")
        errors = page.locator(".error-summary li").count()
        page.goto(f"{site.url}/statistics")
        rows = page.locator("#per-agency tbody tr").count()
        page.goto(f"{site.url}/published?q=chuyển+đổi+số")
        heading = page.locator("h1").inner_text()
    finally:
        context.close()
    assert errors >= 5
    assert rows >= 1
    assert heading == "Published submissions and answers"


_CHART = """() => {
  const chart = Chart.getChart(document.querySelector(".chart canvas"));
  const rows = [...document.querySelectorAll("#per-agency tbody tr")];
  return {
    counts: chart.scales.x.ticks.map((tick) => tick.value),
    names: chart.scales.y.ticks.map((tick) => tick.label),
    full: chart.data.labels,
    table: rows.map((row) => row.cells[0].textContent.trim()),
  };
}"""


def test_the_statistics_chart_counts_in_whole_numbers_and_names_every_agency(
    contexts: Callable[[str, str], BrowserContext], site: Site
) -> None:
    page = _open(site, contexts("anyone", "vi"), "/statistics")
    try:
        page.wait_for_selector(".chart-drawn canvas")
        chart = page.evaluate(_CHART)
    finally:
        page.close()
    # A handful of submissions: the axis would otherwise step by 0.1 or 0.5.
    assert chart["counts"]
    assert all(value == int(value) for value in chart["counts"])
    # One name on the axis for each row of the table, long ones cut short; the tooltips keep
    # the whole name.
    assert chart["full"] == chart["table"]
    assert len(chart["names"]) == len(chart["table"])
    for shown, full in zip(chart["names"], chart["full"], strict=True):
        assert len(shown) <= 32
        assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1]))
    assert any(shown != full for shown, full in zip(chart["names"], chart["full"], strict=True))


# Every control a keyboard can reach, in document order; a radio group is one stop.
_FOCUSABLE = """() => {
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary,"
    + " [tabindex]:not([tabindex='-1'])";
  const groups = new Set();
  const stops = [...document.querySelectorAll(selector)].filter((e) => {
    if (e.disabled || e.tabIndex < 0 || e.getClientRects().length === 0) return false;
    if (e.type === "radio") {
      if (groups.has(e.name)) return false;
      groups.add(e.name);
    }
    return true;
  });
  stops.forEach((e, i) => { e.dataset.stop = String(i); });
  return stops.length;
}"""
_RADIO_STOP = """() => {
  const e = document.activeElement;
  if (e.type !== "radio") return e.dataset.stop || e.tagName;
  return document.querySelector(`input[type=radio][name="${e.name}"]`).dataset.stop;
}"""
KEYBOARD_PAGES = [p for p in PAGES if p[0] in {"submit-errors", "track-question", "inbox-detail"}]


@pytest.mark.parametrize(
    ("name", "who", "path", "action"), KEYBOARD_PAGES, ids=[p[0] for p in KEYBOARD_PAGES]
)
def test_tab_reaches_every_control_in_document_order(
    contexts: Callable[[str, str], BrowserContext],
    site: Site,
    name: str,
    who: str,
    path: str,
    action: Callable[[Page], None] | None,
) -> None:
    page = _open(site, contexts(who, "vi"), path)
    try:
        if action is not None:
            action(page)
        page.evaluate("document.activeElement.blur()")
        stops = page.evaluate(_FOCUSABLE)
        reached = []
        for _ in range(stops):
            page.keyboard.press("Tab")
            reached.append(page.evaluate(_RADIO_STOP))
    finally:
        page.close()
    assert reached == [str(i) for i in range(stops)], name
