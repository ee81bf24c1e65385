"""Plain leaf fields executed by one attribute read and one coercion.

graphql-core executes every field the same way: it builds a resolve info (fourteen values),
calls the resolver (for a Strawberry field without one, two wrappers around `getattr`), then
completes the value through the non-null, list and leaf steps. On an inbox page of 100 that is
some 2,300 of its 2,900 fields, each an attribute of an object already in memory, and that
machinery was the largest part of the page's CPU.

A field is plain when Strawberry gave it no resolver, permission or extension (it marks those
`_is_default`), it takes no arguments, and its type is a scalar or an enum, nullable or not.
For such a field the answer is `coerce_output_value(getattr(source, python_name))`, which is
what graphql-core computes. Anything else, and any plain field whose value is null, an error,
awaitable, or refused by the coercion, goes through graphql-core's own path, so nulls, errors,
their paths and locations are graphql-core's.
"""

from __future__ import annotations

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
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# How a plain field is read: Strawberry's default resolver, the attribute, the leaf type.
Plan = tuple[Callable[[Any, str], Any], str, GraphQLLeafType]


def plain_leaf_fields(schema: GraphQLSchema) -> dict[tuple[str, str], Plan]:
    """Every plain leaf field of the schema, by (object type, field) name."""
    plans: dict[tuple[str, str], Plan] = {}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            plan = _plan(field)
            if plan is not None:
                plans[named.name, name] = plan
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

    plans: ClassVar[dict[tuple[str, str], Plan]] = {}

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
        if not self.direct:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plain: dict[str, Any] = {}
        rest: GroupedFieldSet = {}
        for response_name, field_details_list in grouped_field_set.items():
            value = self.plain_value(parent_type.name, source_value, field_details_list)
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

    def plain_value(self, type_name: str, source: Any, field_details_list: FieldDetailsList) -> Any:
        """The field's coerced value if it is plain and not null, else None."""
        node = field_details_list[0].node
        if node.arguments:
            return None
        plan = self.plans.get((type_name, node.name.value))
        if plan is None:
            return None
        read, attribute, leaf = plan
        value = read(source, attribute)
        if (
            value is None
            or value is Undefined
            or isinstance(value, Exception)
            or self.is_awaitable(value)
        ):
            return None
        try:
            coerced = leaf.coerce_output_value(value)
        except Exception:  # graphql-core's own path reports it, located
            return None
        return None if coerced is Undefined else coerced


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
