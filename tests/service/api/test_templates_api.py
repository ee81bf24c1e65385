"""Agencies keep response templates of their own."""

from __future__ import annotations

import httpx

from service.accounts.models import Role
from service.db import Database
from service.settings import Settings
from tests.fixtures.api import bearer
from tests.graphql_client import execute


async def test_an_agency_saves_renames_and_deletes_its_templates(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    mine = await bearer(db, Role.REVIEWER, "BKHCN")
    theirs = await bearer(db, Role.REVIEWER, "BCA")
    secretariat = await bearer(db, Role.SECRETARIAT, None)
    await db.dispose()
    english = {"accept-language": "en"}

    saved = await execute(
        client,
        "SaveResponseTemplate",
        {"input": {"name": "Đã chuyển", "body": "Bộ đã chuyển kiến nghị đến đơn vị."}},
        headers=mine,
    )
    template = saved["saveResponseTemplate"]["template"]
    assert template["name"] == "Đã chuyển"
    duplicate = await execute(
        client,
        "SaveResponseTemplate",
        {"input": {"name": "Đã chuyển", "body": "x"}},
        headers=mine | english,
    )
    assert duplicate["saveResponseTemplate"]["errors"] == [
        {
            "field": "name",
            "code": "duplicate",
            "message": "Your agency already has a template with this name.",
        }
    ]
    renamed = await execute(
        client,
        "SaveResponseTemplate",
        {"input": {"id": template["id"], "name": "Đã chuyển đơn vị", "body": "Nội dung mới."}},
        headers=mine,
    )
    assert renamed["saveResponseTemplate"]["template"] == {
        "id": template["id"],
        "name": "Đã chuyển đơn vị",
        "body": "Nội dung mới.",
    }

    assert (await execute(client, "ResponseTemplates", headers=theirs)) == {"responseTemplates": []}
    assert (await execute(client, "ResponseTemplates", headers=secretariat)) == {
        "responseTemplates": []
    }
    stolen = await execute(
        client,
        "SaveResponseTemplate",
        {"input": {"id": template["id"], "name": "x", "body": "y"}},
        headers=theirs,
    )
    assert stolen["saveResponseTemplate"]["__typename"] == "NotFoundError"
    anonymous = await execute(client, "SaveResponseTemplate", {"input": {"name": "x", "body": "y"}})
    assert anonymous["saveResponseTemplate"]["__typename"] == "NotPermittedError"
    not_theirs = await execute(
        client, "DeleteResponseTemplate", {"id": template["id"]}, headers=theirs
    )
    assert not_theirs["deleteResponseTemplate"]["__typename"] == "NotFoundError"

    listed = await execute(client, "ResponseTemplates", headers=mine)
    assert [t["name"] for t in listed["responseTemplates"]] == ["Đã chuyển đơn vị"]
    deleted = await execute(client, "DeleteResponseTemplate", {"id": template["id"]}, headers=mine)
    assert deleted["deleteResponseTemplate"] == {
        "__typename": "ResponseTemplateDeleted",
        "id": template["id"],
    }
    assert (await execute(client, "ResponseTemplates", headers=mine)) == {"responseTemplates": []}
