"""Officials set their mail preferences; the secretariat sees mail that failed for good."""

from __future__ import annotations

import httpx

from service.accounts.models import Role
from service.db import Database
from service.demo import DEMO_PASSWORD
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.smtp import SmtpSink
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute
from tests.web_client import post_form


async def test_a_signed_in_official_chooses_the_digest_in_english(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    by_token = await execute(
        client, "SetNotificationPreferences", {"mode": "DIGEST", "language": "EN"}, headers=portal
    )
    assert by_token["setNotificationPreferences"]["__typename"] == "NotPermittedError"
    await post_form(
        client,
        "/login",
        {"email": "reviewer.bkhcn@intake.localhost", "password": DEMO_PASSWORD},
        page="/login",
    )
    chosen = await execute(
        client, "SetNotificationPreferences", {"mode": "DIGEST", "language": "EN"}
    )
    assert chosen["setNotificationPreferences"] == {
        "__typename": "NotificationPreferences",
        "mode": "DIGEST",
        "language": "EN",
    }


async def test_the_secretariat_sees_permanently_failed_mail(
    client: httpx.AsyncClient, settings: Settings, mailbox: SmtpSink
) -> None:
    db = Database(settings.resolved_database_url)
    secretariat = await bearer(db, Role.SECRETARIAT, None)
    portal = await bearer(db, Role.REVIEWER, "BKHCN")
    await db.dispose()
    mailbox.fail_next(550, n=1, stage="RCPT")
    await execute(client, "SubmitProposal", {"input": graphql_input(email="gone@example.com")})
    await run_worker(settings)
    failed = await execute(client, "FailedNotifications", {"first": 10}, headers=secretariat)
    [row] = failed["failedNotifications"]
    assert (row["recipient"], row["template"]) == ("gone@example.com", "receipt")
    assert "550" in row["error"]
    hidden = await execute(client, "FailedNotifications", {"first": 10}, headers=portal)
    assert hidden == {"failedNotifications": []}
