"""bench/routing/labelled.jsonl and recurring.jsonl: well-formed, consistent with the shipped
directory, broad; recurring subjects appear once in each half of the extended set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from search.text import fold
from service.directory.loader import read_directory
from service.directory.models import AgencyKind
from service.directory.names import PlaceMatcher, PlaceName
from service.proposals.models import ProposalKind, SubmitterType
from service.settings import Settings

BENCH = Path(__file__).resolve().parents[2] / "bench" / "routing"
LABELLED, RECURRING = BENCH / "labelled.jsonl", BENCH / "recurring.jsonl"
FIELDS = {
    "id", "kind", "title", "description", "category", "province", "submitter_type",
    "expected_agency", "note",
}  # fmt: skip


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _rows() -> list[dict[str, Any]]:
    return _read(LABELLED) + _read(RECURRING)


def test_every_row_is_complete_and_valid_against_the_directory() -> None:
    data = read_directory()
    agencies = {a.code for a in data.agencies}
    provinces = {p.code for p in data.provinces}
    categories = {c.code for c in data.categories}
    limit = Settings().max_title_length
    problems = []
    for row in _rows():
        checks = {
            "fields": set(row) == FIELDS,
            "kind": row.get("kind") in set(ProposalKind),
            "submitter_type": row.get("submitter_type") in set(SubmitterType),
            "category": row.get("category") in categories,
            "province": row.get("province") is None or row.get("province") in provinces,
            "expected_agency": row.get("expected_agency") in agencies,
            "title": 10 <= len(row.get("title", "")) <= limit,
            "description": len(row.get("description", "")) >= 40,
            "note": bool(row.get("note")),
        }
        problems += [f"{row.get('id')}: {name}" for name, ok in checks.items() if not ok]
    assert problems == []


def test_ids_and_titles_are_unique() -> None:
    rows = _rows()
    assert len(rows) >= 200
    assert len({r["id"] for r in rows}) == len(rows)
    titles = Counter(fold(r["title"]) for r in rows)
    assert [title for title, count in titles.items() if count > 1] == []


def test_it_covers_every_ministry_and_many_provinces() -> None:
    data = read_directory()
    expected = Counter(r["expected_agency"] for r in _rows())
    ministries = [a.code for a in data.agencies if a.kind is AgencyKind.MINISTRY]
    provinces = [a.code for a in data.agencies if a.kind is AgencyKind.PROVINCE]
    assert {code: expected[code] for code in ministries if expected[code] < 6} == {}
    assert len([code for code in provinces if expected[code]]) >= 12


def test_it_mixes_languages_and_names_former_provinces() -> None:
    data = read_directory()
    rows = _rows()
    english = [r for r in rows if r["title"].isascii() and r["description"].isascii()]
    former = PlaceMatcher(PlaceName(a, p.code) for p in data.provinces for a in p.aliases)
    naming_former = [r for r in rows if former.provinces_named(f"{r['title']}\n{r['description']}")]
    assert 0.10 <= len(english) / len(rows) <= 0.25
    assert len(naming_former) >= 15


def test_the_original_set_is_kept_and_recurring_rows_follow_it_in_pairs() -> None:
    original, recurring = _read(LABELLED), _read(RECURRING)
    assert len(original) == 224
    ids = [r["id"] for r in original + recurring]
    assert ids == [f"R{n:03d}" for n in range(1, len(ids) + 1)]
    # Each recurring subject is a pair: the first row fed back (an odd position), the second
    # measured, written differently by another submitter, with the same agency.
    assert len(recurring) % 2 == 0
    pairs = list(zip(recurring[0::2], recurring[1::2], strict=True))
    assert [a["expected_agency"] == b["expected_agency"] for a, b in pairs] == [True] * len(pairs)
    assert all(a["description"] != b["description"] for a, b in pairs)
