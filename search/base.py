"""The shape every search backend takes: documents in, scoped hits out."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from service.proposals.models import CLOCK_RUNNING

SearchSort = Literal["relevance", "newest", "deadline"]
# "all": every word must match (a search); "any": at least one (finding similar titles).
WordMatch = Literal["all", "any"]
SORTS: tuple[SearchSort, ...] = ("relevance", "newest", "deadline")

# Facets, in the order pages show them; each counts within the caller's scope, query and filters.
FACETS = ("status", "kind", "category", "agency", "province", "submitter_type", "published")

# Counting every match of a common word costs in proportion to the matches; above this many,
# backends that count themselves (embedded, PostgreSQL) stop and say the counts are not exact.
COUNT_LIMIT = 10_000

# A submission past its deadline is overdue while it is in one of these statuses: the agency's
# clock runs (NEEDS_INFO stops it; triage has none yet). Documents carry statuses as text.
CLOCK_RUNNING_STATUSES = frozenset(status.value for status in CLOCK_RUNNING)


class SearchError(Exception):
    """The search backend failed (unreachable, corrupt, out of space)."""


@dataclass(frozen=True, slots=True)
class SearchDocument:
    id: int
    tracking_code: str
    kind: str
    status: str
    title: str
    description: str
    category: str
    province: str | None
    agency: str | None
    # Every agency assigned now or earlier: each of them may still find the document.
    agencies: tuple[str, ...]
    submitter_type: str
    published: bool
    created_at: datetime
    deadline: datetime | None


@dataclass(frozen=True, slots=True)
class SearchScope:
    """Who is searching: everything, or published documents plus those of some agencies."""

    everything: bool = False
    agencies: frozenset[str] = frozenset()

    @classmethod
    def public(cls) -> SearchScope:
        return cls()

    @classmethod
    def secretariat(cls) -> SearchScope:
        return cls(everything=True)

    @classmethod
    def agency(cls, *codes: str) -> SearchScope:
        return cls(agencies=frozenset(codes))


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Narrowing a search; empty sets and None filter nothing. Every set is a list of choices
    (any of them matches); the fields combine with AND. Unknown values simply match nothing."""

    statuses: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    agencies: frozenset[str] = frozenset()  # the agency assigned now
    provinces: frozenset[str] = frozenset()
    submitter_types: frozenset[str] = frozenset()
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    overdue: bool | None = None  # deadline passed and status in CLOCK_RUNNING_STATUSES
    published: bool | None = None

    def choices(self) -> dict[str, frozenset[str]]:
        """The set filters by the facet they narrow."""
        return {
            "status": self.statuses,
            "kind": self.kinds,
            "category": self.categories,
            "agency": self.agencies,
            "province": self.provinces,
            "submitter_type": self.submitter_types,
        }


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    tracking_code: str
    title: str
    snippet: str  # HTML: escaped text with matching words in <mark>
    score: float  # higher is better; only comparable within one result
    kind: str = ""
    status: str = ""
    category: str = ""
    agency: str | None = None
    province: str | None = None
    submitter_type: str = ""
    published: bool = False
    created_at: datetime | None = None  # aware, UTC
    deadline: datetime | None = None  # aware, UTC


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    # Facet name -> value -> count, when asked for; documents without a value are not counted.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # False when more documents matched than the backend's count limit: `total` is then that
    # limit (there are more) and the facet counts cover the newest `total` matches only, so
    # every count is a lower bound.
    exact: bool = True


def facet_names(facets: bool | Collection[str]) -> tuple[str, ...]:
    """The facets a search asked for, in FACETS order; refuses unknown names."""
    if isinstance(facets, bool):
        return FACETS if facets else ()
    unknown = sorted(set(facets) - set(FACETS))
    if unknown:
        raise ValueError(f"unknown facets {unknown}; known: {list(FACETS)}")
    return tuple(name for name in FACETS if name in facets)


def check_page(limit: int, offset: int, sort: str) -> None:
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must not be negative, got {limit} and {offset}")
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; known: {list(SORTS)}")


def count_limit_for(configured: int, candidates: int | None) -> int:
    """The matches a search counts: the backend's limit, or fewer when the caller caps them."""
    if candidates is None:
        return configured
    if candidates < 1:
        raise ValueError(f"candidates must be at least 1, got {candidates}")
    return min(configured, candidates)


class SearchBackend(Protocol):
    async def setup(self) -> None: ...

    async def index(self, documents: Sequence[SearchDocument]) -> None: ...

    async def delete(self, ids: Sequence[int]) -> None: ...

    async def get_ids(self) -> set[int]: ...

    async def fingerprints(self) -> dict[int, str]:
        """Every indexed document's id and content fingerprint (see `fingerprint`)."""
        ...

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
        """`candidates`: count and rank only the newest that many matches (backends that count
        themselves; the total then says at most that many). For callers that want a few similar
        documents, not a count: their cost stays flat however many documents match."""
        ...

    async def close(self) -> None: ...


def fingerprint(document: SearchDocument) -> str:
    """A digest of everything a document shows and is found by, to tell a stale copy."""
    parts = [
        str(document.id),
        document.tracking_code,
        document.kind,
        document.status,
        unicodedata.normalize("NFC", document.title),
        unicodedata.normalize("NFC", document.description),
        document.category,
        document.province or "",
        document.agency or "",
        ",".join(sorted(document_agencies(document))),
        document.submitter_type,
        "1" if document.published else "0",
        utc(document.created_at).isoformat(timespec="microseconds"),
        utc(document.deadline).isoformat(timespec="microseconds") if document.deadline else "",
    ]
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def document_agencies(document: SearchDocument) -> set[str]:
    """Every agency that may find the document: its history, and the current one even if the
    caller forgot it in `agencies`."""
    current = {document.agency} if document.agency else set()
    return set(document.agencies) | current


def utc(moment: datetime) -> datetime:
    """Aware UTC; naive datetimes (as SQLite hands them back) count as UTC, not local time."""
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # A filter bound within hours of datetime's range (0001-01-01 in Vietnam's time is still
        # year 0 in UTC): nothing lies beyond the first or last moment UTC can say.
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


# A query shaped like a tracking code (service.proposals.service: TRACKING_CODE_LENGTH letters
# of TRACKING_ALPHABET, not imported: that module imports this one), in any case, with dashes
# or surrounding spaces, is looked up exactly by every backend before the words are searched.
# Only that shape: for Meilisearch the lookup is a request of its own.
TRACKING_CODE = re.compile(r"[2-9A-HJKMNP-Z]{10}")


def tracking_code_query(query: str) -> str | None:
    """The tracking code a query could be (upper case, without dashes), or None."""
    code = query.strip().upper().replace("-", "")
    return code if TRACKING_CODE.fullmatch(code) else None
