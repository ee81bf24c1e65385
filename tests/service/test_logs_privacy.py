"""A whole flow leaves no personal data and no secret in the log output."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from service.accounts.models import Role
from service.db import Database
from service.demo import DEMO_PASSWORD
from service.logs import configure_logging, redact
from service.proposals.access import access_key
from service.proposals.repository import get_by_tracking_code
from service.settings import Settings
from tests.factories import form_data, graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute
from tests.web.helpers import sign_in_reviewer
from tests.web_client import post_form


@pytest.fixture
def log_output(settings: Settings) -> Iterator[io.StringIO]:
    """The application's own logging set-up (JSON lines, every level), writing into a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(settings.model_copy(update={"log_format": "json", "log_level": "DEBUG"}))
    buffer = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


async def test_a_whole_flow_logs_no_personal_data_or_secrets(
    client: httpx.AsyncClient, settings: Settings, mailbox: SmtpSink, log_output: io.StringIO
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    # The form's submitter gives an address the mail server refuses, quoting it in its reply.
    mailbox.fail_next(550, stage="RCPT", text="5.1.1 <duc.tran@example.org>: no such user")
    response = await post_form(
        client,
        "/submit",
        form_data(
            name="Trần Văn Đức",
            email="duc.tran@example.org",
            phone="0987654321",
            organisation="Công ty Sáng Tạo Đà Nẵng",
        ),
    )
    assert response.status_code == 303
    form_code = response.headers["location"].split("/track/", 1)[1].split("?", 1)[0]
    submitted = await execute(
        client,
        "SubmitProposal",
        {"input": graphql_input(name="Lê Thị Hoa", email="hoa.le@example.net", phone="0911222333")},
    )
    api_code = submitted["submitProposal"]["trackingCode"]
    await run_worker(settings)
    await sign_in_reviewer(client)
    inbox = await client.get("/inbox")
    assert inbox.status_code == 200
    detail = await execute(client, "InboxPage", {"orderBy": "NEWEST", "first": 5}, headers=portal)
    assert detail["proposals"]["totalCount"] == 2
    keys = []
    async with db.session() as session:
        for code in (form_code, api_code):
            proposal = await get_by_tracking_code(session, code)
            assert proposal is not None
            keys.append(access_key(settings, proposal))
    await client.get(f"/track/{api_code}", params={"key": keys[1]})
    await execute(
        client,
        "ExportPersonalData",
        {"input": {"trackingCode": api_code, "accessKey": keys[1]}},
    )
    await db.dispose()
    # A line as uvicorn's access log writes it, address and query string included.
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d',
        "203.0.113.9:5100",
        "GET",
        f"/track/{api_code}?key={keys[1]}",
        "1.1",
        200,
    )

    output = log_output.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert any(line["logger"] == "workers.outbox" for line in lines)
    assert any("[email]" in line["message"] for line in lines)  # the refusal, masked
    assert any("?key=[redacted]" in line["message"] for line in lines)
    session_cookie = client.cookies["intake_session"]
    token = portal["authorization"].removeprefix("Bearer ")
    secrets = [
        "duc.tran@example.org",
        "hoa.le@example.net",
        "0987654321",
        "0911222333",
        "Trần Văn Đức",
        "Lê Thị Hoa",
        "Công ty Sáng Tạo Đà Nẵng",
        DEMO_PASSWORD,
        session_cookie,
        token,
        *keys,
    ]
    escaped = json.dumps(secrets)  # JSON lines might escape what they hold
    for secret in [*secrets, *json.loads(escaped)]:
        assert secret not in output, secret


def test_redaction_masks_addresses_keys_and_bearer_tokens() -> None:
    assert redact("550 5.1.1 <minh@example.com>: no such user") == (
        "550 5.1.1 <[email]>: no such user"
    )
    assert redact('"GET /track/ABCDEFGH23?new=1&key=s3cr3t-Key_x HTTP/1.1" 303') == (
        '"GET /track/ABCDEFGH23?new=1&key=[redacted] HTTP/1.1" 303'
    )
    assert redact("authorization: Bearer itk_abc.DEF-123") == "authorization: Bearer [redacted]"
    assert redact("proposal.route 0f3a done") == "proposal.route 0f3a done"


def test_redaction_masks_what_addresses_carry_percent_encoded() -> None:
    """The language switch carries the page's address in its query; a search carries what was
    typed; an unsubscribe link's token spells its address in base64."""
    switch = "GET /lang/en?next=/track/5BAR9SAZN6%3Fnew%3D1%26key%3D7BUxbV4p0kHHSwZ17R-3G HTTP/1.1"
    assert redact(switch) == (
        "GET /lang/en?next=/track/5BAR9SAZN6%3Fnew%3D1%26key%3D[redacted] HTTP/1.1"
    )
    assert redact("GET /lang/vi?next=/track/X%3Fkey%3Dabc-DEF_1") == (
        "GET /lang/vi?next=/track/X%3Fkey%3D[redacted]"
    )
    assert redact("GET /secretariat/search?q=victim%40example.com+0912345678 HTTP/1.1") == (
        "GET /secretariat/search?q=[email]+[phone] HTTP/1.1"
    )
    assert redact("phone +84912345678, or %2B84912345678") == "phone [phone], or [phone]"
    assert redact("GET /unsubscribe/InZpY3RpbUBleGFtcGxlLmNvbSI.UhHoHdVUoy_q HTTP/1.1") == (
        "GET /unsubscribe/[redacted] HTTP/1.1"
    )
    # Tracking codes, ids and timestamps stay readable.
    assert redact("/track/ABCDEFGH23 proposal 1234567890 at 2026-12-03") == (
        "/track/ABCDEFGH23 proposal 1234567890 at 2026-12-03"
    )
