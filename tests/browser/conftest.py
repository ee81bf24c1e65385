"""A real uvicorn server for Debian's Chromium, driven by Playwright (no `playwright install`)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from service.app import create_app
from service.embedded.ports import free_tcp_port
from service.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, sqlite_template: object, tmp_path: object) -> str:
    """Browser tests run on SQLite only: the pages are the same on both databases."""
    import shutil
    from pathlib import Path

    assert isinstance(sqlite_template, Path)
    assert isinstance(tmp_path, Path)
    path = tmp_path / "intake.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


def save_screenshot(page: Page, name: str) -> None:
    """Saved only with INTAKE_SCREENSHOTS=1, to refresh the README's pictures."""
    if os.environ.get("INTAKE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """A uvicorn server of the whole application in a thread; yields its base URL."""
    port = free_tcp_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not served.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        thread.join(timeout=10)


@contextmanager
def launched_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    with serving(settings) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Page]:
    """Started after the server (and the async fixtures under it): Playwright's sync API keeps
    an event loop running in the test thread, where pytest-asyncio could no longer run its own."""
    with launched_browser() as browser:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        yield context.new_page()
        context.close()
