"""Who the API thinks you are."""

from __future__ import annotations

import strawberry

from service.accounts.actor import ActorKind
from service.accounts.models import Role
from service.api.context import Info
from service.api.directory.types import Agency

strawberry.enum(Role)
strawberry.enum(ActorKind)


@strawberry.type(description="The caller: an official, an agency portal's token, or anonymous.")
class Me:
    kind: ActorKind
    role: Role | None
    email: str | None

    agency_id: strawberry.Private[int | None]

    @strawberry.field
    async def agency(self, info: Info) -> Agency | None:
        if self.agency_id is None:
            return None
        row = await info.context.loaders.agency_by_id.load(self.agency_id)
        return Agency.of(row, info.context.language) if row else None


@strawberry.type
class AccountQuery:
    @strawberry.field
    def me(self, info: Info) -> Me:
        actor = info.context.actor
        return Me(
            kind=actor.kind, role=actor.role, email=actor.email or None, agency_id=actor.agency_id
        )
