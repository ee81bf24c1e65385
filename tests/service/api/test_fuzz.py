"""Generated operations from graphql/schema.graphql through the whole application.

hypothesis-graphql builds valid queries and mutations; IDs, strings and dates are drawn partly
from the seeded data so that operations reach real rows, not only "not found". Whoever calls,
nothing answers 500 or carries an unmasked exception, and a reviewer of agency A (or an
anonymous caller) never sees a word of agency B's unpublished submission.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from search.documents import index_proposal
from service.accounts.models import Role
from service.api.protection import INTERNAL_SERVER_ERROR
from service.app import create_app
from service.db import Database
from service.settings import Settings
from tests.factories import agency_id, submitted_and_routed
from tests.fixtures.api import bearer

SCHEMA = graphql.build_schema(
    (Path(__file__).resolve().parents[3] / "graphql" / "schema.graphql").read_text("utf-8")
)
# Words only agency B's unpublished submission holds; none is ever sent in a request.
B_MARKERS = ("Zqxbmarkertitle", "Zqxbmarkerbody", "zqxb.secret@example.com", "Zqxb Bimat")
# A word of that submission that generated searches use: finding it must not show the markers.
B_SEARCH_WORD = "xylophonic"
_FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: the database doors are proven on both in their own tests; this is volume."""
    path = tmp_path / "intake.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@dataclass(frozen=True)
class World:
    client: httpx.AsyncClient
    callers: dict[str, dict[str, str]]
    ids: tuple[str, ...]
    codes: tuple[str, ...]


def _global_id(proposal_id: int | None) -> str:
    return base64.b64encode(f"Proposal:{proposal_id}".encode()).decode()


async def _open_world(settings: Settings, stack: AsyncExitStack) -> World:
    unlimited = settings.model_copy(
        update={"rate_api_per_minute": 0, "rate_submissions_per_hour": 0}
    )
    app = create_app(unlimited)
    await stack.enter_async_context(app.router.lifespan_context(app))
    runtime = app.state.runtime
    db: Database = runtime.db
    own = await submitted_and_routed(db, settings, title="Quỹ số cho doanh nghiệp nhỏ")
    published = await submitted_and_routed(
        db, settings, title="Công khai hạ tầng số", consent_to_publish=True
    )
    hidden = await submitted_and_routed(
        db,
        settings,
        category="CYBERSECURITY",
        title=f"An ninh mạng {B_MARKERS[0]} {B_SEARCH_WORD}",
        description=f"Tấn công mạng vào hệ thống an ninh mạng quốc gia. {B_MARKERS[1]}",
        email=B_MARKERS[2],
        name=B_MARKERS[3],
    )
    assert hidden.agency_id == await agency_id(db, "BCA")
    assert own.agency_id == await agency_id(db, "BKHCN")
    async with db.session() as session:
        for proposal in (own, published, hidden):
            assert proposal.id is not None
            await index_proposal(session, runtime.search, proposal.id)
    callers = {
        "anonymous": {},
        "reviewer of BKHCN": await bearer(db, Role.REVIEWER, "BKHCN", "fuzz-a"),
        "secretariat": await bearer(db, Role.SECRETARIAT, None, "fuzz-s"),
    }
    transport = httpx.ASGITransport(app=app)
    http = await stack.enter_async_context(
        httpx.AsyncClient(transport=transport, base_url="http://intake.test")
    )
    return World(
        client=http,
        callers=callers,
        ids=tuple(_global_id(p.id) for p in (own, published, hidden)),
        codes=(own.tracking_code, published.tracking_code),
    )


@contextmanager
def running_world(settings: Settings) -> Iterator[tuple[asyncio.Runner, World]]:
    """Hypothesis runs examples synchronously: each is one run() on a loop of the test's own."""
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        try:
            yield runner, runner.run(_open_world(settings, stack))
        finally:
            runner.run(stack.aclose())


def _string_nodes(values: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return values.map(lambda value: graphql.StringValueNode(value=value))


def _scalars(world: World) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    words = st.sampled_from(
        [*world.codes, B_SEARCH_WORD, "BCA", "BKHCN", "CYBERSECURITY", "HA-NOI", "an ninh", ""]
    )
    dates = st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat())
    return {
        "ID": _string_nodes(st.one_of(st.sampled_from(world.ids), st.text(max_size=12))),
        "String": _string_nodes(st.one_of(words, st.text(max_size=40))),
        "DateTime": _string_nodes(st.one_of(dates, st.text(max_size=12))),
        "Date": _string_nodes(st.one_of(st.dates().map(str), st.text(max_size=12))),
    }


def _operations(world: World, mutating: bool) -> st.SearchStrategy[str]:
    scalars = _scalars(world)
    generated = queries(SCHEMA, custom_scalars=scalars)
    if mutating:
        generated = st.one_of(generated, mutations(SCHEMA, custom_scalars=scalars))
    return generated


async def _send(world: World, caller: str, document: str) -> str:
    response = await world.client.post(
        "/graphql", json={"query": document}, headers=world.callers[caller]
    )
    assert response.status_code in (200, 400), (caller, document, response.text)
    body = response.json()
    codes = [
        (error.get("extensions") or {}).get("code") for error in body.get("errors") or () if error
    ]
    assert INTERNAL_SERVER_ERROR not in codes, (caller, document, body)
    assert "Traceback" not in response.text
    return json.dumps(body, ensure_ascii=False)


def test_generated_operations_never_fail_or_show_another_agencys_submission(
    settings: Settings,
) -> None:
    with running_world(settings) as (runner, world):
        # The markers are there to be found: the secretariat sees them, agency A does not.
        hidden = f'{{ proposal(id: "{world.ids[2]}") {{ title description }} }}'
        assert B_MARKERS[0] in runner.run(_send(world, "secretariat", hidden))
        assert runner.run(_send(world, "reviewer of BKHCN", hidden)) == (
            '{"data": {"proposal": null}}'
        )

        @_FUZZ
        @given(
            caller=st.sampled_from(["anonymous", "reviewer of BKHCN"]),
            document=_operations(world, mutating=True),
        )
        def check(caller: str, document: str) -> None:
            text = runner.run(_send(world, caller, document))
            for marker in B_MARKERS:
                assert marker not in text, (caller, document, text)

        check()


def test_generated_operations_of_the_secretariat_never_fail(settings: Settings) -> None:
    with running_world(settings) as (runner, world):

        @hypothesis_settings(_FUZZ, max_examples=40)
        @given(document=_operations(world, mutating=True))
        def check(document: str) -> None:
            runner.run(_send(world, "secretariat", document))

        check()
