"""The documents state the ranking window the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from search import embedded, postgres

ROOT = Path(__file__).resolve().parents[2]


def _numbers(text: str) -> list[int]:
    return [int(number.replace(",", "")) for number in re.findall(r"\d[\d,]*\d|\d", text)]


def test_both_backends_rank_the_same_window() -> None:
    assert embedded.RANK_WINDOW == postgres.RANK_WINDOW == 1000


def test_the_api_reference_states_the_ranking_window() -> None:
    reference = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    [sort] = re.findall(r"- \*\*`sort`\*\*: `RELEVANCE` \((.*?)\), `NEWEST`", reference, re.S)

    assert _numbers(sort) == [embedded.RANK_WINDOW, embedded.RANK_WINDOW]


def test_the_readme_states_the_ranking_window() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [window] = re.findall(r"\*\*Relevance orders the newest ([\d,]+) matches\*\*", readme)

    assert _numbers(window) == [embedded.RANK_WINDOW]
