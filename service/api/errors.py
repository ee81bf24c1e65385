"""Expected failures as schema types: a field, a stable code, a message in the caller's language."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import GraphQLError

from service.errors import FieldError as DomainFieldError
from service.i18n import Language, translations


@strawberry.type(description="One problem with one input field.")
class FieldError:
    field: str = strawberry.field(description="The input field, as named in the schema.")
    code: str = strawberry.field(description="Stable machine-readable code, e.g. `required`.")
    message: str = strawberry.field(description="Explanation in the caller's language.")


@strawberry.type(description="The input was refused; nothing was stored.")
class ValidationErrors:
    errors: list[FieldError]

    @classmethod
    def from_domain(cls, errors: list[DomainFieldError]) -> ValidationErrors:
        return cls(
            errors=[FieldError(field=e.field, code=e.code, message=e.message) for e in errors]
        )


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
