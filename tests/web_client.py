"""Posting forms the way a browser does: fetch the page for its CSRF token, then post."""

from __future__ import annotations

import re

import httpx

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, page: str = "/submit") -> str:
    response = await client.get(page)
    match = _TOKEN.search(response.text)
    assert match is not None, f"no CSRF token on {page}"
    return match[1]


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, str], *, page: str = "/submit"
) -> httpx.Response:
    token = await csrf_token(client, page)
    return await client.post(path, data={**data, "csrf_token": token})
