"""Every knob of Intake, read from INTAKE_* environment variables."""

from __future__ import annotations

import re
from email.utils import getaddresses
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.attachments.kinds import KINDS
from service.sentinel import SENTINEL_SCHEME, parse_sentinel_url

Language = Literal["vi", "en"]
_DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused in production

# The drivers service/db.py builds engines for: aiosqlite (its one-writer SQLite) and asyncpg.
_SQLITE_DRIVER, _POSTGRES_DRIVER = "sqlite+aiosqlite", "postgresql+asyncpg"
_POSTGRES_FORM = f"{_POSTGRES_DRIVER}://user:password@host:5432/name"
_DATABASE_FORMS = f"{_SQLITE_DRIVER}:///path/to/intake.db or {_POSTGRES_FORM}"
_REDIS_SCHEMES = ("redis", "rediss", "unix", SENTINEL_SCHEME)
# As the directory files' emails (service/directory/loader.py): a dotted domain.
_EMAIL = re.compile(r"[^@\s]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A host name, an IPv4 address or a bare IPv6 one: what the SMTP client and the metrics server
# are given; ports have variables of their own.
_HOST = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*"
)


def _database_url_problem(url: str, drivers: tuple[str, ...], forms: str) -> str | None:
    """What keeps `url` from making one of service/db.py's engines, with the forms that do;
    None when nothing does. The URL itself is never repeated: it may hold a password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
        port = parsed.port
    except (ArgumentError, ValueError):
        return f"not a database URL; use {forms}"
    if parsed.drivername not in drivers:
        return f"Intake cannot use {parsed.drivername}:// URLs; use {forms}"
    if parsed.drivername == _SQLITE_DRIVER and parsed.database in (None, "", ":memory:"):
        return f"name the database file, as in {_SQLITE_DRIVER}:///path/to/intake.db"
    if port is not None and not 0 < port < 65536:
        return f"the port must be 1 to 65535, not {port}"
    return None


def _port_is_valid(parts: SplitResult) -> bool:
    """A URL's port is 1 to 65535, or none is given (urlsplit refuses one outside 0-65535)."""
    try:
        return parts.port != 0
    except ValueError:
        return False


def _http_url_problem(url: str) -> str | None:
    """What keeps `url` from being an absolute http(s) URL that paths are appended to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an absolute http:// or https:// URL"
    if not _port_is_valid(parts):
        return "its port must be 1 to 65535"
    if parts.query or parts.fragment or any(c.isspace() or ord(c) < 32 for c in url):
        return (
            "paths are appended to it: give no query (?), fragment (#), space or control character"
        )
    return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    data_dir: Path = Path("data")
    database_url: str = ""
    # A streaming replica of the PostgreSQL primary for reads that may lag by a moment (public
    # statistics, the published list, the landing page's figures); empty: the primary serves all.
    database_replica_url: str = ""
    # redis://, rediss://, unix:// or redis+sentinel://[:password@]host:port[,...]/service[/db]
    redis_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = _DEVELOPMENT_SECRET
    default_language: Language = "vi"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Intake <no-reply@intake.localhost>"

    # auto: Meilisearch when meili_url is set, else PostgreSQL full-text search on a PostgreSQL
    # database, else the embedded SQLite FTS5 index in the data directory.
    search_backend: Literal["auto", "embedded", "postgres", "meilisearch"] = "auto"
    meili_url: str = ""
    meili_api_key: str = ""
    meili_index: str = Field(default="proposals", pattern=r"^[A-Za-z0-9_-]{1,400}$")
    meili_timeout_seconds: float = Field(default=10.0, gt=0)

    max_title_length: int = Field(default=200, ge=10)
    max_description_length: int = Field(default=20_000, ge=100)
    max_legal_references_length: int = Field(default=2_000, ge=0)
    max_name_length: int = Field(default=200, ge=10)
    search_max_page_size: int = Field(default=50, ge=1)
    max_search_query_length: int = Field(default=500, ge=10)
    # Above this many matches the embedded and PostgreSQL backends stop counting: "10,000+".
    search_count_limit: int = Field(default=10_000, ge=1)
    # Meilisearch tenant tokens for agency portals: a search API key (never the master key), its
    # uid, the URL portals reach Meilisearch at (default: INTAKE_MEILI_URL) and token lifetime.
    meili_search_key: str = ""
    meili_search_key_uid: str = ""
    meili_public_url: str = ""
    meili_tenant_token_seconds: int = Field(default=900, ge=1, le=3600)
    response_business_days: int = Field(default=15, ge=1)
    acknowledge_business_days: int = Field(default=3, ge=1)
    max_extension_business_days: int = Field(default=15, ge=1)
    # A routing decision less confident than this goes to the secretariat's triage queue.
    routing_confidence_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    outbox_sweep_after_seconds: int = Field(default=30, ge=1)
    # How often the worker's sweep runs: at every multiple of this many seconds in the minute.
    outbox_sweep_interval_seconds: int = Field(default=10, ge=1, le=60)
    job_timeout_seconds: int = Field(default=30, ge=1)

    # Requests one web process works on at once; beyond it, 503 with Retry-After (0: no bound).
    max_concurrent_requests: int = Field(default=64, ge=0)
    busy_retry_after_seconds: int = Field(default=2, ge=1)
    # Allocations between collections of the youngest generation in `intake serve` and
    # `intake worker`, which also freeze what they hold at startup (service/heap.py); 0: Python's
    # defaults (700, nothing frozen).
    gc_gen0_threshold: int = Field(default=20_000, ge=0)

    rate_submissions_per_hour: int = Field(default=20, ge=0)
    rate_logins_per_15_minutes: int = Field(default=30, ge=0)
    rate_api_per_minute: int = Field(default=600, ge=0)
    trust_forwarded_for: bool = False
    # The submission form refuses a post sent sooner than this after the form was rendered.
    spam_min_fill_seconds: float = Field(default=3.0, ge=0)
    # Page and form bodies (GraphQL has its own); uploads also get room for every attachment.
    max_form_bytes: int = Field(default=1_048_576, ge=1_024)
    attachment_max_count: int = Field(default=5, ge=0)
    attachment_max_bytes: int = Field(default=10 * 1_048_576, ge=1_024)
    attachment_types: list[str] = ["pdf", "png", "jpeg", "docx", "xlsx", "odt", "ods"]
    graphql_max_depth: int = Field(default=12, ge=1)
    graphql_max_aliases: int = Field(default=15, ge=0)
    graphql_max_tokens: int = Field(default=2_000, ge=10)
    graphql_max_page_size: int = Field(default=100, ge=1)
    # Fields an operation may resolve, counting each field once per item of the pages above it.
    graphql_max_cost: int = Field(default=10_000, ge=1)
    # An operation still running after this long is stopped and answered with an error.
    graphql_timeout_seconds: float = Field(default=15.0, gt=0)
    # A subscription checks its caller again before every event and at least this often while
    # none comes: a revoked token or an ended session stops receiving within this time.
    subscription_recheck_seconds: float = Field(default=15.0, gt=0, le=300)
    graphql_max_body_bytes: int = Field(default=1_048_576, ge=1_024)
    # Unset: on everywhere but production. GraphiQL and field suggestions follow it.
    graphql_introspection: bool | None = None

    mail_max_per_minute: int = Field(default=120, ge=1)
    mail_retry_initial_seconds: float = Field(default=60.0, gt=0)
    mail_retry_max_interval_seconds: float = Field(default=1_800.0, gt=0)
    mail_retry_window_hours: float = Field(default=48.0, gt=0)
    # A row left SENDING longer than this is taken to belong to a dead worker and is sent again
    # (with the same Message-ID); it must outlast the SMTP timeout and the job timeout.
    mail_claim_stale_seconds: float = Field(default=300.0, gt=0)
    mail_reminder_business_days: int = Field(default=2, ge=0)
    mail_escalate_to_secretariat_business_days: int = Field(default=2, ge=0)
    mail_digest_hour: int = Field(default=7, ge=0, le=23)
    # A digest lists at most this many submissions a section and counts the rest.
    mail_digest_items: int = Field(default=50, ge=1, le=1_000)

    # Personal data of finished submissions is erased this many days after their last change;
    # audit entries are deleted after theirs. 0 keeps them for ever.
    retention_personal_days: int = Field(default=1826, ge=0)
    retention_audit_days: int = Field(default=1826, ge=0)
    # /metrics wants `Authorization: Bearer <token>` when set; unset, it is open except in
    # production, where it answers 404 until a token is set.
    metrics_token: str = ""
    # The worker serves its own /metrics on this port (0: not at all).
    worker_metrics_port: int = Field(default=9101, ge=0, le=65535)
    worker_metrics_address: str = "127.0.0.1"

    # Each address checked on its own, so that every bad one gets its line; the messages name
    # their variable (as the model validators' do), and `intake` prints them as they are.

    @field_validator("database_url")
    @classmethod
    def _database_url_is_usable(cls, url: str) -> str:
        drivers = (_SQLITE_DRIVER, _POSTGRES_DRIVER)
        if url and (problem := _database_url_problem(url, drivers, _DATABASE_FORMS)):
            empty = ", or leave it empty for SQLite in the data directory"
            raise ValueError(f"INTAKE_DATABASE_URL: {problem}{empty if 'use' in problem else ''}")
        return url

    @field_validator("database_replica_url")
    @classmethod
    def _replica_url_is_usable(cls, url: str) -> str:
        if url and (problem := _database_url_problem(url, (_POSTGRES_DRIVER,), _POSTGRES_FORM)):
            empty = ", or leave it empty for no replica"
            raise ValueError(
                f"INTAKE_DATABASE_REPLICA_URL: {problem}{empty if 'use' in problem else ''}"
            )
        return url

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_usable(cls, url: str) -> str:
        parts = urlsplit(url)
        if not url or parts.scheme == SENTINEL_SCHEME:
            if url:
                parse_sentinel_url(url)  # its messages name INTAKE_REDIS_URL
            return url
        if parts.scheme not in _REDIS_SCHEMES:
            schemes = ", ".join(f"{scheme}://" for scheme in _REDIS_SCHEMES)
            raise ValueError(f"INTAKE_REDIS_URL: not a Redis URL, which starts with {schemes}")
        if parts.scheme == "unix" and not parts.path:
            raise ValueError("INTAKE_REDIS_URL: name the socket, as in unix:///path/redis.sock")
        if not _port_is_valid(parts):
            raise ValueError("INTAKE_REDIS_URL: the port must be 1 to 65535")
        return url

    @field_validator("base_url", "meili_url", "meili_public_url")
    @classmethod
    def _urls_are_absolute(cls, url: str, info: ValidationInfo) -> str:
        # INTAKE_BASE_URL starts every link in emails; the Meilisearch ones may be empty.
        if (url or info.field_name == "base_url") and (problem := _http_url_problem(url)):
            raise ValueError(f"INTAKE_{str(info.field_name).upper()}: {problem}")
        return url

    @field_validator("smtp_port")
    @classmethod
    def _smtp_port_is_a_port(cls, port: int) -> int:
        if not 0 < port < 65536:
            raise ValueError(f"INTAKE_SMTP_PORT: {port} is not a port; use 1 to 65535")
        return port

    @field_validator("smtp_host", "worker_metrics_address")
    @classmethod
    def _hosts_are_well_formed(cls, host: str, info: ValidationInfo) -> str:
        if not _HOST.fullmatch(host):
            raise ValueError(
                f"INTAKE_{str(info.field_name).upper()}: not a host name or IP address"
            )
        return host

    @field_validator("mail_from")
    @classmethod
    def _mail_from_is_an_address(cls, value: str) -> str:
        # The From header of every email as it stands, and the domain of their Message-IDs
        # (service/notifications/service.py): one address, with a display name if wanted.
        addresses = getaddresses([value])
        if (
            any(ord(c) < 32 or ord(c) == 127 for c in value)
            or len(addresses) != 1
            or not _EMAIL.fullmatch(addresses[0][1])
        ):
            raise ValueError(
                "INTAKE_MAIL_FROM: not an email address; write no-reply@example.gov.vn, or with "
                "a name, Intake <no-reply@example.gov.vn>"
            )
        return value

    @model_validator(mode="after")
    def _attachment_types_are_known(self) -> Settings:
        # Written by code or by extension, in any case: "JPG" is JPEG. Unknown ones are refused,
        # or the form would advertise a kind that the content check never accepts. A model
        # validator, so that the message is the whole sentence and names the variable itself.
        value = self.attachment_types
        aliases = {code: code for code in KINDS} | {
            kind.extension.removeprefix("."): code for code, kind in KINDS.items()
        }
        known = ", ".join(KINDS)
        unknown = [t for t in value if t.strip().lower() not in aliases]
        if unknown:
            listed = ", ".join(f'"{t}"' for t in unknown)
            plural = "s" if len(unknown) > 1 else ""
            raise ValueError(
                f"INTAKE_ATTACHMENT_TYPES: unknown file type{plural} {listed}; "
                f"the known types are {known} (jpg means jpeg)"
            )
        if not value:
            raise ValueError(f"INTAKE_ATTACHMENT_TYPES: list at least one of {known}")
        self.attachment_types = list(dict.fromkeys(aliases[t.strip().lower()] for t in value))
        return self

    @model_validator(mode="after")
    def _acknowledging_comes_before_responding(self) -> Settings:
        # As for an agency's own figures (service/directory/checks.py): an acknowledgement due
        # after the answer would remind and escalate a deadline that no longer means anything.
        if self.acknowledge_business_days > self.response_business_days:
            raise ValueError(
                f"INTAKE_ACKNOWLEDGE_BUSINESS_DAYS: {self.acknowledge_business_days} is more than "
                f"INTAKE_RESPONSE_BUSINESS_DAYS, {self.response_business_days}; a submission must "
                "be due to be acknowledged no later than answered"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == _DEVELOPMENT_SECRET:
            raise ValueError("set INTAKE_SECRET_KEY: production refuses the development secret")
        return self

    @model_validator(mode="after")
    def _addresses_are_well_formed(self) -> Settings:
        # The replica's own URL, and the others, are checked above, each on its own.
        if self.database_replica_url and not self.resolved_database_url.startswith("postgresql"):
            raise ValueError(
                "INTAKE_DATABASE_REPLICA_URL: a read replica needs a PostgreSQL primary "
                "(INTAKE_DATABASE_URL) and a postgresql+asyncpg:// URL of its own"
            )
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'intake.db').resolve()}"

    @property
    def search_index_path(self) -> Path:
        return self.data_dir / "search.db"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def graphql_introspection_enabled(self) -> bool:
        if self.graphql_introspection is not None:
            return self.graphql_introspection
        return self.environment != "production"
