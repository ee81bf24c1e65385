"""The administration sub-navigation: every page of it, the audit log included, for the roles
that may open them."""

from __future__ import annotations

import httpx

from service.db import Database
from service.settings import Settings
from tests.web.helpers import add_agency_admin, sign_in, sign_in_secretariat

_AUDIT_LINK = '<a href="/admin/audit" aria-current="page">Nhật ký truy cập</a>'


async def test_the_secretariat_reaches_the_audit_log_from_the_admin_pages(
    client: httpx.AsyncClient,
) -> None:
    await sign_in_secretariat(client)
    agencies = await client.get("/admin/agencies")
    assert '<li><a href="/admin/audit">Nhật ký truy cập</a></li>' in agencies.text
    audit = await client.get("/admin/audit")
    assert audit.status_code == 200
    # The audit page carries the same sub-navigation, with itself marked current.
    assert '<nav aria-label="Quản trị" class="admin-nav">' in audit.text
    assert _AUDIT_LINK in audit.text
    assert '<a href="/admin/agencies">Cơ quan</a>' in audit.text
    await client.get("/lang/en")
    english = await client.get("/admin/audit")
    assert '<a href="/admin/audit" aria-current="page">Audit log</a>' in english.text


async def test_an_agency_administrator_gets_no_link_to_the_audit_log(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    await add_agency_admin(db, "UBND-HUE", "admin.hue@intake.localhost")
    await db.dispose()
    await sign_in(client, "admin.hue@intake.localhost")
    users = await client.get("/admin/users")
    assert users.status_code == 200
    assert 'href="/admin/audit"' not in users.text
    assert (await client.get("/admin/audit")).status_code == 403
