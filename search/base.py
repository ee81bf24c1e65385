"""The shape every search backend takes: documents in, scoped hits out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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
class SearchHit:
    id: int
    tracking_code: str
    title: str
    snippet: str  # HTML: escaped text with matching words in <mark>
    score: float  # higher is better; only comparable within one result


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SearchHit]
    total: int


class SearchBackend(Protocol):
    async def setup(self) -> None: ...

    async def index(self, documents: Sequence[SearchDocument]) -> None: ...

    async def delete(self, ids: Sequence[int]) -> None: ...

    async def get_ids(self) -> set[int]: ...

    async def search(
        self, query: str, scope: SearchScope, *, limit: int = 20, offset: int = 0
    ) -> SearchResult: ...

    async def close(self) -> None: ...
