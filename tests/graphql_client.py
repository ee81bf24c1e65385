"""Sending the operations in graphql/operations/ over HTTP, as an agency portal would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

OPERATIONS_DIR = Path(__file__).resolve().parent.parent / "graphql" / "operations"


def operation(name: str) -> str:
    [path] = OPERATIONS_DIR.rglob(f"{name}.graphql")
    return path.read_text(encoding="utf-8")


async def execute(
    client: httpx.AsyncClient,
    name: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": operation(name), "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data
