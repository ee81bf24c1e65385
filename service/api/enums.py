"""Enum values out of the schema by one dict lookup, not Strawberry's scan of every value."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, cast

import strawberry
from strawberry.schema.schema_converter import CustomGraphQLEnumType


def look_up_enum_output(schema: strawberry.Schema) -> None:
    """Give each enum type of the schema an output coercion that looks its member up.

    Strawberry's coerce_output_value compares a member with every value of its enum in turn:
    on an inbox page of 100 (kind, status, each event's status, five allowed actions each) that
    was about 900 scans, a few percent of the page's CPU. The answer is the same name; anything
    that is not a member still goes through Strawberry's own coercion (and its errors).
    """
    for named in schema._schema.type_map.values():
        if isinstance(named, CustomGraphQLEnumType):
            # On the instance, where graphql-core and Strawberry's serialize both find it first.
            vars(named)["coerce_output_value"] = _by_lookup(named)


def _by_lookup(enum_type: CustomGraphQLEnumType) -> Callable[[Any], str]:
    members = cast("type[enum.Enum]", enum_type.wrapped_cls)
    names: dict[enum.Enum, str] = {}
    for member in members:
        # As Strawberry matches: the first name whose value equals the member's.
        for name, value in enum_type.values.items():
            if member.value == value.value:
                names[member] = name
                break
    scan = enum_type.coerce_output_value

    def coerce_output_value(output_value: Any) -> str:
        if isinstance(output_value, members):
            name = names.get(output_value)
            if name is not None:
                return name
        return scan(output_value)

    return coerce_output_value
