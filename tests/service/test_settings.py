"""Settings refuse what would be unsafe."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="set INTAKE_SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="k" * 32).secret_key == "k" * 32


def test_acknowledging_may_not_take_longer_than_responding() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(acknowledge_business_days=16, response_business_days=15)
    assert (
        "INTAKE_ACKNOWLEDGE_BUSINESS_DAYS: 16 is more than INTAKE_RESPONSE_BUSINESS_DAYS, 15; a "
        "submission must be due to be acknowledged no later than answered"
    ) in str(refused.value)
    same = Settings(acknowledge_business_days=15, response_business_days=15)
    assert (same.acknowledge_business_days, same.response_business_days) == (15, 15)


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


def test_attachment_types_are_read_in_any_case_and_jpg_is_jpeg(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INTAKE_ATTACHMENT_TYPES", '["pdf", "jpg", "PNG", " Jpeg", "pdf"]')
    assert Settings().attachment_types == ["pdf", "jpeg", "png"]


@pytest.mark.parametrize(
    ("types", "message"),
    [
        (
            '["pdf", "gif"]',
            'INTAKE_ATTACHMENT_TYPES: unknown file type "gif"; the known types are pdf, png, jpeg, '
            "docx, xlsx, odt, ods (jpg means jpeg)",
        ),
        (
            '["EXE", "pdf", "doc"]',
            'INTAKE_ATTACHMENT_TYPES: unknown file types "EXE", "doc"; the known types are pdf, '
            "png, jpeg, docx, xlsx, odt, ods (jpg means jpeg)",
        ),
        (
            "[]",
            "INTAKE_ATTACHMENT_TYPES: list at least one of pdf, png, jpeg, docx, xlsx, odt, ods",
        ),
    ],
)
def test_unknown_attachment_types_are_refused_with_the_known_ones(
    types: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_ATTACHMENT_TYPES", types)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert [e["msg"] for e in refused.value.errors()] == [f"Value error, {message}"]
