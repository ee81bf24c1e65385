"""What the list arguments of `proposals` and `search` share: a period's order, empty lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graphql import GraphQLError

from service.i18n import Language, translations


def check_created_period(
    created_from: datetime | None, created_to: datetime | None, language: Language
) -> None:
    """A filter's `createdFrom` after its `createdTo` matches nothing: refused by name, as the
    search page and the statistics refuse such a period (a query's argument, so a GraphQL error
    carrying the field and code rather than a result type)."""
    if created_from is None or created_to is None or created_from <= created_to:
        return
    _ = translations(language).gettext
    message = _("Must not come after createdTo, %(to)s.") % {"to": created_to.isoformat()}
    raise GraphQLError(
        f"createdFrom: {message}",
        extensions={"errors": [{"field": "createdFrom", "code": "after_to"}]},
    )


def any_given_empty(*lists: Sequence[object] | None) -> bool:
    """Whether a filter was given an empty list, which allows none of its values (the
    repositories read an empty set as no filter): the answer is then empty, without a query."""
    return any(values is not None and not values for values in lists)
