"""INTAKE_ATTACHMENT_TYPES written in another case or as an extension: the form advertises,
offers and accepts the same kinds."""

from __future__ import annotations

import httpx
import pytest

from service.app import create_app
from service.attachments.service import IncomingFile, check_files
from service.settings import Settings
from tests.fixtures.smtp import SmtpSink


async def test_the_form_offers_every_kind_the_setting_names(
    settings: Settings, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_ATTACHMENT_TYPES", '["pdf","jpg","PNG"]')
    fields = ("environment", "data_dir", "database_url", "redis_url", "smtp_host", "smtp_port")
    chosen = Settings(**{name: getattr(settings, name) for name in fields})
    app = create_app(chosen)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            page = (await http.get("/submit", headers={"Accept-Language": "en"})).text
    assert 'type="file" multiple accept=".pdf,.jpg,.jpeg,.png"' in page
    assert ": PDF, JPEG, PNG." in page


def test_a_kind_written_as_an_extension_is_accepted_by_content(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INTAKE_ATTACHMENT_TYPES", '["pdf","jpg","PNG"]')
    files = [
        IncomingFile("a.jpg", b"\xff\xd8\xff\xe0 a photo"),
        IncomingFile("b.png", b"\x89PNG\r\n\x1a\n a picture"),
    ]
    checked = check_files(files, Settings(environment="test"), "en")
    assert [(f.filename, f.kind.code) for f in checked] == [("a.jpg", "jpeg"), ("b.png", "png")]
