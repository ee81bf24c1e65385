"""The garbage collector's settings in a server process (service/heap.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_REPORT = (
    "import gc; from service import heap; from service.settings import Settings; "
    "heap.settle(Settings(gc_gen0_threshold={threshold})); "
    "print(gc.get_threshold()[0], gc.get_freeze_count() > 0)"
)


@pytest.mark.parametrize(
    ("threshold", "expected"), [(20_000, "20000 True"), (0, "700 False")]
)  # fmt: skip
def test_settle_freezes_the_startup_heap_and_spaces_out_collections(
    threshold: int, expected: str
) -> None:
    # In a fresh interpreter: freezing is for good, and this test process must keep collecting.
    run = subprocess.run(
        [sys.executable, "-c", _REPORT.format(threshold=threshold)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == expected
