"""Expected failures as schema types: a field, a stable code, a message in the caller's language."""

from __future__ import annotations

import strawberry

from service.errors import FieldError as DomainFieldError


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
