"""Choosing the search backend from settings."""

from __future__ import annotations

from search.base import SearchBackend
from search.embedded import EmbeddedSearch
from service.settings import Settings


def create_backend(settings: Settings) -> SearchBackend:
    return EmbeddedSearch(settings.search_index_path)
