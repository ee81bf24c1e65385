"""Every request the Meilisearch backend sends, checked against Meilisearch's documented API.

A real HTTP server on 127.0.0.1 records each request and answers as the documentation says
Meilisearch answers (enqueued task objects, task states, search responses). It stands in for
the server only as a recorder: what is tested is our side of the protocol.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from search.base import SearchError, SearchFilters, SearchScope
from search.meili import SETTINGS, MeiliSearch, filter_expression, meili_document, tenant_token
from tests.search.test_conformance import CORPUS, PAST, START, document

INDEX = "proposals"
KEY = "master-key-for-tests"
SEARCH_KEY = "d0552b41536279a0ad88bd595327b96f01176a60c2243e906c52ac02375f9bc4"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None


@dataclass
class FakeMeilisearch:
    """Records requests; answers with documented response shapes."""

    requests: list[Recorded] = field(default_factory=list)
    failed_tasks: dict[int, dict[str, str]] = field(default_factory=dict)
    search_response: dict[str, Any] = field(default_factory=dict)
    search_status: int = 200
    documents_pages: list[dict[str, Any]] = field(default_factory=list)
    processing_polls: int = 0
    _task_types: dict[int, str] = field(default_factory=dict)
    _polls: dict[int, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.requests.clear()
        self.failed_tasks.clear()
        self.search_response = {}
        self.search_status = 200
        self.documents_pages.clear()
        self.processing_polls = 0
        self._task_types.clear()
        self._polls.clear()

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]

    async def handle(self, request: Request) -> JSONResponse:
        raw = await request.body()
        self.requests.append(
            Recorded(
                method=request.method,
                path=request.url.path,
                query=dict(request.query_params),
                body=json.loads(raw) if raw else None,
                authorization=request.headers.get("authorization"),
            )
        )
        path = request.url.path
        if request.method == "GET" and path.startswith("/tasks/"):
            return self._task(int(path.removeprefix("/tasks/")))
        if path.endswith("/search"):
            return JSONResponse(self.search_response, status_code=self.search_status)
        if request.method == "GET" and path.endswith("/documents"):
            return JSONResponse(self.documents_pages.pop(0))
        return self._enqueue(request.method, path)

    def _enqueue(self, method: str, path: str) -> JSONResponse:
        uid = len(self._task_types)
        kind = {
            ("POST", "/indexes"): "indexCreation",
            ("POST", "/swap-indexes"): "indexSwap",
        }.get((method, path))
        if kind is None:
            kind = {
                "PATCH": "settingsUpdate",
                "DELETE": "indexDeletion",
            }.get(method, "documentAdditionOrUpdate")
        if path.endswith("/delete-batch"):
            kind = "documentDeletion"
        self._task_types[uid] = kind
        index = path.split("/")[2] if path.startswith("/indexes/") else None
        return JSONResponse(
            {
                "taskUid": uid,
                "indexUid": index,
                "status": "enqueued",
                "type": kind,
                "enqueuedAt": "2026-03-02T08:00:00.000000Z",
            },
            status_code=202,
        )

    def _task(self, uid: int) -> JSONResponse:
        self._polls[uid] = self._polls.get(uid, 0) + 1
        task: dict[str, Any] = {"uid": uid, "type": self._task_types[uid]}
        if self._polls[uid] <= self.processing_polls:
            task["status"] = "processing"
        elif uid in self.failed_tasks:
            task.update(status="failed", error=self.failed_tasks[uid])
        else:
            task.update(status="succeeded", error=None)
        return JSONResponse(task)


@pytest.fixture(scope="module")
async def fake_server() -> AsyncIterator[tuple[FakeMeilisearch, str]]:
    recorder = FakeMeilisearch()
    app = Starlette(
        routes=[
            Route(
                "/{path:path}",
                recorder.handle,
                methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            )
        ]
    )
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="error", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    # Listening before the server starts: a request sent meanwhile waits in the backlog.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        yield recorder, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        listener.close()


@pytest.fixture
def fake(fake_server: tuple[FakeMeilisearch, str]) -> tuple[FakeMeilisearch, str]:
    fake_server[0].reset()
    return fake_server


@pytest.fixture
async def meili(fake: tuple[FakeMeilisearch, str]) -> AsyncIterator[MeiliSearch]:
    backend = MeiliSearch(fake[1], KEY, INDEX)
    yield backend
    await backend.close()


async def test_setup_creates_the_index_and_applies_its_settings(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake

    await meili.setup()

    assert recorder.calls() == [
        ("POST", "/indexes"),
        ("GET", "/tasks/0"),
        ("PATCH", "/indexes/proposals/settings"),
        ("GET", "/tasks/1"),
    ]
    create, _, settings, _ = recorder.requests
    assert create.body == {"uid": "proposals", "primaryKey": "id"}
    assert create.authorization == f"Bearer {KEY}"
    assert settings.body == {
        "searchableAttributes": ["title_folded", "description_folded"],
        "filterableAttributes": [
            "status",
            "kind",
            "category",
            "agency",
            "agencies",
            "province",
            "submitter_type",
            "published",
            "created_ts",
            "deadline_ts",
            "tracking_code",
        ],
        "sortableAttributes": ["created_ts", "deadline_ts", "id"],
        "rankingRules": [
            "words",
            "sort",
            "typo",
            "proximity",
            "attribute",
            "exactness",
            "created_ts:desc",
            "id:desc",
        ],
        "typoTolerance": {
            "enabled": True,
            "disableOnNumbers": True,
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        },
        "faceting": {"maxValuesPerFacet": 1000},
        "pagination": {"maxTotalHits": 1_000_000},
    }
    assert settings.body == SETTINGS


async def test_setup_accepts_an_existing_index(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.failed_tasks[0] = {
        "message": "Index `proposals` already exists.",
        "code": "index_already_exists",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#index_already_exists",
    }

    await meili.setup()

    assert recorder.calls()[-2:] == [("PATCH", "/indexes/proposals/settings"), ("GET", "/tasks/1")]


async def test_waiting_polls_until_the_task_is_done(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.processing_polls = 2

    await meili.delete([3, 1, 3])

    assert recorder.calls() == [
        ("POST", "/indexes/proposals/documents/delete-batch"),
        ("GET", "/tasks/0"),
        ("GET", "/tasks/0"),
        ("GET", "/tasks/0"),
    ]
    assert recorder.requests[0].body == [1, 3]


async def test_a_failed_task_raises_search_error_with_meilisearchs_message(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.failed_tasks[0] = {
        "message": "Document identifier `x` is invalid.",
        "code": "invalid_document_id",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#invalid_document_id",
    }

    with pytest.raises(
        SearchError,
        match=r"^Meilisearch task 0 \(documentAdditionOrUpdate\) failed: Document identifier"
        r" `x` is invalid\. \[invalid_document_id\]$",
    ):
        await meili.index([CORPUS[0]])


async def test_an_error_response_raises_search_error(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.search_status = 400
    recorder.search_response = {
        "message": "Attribute `deadline_ts` is not filterable.",
        "code": "invalid_search_filter",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#invalid_search_filter",
    }

    with pytest.raises(
        SearchError,
        match=r"^Meilisearch POST /indexes/proposals/search: 400 Attribute `deadline_ts` is not"
        r" filterable\. \[invalid_search_filter\]$",
    ):
        await meili.search("", SearchScope.public())


async def test_a_closed_backend_refuses_work(meili: MeiliSearch) -> None:
    await meili.close()
    await meili.close()

    with pytest.raises(SearchError, match="Meilisearch search is closed"):
        await meili.search("", SearchScope.public())


async def test_an_unreachable_server_raises_search_error() -> None:
    backend = MeiliSearch("http://127.0.0.1:9", KEY, INDEX, timeout_seconds=2)
    try:
        with pytest.raises(SearchError, match=r"^Meilisearch POST /indexes/proposals/search: "):
            await backend.search("", SearchScope.public())
    finally:
        await backend.close()


async def test_documents_are_sent_with_folded_fields(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    moved = document(
        9,
        "Đường  <b>sắt</b> đô thị",
        "Цифровая ĐỔI mới",
        agency="BGTVT",
        agencies=("BXD",),
        deadline=PAST,
    )

    await meili.index([CORPUS[0], moved, moved])

    assert recorder.calls() == [("POST", "/indexes/proposals/documents"), ("GET", "/tasks/0")]
    sent = recorder.requests[0]
    assert sent.query == {"primaryKey": "id"}
    assert [item["id"] for item in sent.body] == [1, 9]
    assert sent.body[1] == {
        "id": 9,
        "tracking_code": "DX00000009",
        "kind": "PROPOSAL",
        "status": "SUBMITTED",
        "title": "Đường  <b>sắt</b> đô thị",
        "description": "Цифровая ĐỔI mới",
        "title_folded": "duong b sat b do thi",
        "description_folded": "цифровая doi moi",
        "category": "CDS",
        "province": "HA-NOI",
        "agency": "BGTVT",
        "agencies": ["BGTVT", "BXD"],
        "submitter_type": "CITIZEN",
        "published": True,
        "created_at": "2026-03-02T17:00:00.000000+00:00",
        "created_ts": 1772470800000000,
        "deadline": "2020-01-01T00:00:00.000000+00:00",
        "fingerprint": meili_document(moved)["fingerprint"],
        "deadline_ts": 1577836800000000,
    }


async def test_a_document_without_deadline_has_no_deadline_timestamp() -> None:
    sent = meili_document(document(5, "x"))

    assert sent["deadline"] is None
    assert "deadline_ts" not in sent


SEARCH_RESPONSE = {
    "hits": [
        {
            "id": 7,
            "tracking_code": "DX00000007",
            "title": "Regulatory sandbox for fintech startups",
            "description": "The sandbox licence took six months.",
            "kind": "PROPOSAL",
            "status": "NEEDS_INFO",
            "category": "STARTUP",
            "agency": "NHNN",
            "province": "HCM",
            "submitter_type": "ENTERPRISE",
            "published": False,
            "created_at": "2026-03-02T15:00:00.000000+00:00",
            "deadline": "2020-01-01T00:00:00.000000+00:00",
            "_rankingScore": 0.75,
        }
    ],
    "query": "sandbox",
    "processingTimeMs": 1,
    "hitsPerPage": 20,
    "page": 1,
    "totalPages": 1,
    "totalHits": 1,
    "facetDistribution": {"status": {"NEEDS_INFO": 1}, "published": {"false": 1}},
}


async def test_search_request_and_response(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.search_response = SEARCH_RESPONSE

    result = await meili.search(
        "SANDBOX",
        SearchScope.agency("NHNN", 'X" OR published = false'),
        filters=SearchFilters(statuses=frozenset({"NEEDS_INFO"}), provinces=frozenset({"HCM"})),
        facets=["status", "published"],
    )

    assert recorder.calls() == [("POST", "/indexes/proposals/search")]
    assert recorder.requests[0].body == {
        "q": "sandbox",
        "matchingStrategy": "all",
        "page": 1,
        "hitsPerPage": 20,
        "attributesToRetrieve": [
            "id",
            "tracking_code",
            "title",
            "description",
            "kind",
            "status",
            "category",
            "agency",
            "province",
            "submitter_type",
            "published",
            "created_at",
            "deadline",
        ],
        "showRankingScore": True,
        "filter": (
            '(published = true OR agencies IN ["NHNN", "X\\" OR published = false"])'
            ' AND status IN ["NEEDS_INFO"] AND province IN ["HCM"]'
        ),
        "facets": ["status", "published"],
    }
    [hit] = result.hits
    assert (hit.id, hit.tracking_code, hit.status, hit.published, hit.score) == (
        7,
        "DX00000007",
        "NEEDS_INFO",
        False,
        0.75,
    )
    assert (hit.created_at, hit.deadline) == (START + timedelta(hours=7), PAST)
    assert hit.snippet == "The <mark>sandbox</mark> licence took six months."
    assert result.total == 1
    assert result.facets == {"status": {"NEEDS_INFO": 1}, "published": {"false": 1}}


@pytest.mark.parametrize(
    ("query", "sort", "limit", "offset", "expected"),
    [
        (
            "",
            "relevance",
            20,
            0,
            {"page": 1, "hitsPerPage": 20, "sort": ["created_ts:desc", "id:desc"]},
        ),
        ("x", "relevance", 10, 30, {"page": 4, "hitsPerPage": 10}),
        (
            "x",
            "newest",
            10,
            5,
            {"page": 1, "hitsPerPage": 15, "sort": ["created_ts:desc", "id:desc"]},
        ),
        (
            "x",
            "deadline",
            0,
            40,
            {
                "page": 1,
                "hitsPerPage": 0,
                "sort": ["deadline_ts:asc", "created_ts:desc", "id:desc"],
            },
        ),
    ],
)
async def test_pages_and_sorts(
    fake: tuple[FakeMeilisearch, str],
    meili: MeiliSearch,
    query: str,
    sort: str,
    limit: int,
    offset: int,
    expected: dict[str, Any],
) -> None:
    recorder, _ = fake
    recorder.search_response = {**SEARCH_RESPONSE, "hits": [], "totalHits": 0}

    await meili.search(query, SearchScope.secretariat(), limit=limit, offset=offset, sort=sort)  # type: ignore[arg-type]

    body = recorder.requests[0].body
    assert {key: body[key] for key in ("page", "hitsPerPage", "sort") if key in body} == expected
    assert "filter" not in body


async def test_an_offset_between_pages_is_cut_from_the_first_page(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    hit = SEARCH_RESPONSE["hits"][0]  # type: ignore[index]
    recorder.search_response = {
        **SEARCH_RESPONSE,
        "hits": [{**hit, "id": number} for number in range(1, 9)],
        "totalHits": 8,
    }

    result = await meili.search("x", SearchScope.secretariat(), limit=3, offset=5)

    assert recorder.requests[0].body["hitsPerPage"] == 8
    assert [h.id for h in result.hits] == [6, 7, 8]
    assert result.total == 8


def test_filters_in_meilisearch_syntax() -> None:
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    filters = SearchFilters(
        kinds=frozenset({"OBSTACLE", "PROPOSAL"}),
        categories=frozenset({'a\\" OR 1 = 1'}),
        agencies=frozenset({"BKHCN"}),
        submitter_types=frozenset({"CITIZEN"}),
        created_from=START,
        created_to=START + timedelta(days=1),
        overdue=False,
        published=True,
    )

    assert filter_expression(SearchScope.public(), filters, now) == (
        "published = true"
        ' AND kind IN ["OBSTACLE", "PROPOSAL"]'
        ' AND category IN ["a\\\\\\" OR 1 = 1"]'
        ' AND agency IN ["BKHCN"]'
        ' AND submitter_type IN ["CITIZEN"]'
        " AND created_ts >= 1772438400000000"
        " AND created_ts < 1772524800000000"
        " AND NOT (deadline_ts < 1772438400000000"
        ' AND status IN ["ACKNOWLEDGED", "ROUTED"])'
        " AND published = true"
    )
    assert filter_expression(SearchScope.secretariat(), SearchFilters(overdue=True), now) == (
        '(deadline_ts < 1772438400000000 AND status IN ["ACKNOWLEDGED", "ROUTED"])'
    )
    assert filter_expression(SearchScope.secretariat(), SearchFilters(), now) == ""


async def test_fingerprints_page_through_the_documents(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.documents_pages = [
        {
            "results": [{"id": 1, "fingerprint": "a"}, {"id": 2, "fingerprint": "b"}],
            "offset": 0,
            "limit": 5000,
            "total": 3,
        },
        {"results": [{"id": 3, "fingerprint": "c"}], "offset": 2, "limit": 5000, "total": 3},
    ]

    assert await meili.fingerprints() == {1: "a", 2: "b", 3: "c"}
    assert [(r.method, r.path, r.query) for r in recorder.requests] == [
        (
            "GET",
            "/indexes/proposals/documents",
            {"fields": "id,fingerprint", "limit": "5000", "offset": "0"},
        ),
        (
            "GET",
            "/indexes/proposals/documents",
            {"fields": "id,fingerprint", "limit": "5000", "offset": "2"},
        ),
    ]


async def test_rebuild_fills_a_fresh_index_and_swaps_it_in(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.failed_tasks[0] = {"message": "exists", "code": "index_already_exists"}
    recorder.failed_tasks[2] = {"message": "missing", "code": "index_not_found"}

    count = await meili.rebuild([CORPUS[:5], CORPUS[5:]])

    assert count == 8
    assert [call for call in recorder.calls() if call[0] != "GET"] == [
        ("POST", "/indexes"),
        ("PATCH", "/indexes/proposals/settings"),
        ("DELETE", "/indexes/proposals_rebuild"),
        ("POST", "/indexes"),
        ("PATCH", "/indexes/proposals_rebuild/settings"),
        ("POST", "/indexes/proposals_rebuild/documents"),
        ("POST", "/indexes/proposals_rebuild/documents"),
        ("POST", "/swap-indexes"),
        ("DELETE", "/indexes/proposals_rebuild"),
    ]
    bodies = [r.body for r in recorder.requests if r.method == "POST"]
    assert bodies[0] == {"uid": "proposals", "primaryKey": "id"}
    assert bodies[1] == {"uid": "proposals_rebuild", "primaryKey": "id"}
    assert [len(body) for body in bodies[2:4]] == [5, 3]
    assert bodies[4] == [{"indexes": ["proposals", "proposals_rebuild"]}]
    # Every task was waited for before the next request.
    waited = [r.path for r in recorder.requests if r.method == "GET"]
    assert waited == [f"/tasks/{uid}" for uid in range(9)]


async def test_rebuild_stops_before_the_swap_when_a_batch_fails(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.failed_tasks[5] = {"message": "disk full", "code": "no_space_left_on_device"}

    with pytest.raises(SearchError, match=r"task 5 \(documentAdditionOrUpdate\) failed: disk full"):
        await meili.rebuild([CORPUS])

    assert ("POST", "/swap-indexes") not in recorder.calls()


def test_tenant_token_claims() -> None:
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    token = tenant_token(
        SearchScope.agency("BKHCN", "UBND-HA-NOI"),
        index_name="proposals",
        api_key=SEARCH_KEY,
        api_key_uid="85c3c2f9-bdd6-41f1-abd8-11fcf80e0f76",
        expires_in=timedelta(minutes=10),
        now=now,
    )

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, SEARCH_KEY, algorithms=["HS256"], options={"verify_exp": False})
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims == {
        "searchRules": {
            "proposals": {"filter": '(published = true OR agencies IN ["BKHCN", "UBND-HA-NOI"])'}
        },
        "apiKeyUid": "85c3c2f9-bdd6-41f1-abd8-11fcf80e0f76",
        "exp": int((now + timedelta(minutes=10)).timestamp()),
    }
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "b" * 64, algorithms=["HS256"], options={"verify_exp": False})


def test_tenant_token_for_the_public_and_the_secretariat() -> None:
    def rules(scope: SearchScope) -> Any:
        token = tenant_token(scope, index_name="p", api_key=SEARCH_KEY, api_key_uid="u")
        return jwt.decode(token, SEARCH_KEY, algorithms=["HS256"])["searchRules"]

    assert rules(SearchScope.public()) == {"p": {"filter": "published = true"}}
    assert rules(SearchScope.secretariat()) == {"p": {}}


@pytest.mark.parametrize("expires_in", [timedelta(0), timedelta(hours=2)])
def test_tenant_tokens_are_short_lived(expires_in: timedelta) -> None:
    with pytest.raises(ValueError, match="between 0 and 1 hour"):
        tenant_token(
            SearchScope.public(),
            index_name="p",
            api_key="k",
            api_key_uid="u",
            expires_in=expires_in,
        )


def test_tenant_token_needs_a_key() -> None:
    with pytest.raises(ValueError, match="needs a search API key and its uid"):
        tenant_token(SearchScope.public(), index_name="p", api_key="", api_key_uid="u")


async def test_a_last_word_of_one_letter_is_sent_as_a_whole_word(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.search_response = SEARCH_RESPONSE

    await meili.search("chuyen doi s", SearchScope.secretariat())
    await meili.search("chuyen doi so", SearchScope.secretariat())

    # A trailing space tells Meilisearch the last word is complete.
    assert [request.body["q"] for request in recorder.requests] == [
        "chuyen doi s ",
        "chuyen doi so",
    ]


async def test_a_tracking_code_is_looked_up_by_filter_first(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.search_response = SEARCH_RESPONSE

    result = await meili.search(
        "  tern-mt2x-hd ",
        SearchScope.agency("NHNN"),
        filters=SearchFilters(published=False),
        facets=["status"],
    )

    # One request: the code found, within the scope and the filters, is the whole result.
    assert recorder.calls() == [("POST", "/indexes/proposals/search")]
    body = recorder.requests[0].body
    assert (body["q"], body["page"], body["hitsPerPage"], body["sort"], body["facets"]) == (
        "",
        1,
        20,
        ["created_ts:desc", "id:desc"],
        ["status"],
    )
    assert body["filter"] == (
        'tracking_code = "TERNMT2XHD" AND (published = true OR agencies IN ["NHNN"])'
        " AND published = false"
    )
    assert [hit.id for hit in result.hits] == [7]
    assert result.hits[0].score == 0.0
    assert result.hits[0].snippet == "The sandbox licence took six months."
    assert (result.total, result.facets) == (1, {"status": {"NEEDS_INFO": 1}})


async def test_a_code_that_finds_nothing_is_searched_as_words(
    fake: tuple[FakeMeilisearch, str], meili: MeiliSearch
) -> None:
    recorder, _ = fake
    recorder.search_response = {**SEARCH_RESPONSE, "hits": [], "totalHits": 0}

    await meili.search("Department", SearchScope.secretariat())
    await meili.search("sandbox", SearchScope.secretariat())
    await meili.search("TERNMT2XHD", SearchScope.secretariat(), match="any")

    assert [(r.body["q"], r.body.get("filter")) for r in recorder.requests] == [
        ("", 'tracking_code = "DEPARTMENT"'),
        ("department", None),
        ("sandbox", None),  # not shaped like a code: no lookup
        ("ternmt2xhd", None),  # similar titles compare words only
    ]
