"""Numbers in addresses and query strings: only ASCII digits within range are read as numbers.

Python's str.isdigit() also takes "²" (int() then fails: a 500) and "١" (int() reads it as 1),
and any length of digits (PostgreSQL refuses to compare a number beyond its integers).
"""

from __future__ import annotations

import httpx
import pytest

from tests.web.helpers import sign_in_secretariat

NOT_NUMBERS = (
    "%C2%B2",  # ²
    "%D9%A1",  # Arabic-Indic one
    "99999999999999999999999",
    "2147483648",
)


@pytest.mark.parametrize("raw", NOT_NUMBERS)
async def test_an_id_that_is_no_number_of_ours_names_no_page(
    client: httpx.AsyncClient, raw: str
) -> None:
    await sign_in_secretariat(client)
    for path in (f"/inbox/{raw}", f"/admin/users/{raw}", f"/admin/rules/{raw}"):
        assert (await client.get(path)).status_code == 404, path


@pytest.mark.parametrize("raw", NOT_NUMBERS)
async def test_a_page_number_that_is_no_number_shows_the_first_page(
    client: httpx.AsyncClient, raw: str
) -> None:
    assert (await client.get(f"/published?page={raw}")).status_code == 200
    await sign_in_secretariat(client)
    for path in (f"/inbox?page={raw}", f"/secretariat/search?q=x&page={raw}"):
        assert (await client.get(path)).status_code == 200, path
    holidays = await client.get(f"/admin/holidays?year={raw}")
    assert holidays.status_code == 200
    assert (await client.get(f"/admin/audit?page={raw}")).status_code == 200
