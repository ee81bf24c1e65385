"""Plain leaf fields executed by one attribute read and one coercion.

graphql-core executes every field the same way: a path, a resolve info of fourteen values, the
resolver (for a Strawberry field without one, two wrappers around `getattr`), then the
non-null, list and leaf completion steps. On an inbox page of 100 about 2,300 of its 2,900
fields are attributes of objects already in memory, and that machinery was a quarter of the
page's Python calls (203,900 of them; 149,000 with this module).

A field is plain when Strawberry gave it no resolver, permission or extension (it marks those
`_is_default`), it takes no arguments, and its type is a scalar or an enum, nullable or not.
For such a field the answer is `coerce_output_value(getattr(source, python_name))`, which is
what graphql-core computes. Each object's plain fields are answered first; the others go to
graphql-core's `execute_fields`, and the two are put back in the selection's order. A plain
field whose read raises, or whose value is null, an error, awaitable, or refused by the
coercion goes to graphql-core as well, so nulls and errors, with their paths and locations, are
graphql-core's. A schema extension that watches every field (`resolve`) turns the shortcut off
for its requests.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, cast

import strawberry
from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# How a plain field is read: Strawberry's default resolver, the attribute, the leaf type.
Plan = tuple[Callable[[Any, str], Any], str, GraphQLLeafType]


def plain_leaf_fields(schema: GraphQLSchema) -> dict[str, dict[str, Plan]]:
    """Every plain leaf field of the schema, by object type name, then field name."""
    plans: dict[str, dict[str, Plan]] = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        fields = {name: plan for name, field in named.fields.items() if (plan := _plan(field))}
        if fields:
            plans[named.name] = fields
    return plans


def _plan(field: GraphQLField) -> Plan | None:
    if field.args or not getattr(field.resolve, "_is_default", False):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if not is_leaf_type(leaf):
        return None
    return definition.default_resolver, definition.python_name, leaf


class PlainLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with plain leaf fields read directly."""

    # By object type name, then field name.
    plans: ClassVar[dict[str, dict[str, Plan]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A field middleware (an extension's `resolve`) must see every field.
        self.direct = not (manager is not None and manager.middlewares)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        fields = self.plans.get(parent_type.name) if self.direct else None
        if not fields:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plain: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        # A plain field takes no arguments, so validation left none on its node.
        for response_name, field_details_list in grouped_field_set.items():
            plan = fields.get(field_details_list[0].node.name.value)
            value = None if plan is None else self.plain_value(source_value, plan)
            if value is None:
                rest[response_name] = field_details_list
            else:
                plain[response_name] = value
        if not rest:
            return plain
        if not plain:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results = super().execute_fields(parent_type, source_value, path, rest, position_context)
        if self.is_awaitable(results):
            pending = cast("Awaitable[dict[str, Any]]", results)

            async def in_order_when_done() -> dict[str, Any]:
                return _in_order(grouped_field_set, plain, await pending)

            return in_order_when_done()
        return _in_order(grouped_field_set, plain, cast("dict[str, Any]", results))

    def plain_value(self, source: Any, plan: Plan) -> Any:
        """The plain field's coerced value, or None to leave the field to graphql-core."""
        read, attribute, leaf = plan
        try:
            value = read(source, attribute)
        except Exception:  # graphql-core reads it again and reports it, located
            return None
        if value is None or (
            type(value) not in _ORDINARY
            and (value is Undefined or isinstance(value, Exception) or self.is_awaitable(value))
        ):
            return None
        try:
            coerced = leaf.coerce_output_value(value)
        except Exception:  # graphql-core's own path reports it, located
            return None
        return None if coerced is Undefined else coerced


# Values that are neither errors nor awaitable, so need no closer look.
_ORDINARY = frozenset({str, int, float, bool, datetime.datetime, datetime.date})


def _in_order(
    grouped_field_set: GroupedFieldSet, plain: dict[str, Any], results: dict[str, Any]
) -> dict[str, Any]:
    # The response keeps the selection's order of fields, as graphql-core's does.
    return {
        name: plain[name] if name in plain else results[name]
        for name in grouped_field_set
        if name in plain or name in results
    }


def read_plain_leaves_directly(schema: strawberry.Schema) -> None:
    """Have the schema execute its plain leaf fields by `PlainLeafExecutionContext`."""
    plans = plain_leaf_fields(schema._schema)
    schema.execution_context_class = type(
        "IntakeExecutionContext", (PlainLeafExecutionContext,), {"plans": plans}
    )
