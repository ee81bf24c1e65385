"""/attachments/{id}: only ASCII digits within the database's integers name an attachment."""

from __future__ import annotations

import httpx

from service.accounts.models import Role
from service.db import Database
from service.settings import Settings
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.service.api.test_attachments import PDF, _submit


async def test_ids_out_of_range_or_in_other_digits_are_not_found(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    secretariat = await bearer(db, Role.SECRETARIAT, None)
    await db.dispose()
    submitted = (await _submit(client, [("hồ sơ.pdf", PDF)])).json()["data"]["submitProposal"]
    assert submitted["__typename"] == "SubmitProposalSuccess"
    await run_worker(settings)
    assert (await client.get("/attachments/1", headers=secretariat)).content == PDF
    for raw in (
        "99999999999999999999999",
        "2147483648",
        "%C2%B2",  # ²
        "%D9%A1",  # Arabic-Indic one
        "%EF%BC%91",  # fullwidth one
    ):
        response = await client.get(f"/attachments/{raw}", headers=secretariat)
        assert response.status_code == 404, raw
    assert (await client.get("/attachments/2147483647", headers=secretariat)).status_code == 404
