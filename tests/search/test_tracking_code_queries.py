"""Which queries the backends look up as a tracking code before searching their words."""

from __future__ import annotations

import pytest

from search.base import TRACKING_CODE, tracking_code_query
from service.proposals.service import (
    TRACKING_ALPHABET,
    TRACKING_CODE_LENGTH,
    new_tracking_code,
    normalize_tracking_code,
)


def test_the_shape_is_the_one_codes_are_made_in() -> None:
    one_letter = TRACKING_CODE.pattern.removesuffix(f"{{{TRACKING_CODE_LENGTH}}}")
    accepted = [chr(c) for c in range(0x110000) if TRACKING_CODE.fullmatch(chr(c) * 10)]
    assert "".join(accepted) == TRACKING_ALPHABET
    assert one_letter == "[2-9A-HJKMNP-Z]"
    for _ in range(200):
        code = new_tracking_code()
        assert tracking_code_query(code) == code == normalize_tracking_code(code)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("TERNMT2XHD", "TERNMT2XHD"),
        ("ternmt2xhd", "TERNMT2XHD"),
        ("  TernMT2xhd\n", "TERNMT2XHD"),
        ("TERN-MT2X-HD", "TERNMT2XHD"),
        ("department", "DEPARTMENT"),  # looked up, then searched as a word when no code matches
        ("TERNMT2XH", None),
        ("TERNMT2XHDA", None),
        ("TERNMT2XH0", None),  # 0 and 1, I, L and O are never in a code
        ("TERN MT2XHD", None),
        ("sandbox", None),
        ("", None),
        ("ＴＥＲＮＭＴ２ＸＨＤ", None),
    ],
)
def test_queries_shaped_like_a_code(query: str, code: str | None) -> None:
    assert tracking_code_query(query) == code
