"""Choosing the search backend from settings."""

from __future__ import annotations

from search.base import SearchBackend
from search.embedded import EmbeddedSearch
from search.meili import MeiliSearch
from search.postgres import PostgresSearch
from service.settings import Settings


def backend_name(settings: Settings) -> str:
    """The backend the settings choose: `auto` follows INTAKE_MEILI_URL, then the database."""
    if settings.search_backend != "auto":
        return settings.search_backend
    if settings.meili_url:
        return "meilisearch"
    return "embedded" if settings.is_sqlite else "postgres"


def create_backend(settings: Settings) -> SearchBackend:
    match backend_name(settings):
        case "meilisearch":
            if not settings.meili_url:
                raise ValueError("INTAKE_SEARCH_BACKEND=meilisearch needs INTAKE_MEILI_URL")
            return MeiliSearch(
                settings.meili_url,
                settings.meili_api_key,
                settings.meili_index,
                timeout_seconds=settings.meili_timeout_seconds,
            )
        case "postgres":
            if settings.is_sqlite:
                raise ValueError(
                    "INTAKE_SEARCH_BACKEND=postgres needs a PostgreSQL INTAKE_DATABASE_URL"
                )
            return PostgresSearch(
                settings.resolved_database_url, count_limit=settings.search_count_limit
            )
        case _:
            return EmbeddedSearch(
                settings.search_index_path, count_limit=settings.search_count_limit
            )
