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


_DATABASE_FORMS = (
    "sqlite+aiosqlite:///path/to/intake.db or postgresql+asyncpg://user:password@host:5432/name"
)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "DATABASE_URL",
            "foo",
            f"INTAKE_DATABASE_URL: not a database URL; use {_DATABASE_FORMS}, or leave it empty "
            "for SQLite in the data directory",
        ),
        (
            "DATABASE_URL",
            "postgresql://u:secret@db/intake",
            f"INTAKE_DATABASE_URL: Intake cannot use postgresql:// URLs; use {_DATABASE_FORMS}, "
            "or leave it empty for SQLite in the data directory",
        ),
        (
            "DATABASE_URL",
            "sqlite:///intake.db",
            f"INTAKE_DATABASE_URL: Intake cannot use sqlite:// URLs; use {_DATABASE_FORMS}, or "
            "leave it empty for SQLite in the data directory",
        ),
        (
            "DATABASE_URL",
            "sqlite+aiosqlite://",
            "INTAKE_DATABASE_URL: name the database file, as in "
            "sqlite+aiosqlite:///path/to/intake.db",
        ),
        (
            "DATABASE_URL",
            "postgresql+asyncpg://u@db:99999/intake",
            "INTAKE_DATABASE_URL: the port must be 1 to 65535, not 99999",
        ),
        (
            "DATABASE_REPLICA_URL",
            "foo",
            "INTAKE_DATABASE_REPLICA_URL: not a database URL; use "
            "postgresql+asyncpg://user:password@host:5432/name, or leave it empty for no replica",
        ),
        ("SMTP_PORT", "99999", "INTAKE_SMTP_PORT: 99999 is not a port; use 1 to 65535"),
        ("SMTP_PORT", "0", "INTAKE_SMTP_PORT: 0 is not a port; use 1 to 65535"),
        ("SMTP_HOST", "mail server", "INTAKE_SMTP_HOST: not a host name or IP address"),
        (
            "WORKER_METRICS_ADDRESS",
            "",
            "INTAKE_WORKER_METRICS_ADDRESS: not a host name or IP address",
        ),
        ("BASE_URL", "notaurl", "INTAKE_BASE_URL: not an absolute http:// or https:// URL"),
        (
            "BASE_URL",
            "ftp://intake.gov.vn",
            "INTAKE_BASE_URL: not an absolute http:// or https:// URL",
        ),
        ("BASE_URL", "https://intake.gov.vn:99999", "INTAKE_BASE_URL: its port must be 1 to 65535"),
        (
            "BASE_URL",
            "https://intake.gov.vn/?lang=vi",
            "INTAKE_BASE_URL: paths are appended to it: give no query (?), fragment (#), space or "
            "control character",
        ),
        (
            "MEILI_URL",
            "127.0.0.1:7700",
            "INTAKE_MEILI_URL: not an absolute http:// or https:// URL",
        ),
        (
            "MEILI_PUBLIC_URL",
            "search",
            "INTAKE_MEILI_PUBLIC_URL: not an absolute http:// or https:// URL",
        ),
        (
            "REDIS_URL",
            "foo",
            "INTAKE_REDIS_URL: not a Redis URL, which starts with redis://, rediss://, unix://, "
            "redis+sentinel://",
        ),
        ("REDIS_URL", "redis://cache:99999/0", "INTAKE_REDIS_URL: the port must be 1 to 65535"),
        (
            "REDIS_URL",
            "unix://",
            "INTAKE_REDIS_URL: name the socket, as in unix:///path/redis.sock",
        ),
        *(
            (
                "MAIL_FROM",
                value,
                "INTAKE_MAIL_FROM: not an email address; write no-reply@example.gov.vn, or with a "
                "name, Intake <no-reply@example.gov.vn>",
            )
            for value in (
                "bad",
                "Intake <no-reply>",
                "a@intake.gov.vn, b@intake.gov.vn",
                "x@y.vn\nBcc: z@w.vn",
            )
        ),
    ],
)
def test_addresses_that_cannot_work_are_refused_naming_the_variable(
    variable: str, value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"INTAKE_{variable}", value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert [e["msg"] for e in refused.value.errors()] == [f"Value error, {message}"]


def test_every_address_that_can_work_is_accepted() -> None:
    chosen = Settings(
        database_url="postgresql+asyncpg://intake:p%40ss@db.internal:5432/intake",
        database_replica_url="postgresql+asyncpg://intake@replica/intake",
        redis_url="rediss://:secret@cache.internal:6380/1",
        smtp_host="smtp.gov.vn",
        smtp_port=465,
        base_url="https://intake.gov.vn/portal/",
        mail_from="Cổng tiếp nhận <no-reply@intake.gov.vn>",
        meili_url="http://[::1]:7700",
        meili_public_url="https://search.intake.gov.vn",
        worker_metrics_address="::",
    )
    assert chosen.mail_from == "Cổng tiếp nhận <no-reply@intake.gov.vn>"
    assert Settings(mail_from="no-reply@intake.gov.vn", smtp_host="10.0.0.5").smtp_port == 8025
    assert Settings(database_url="sqlite+aiosqlite:////var/lib/intake/intake.db").is_sqlite
    assert Settings(redis_url="unix:///run/redis.sock").redis_url == "unix:///run/redis.sock"
    defaults = Settings()  # what `intake dev` and the demo start from
    assert (defaults.base_url, defaults.mail_from, defaults.smtp_port) == (
        "http://127.0.0.1:8000",
        "Intake <no-reply@intake.localhost>",
        8025,
    )
