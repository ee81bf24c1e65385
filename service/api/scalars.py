"""Scalars whose reading differs from Strawberry's: every DateTime input is read here, once."""

from __future__ import annotations

import datetime as dt

from graphql import StringValueNode, ValueNode, print_ast
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

from service.calendar import ZONE

DATETIME_DESCRIPTION = (
    "Date with time (ISO 8601). An input without a time zone, or a date alone, is read in "
    "Vietnam's time (Asia/Ho_Chi_Minh, UTC+07:00): 2026-01-01 is 2026-01-01T00:00:00+07:00."
)


def parse_datetime(value: object) -> dt.datetime:
    """An aware datetime from ISO 8601 text; without a zone, in Vietnam's time like the pages.

    The database stores aware UTC datetimes only: a naive one reaching a query used to fail
    there, as an internal error, whichever argument carried it."""
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(
            f'Value cannot represent a DateTime: "{value}". Expected a string.'
        )
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (ValueError, OverflowError) as error:
        raise StrawberryInputCoercionError(
            f'Value cannot represent a DateTime: "{value}". {error}'
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZONE)
    try:
        parsed.astimezone(dt.UTC)  # what the database does with it
    except (ValueError, OverflowError):
        raise StrawberryInputCoercionError(
            f'Value cannot represent a DateTime: "{value}". It is out of range.'
        ) from None
    return parsed


def _parse_literal(node: ValueNode, _variables: dict[str, object] | None = None) -> dt.datetime:
    """A literal in the document; the error carries its location, which Strawberry's omits."""
    try:
        if not isinstance(node, StringValueNode):
            raise StrawberryInputCoercionError(
                f"Value cannot represent a DateTime: {print_ast(node)}. Expected a string."
            )
        return parse_datetime(node.value)
    except StrawberryInputCoercionError as error:
        raise StrawberryInputCoercionError(error.message, nodes=node) from None


def _serialize(value: dt.datetime) -> str:
    return value.isoformat()


DateTimeDefinition = ScalarDefinition(
    name="DateTime",
    description=DATETIME_DESCRIPTION,
    specified_by_url=None,
    serialize=_serialize,
    parse_value=parse_datetime,
    parse_literal=_parse_literal,
    origin=dt.datetime,
)

SCALARS: dict[object, ScalarDefinition] = {dt.datetime: DateTimeDefinition}
