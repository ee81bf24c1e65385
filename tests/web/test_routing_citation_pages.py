"""The pages show a reader only the tracking codes, in routing reasons, of submissions they may
read: the inbox's detail and the tracking page of an agency's official, the submitter's link."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select
from starlette.applications import Starlette

from service.accounts.models import Role
from service.api.relay import to_global_id
from service.proposals.models import ProposalEvent
from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import SECRETARIAT
from tests.fixtures.api import bearer
from tests.graphql_client import execute
from tests.service.api.test_routing_citations import Cited, cited_scene, routing_note
from tests.web.helpers import private_link, sign_in_reviewer, sign_in_secretariat


def _timeline(page: str) -> str:
    found = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', page, re.S)
    assert found is not None
    return found[1]


async def _transferred(runtime: Runtime, settings: Settings) -> Cited:
    """The tester's case: the second letter transferred from Đà Nẵng to Hà Nội."""
    scene = await cited_scene(runtime, settings)
    assert scene.second.proposal.id is not None
    async with runtime.db.transaction() as session:
        await workflow.transfer(
            session,
            SECRETARIAT,
            scene.second.proposal.id,
            "UBND-HA-NOI",
            settings,
            "vi",
            reason="Hà Nội.",
        )
    return scene


async def test_the_inbox_and_tracking_pages_show_only_the_codes_their_reader_may_read(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    scene = await _transferred(runtime, settings)
    second = scene.second.proposal
    similarity = scene.similarity.replace(".", ",")
    shown = f"tiền lệ: {scene.code} ({similarity})"
    hidden = f"tiền lệ: 1 kiến nghị trước đó bạn không được xem ({similarity})"
    pages = (f"/inbox/{second.id}", f"/track/{second.tracking_code}")

    await sign_in_reviewer(client, "UBND-HA-NOI")
    for path in pages:
        page = (await client.get(path)).text
        assert hidden in _timeline(page), path
        assert scene.code not in page, path
    client.cookies.clear()
    for agency in ("UBND-DA-NANG", None):
        if agency is None:
            await sign_in_secretariat(client)
        else:
            await sign_in_reviewer(client, agency)
        for path in pages:
            timeline = _timeline((await client.get(path)).text)
            assert shown in timeline, (agency, path)
            assert "không được xem" not in timeline, (agency, path)
        client.cookies.clear()
    # The submitter reads no routing reason at all, so no other submission's code.
    page = (await client.get(private_link(settings, second))).text
    assert scene.code not in page
    assert "tiền lệ" not in page


async def test_a_routing_note_older_than_structured_reasons_is_cut_alike(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    """A routing event whose reasons the migration left as its English note (0010 converts a
    note only when every part of it parses): the note's citation is cut all the same."""
    runtime: Runtime = app.state.runtime
    scene = await _transferred(runtime, settings)
    second = scene.second.proposal
    async with runtime.db.transaction() as session:
        statement = select(ProposalEvent).where(
            ProposalEvent.proposal_id == second.id, ProposalEvent.actor == "system"
        )
        [event] = [e for e in (await session.exec(statement)).all() if e.reasons]
        event.reasons = []
        stored = event.note
    assert f"precedent: {scene.code} ({scene.similarity})" in stored
    hidden = f"precedent: 1 earlier submission you may not see ({scene.similarity})"
    expected = stored.replace(f"{scene.code} ({scene.similarity})", hidden[len("precedent: ") :])

    ha_noi = await bearer(runtime.db, Role.REVIEWER, "UBND-HA-NOI", name="ha-noi")
    detail = await execute(
        client, "ProposalDetail", {"id": to_global_id("Proposal", second.id or 0)}, headers=ha_noi
    )
    assert routing_note(detail["proposal"]) == expected
    await sign_in_reviewer(client, "UBND-HA-NOI")
    for path in (f"/inbox/{second.id}", f"/track/{second.tracking_code}"):
        page = (await client.get(path)).text
        assert expected in _timeline(page), path
        assert scene.code not in page, path
