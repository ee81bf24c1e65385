"""Validation rules on what a document would make the server do: its cost, and secret guesses."""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    get_named_type,
)
from graphql.language import ast

# Fields that check a secret or store a submission. Aliases would let one request try many
# tracking codes and access keys, or send many submissions for one rate-limit hit: once each.
ONCE_PER_DOCUMENT = frozenset({("Query", "trackProposal"), ("Mutation", "submitProposal")})
PAGE_ARGUMENT = "first"


def selection_cost(
    context: ValidationContext,
    selection_set: SelectionSetNode,
    parent: GraphQLNamedType | None,
    max_page_size: int,
    visiting: frozenset[str] = frozenset(),
) -> int:
    """Fields the selection would resolve: each field counts once per object a page above holds.

    A field with a `first` argument multiplies what is below it by that page size; a variable
    page size counts as the largest allowed, since validation runs before variables are known.
    """
    cost = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            field_type: GraphQLNamedType | None = None
            if isinstance(parent, GraphQLObjectType):
                definition = parent.fields.get(selection.name.value)
                field_type = get_named_type(definition.type) if definition else None
            cost += 1
            if selection.selection_set is not None:
                inner = selection_cost(
                    context, selection.selection_set, field_type, max_page_size, visiting
                )
                cost += _page_size(selection, max_page_size) * inner
        elif isinstance(selection, InlineFragmentNode):
            condition = _named(context, selection.type_condition) or parent
            cost += selection_cost(
                context, selection.selection_set, condition, max_page_size, visiting
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = context.get_fragment(name)
            if fragment is None or name in visiting:  # other rules report these
                continue
            condition = _named(context, fragment.type_condition)
            cost += selection_cost(
                context, fragment.selection_set, condition, max_page_size, visiting | {name}
            )
    return cost


def _named(context: ValidationContext, node: ast.NamedTypeNode | None) -> GraphQLNamedType | None:
    return context.schema.get_type(node.name.value) if node is not None else None


def _page_size(field: FieldNode, max_page_size: int) -> int:
    for argument in field.arguments or ():
        if argument.name.value != PAGE_ARGUMENT:
            continue
        if isinstance(argument.value, IntValueNode):
            return max(1, min(int(argument.value.value), max_page_size))
        return max_page_size
    return 1


def _root_type(context: ValidationContext, operation: OperationType) -> GraphQLObjectType | None:
    return context.schema.get_root_type(operation)


def max_cost_rule(max_cost: int, max_page_size: int) -> type[ASTValidationRule]:
    """A rule refusing operations whose cost is above max_cost."""

    class MaxCost(ASTValidationRule):
        context: ValidationContext

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = _root_type(self.context, node.operation)
            cost = selection_cost(self.context, node.selection_set, root, max_page_size)
            if cost > max_cost:
                name = f"'{node.name.value}'" if node.name else "The operation"
                self.report_error(
                    GraphQLError(
                        f"{name} would resolve about {cost} fields; the most allowed is "
                        f"{max_cost}. Ask for fewer fields or smaller pages.",
                        node,
                    )
                )

    return MaxCost


class OncePerDocument(ASTValidationRule):
    """Each field in ONCE_PER_DOCUMENT at most once, however it is aliased or split up."""

    context: ValidationContext

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.seen: Counter[tuple[str, str]] = Counter()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.context.get_parent_type()
        if parent is None:
            return
        key = (parent.name, node.name.value)
        if key not in ONCE_PER_DOCUMENT:
            return
        self.seen[key] += 1
        if self.seen[key] == 2:
            self.report_error(
                GraphQLError(
                    f"`{node.name.value}` may appear only once per request: send one each.", node
                )
            )
