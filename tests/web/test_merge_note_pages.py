"""The timeline of a merged submission names its lead by tracking code only to an official who
may read the lead; the others are told of it in the page's language (inbox and tracking page)."""

from __future__ import annotations

import re

import httpx
from starlette.applications import Starlette

from service.runtime import Runtime
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import submitter_of
from tests.service.api.test_merge_notes import merged_scene
from tests.web.helpers import private_link, sign_in_reviewer, sign_in_secretariat

MERGED_VI = "đã gộp vào một nội dung bạn không được xem"
MERGED_EN = "merged into a submission you may not see"
REOPENED_VI = "nội dung mà nó đã được gộp vào (bạn không được xem) đã bị rút lại"


def _timeline(page: str) -> str:
    found = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', page, re.S)
    assert found is not None
    return found[1]


def _notes(page: str) -> list[str]:
    return re.findall(r'<p class="event-note">(.*?)</p>', _timeline(page), re.S)


async def test_the_inbox_names_the_lead_only_to_officials_who_may_read_it(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    scene = await merged_scene(runtime, settings)
    duplicate, code = scene.duplicate, scene.lead.tracking_code
    inbox = f"/inbox/{duplicate.id}"

    await sign_in_reviewer(client, "UBND-HA-NOI")
    page = (await client.get(inbox)).text
    assert MERGED_VI in _notes(page)
    assert code not in page
    # The tracking page alike: its timeline, and its banner, which says it was merged.
    tracking = (await client.get(f"/track/{duplicate.tracking_code}")).text
    assert MERGED_VI in _notes(tracking)
    assert 'id="merged-into"' in tracking
    assert code not in tracking
    await client.get("/lang/en")
    assert MERGED_EN in _notes((await client.get(inbox)).text)
    client.cookies.clear()

    await sign_in_secretariat(client)
    page = (await client.get(inbox)).text
    assert code in _notes(page)
    assert MERGED_VI not in page
    client.cookies.clear()

    # The submitter keeps the code: it is their next tracking code.
    own = (await client.get(private_link(settings, duplicate))).text
    assert code in _notes(own)
    assert MERGED_VI not in own
    assert f'<a href="/track/{code}">{code}</a>' in own  # the banner links to it


async def test_the_inbox_tells_of_a_withdrawn_lead_without_its_code(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    runtime: Runtime = app.state.runtime
    scene = await merged_scene(runtime, settings)
    assert scene.lead.id is not None
    lead_submitter = await submitter_of(runtime.db, settings, scene.lead.id)
    async with runtime.db.transaction() as session:
        await workflow.withdraw(session, lead_submitter, scene.lead.id, "", "vi")
    inbox = f"/inbox/{scene.duplicate.id}"

    await sign_in_reviewer(client, "UBND-HA-NOI")
    page = (await client.get(inbox)).text
    assert _notes(page)[-2:] == [MERGED_VI, REOPENED_VI]
    assert scene.lead.tracking_code not in page
    client.cookies.clear()
    await sign_in_secretariat(client)
    assert _notes((await client.get(inbox)).text)[-2:] == [scene.lead.tracking_code] * 2
