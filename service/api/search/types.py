"""Search results as the API shows them."""

from __future__ import annotations

import strawberry


@strawberry.type
class SearchHit:
    tracking_code: str
    title: str
    snippet: str = strawberry.field(
        description="HTML: escaped text with the matching words in <mark> elements."
    )


@strawberry.type
class SearchResults:
    total: int = strawberry.field(description="Matches visible to the caller.")
    hits: list[SearchHit]
