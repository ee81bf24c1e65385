"""Hypothesis over the form handlers: never a 500, refusals name the field, nothing partial stored.

Each door gets values that are sometimes right and sometimes anything at all: /submit with random
fields and uploads of random bytes, /login, the /track lookup, the reviewer's /inbox steps and the
secretariat's search query strings.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlmodel import func, select

from service.app import create_app
from service.db import Database
from service.proposals.models import Proposal
from service.settings import Settings
from tests.factories import form_data, submitted_and_routed
from tests.web.helpers import sign_in_reviewer, sign_in_secretariat
from tests.web_client import csrf_token
from web.labels import field_labels

_FUZZ = hypothesis_settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_ERROR_LINK = re.compile(r'<li><a href="#([^"]+)">')
_KNOWN_FIELDS = set(field_labels(lambda text: text))
_STEP_FIELDS = {"text", "question", "reason", "note", "agencyCode", "intoCode", "cooperating"}
_STEPS = ["acknowledge", "respond", "request-information", "decline", "note", "assign"]
_STEPS += ["transfer", "reject", "merge", "reopen", "close", "extend"]


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: the forms' database work is proven on both databases in their own tests."""
    path = tmp_path / "intake.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@dataclass(frozen=True)
class Pages:
    db: Database
    visitor: httpx.AsyncClient
    reviewer: httpx.AsyncClient
    secretariat: httpx.AsyncClient
    tokens: dict[str, str]
    proposal_ids: tuple[int, ...]


async def _open(settings: Settings, stack: AsyncExitStack) -> Pages:
    unlimited = settings.model_copy(
        update={"rate_submissions_per_hour": 0, "rate_logins_per_15_minutes": 0}
    )
    app = create_app(unlimited)
    await stack.enter_async_context(app.router.lifespan_context(app))
    db: Database = app.state.runtime.db
    routed = [await submitted_and_routed(db, settings, email=f"f{n}@example.com") for n in (1, 2)]

    async def client() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app)
        http = httpx.AsyncClient(transport=transport, base_url="http://intake.test")
        return await stack.enter_async_context(http)

    visitor, reviewer, secretariat = await client(), await client(), await client()
    await sign_in_reviewer(reviewer)
    await sign_in_secretariat(secretariat)
    tokens = {
        "visitor": await csrf_token(visitor),
        "reviewer": await csrf_token(reviewer, "/inbox"),
    }
    return Pages(db, visitor, reviewer, secretariat, tokens, tuple(p.id for p in routed if p.id))


@contextmanager
def running_pages(settings: Settings) -> Iterator[tuple[asyncio.Runner, Pages]]:
    """Hypothesis runs examples synchronously: each is one run() on a loop of the test's own."""
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        try:
            yield runner, runner.run(_open(settings, stack))
        finally:
            runner.run(stack.aclose())


async def _proposal_count(db: Database) -> int:
    async with db.session() as session:
        count: int = (await session.exec(select(func.count()).select_from(Proposal))).one()
    return count


def _named_fields(page: str) -> set[str]:
    return set(_ERROR_LINK.findall(page))


def _sometimes(valid: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(valid), st.text(max_size=60), st.just(""))


_VALID = form_data()
_SUBMISSIONS = st.fixed_dictionaries(
    {name: _sometimes(value) for name, value in _VALID.items()}
    | {"website": st.one_of(st.just(""), st.text(min_size=1, max_size=10))}
)
_UPLOADS = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["a.pdf", "b.png", "c.docx", "d.exe"]), st.text(max_size=20)),
        st.one_of(st.binary(max_size=2048), st.binary(max_size=512).map(b"%PDF-1.4\n".__add__)),
    ),
    max_size=2,
)


def test_submissions_are_stored_whole_or_refused_naming_the_field(settings: Settings) -> None:
    with running_pages(settings) as (runner, pages):

        @_FUZZ
        @given(fields=_SUBMISSIONS, uploads=_UPLOADS)
        def check(fields: dict[str, str], uploads: list[tuple[str, bytes]]) -> None:
            before = runner.run(_proposal_count(pages.db))
            files = [("attachments", (name or "file", data)) for name, data in uploads]
            response = runner.run(
                pages.visitor.post(
                    "/submit",
                    data={**fields, "csrf_token": pages.tokens["visitor"]},
                    files=files or None,
                )
            )
            after = runner.run(_proposal_count(pages.db))
            if response.status_code == 303:
                assert after == before + 1
                return
            assert response.status_code == 422, response.text
            assert after == before
            named = _named_fields(response.text)
            assert named, response.text
            assert named <= _KNOWN_FIELDS
            if fields["title"].isprintable():
                assert f'value="{escape(fields["title"])}"' in response.text

        check()


def test_sign_in_tracking_and_search_never_fail(settings: Settings) -> None:
    with running_pages(settings) as (runner, pages):
        # compare_digest refuses non-ASCII str: a token like this once raised instead of a 403.
        forged = runner.run(
            pages.visitor.post("/login", data={"csrf_token": "tôi", "email": "", "password": ""})
        )
        assert forged.status_code == 403

        # Password hashing makes each attempt slow on purpose: fewer examples.
        @hypothesis_settings(_FUZZ, max_examples=8)
        @given(email=st.text(max_size=40), password=st.text(max_size=40))
        def sign_in(email: str, password: str) -> None:
            data = {"csrf_token": pages.tokens["visitor"], "email": email, "password": password}
            login = runner.run(pages.visitor.post("/login", data=data))
            assert login.status_code == 401, login.text

        @_FUZZ
        @given(code=st.text(max_size=20))
        def track(code: str) -> None:
            tracked = runner.run(pages.visitor.get("/track", params={"code": code}))
            assert tracked.status_code in (200, 303, 404), tracked.text

        parameters = st.sampled_from(
            [
                *("q", "status", "kind", "category", "agency", "province", "submitter_type"),
                *("sort", "page", "overdue", "published", "from", "to", "format", "x"),
            ]
        )

        @_FUZZ
        @given(query=st.lists(st.tuples(parameters, st.text(max_size=30)), max_size=6))
        def search(query: list[tuple[str, str]]) -> None:
            params = httpx.QueryParams(tuple(query))
            found = runner.run(pages.secretariat.get("/secretariat/search", params=params))
            assert found.status_code in (200, 422), found.text
            if found.status_code == 422:
                assert _named_fields(found.text) <= {"from", "to"}

        sign_in()
        track()
        search()


def test_inbox_steps_never_fail_and_refusals_name_the_field(settings: Settings) -> None:
    with running_pages(settings) as (runner, pages):
        ids = st.one_of(
            st.sampled_from([str(i) for i in pages.proposal_ids]),
            st.integers(min_value=0, max_value=10**6).map(str),
        )
        steps = st.one_of(st.sampled_from(_STEPS), st.text(min_size=1, max_size=12))
        values = st.one_of(
            st.sampled_from(["BKHCN", "BCA", "HA-NOI", "yes", "Đã tiếp nhận và xử lý.", ""]),
            st.text(max_size=40),
        )

        @_FUZZ
        @given(
            proposal=ids,
            step=steps,
            fields=st.dictionaries(st.sampled_from(sorted(_STEP_FIELDS | {"publish"})), values),
        )
        def check(proposal: str, step: str, fields: dict[str, str]) -> None:
            path = f"/inbox/{proposal}/{quote(step, safe='')}"
            response = runner.run(
                pages.reviewer.post(path, data={**fields, "csrf_token": pages.tokens["reviewer"]})
            )
            assert response.status_code in (303, 403, 404, 405, 409, 422), response.text
            if response.status_code == 403:  # a step that is not the reviewer's, not the token
                assert "Bạn không có quyền thực hiện bước này" in response.text, response.text
            if response.status_code == 422:
                assert _named_fields(response.text) <= _STEP_FIELDS | {"days", "attachments"}

        check()
