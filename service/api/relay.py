"""Relay plumbing: global ids, opaque cursors and page info."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from service.text import whole_number


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of_page(cls, cursors: Sequence[str], offset: int, *, more: bool) -> PageInfo:
        """The page info of an offset page whose edges carry `cursors`; `more`: pages follow."""
        return cls(
            has_next_page=more,
            has_previous_page=offset > 0,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


# The largest offset a cursor may carry: a walk of 100,000 full pages, far beyond any table Intake
# keeps, and far below what the databases and search backends break on.
MAX_OFFSET = 10_000_000


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None for anything that is not one of our ids."""
    try:
        decoded = base64.urlsafe_b64decode(global_id.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, raw_pk = decoded.partition(":")
    pk = whole_number(raw_pk)
    return (type_name, pk) if type_name and pk is not None else None


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
    prefix, _, raw_offset = decoded.partition(":")
    offset = whole_number(raw_offset, MAX_OFFSET) if prefix == "offset" else None
    return offset + 1 if offset is not None else None


def selected_fields(selections: Sequence[Selection], *path: str) -> set[str]:
    """The names of the fields selected at `path` below these selections (e.g. a connection's
    "edges", "node"), through fragments, in the schema's own (camelCase) spelling."""
    names: set[str] = set()
    for selection in selections:
        if not isinstance(selection, SelectedField):
            names |= selected_fields(selection.selections, *path)
        elif not path:
            names.add(selection.name)
        elif selection.name == path[0]:
            names |= selected_fields(selection.selections, *path[1:])
    return names
