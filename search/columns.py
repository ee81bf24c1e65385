"""Every indexed document's scope, filter and facet values in process memory, kept current.

Counting and faceting the matches of a common word cost, in SQL, a lookup of every match in the
documents table (embedded) or its heap (PostgreSQL): several microseconds each. The full-text
index only has to say which ids match; this copy decides, in a few hundred nanoseconds per id,
which of them the caller may see and which the filters keep, and counts their facet values.

The copy follows the index through its change version: every write to the index raises the
version in the same transaction and stamps the rows it writes (or the ids it deletes) with it.
A search reads the version inside its own read transaction and, when it moved, loads the rows
stamped after the version the copy holds. Writes from other processes (the web process, the
worker, `intake reindex`) are seen the same way as the process's own. Each index also carries a
generation, drawn when it is created: a deleted and rebuilt index is loaded again from scratch.

Documents are kept in arrays indexed by their id, which is the proposal's primary key (dense),
so that a lookup is one index operation and 1,000,000 documents take about 40 MB.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress, islice
from typing import NamedTuple, cast

from search.base import CLOCK_RUNNING_STATUSES, SearchError, SearchFilters, SearchScope, utc

# The facets stored as small integer codes; `published` is a flag of its own.
CODED = ("status", "kind", "category", "agency", "province", "submitter_type")
NO_DEADLINE = 2**62
# An id this large would make the arrays huge: ids are primary keys, not hashes.
MAX_ID = 2**31 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NO_FILTERS = SearchFilters()

Predicate = Callable[[int], bool]


class ColumnRow(NamedTuple):
    """One document as the copy keeps it (a tuple, since a first load makes a million)."""

    id: int
    status: str
    kind: str
    category: str
    agency: str | None
    province: str | None
    submitter_type: str
    published: bool
    created_at: int  # microseconds since 1970 (see `micros`)
    deadline: int | None
    agencies: tuple[str, ...]  # every agency that may see the document


@dataclass(frozen=True, slots=True)
class Changes:
    """What an index holds after `version`: rows written since, ids deleted since."""

    generation: str
    version: int
    rows: Sequence[ColumnRow]
    deleted: Sequence[int]
    complete: bool  # the rows are the whole index (a first load, or a new generation)


def micros(moment: datetime) -> int:
    """Microseconds since 1970 (UTC), the order of the moments."""
    delta = utc(moment) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class DocumentColumns:
    """The copy. Backends call `refresh` inside the read transaction of each search, then
    `select` and `facet_counts`; a lock makes each step whole across reader threads."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.generation = ""
        self.version = -1  # nothing loaded
        self._clear()

    def _clear(self) -> None:
        self._present = bytearray()
        self._published = bytearray()
        self._created = array("q")
        self._deadline = array("q")
        self._codes = {name: array("H") for name in CODED}
        self._values: dict[str, list[str | None]] = {name: [None] for name in CODED}
        self._code_of: dict[str, dict[str | None, int]] = {name: {None: 0} for name in CODED}
        self._coded = [(self._codes[name], self._code_of[name]) for name in CODED]
        self._agencies: list[frozenset[str]] = []
        self._interned: dict[frozenset[str], frozenset[str]] = {}
        self._count = 0
        self._ascending: list[int] | None = []  # None: to be sorted again

    def __len__(self) -> int:
        return self._count

    def stale(self, generation: str, version: int) -> bool:
        return generation != self.generation or version != self.version

    def since(self, generation: str) -> int:
        """The version changes must be read after; -1 asks for the whole index."""
        return self.version if generation == self.generation else -1

    def apply(self, changes: Changes) -> None:
        with self.lock:
            if changes.generation == self.generation and changes.version <= self.version:
                return  # another search brought the copy this far, or further, meanwhile
            if changes.complete:
                self._clear()
            for document_id in changes.deleted:
                self._remove(document_id)
            for row in changes.rows:
                self._put(row)
            self.generation = changes.generation
            self.version = changes.version

    def select(
        self,
        ids: Iterable[int] | None,
        scope: SearchScope,
        filters: SearchFilters,
        now: datetime,
        limit: int,
    ) -> list[int]:
        """The first `limit` of `ids` (in their order; None: every document, newest first)
        that are indexed, visible within the scope and kept by the filters."""
        with self.lock:
            flags = self._flags(scope, filters)
            if flags is not None and isinstance(ids, list) and _within(ids, len(flags)):
                # The scope alone decides, by one flag per id: looked up in C, not by a Python
                # function per id (several times faster over the tens of thousands of matches
                # of a common word).
                return list(islice(compress(ids, map(flags.__getitem__, ids)), limit))
            keep = self._predicate(scope, filters, now)
            candidates = reversed(self._sorted()) if ids is None else ids
            return list(islice(filter(keep, candidates), limit))

    def nth_newest(self, position: int) -> int | None:
        """The id `position` places from the newest (1: the newest), None when there are fewer."""
        with self.lock:
            ascending = self._sorted()
            return ascending[-position] if 0 < position <= len(ascending) else None

    def count_between(self, low: int, high: int) -> int:
        """How many documents have an id in [low, high)."""
        with self.lock:
            ascending = self._sorted()
            return bisect_left(ascending, high) - bisect_left(ascending, low)

    def facet_counts(self, ids: Sequence[int], names: Iterable[str]) -> dict[str, dict[str, int]]:
        """Facet name -> value -> how many of `ids` carry it (documents without one are not
        counted); `ids` must come from `select`."""
        counts: dict[str, dict[str, int]] = {}
        with self.lock:
            for name in names:
                if name == "published":
                    flags = Counter(map(self._published.__getitem__, ids))
                    counts[name] = {
                        ("true" if flag else "false"): n for flag, n in flags.items() if n
                    }
                    continue
                values = self._values[name]
                coded = Counter(map(self._codes[name].__getitem__, ids))
                coded.pop(0, None)
                counts[name] = {str(values[code]): n for code, n in coded.items()}
        return counts

    def created(self, document_id: int) -> int:
        return self._created[document_id]

    def _flags(self, scope: SearchScope, filters: SearchFilters) -> bytearray | None:
        """One byte per id, set for the documents the scope shows, when no filter narrows it
        and no agency widens it (the public and the secretariat); None otherwise."""
        if filters != _NO_FILTERS or (scope.agencies and not scope.everything):
            return None
        # A removed document's published flag is cleared with it (see _remove).
        return self._present if scope.everything else self._published

    def _predicate(self, scope: SearchScope, filters: SearchFilters, now: datetime) -> Predicate:
        present = self._present
        size = len(present)
        tests: list[Predicate] = []
        if not scope.everything:
            published = self._published
            if scope.agencies:
                agencies = self._agencies
                own = scope.agencies
                tests.append(lambda i: bool(published[i]) or not own.isdisjoint(agencies[i]))
            else:
                tests.append(published.__getitem__)  # type: ignore[arg-type]
        for name, chosen in filters.choices().items():
            if chosen:
                codes, known = self._codes[name], self._code_of[name]
                wanted = {known[value] for value in chosen if value in known}
                tests.append(_member(codes, wanted))
        created = self._created
        if filters.created_from is not None:
            start = micros(filters.created_from)
            tests.append(lambda i: created[i] >= start)
        if filters.created_to is not None:
            end = micros(filters.created_to)
            tests.append(lambda i: created[i] < end)
        if filters.overdue is not None:
            deadline = self._deadline
            statuses = self._codes["status"]
            running = {self._code_of["status"].get(status, -1) for status in CLOCK_RUNNING_STATUSES}
            moment = micros(now)
            wanted_overdue = filters.overdue
            tests.append(
                lambda i: (deadline[i] < moment and statuses[i] in running) == wanted_overdue
            )
        if filters.published is not None:
            flags = self._published
            wanted_flag = int(filters.published)
            tests.append(lambda i: flags[i] == wanted_flag)

        def indexed(i: int) -> bool:
            return 0 <= i < size and bool(present[i])

        if not tests:
            return indexed
        if len(tests) == 1:
            only = tests[0]
            return lambda i: 0 <= i < size and bool(present[i]) and only(i)
        return lambda i: 0 <= i < size and bool(present[i]) and all(test(i) for test in tests)

    def _grow(self, size: int) -> None:
        missing = size - len(self._present)
        if missing <= 0:
            return
        self._present.extend(bytes(missing))
        self._published.extend(bytes(missing))
        self._created.extend(_zeros(missing))
        self._deadline.extend(_zeros(missing))
        for codes in self._codes.values():
            codes.extend(array("H", bytes(2 * missing)))
        empty = frozenset[str]()
        self._agencies.extend([empty] * missing)

    def _put(self, row: ColumnRow) -> None:
        i = row[0]
        if not 0 <= i <= MAX_ID:
            raise SearchError(f"document id {i} is out of range 0..{MAX_ID}")
        if i >= len(self._present):
            self._grow(max(i + 1, 2 * len(self._present)))
        if not self._present[i]:
            self._count += 1
            ascending = self._ascending
            if ascending is not None and (not ascending or i > ascending[-1]):
                ascending.append(i)
            else:
                self._ascending = None
        self._present[i] = 1
        self._published[i] = 1 if row[7] else 0
        self._created[i] = row[8]
        self._deadline[i] = NO_DEADLINE if row[9] is None else row[9]
        for position, (codes, known) in enumerate(self._coded, start=1):
            value = cast("str | None", row[position])
            code = known.get(value)
            codes[i] = self._code(CODED[position - 1], value) if code is None else code
        agencies = frozenset(row[10])
        self._agencies[i] = self._interned.setdefault(agencies, agencies)

    def _remove(self, document_id: int) -> None:
        if 0 <= document_id < len(self._present) and self._present[document_id]:
            self._present[document_id] = 0
            self._published[document_id] = 0
            self._count -= 1
            self._ascending = None

    def _sorted(self) -> list[int]:
        if self._ascending is None:
            present = self._present
            self._ascending = [i for i in range(len(present)) if present[i]]
        return self._ascending

    def _code(self, name: str, value: str | None) -> int:
        known = self._code_of[name]
        code = known.get(value)
        if code is None:
            code = len(self._values[name])
            if code > 0xFFFF:
                raise SearchError(f"more than 65,535 distinct values of {name}")
            known[value] = code
            self._values[name].append(value)
        return code


def _zeros(count: int) -> array[int]:
    return array("q", bytes(8 * count))


def _within(ids: list[int], size: int) -> bool:
    return not ids or (min(ids) >= 0 and max(ids) < size)


def _member(codes: array[int], wanted: set[int]) -> Predicate:
    return lambda i: codes[i] in wanted
