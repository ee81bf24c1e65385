"""What every resolver gets: the runtime, the caller, their language, and the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from strawberry.types import Info as StrawberryInfo

from search.base import SearchScope
from service.accounts.actor import Actor
from service.api.loaders import Loaders
from service.i18n import Language
from service.runtime import Runtime


@dataclass(slots=True)
class Context:
    request: HTTPConnection
    runtime: Runtime
    language: Language
    actor: Actor
    loaders: Loaders
    # Set by graphql-transport-ws from the connection_init payload.
    connection_params: dict[str, object] | None = None
    # Submissions whose submitter contact an official read in this operation: one audit entry
    # for all of them is written when the operation ends (service/api/view.py).
    contacts_viewed: set[int] = field(default_factory=set)

    @property
    def search_scope(self) -> SearchScope:
        if self.actor.scope.everything:
            return SearchScope.secretariat()
        if self.actor.agency_code:
            return SearchScope.agency(self.actor.agency_code)
        return SearchScope.public()


Info = StrawberryInfo[Context, None]
