"""Search with Meilisearch, for deployments at scale, through its documented HTTP API.

The client is httpx's AsyncClient: the backend runs inside the web server's and the worker's
event loops, so every call must be awaitable without a thread per request, and one pooled
client keeps connections to Meilisearch open. The official async SDK (meilisearch-python-sdk)
is itself a wrapper around an httpx fork with a pydantic model per request; the handful of
documented endpoints used here are clearer written out, every byte sent is ours to test
against the documentation, and failures become SearchError in one place.

Documents carry the original title and description (shown on results pages) and folded copies
(`title_folded`, `description_folded`) that are searched: folded in Python exactly as the other
backends fold, so that đ -> d and the diacritics behave the same whatever Meilisearch's own
normalisation does. Snippets are cut from the original description in Python too (Meilisearch's
`_formatted` would mark the folded copy), so a hit reads the same from every backend. Words of
unspaced scripts (Thai) are left to Meilisearch's own segmenter, which splits them by dictionary.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterable, AsyncIterator, Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import httpx

from search.base import (
    CLOCK_RUNNING_STATUSES,
    SearchDocument,
    SearchError,
    SearchFilters,
    SearchHit,
    SearchResult,
    SearchScope,
    SearchSort,
    WordMatch,
    check_page,
    document_agencies,
    facet_names,
    fingerprint,
    tracking_code_query,
    utc,
)
from search.text import highlight, is_prefix, is_unspaced, normalize, query_terms, words

_T = TypeVar("_T")

BATCH_SIZE = 5_000
# Meilisearch stops paging (and counting) at maxTotalHits; it is set well above any page a
# person reads, so that `total` stays exact.
MAX_TOTAL_HITS = 1_000_000

SETTINGS: dict[str, Any] = {
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
        # A query that is a tracking code is looked up first, as a filter (exact, no typos).
        "tracking_code",
    ],
    "sortableAttributes": ["created_ts", "deadline_ts", "id"],
    # All words must match (matchingStrategy "all"), so `words` ranks nothing and an explicit
    # sort comes straight after it; ties in relevance go to the newest, as in the other backends.
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
    # Typos are forgiven in words, never in numbers (years, decree numbers, amounts); codes
    # (tracking codes, agency, category and province codes) are filters, which are exact.
    "typoTolerance": {
        "enabled": True,
        "disableOnNumbers": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
    },
    "faceting": {"maxValuesPerFacet": 1000},
    "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
}

_FILTER_ATTRIBUTES = {
    "status": "status",
    "kind": "kind",
    "category": "category",
    "agency": "agency",
    "province": "province",
    "submitter_type": "submitter_type",
}
_SORTS: dict[SearchSort, list[str]] = {
    "relevance": [],
    "newest": ["created_ts:desc", "id:desc"],
    "deadline": ["deadline_ts:asc", "created_ts:desc", "id:desc"],
}


class MeiliSearch:
    def __init__(
        self,
        url: str,
        api_key: str,
        index_name: str = "proposals",
        *,
        timeout_seconds: float = 10.0,
        task_timeout_seconds: float = 120.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=url.rstrip("/"), headers=headers, timeout=timeout_seconds
        )
        self.index_name = index_name
        self._task_timeout_seconds = task_timeout_seconds
        self._closed = False

    async def setup(self) -> None:
        await self._create_index(self.index_name)

    async def drop(self) -> None:
        """Delete the index and everything in it."""
        await self._delete_index(self.index_name)

    async def index(self, documents: Sequence[SearchDocument]) -> None:
        if not documents:
            return
        latest = {document.id: document for document in documents}
        await self._add_documents(self.index_name, list(latest.values()))

    async def delete(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        path = f"/indexes/{self.index_name}/documents/delete-batch"
        await self._wait(await self._request("POST", path, json=sorted(set(ids))))

    async def get_ids(self) -> set[int]:
        return set(await self.fingerprints())

    async def fingerprints(self) -> dict[int, str]:
        found: dict[int, str] = {}
        offset = 0
        while True:
            page = await self._request(
                "GET",
                f"/indexes/{self.index_name}/documents",
                params={"fields": "id,fingerprint", "limit": BATCH_SIZE, "offset": offset},
            )
            results = page["results"]
            for document in results:
                found[int(document["id"])] = str(document.get("fingerprint", ""))
            offset += len(results)
            if not results or offset >= int(page["total"]):
                return found

    async def search(
        self,
        query: str,
        scope: SearchScope,
        *,
        limit: int = 20,
        offset: int = 0,
        filters: SearchFilters | None = None,
        sort: SearchSort = "relevance",
        facets: bool | Collection[str] = False,
        match: WordMatch = "all",
        candidates: int | None = None,
    ) -> SearchResult:
        check_page(limit, offset, sort)
        # `candidates` is not passed on: Meilisearch has no per-search cap on what it counts
        # (maxTotalHits is index-wide, set high so that totals stay exact) and ranks by itself.
        terms = query_terms(query)
        names = facet_names(facets)
        chosen = filters or SearchFilters()
        now = datetime.now(UTC)
        code = tracking_code_query(query) if match == "all" else None
        if code is not None:
            # The submission with that code, when the caller may see it and the filters keep it,
            # is the whole result; otherwise the words are searched as usual.
            body = search_body([], scope, chosen, "newest", names, limit, offset, now, code=code)
            coded = await self._search(body, [], limit, offset, names)
            if coded.total:
                return coded
        body = search_body(terms, scope, chosen, sort, names, limit, offset, now, match=match)
        return await self._search(body, terms, limit, offset, names)

    async def _search(
        self,
        body: dict[str, Any],
        terms: list[str],
        limit: int,
        offset: int,
        facets: tuple[str, ...],
    ) -> SearchResult:
        response = await self._request("POST", f"/indexes/{self.index_name}/search", json=body)
        skip = offset - (body["page"] - 1) * body["hitsPerPage"]
        hits = response["hits"][skip : skip + limit]
        distribution = response.get("facetDistribution") or {}
        return SearchResult(
            hits=[_hit(hit, terms) for hit in hits],
            total=int(response["totalHits"]),
            facets={name: dict(distribution.get(name) or {}) for name in facets},
        )

    async def rebuild(
        self, batches: AsyncIterable[Sequence[SearchDocument]] | Iterable[Sequence[SearchDocument]]
    ) -> int:
        """Index everything into a fresh index, then swap it in: searches never see it half
        built. Returns the number of documents indexed."""
        await self._create_index(self.index_name)
        fresh = f"{self.index_name}_rebuild"
        await self._delete_index(fresh)
        await self._create_index(fresh)
        count = 0
        async for batch in _aiter(batches):
            await self._add_documents(fresh, batch)
            count += len(batch)
        swap = [{"indexes": [self.index_name, fresh]}]
        await self._wait(await self._request("POST", "/swap-indexes", json=swap))
        await self._delete_index(fresh)  # the old index, now under the fresh name
        return count

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._client.aclose()

    async def _create_index(self, uid: str) -> None:
        task = await self._request("POST", "/indexes", json={"uid": uid, "primaryKey": "id"})
        await self._wait(task, allow={"index_already_exists"})
        await self._wait(await self._request("PATCH", f"/indexes/{uid}/settings", json=SETTINGS))

    async def _delete_index(self, uid: str) -> None:
        await self._wait(
            await self._request("DELETE", f"/indexes/{uid}"), allow={"index_not_found"}
        )

    async def _add_documents(self, uid: str, documents: Sequence[SearchDocument]) -> None:
        for start in range(0, len(documents), BATCH_SIZE):
            batch = [meili_document(document) for document in documents[start : start + BATCH_SIZE]]
            task = await self._request(
                "POST", f"/indexes/{uid}/documents", params={"primaryKey": "id"}, json=batch
            )
            await self._wait(task)

    async def _wait(self, task: dict[str, Any], *, allow: Collection[str] = ()) -> None:
        """Wait for an enqueued task; a failed one raises SearchError unless its code is allowed."""
        uid = task["taskUid"]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._task_timeout_seconds
        pause = 0.005
        while True:
            state = await self._request("GET", f"/tasks/{uid}")
            status = state.get("status")
            if status == "succeeded":
                return
            if status in ("failed", "canceled"):
                error = state.get("error") or {}
                if error.get("code") in allow:
                    return
                raise SearchError(
                    f"Meilisearch task {uid} ({state.get('type')}) {status}:"
                    f" {error.get('message', 'no message')} [{error.get('code', 'no code')}]"
                )
            if loop.time() > deadline:
                raise SearchError(
                    f"Meilisearch task {uid} ({state.get('type')}) still {status} after"
                    f" {self._task_timeout_seconds:.0f} s"
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.25)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if self._closed:
            raise SearchError("Meilisearch search is closed")
        try:
            response = await self._client.request(method, path, json=json, params=params)
        except httpx.HTTPError as error:
            raise SearchError(f"Meilisearch {method} {path}: {error!r}") from error
        if response.status_code >= 400:
            try:
                detail = response.json()
                message = f"{detail.get('message')} [{detail.get('code')}]"
            except ValueError:
                message = response.text[:200]
            raise SearchError(f"Meilisearch {method} {path}: {response.status_code} {message}")
        return cast(dict[str, Any], response.json())


def meili_document(document: SearchDocument) -> dict[str, Any]:
    deadline = utc(document.deadline) if document.deadline else None
    body: dict[str, Any] = {
        "id": document.id,
        "tracking_code": document.tracking_code,
        "kind": document.kind,
        "status": document.status,
        "title": normalize(document.title),
        "description": normalize(document.description),
        "title_folded": " ".join(words(document.title)),
        "description_folded": " ".join(words(document.description)),
        "category": document.category,
        "province": document.province,
        "agency": document.agency,
        "agencies": sorted(document_agencies(document)),
        "submitter_type": document.submitter_type,
        "published": document.published,
        "created_at": utc(document.created_at).isoformat(timespec="microseconds"),
        "created_ts": _timestamp(document.created_at),
        "deadline": deadline.isoformat(timespec="microseconds") if deadline else None,
        "fingerprint": fingerprint(document),
    }
    # Left out rather than null: Meilisearch sorts documents without the field last.
    if deadline is not None:
        body["deadline_ts"] = _timestamp(deadline)
    return body


def _meili_query(terms: list[str]) -> str:
    # Meilisearch takes the last word as a prefix unless the query ends with a space: a last word
    # of one letter gets one, as the other backends match it as a whole word only.
    query = " ".join(terms)
    if terms and not is_unspaced(terms[-1]) and not is_prefix(terms[-1]):
        query += " "
    return query


def search_body(
    terms: list[str],
    scope: SearchScope,
    filters: SearchFilters,
    sort: SearchSort,
    facets: tuple[str, ...],
    limit: int,
    offset: int,
    now: datetime,
    *,
    match: WordMatch = "all",
    code: str | None = None,
) -> dict[str, Any]:
    """The documented search request: page mode, whose totalHits is exact. With `match`
    "any", Meilisearch drops the most frequent words until something matches; with `code`,
    only the documents with that tracking code match."""
    if limit == 0:
        page, per_page = 1, 0  # the count and facets only
    elif offset % limit == 0:
        page, per_page = offset // limit + 1, limit
    else:  # an offset between pages: the first offset + limit hits, cut in Python
        page, per_page = 1, offset + limit
    body: dict[str, Any] = {
        "q": _meili_query(terms),
        "matchingStrategy": "all" if match == "all" else "frequency",
        "page": page,
        "hitsPerPage": per_page,
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
    }
    expression = filter_expression(scope, filters, now)
    if code is not None:
        expression = " AND ".join(filter(None, [f"tracking_code = {_quote(code)}", expression]))
    if expression:
        body["filter"] = expression
    if facets:
        body["facets"] = list(facets)
    order = _SORTS["newest"] if sort == "relevance" and not terms else _SORTS[sort]
    if order:
        body["sort"] = order
    return body


def filter_expression(scope: SearchScope, filters: SearchFilters, now: datetime) -> str:
    """Meilisearch filter syntax; every value is a quoted, escaped string literal."""
    clauses = []
    scope_filter = scope_expression(scope)
    if scope_filter:
        clauses.append(scope_filter)
    for name, values in filters.choices().items():
        if values:
            clauses.append(f"{_FILTER_ATTRIBUTES[name]} IN {_list(values)}")
    if filters.created_from is not None:
        clauses.append(f"created_ts >= {_timestamp(filters.created_from)}")
    if filters.created_to is not None:
        clauses.append(f"created_ts < {_timestamp(filters.created_to)}")
    if filters.overdue is not None:
        overdue = f"(deadline_ts < {_timestamp(now)} AND status IN {_list(CLOCK_RUNNING_STATUSES)})"
        clauses.append(overdue if filters.overdue else f"NOT {overdue}")
    if filters.published is not None:
        clauses.append(f"published = {'true' if filters.published else 'false'}")
    return " AND ".join(clauses)


def scope_expression(scope: SearchScope) -> str:
    if scope.everything:
        return ""
    if scope.agencies:
        return f"(published = true OR agencies IN {_list(scope.agencies)})"
    return "published = true"


def tenant_token(
    scope: SearchScope,
    *,
    index_name: str,
    api_key: str,
    api_key_uid: str,
    expires_in: timedelta = timedelta(minutes=10),
    now: datetime | None = None,
) -> str:
    """A short-lived JWT an agency portal can search Meilisearch with directly: Meilisearch
    applies its searchRules filter (the caller's scope) to every search made with it.

    Signed (HS256) with a search API key, never the master key; `api_key_uid` is that key's uid.
    """
    if not api_key or not api_key_uid:
        raise ValueError("a tenant token needs a search API key and its uid")
    if expires_in <= timedelta(0) or expires_in > timedelta(hours=1):
        raise ValueError(f"a tenant token lives between 0 and 1 hour, not {expires_in}")
    rules: dict[str, Any] = {}
    expression = scope_expression(scope)
    if expression:
        rules["filter"] = expression
    issued = now or datetime.now(UTC)
    claims = {
        "searchRules": {index_name: rules},
        "apiKeyUid": api_key_uid,
        "exp": int((issued + expires_in).timestamp()),
    }
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = f"{_base64url(header)}.{_base64url(claims)}"
    signature = hmac.new(api_key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


async def _aiter(batches: AsyncIterable[_T] | Iterable[_T]) -> AsyncIterator[_T]:
    if isinstance(batches, AsyncIterable):
        async for batch in batches:
            yield batch
    else:
        for batch in batches:
            yield batch


def _base64url(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(values: Collection[str]) -> str:
    return "[" + ", ".join(_quote(value) for value in sorted(values)) + "]"


def _timestamp(moment: datetime) -> int:
    # Microseconds since the epoch: exact in a float64 until the year 2255.
    delta = utc(moment) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _hit(hit: dict[str, Any], terms: list[str]) -> SearchHit:
    deadline = hit.get("deadline")
    return SearchHit(
        id=int(hit["id"]),
        tracking_code=hit["tracking_code"],
        title=hit["title"],
        snippet=highlight(hit["description"], terms),
        score=float(hit.get("_rankingScore", 0.0)) if terms else 0.0,
        kind=hit["kind"],
        status=hit["status"],
        category=hit["category"],
        agency=hit.get("agency"),
        province=hit.get("province"),
        submitter_type=hit["submitter_type"],
        published=bool(hit["published"]),
        created_at=datetime.fromisoformat(hit["created_at"]),
        deadline=datetime.fromisoformat(deadline) if deadline else None,
    )
