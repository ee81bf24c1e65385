"""Which backend the settings choose: the choice is configuration (issue: search backends)."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.embedded import EmbeddedSearch
from search.factory import backend_name, create_backend
from search.meili import MeiliSearch
from search.postgres import PostgresSearch
from service.settings import Settings

SQLITE = "sqlite+aiosqlite:///intake.db"
POSTGRES = "postgresql+asyncpg://intake@127.0.0.1/intake"


@pytest.mark.parametrize(
    ("database_url", "meili_url", "chosen", "kind"),
    [
        (SQLITE, "", "embedded", EmbeddedSearch),
        (POSTGRES, "", "postgres", PostgresSearch),
        (SQLITE, "http://127.0.0.1:7700", "meilisearch", MeiliSearch),
        (POSTGRES, "http://127.0.0.1:7700", "meilisearch", MeiliSearch),
    ],
)
def test_auto_follows_the_meilisearch_url_then_the_database(
    tmp_path: Path, database_url: str, meili_url: str, chosen: str, kind: type
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database_url, meili_url=meili_url)
    assert backend_name(settings) == chosen
    assert isinstance(create_backend(settings), kind)


def test_a_backend_chosen_without_what_it_needs_is_refused(tmp_path: Path) -> None:
    meili = Settings(data_dir=tmp_path, database_url=SQLITE, search_backend="meilisearch")
    with pytest.raises(ValueError, match="INTAKE_MEILI_URL"):
        create_backend(meili)
    postgres = Settings(data_dir=tmp_path, database_url=SQLITE, search_backend="postgres")
    with pytest.raises(ValueError, match="PostgreSQL INTAKE_DATABASE_URL"):
        create_backend(postgres)
