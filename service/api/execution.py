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
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, ClassVar, cast

import strawberry
from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFieldResolver,
    GraphQLID,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

# How a plain field is read: Strawberry's default resolver, the attribute, the leaf type, and
# the one Python type whose values the leaf type's coercion returns unchanged (or None).
Plan = tuple[Callable[[Any, str], Any], str, GraphQLLeafType, type | None]

# graphql-core's String and ID return a str as it is, and Boolean a bool.
_UNCHANGED: tuple[tuple[GraphQLLeafType, type], ...] = (
    (GraphQLString, str),
    (GraphQLID, str),
    (GraphQLBoolean, bool),
)


def plain_leaf_fields(schema: GraphQLSchema) -> dict[str, dict[str, Plan]]:
    """Every plain leaf field of the schema, by object type name, then field name."""
    plans: dict[str, dict[str, Plan]] = {}
    for named in _object_types(schema):
        fields = {name: plan for name, field in named.fields.items() if (plan := _plan(field))}
        if fields:
            plans[named.name] = fields
    return plans


def _object_types(schema: GraphQLSchema) -> Iterator[GraphQLObjectType]:
    """The schema's object types, introspection's left out."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            yield named


def _definition(field: GraphQLField) -> StrawberryField | None:
    """The Strawberry field a graphql-core field was built from."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return definition if isinstance(definition, StrawberryField) else None


def _plan(field: GraphQLField) -> Plan | None:
    if field.args or not getattr(field.resolve, "_is_default", False):
        return None
    definition = _definition(field)
    if definition is None or not definition.is_basic_field:
        return None
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if not is_leaf_type(leaf):
        return None
    unchanged = next((kind for scalar, kind in _UNCHANGED if leaf is scalar), None)
    return definition.default_resolver, definition.python_name, leaf, unchanged


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
        read, attribute, leaf, unchanged = plan
        try:
            value = read(source, attribute)
        except Exception:  # graphql-core reads it again and reports it, located
            return None
        if type(value) is unchanged:
            return value  # what the coercion would return
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


def call_resolvers_directly(schema: strawberry.Schema) -> None:
    """Give each simple resolver field a resolve function that calls the resolver itself.

    Strawberry resolves a field with a resolver through seven nested calls: its Info, the
    arguments' conversion (for no arguments, still a pass over the resolver's parameters),
    the field extensions' chain (for none, still a `reduce` and a partial), `get_result` and
    the resolver's own `__call__`. On an inbox page of 100, six such fields per submission were
    about 12,000 of the page's Python calls. For a simple field the outcome is the resolver
    called with the source as `self` (or `root`, `parent`) and Strawberry's Info, and that is
    what the direct resolve function does; graphql-core still builds its resolve info, awaits
    what is awaitable and completes the value, and a schema extension's `resolve` still wraps it.

    A field is simple when it takes no arguments and Strawberry gave it no extension (a
    permission is one) and no exception handler: anything else keeps Strawberry's chain.
    Subscriptions keep theirs too."""
    if getattr(schema.schema_converter, "_exception_handler_specs", None):
        return  # a handler may apply to any field; Strawberry's chain applies it
    info_class = schema.config.info_class
    for named in _object_types(schema._schema):
        for field in named.fields.values():
            definition = _definition(field)
            resolve = _direct_resolve(definition, info_class) if definition else None
            if resolve is not None:
                field.resolve = resolve


def _direct_resolve(field: StrawberryField, info_class: type[Info]) -> GraphQLFieldResolver | None:
    resolver = field.base_resolver
    # The field's arguments are its resolver's, and what Strawberry would convert.
    if resolver is None or field.extensions or field.arguments or field.is_subscription:
        return None
    function = cast("Callable[..., Any]", resolver.wrapped_func)
    source_keywords = tuple(
        parameter.name
        for parameter in (resolver.parent_parameter, resolver.root_parameter)
        if parameter is not None
    )
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    if resolver.self_parameter is not None and not source_keywords:
        # The shapes of almost every resolver, without a keyword dict per call.
        if info_name is None:

            def resolve_self(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
                return function(source)

            return resolve_self
        if info_name == "info":

            def resolve_self_info(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
                return function(source, info=info_class(_raw_info=info, _field=field))

            return resolve_self_info
    positional = resolver.self_parameter is not None

    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        keywords: dict[str, Any] = dict.fromkeys(source_keywords, source)
        if info_name is not None:
            keywords[info_name] = info_class(_raw_info=info, _field=field)
        return function(source, **keywords) if positional else function(**keywords)

    return resolve
