"""Relay plumbing: global ids, opaque cursors and page info."""

from __future__ import annotations

import base64
import binascii

import strawberry


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None for anything that is not one of our ids."""
    try:
        decoded = base64.urlsafe_b64decode(global_id.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, pk = decoded.partition(":")
    return (type_name, int(pk)) if type_name and pk.isdigit() else None


def offset_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def offset_from_cursor(cursor: str | None) -> int | None:
    """The offset after `cursor`; None when the cursor is malformed."""
    if cursor is None:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, value = decoded.partition(":")
    return int(value) + 1 if prefix == "offset" and value.isdigit() else None
