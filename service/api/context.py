"""What every resolver gets: the runtime, the caller's language, the request."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from search.base import SearchScope
from service.i18n import Language
from service.runtime import Runtime


@dataclass(slots=True)
class Context:
    request: Request
    runtime: Runtime
    language: Language

    @property
    def search_scope(self) -> SearchScope:
        # Until accounts exist every caller is anonymous: published submissions only.
        return SearchScope.public()


Info = StrawberryInfo[Context, None]
