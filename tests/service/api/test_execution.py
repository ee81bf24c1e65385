"""Plain leaf fields read directly, and simple resolvers called directly, give graphql-core's
and Strawberry's answer: data, order, nulls, errors and permissions."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
import strawberry
from graphql import GraphQLField, GraphQLObjectType
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from service.accounts.models import Role
from service.api.execution import (
    PlainLeafExecutionContext,
    call_resolvers_directly,
    plain_leaf_fields,
    read_plain_leaves_directly,
)
from service.api.schema import build_schema
from service.db import Database
from service.settings import Settings
from tests.factories import graphql_input
from tests.fixtures.api import bearer
from tests.fixtures.worker import run_worker
from tests.graphql_client import execute, operation


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    DEEP_BLUE = "deep blue"


class NotOnSundays(BasePermission):
    message = "closed today"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Item:
    name: str
    label: str | None
    count: int
    colour: Colour

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def asked_for(self, info: strawberry.Info) -> str:
        return f"{info.field_name} of {self.name} by {info.context['who']}"

    @strawberry.field
    @staticmethod
    def from_root(root: Item) -> str:
        return f"root {root.name}"

    @strawberry.field
    def from_parent(self, parent: strawberry.Parent[Item], context: strawberry.Info) -> str:
        return f"{parent is self} {context.python_name}"

    @strawberry.field
    def failing(self) -> str | None:
        raise ValueError(f"{self.name} cannot")

    @strawberry.field
    def missing(self) -> str:
        return cast("str", None)

    @strawberry.field(permission_classes=[NotOnSundays])  # type: ignore[untyped-decorator]
    def guarded(self) -> str:
        return "secret"

    @strawberry.field
    async def later(self) -> str:
        return f"{self.name} later"

    @strawberry.field
    def padded(self, width: int = 6) -> str:
        return self.name.ljust(width, ".")


ITEMS = [
    Item(name="a", label=None, count=1, colour=Colour.RED),
    Item(name="b", label="B", count=2, colour=Colour.DEEP_BLUE),
]
BROKEN: dict[str, Any] = {"name": None, "count": "many"}


class Unreadable:
    count = 3

    @property
    def name(self) -> str:
        raise LookupError("the name is not loaded")


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS

    @strawberry.field
    def unreadable(self) -> Item | None:
        # Any object may stand for an Item; this one's name cannot be read.
        return cast("Item", Unreadable())

    @strawberry.field
    def broken(self) -> Item | None:
        # A plain non-null String holding None, a plain Int holding a word.
        return Item(name=BROKEN["name"], label=None, count=BROKEN["count"], colour=Colour.RED)


def _schemas(
    extensions: list[Callable[[], SchemaExtension]] | None = None,
) -> tuple[strawberry.Schema, strawberry.Schema]:
    stock = strawberry.Schema(query=Query, extensions=extensions or [])
    direct = strawberry.Schema(query=Query, extensions=extensions or [])
    read_plain_leaves_directly(direct)
    call_resolvers_directly(direct)
    return stock, direct


async def _both(query: str, **kwargs: Any) -> tuple[Any, Any]:
    stock, direct = _schemas(**kwargs)
    answers = []
    for schema in (stock, direct):
        result = await schema.execute(query, context_value={"who": "a reviewer"})
        errors = [(e.message, e.path, e.locations) for e in result.errors or []]
        answers.append((result.data, errors))
    return answers[0], answers[1]


def test_the_plan_holds_plain_leaves_only() -> None:
    _, direct = _schemas()
    plans = plain_leaf_fields(direct._schema)
    assert {name: set(fields) for name, fields in plans.items()} == {
        "Item": {"name", "label", "count", "colour"}
    }
    intake = plain_leaf_fields(build_schema(Settings())._schema)
    proposal = intake["Proposal"]
    assert {"title", "status", "createdAt", "trackingCode"} <= set(proposal)
    assert "events" not in proposal  # a resolver
    assert "agency" not in proposal  # an object
    assert "proposals" not in intake.get("Query", {})  # arguments


async def test_mixed_selections_answer_as_graphql_core_in_the_selection_order() -> None:
    query = """
      { items { later shout colour n: name ...More name label count padded(width: 3) } }
      fragment More on Item { count x: colour }
    """
    stock, direct = await _both(query)
    assert direct == stock
    data, errors = direct
    assert errors == []
    first = data["items"][0]
    assert list(first) == ["later", "shout", "colour", "n", "count", "x", "name", "label", "padded"]
    assert first == {
        "later": "a later",
        "shout": "A",
        "colour": "RED",
        "n": "a",
        "count": 1,
        "x": "RED",
        "name": "a",
        "label": None,
        "padded": "a..",
    }
    assert data["items"][1]["colour"] == "DEEP_BLUE"

    # Without an awaitable field graphql-core answers each object at once: the same order.
    stock, direct = await _both("{ items { shout name padded count } }")
    assert direct == stock
    assert list(direct[0]["items"][1]) == ["shout", "name", "padded", "count"]


async def test_plain_fields_do_not_reach_graphql_cores_field_execution() -> None:
    _, direct = _schemas()
    executed: list[str] = []

    class Counting(direct.execution_context_class):  # type: ignore[misc,name-defined]
        def execute_field(self, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
            executed.append(details[0].node.name.value)
            return super().execute_field(parent_type, source, details, *rest)

    direct.execution_context_class = Counting
    result = await direct.execute("{ items { name label count colour shout later } }")
    assert result.errors is None
    # The first item's label is null: nulls are left to graphql-core.
    assert executed == ["items", "label", "shout", "later", "shout", "later"]


def _resolver_names(schema: strawberry.Schema, type_name: str) -> dict[str, str]:
    fields = schema._schema.type_map[type_name].fields  # type: ignore[attr-defined]
    return {name: getattr(field.resolve, "__name__", "") for name, field in fields.items()}


def test_only_simple_resolvers_are_called_directly() -> None:
    stock, direct = _schemas()
    assert set(_resolver_names(stock, "Item").values()) <= {
        "_get_basic_result",
        "_resolver",
        "_async_resolver",
    }
    names = _resolver_names(direct, "Item")
    direct_ones = {field for field, name in names.items() if name.startswith("resolve")}
    assert direct_ones == {
        "shout",
        "later",
        "askedFor",
        "fromRoot",
        "fromParent",
        "failing",
        "missing",
    }
    assert names["guarded"] == "_resolver"  # a permission is an extension: Strawberry's chain
    assert names["padded"] == "_resolver"  # arguments: Strawberry converts them
    assert names["name"] == "_get_basic_result"  # no resolver at all
    assert _resolver_names(direct, "Query")["items"].startswith("resolve")
    intake = build_schema(Settings())
    proposal = _resolver_names(intake, "Proposal")
    assert proposal["events"] == proposal["category"] == "resolve_self_info"
    assert proposal["allowedActions"] == "resolve_self"
    assert _resolver_names(intake, "Query")["proposals"] == "_async_resolver"  # arguments


async def test_direct_resolvers_get_the_source_and_strawberrys_info_as_before() -> None:
    query = "{ items { askedFor fromRoot fromParent later shout } }"
    stock, direct = await _both(query)
    assert direct == stock
    assert direct == (
        {
            "items": [
                {
                    "askedFor": "askedFor of a by a reviewer",
                    "fromRoot": "root a",
                    "fromParent": "True from_parent",
                    "later": "a later",
                    "shout": "A",
                },
                {
                    "askedFor": "askedFor of b by a reviewer",
                    "fromRoot": "root b",
                    "fromParent": "True from_parent",
                    "later": "b later",
                    "shout": "B",
                },
            ]
        },
        [],
    )


async def test_a_direct_resolvers_errors_and_nulls_and_a_permission_are_as_before() -> None:
    stock, direct = await _both("{ items { name failing } }")
    assert direct == stock
    data, errors = direct
    assert data == {"items": [{"name": "a", "failing": None}, {"name": "b", "failing": None}]}
    assert [(message, path) for message, path, _ in errors] == [
        ("a cannot", ["items", 0, "failing"]),
        ("b cannot", ["items", 1, "failing"]),
    ]

    stock, direct = await _both("{ items { missing } }")
    assert direct == stock
    assert direct[0] is None
    assert direct[1][0][:2] == (
        "Cannot return null for non-nullable field Item.missing.",
        ["items", 0, "missing"],
    )

    stock, direct = await _both("{ items { name guarded } }")
    assert direct == stock
    assert direct[0] is None
    assert direct[1][0][:2] == ("closed today", ["items", 0, "guarded"])


async def test_a_null_in_a_non_null_plain_field_and_a_refused_coercion_are_cores_errors() -> None:
    stock, direct = await _both("{ broken { label name } items { name } }")
    assert direct == stock
    data, errors = direct
    assert data == {"broken": None, "items": [{"name": "a"}, {"name": "b"}]}
    assert [message for message, _, _ in errors] == [
        "Cannot return null for non-nullable field Item.name."
    ]
    assert errors[0][1] == ["broken", "name"]

    stock, direct = await _both("{ unreadable { count name } }")
    assert direct == stock
    assert direct == (
        {"unreadable": None},
        [("the name is not loaded", ["unreadable", "name"], direct[1][0][2])],
    )

    stock, direct = await _both("{ broken { count } }")
    assert direct == stock
    assert direct[0] == {"broken": None}
    assert "Int cannot represent non-integer value: 'many'" in direct[1][0][0]
    assert direct[1][0][1] == ["broken", "count"]


async def test_a_field_middleware_still_sees_every_field() -> None:
    seen: list[str] = []

    class Watch(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    stock, direct = await _both("{ items { name count shout } }", extensions=[Watch])
    assert direct == stock
    assert seen.count("name") == 4  # two items, once for each schema
    assert seen.count("shout") == 4  # a direct resolver is watched as Strawberry's was


@contextmanager
def _stock_execution(settings: Settings) -> Iterator[None]:
    """The application's schema as Strawberry built it: its execution context and resolvers."""
    schema = build_schema(settings)
    direct = schema.execution_context_class
    assert issubclass(direct, PlainLeafExecutionContext)
    replaced: list[tuple[GraphQLField, Any]] = []
    for named in schema._schema.type_map.values():
        if not isinstance(named, GraphQLObjectType):
            continue
        for field in named.fields.values():
            if getattr(field.resolve, "__name__", "").startswith("resolve"):
                definition = (field.extensions or {})[GraphQLCoreConverter.DEFINITION_BACKREF]
                replaced.append((field, field.resolve))
                field.resolve = schema.schema_converter.from_resolver(definition)
    assert len(replaced) > 50
    schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    try:
        yield
    finally:
        schema.execution_context_class = direct
        for field, resolve in replaced:
            field.resolve = resolve


async def test_an_inbox_page_is_the_same_json_as_graphql_core_alone(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    db = Database(settings.resolved_database_url)
    reviewer = await bearer(db, Role.REVIEWER, "BKHCN", "reviewer")
    await db.dispose()
    titles = {"Mở dữ liệu vệ tinh", "Thử nghiệm sandbox fintech", "Đề xuất phủ sóng 5G"}
    for title in titles:
        await execute(client, "SubmitProposal", {"input": graphql_input(title=title)})
    await run_worker(settings)
    variables = {"orderBy": "NEWEST", "first": 10}

    direct = await client.post(
        "/graphql",
        json={"query": operation("InboxPage"), "variables": variables},
        headers=reviewer,
    )
    with _stock_execution(settings):
        stock = await client.post(
            "/graphql",
            json={"query": operation("InboxPage"), "variables": variables},
            headers=reviewer,
        )
    assert direct.status_code == stock.status_code == 200
    assert direct.content == stock.content
    edges = direct.json()["data"]["proposals"]["edges"]
    assert len(edges) == 3
    assert {edge["node"]["title"] for edge in edges} == titles
