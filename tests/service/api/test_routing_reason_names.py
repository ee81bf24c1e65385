"""A routing reason's text names the category it cites, in the caller's language; the code
stays in its arguments."""

from __future__ import annotations

import json

import httpx

from service.accounts.models import Role
from service.api.relay import to_global_id
from service.db import Database
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.fixtures.api import bearer
from tests.graphql_client import execute


async def test_a_competence_reason_names_its_category(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    proposal = await submitted_and_routed(db, settings)  # DIGITAL_ECONOMY, to BKHCN
    assert proposal.id is not None
    pid = to_global_id("Proposal", proposal.id)
    token = await bearer(db, Role.SECRETARIAT, None, name="secretariat")
    texts = {}
    for language in ("vi", "en"):
        data = await execute(
            client, "RoutingDecision", {"id": pid}, headers={**token, "accept-language": language}
        )
        details = data["proposal"]["routingDecision"]["reasonDetails"]
        [competence] = [d for d in details if d["code"] == "competence"]
        assert json.loads(competence["arguments"]) == {"category": "DIGITAL_ECONOMY"}
        texts[language] = competence["text"]
    assert texts == {
        "vi": "có thẩm quyền về Kinh tế số và doanh nghiệp",
        "en": "competent for Digital economy and enterprises",
    }
