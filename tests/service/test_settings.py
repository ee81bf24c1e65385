"""Settings refuse what would be unsafe."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="set INTAKE_SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="k" * 32).secret_key == "k" * 32


def test_a_read_replica_needs_a_postgresql_primary() -> None:
    with pytest.raises(ValueError, match="INTAKE_DATABASE_REPLICA_URL: a read replica needs"):
        Settings(database_replica_url="postgresql+asyncpg://replica/intake")
    with pytest.raises(ValueError, match="INTAKE_DATABASE_REPLICA_URL"):
        Settings(
            database_url="postgresql+asyncpg://primary/intake",
            database_replica_url="sqlite+aiosqlite:///copy.db",
        )
    chosen = Settings(
        database_url="postgresql+asyncpg://primary/intake",
        database_replica_url="postgresql+asyncpg://replica/intake",
    )
    assert chosen.database_replica_url == "postgresql+asyncpg://replica/intake"
