"""`intake` and its commands: dev, serve, worker, migrate, seed, directory, rules, reindex,
token, user, doctor, mail, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlmodel.ext.asyncio.session import AsyncSession

from service.embedded.ports import free_tcp_port
from service.logs import configure_logging
from service.settings import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from service.errors import ValidationFailed

T = TypeVar("T")

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "graphql" / "schema.graphql"


class CommandFailed(Exception):
    """An expected failure of a command: `main` prints `intake <command>: <message>`, exits 1."""


class InvalidSettings(Exception):
    """The INTAKE_* variables do not make valid settings; one line for each problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise InvalidSettings(
            [_settings_problem(e["loc"], e["msg"], e["type"]) for e in error.errors()]
        ) from None
    except SettingsError as error:
        raise InvalidSettings([_unparsable_setting(error)]) from None


def _variable(field: str) -> str:
    """The environment variable a settings field is read from."""
    return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()


def _settings_problem(loc: tuple[int | str, ...], message: str, kind: str) -> str:
    if kind == "value_error":  # a validator's own sentence, which names its variables
        message = message.removeprefix("Value error, ")
    # A validator's sentence may name its variable itself (one that also reads well in Python).
    if not loc or message.startswith(f"{_variable(str(loc[0]))}:"):
        return message
    return f"{_variable(str(loc[0]))}: {message}"


def _unparsable_setting(error: SettingsError) -> str:
    """pydantic-settings names the field only in its message: 'error parsing value for field
    "attachment_types" from source ...'; lists and other complex values are read as JSON."""
    found = re.search(r'field "(\w+)"', str(error))
    if found is None:
        return str(error)
    field = found[1]
    problem = f"{_variable(field)}: not a valid value"
    if error.__cause__ is not None:
        problem += f" ({error.__cause__})"
    default = Settings.model_fields[field].default if field in Settings.model_fields else None
    if isinstance(default, list):
        problem += f"; a list is written as JSON, like {json.dumps(default[:2])}"
    return problem


def migrate(settings: Settings) -> None:
    from service.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)


def seed(settings: Settings) -> None:
    from service.db import Database
    from service.demo import load_demo

    async def run() -> None:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                await load_demo(session)
        finally:
            await db.dispose()

    asyncio.run(run())


def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from service.db import Database

    async def run() -> T:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(run())


def token(settings: Settings, args: argparse.Namespace) -> int:
    """`intake token create|list|revoke`: agency portals' API tokens."""
    from service.accounts import service as accounts
    from service.accounts.actor import Actor
    from service.accounts.errors import InvalidAgency, UnknownAgency
    from service.accounts.models import Role
    from service.errors import ValidationFailed

    if args.action == "create":
        try:
            # The checks of the admin token page: the same service function, as the command line.
            issued = _with_session(
                settings,
                lambda session: accounts.issue_token(
                    session,
                    Actor.command_line(),
                    name=args.name,
                    role=Role(args.role),
                    agency_code=args.agency,
                ),
            )
        except ValidationFailed as failure:
            return _field_errors("token create", failure)
        except InvalidAgency as error:
            print(f"intake token create: agency: {error}", file=sys.stderr)
            return 1
        except UnknownAgency as error:
            print(f"intake token create: agency: unknown agency {error}", file=sys.stderr)
            return 1
        print(
            f"Token {issued.token.id} ({issued.token.name}, {issued.token.role.value}"
            f"{', ' + args.agency if args.agency else ''}). Shown once; store it now:"
        )
        print(issued.secret)
        return 0
    if args.action == "list":
        tokens = _with_session(settings, lambda session: accounts.list_tokens(session))
        for row in tokens:
            state = "revoked" if row.revoked_at else "active"
            used = row.last_used_at.isoformat() if row.last_used_at else "never"
            print(
                f"{row.id}\t{row.prefix}…\t{row.name}\t{row.role.value}\t{state}\tlast used {used}"
            )
        return 0
    revoked = _with_session(settings, lambda session: accounts.revoke_token(session, args.id))
    if revoked is None:
        print(f"intake token revoke: no token {args.id}", file=sys.stderr)
        return 1
    print(f"Token {revoked.id} ({revoked.name}) is revoked.")
    return 0


def load_directory(settings: Settings, path: Path | None) -> int:
    """Check the directory's data files and load them in one transaction; 1 on bad data."""
    from service.db import Database
    from service.directory.loader import DATA_DIR, InvalidDirectory, read_directory
    from service.directory.service import LoadSummary
    from service.directory.service import load_directory as load

    source = path or DATA_DIR
    try:
        defaults = settings.acknowledge_business_days, settings.response_business_days
        data = read_directory(source, defaults)
    except InvalidDirectory as invalid:
        count = len(invalid.errors)
        print(
            f"The directory in {source} has {count} error{'s' if count != 1 else ''}; "
            "nothing was loaded and the current directory stays in force:",
            file=sys.stderr,
        )
        for error in invalid.errors:
            print(f"  {error}", file=sys.stderr)
        return 1

    async def run() -> LoadSummary:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                return await load(session, data, actor="cli")
        finally:
            await db.dispose()

    summary = asyncio.run(run())
    if not summary.recorded:
        print(f"Directory {summary.version} is already loaded; nothing changed.")
        return 0
    print(f"Directory {summary.version} loaded from {source}:")
    kept = ("added", "changed", "deactivated")
    for entity, plural, counted in (
        ("agency", "agencies", kept),
        ("province", "provinces", kept),
        ("category", "categories", kept),
        ("place", "places", ("added", "changed", "removed")),  # places are deleted
    ):
        counts = [f"{summary.count(entity, what)} {what}" for what in counted]
        print(f"  {plural + ':':12} {', '.join(counts)}")
    return 0


def load_rules(settings: Settings, path: Path | None, *, if_empty: bool = False) -> int:
    """Check the routing rules file against the directory in force and make it the rule
    table; 1 on bad data, and the rules in force stay. With if_empty, only into a rule table
    that holds no rule and never did (a fresh deployment)."""
    from service.routing.loader import RULES_FILE, InvalidRules, load_rules_if_empty, read_rules
    from service.routing.service import known_directory
    from service.routing.service import load_rules as load

    source = path or RULES_FILE

    async def run(session: AsyncSession) -> bool:
        if if_empty:
            return await load_rules_if_empty(session, source, actor="cli")
        records = read_rules(await known_directory(session), source)
        return await load(session, records, actor="cli")

    try:
        changed = _with_transaction(settings, run)
    except InvalidRules as invalid:
        count = len(invalid.errors)
        print(
            f"The rules in {source} have {count} error{'s' if count != 1 else ''}; "
            "nothing was loaded and the rules in force stay:",
            file=sys.stderr,
        )
        for error in invalid.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    if changed:
        print(f"Routing rules loaded from {source}.")
    elif if_empty:
        print("The rule table holds rules or has held them; nothing was loaded.")
    else:
        print("The rules are already these.")
    return 0


def _with_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from service.db import Database

    async def run() -> T:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(run())


def reindex(settings: Settings, *, verify: bool, batch_size: int) -> str:
    """Rebuild the search index, or verify it against the database and repair the drift."""
    from search.reindex import run

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(run(settings, verify=verify, batch_size=batch_size)).summary()


def user(settings: Settings, args: argparse.Namespace) -> int:
    """`intake user create`: an official's account; the password is generated and shown once."""
    from service.accounts import service as accounts
    from service.accounts.actor import Actor
    from service.errors import ValidationFailed

    try:
        # The checks of the admin users page, and its history row, recorded as the command line.
        created, password = _with_session(
            settings,
            lambda session: accounts.create_official(
                session,
                Actor.command_line(),
                email=args.email,
                name=args.name,
                role=args.role,
                agency_code=args.agency or "",
                password="",  # generated
                language="en",
            ),
        )
    except ValidationFailed as failure:
        return _field_errors("user create", failure)
    print(f"User {created.email} ({created.role.value}) created. Password, shown once: {password}")
    return 0


def _field_errors(command: str, failure: ValidationFailed) -> int:
    for error in failure.errors:
        print(f"intake {command}: {error.field}: {error.message}", file=sys.stderr)
    return 1


def doctor(settings: Settings) -> int:
    from service.doctor import report, run_checks

    checks = asyncio.run(run_checks(settings))
    print(report(checks))
    return 0 if all(c.ok for c in checks) else 1


def mail(settings: Settings, args: argparse.Namespace) -> int:
    """`intake mail preview|failures|retry|schedule`: templates with sample data, mail that
    failed, and the worker's mail schedule run once."""
    if args.action == "schedule":
        return _mail_schedule(settings)
    if args.action == "preview":
        from service.notifications.catalog import KINDS
        from service.notifications.preview import sample_message

        if args.template not in KINDS:
            known = ", ".join(sorted(KINDS))
            print(
                f"intake mail preview: no template {args.template!r}; try {known}", file=sys.stderr
            )
            return 1
        message = sample_message(args.template, args.lang, settings)
        for name in ("From", "To", "Subject", "Message-ID", "References", "List-Unsubscribe"):
            if message[name]:
                print(f"{name}: {message[name]}")
        for subtype in ("plain", "html"):
            part = message.get_body((subtype,))
            if part is not None:
                print(f"\n--- text/{subtype} ---\n{part.get_content().rstrip()}")
        return 0

    from service.notifications import service as notifications

    if args.action == "failures":
        rows = _with_session(
            settings, lambda session: notifications.failed_notifications(session, args.limit)
        )
        if not rows:
            print("No failed mail.")
        for row in rows:
            when = row.failed_at.isoformat(timespec="seconds") if row.failed_at else ""
            error = " ".join(row.last_error.split())
            print(f"{row.id}\t{when}\t{row.recipient}\t{row.template}\t{row.attempts}\t{error}")
        return 0
    retried = _with_session(settings, lambda session: notifications.retry_failed(session, args.id))
    if retried is None:
        print(f"intake mail retry: no failed notification {args.id}", file=sys.stderr)
        return 1
    print(f"Notification {args.id} to {retried.recipient} is queued again.")
    return 0


def _mail_schedule(settings: Settings) -> int:
    """The reminders, escalations and digests due now, queued as the worker's five-minute run
    queues them (what was queued before is not queued again); the worker then sends them."""
    from service.db import Database, utcnow
    from service.notifications.schedule import queue_deadline_mail, queue_digests
    from service.queue import ArqQueue

    async def run() -> tuple[int, int]:
        db, queue = Database(settings.resolved_database_url), ArqQueue(settings)
        try:
            now = utcnow()
            deadlines = await queue_deadline_mail(db, queue, settings, now)
            return deadlines, await queue_digests(db, queue, settings, now)
        finally:
            await queue.close()
            await db.dispose()

    deadlines, digests = asyncio.run(run())
    print(
        f"Queued {deadlines} reminder and escalation emails and {digests} digests; "
        "a running worker sends them."
    )
    return 0


def export_schema(output: Path) -> None:
    from service.api.schema import schema

    try:
        output.write_text(schema.as_str() + "\n", encoding="utf-8")
    except OSError as error:
        raise CommandFailed(f"cannot write {output}: {error.strerror}") from None


def serve(
    settings: Settings,
    host: str,
    port: int,
    create: Callable[[Settings], Starlette] | None = None,
) -> None:
    """The web process: `create` builds its application (Intake's own by default)."""
    import uvicorn

    from service import heap
    from service.app import create_app

    app = (create or create_app)(settings)
    heap.settle(settings)
    # log_config=None: uvicorn logs through the root logger, so production lines are JSON too.
    uvicorn.run(app, host=host, port=port, log_config=None, lifespan="on")


def worker(settings: Settings, *, burst: bool) -> int:
    from service import heap
    from workers.settings import MetricsUnavailable, run_worker

    if not burst:  # a burst run ends soon; nothing to gain
        heap.settle(settings)
    try:
        run_worker(settings, burst=burst)
    except MetricsUnavailable as error:
        print(f"intake worker: {error}", file=sys.stderr)
        return 1
    return 0


def load_samples(settings: Settings) -> int:
    """The demo's sample submissions, on a system that holds none yet; how many were sent."""
    from service.db import Database
    from service.demo import load_demo_submissions
    from service.queue import ArqQueue

    async def run() -> int:
        db, queue = Database(settings.resolved_database_url), ArqQueue(settings)
        try:
            return len(await load_demo_submissions(db, queue, settings))
        finally:
            await queue.close()
            await db.dispose()

    return asyncio.run(run())


def dev(settings: Settings, host: str, port: int, *, samples: bool = True) -> int:
    """Everything on one machine: migrate, seed, Redis, SMTP capture, web server and a worker;
    on a system without submissions, the demo's samples too (unless `samples` is False).
    0 when stopped by Ctrl-C or SIGTERM, 1 when one of its processes stopped on its own (Redis
    is started again instead, unless it keeps stopping)."""
    from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, reviewer_email
    from service.embedded.children import die_with_parent, exit_description
    from service.embedded.ports import tcp_port_in_use
    from service.embedded.redis import EmbeddedRedis, EmbeddedRedisError
    from service.embedded.smtp import MailCapture

    # Redis is started again when it stops on its own (its queue is kept in its data directory),
    # but not forever: this many stops within the window end `intake dev`.
    redis_stops_allowed, redis_stops_window = 3, 60.0
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    data_dir = settings.data_dir.resolve()
    print(f"Intake: data in {data_dir}", flush=True)
    migrate(settings)
    seed(settings)
    base_url = f"http://{host}:{port}"
    # `kill` (SIGTERM, as a supervisor or a container runtime stops a process) stops everything
    # as Ctrl-C does: by default Python would exit at once and leave the web server, the worker
    # and Redis running. On `kill -9` they get SIGTERM from the kernel (die_with_parent).
    signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.ExitStack() as started:
        redis = EmbeddedRedis(data_dir)
        try:
            started.enter_context(redis)
        except EmbeddedRedisError as error:
            raise CommandFailed(str(error)) from None
        capture = started.enter_context(MailCapture(settings.mail_dir))
        child_env = {
            **os.environ,
            "INTAKE_DATA_DIR": str(data_dir),
            "INTAKE_REDIS_URL": redis.url,
            "INTAKE_SMTP_HOST": "127.0.0.1",
            "INTAKE_SMTP_PORT": str(capture.port),
            "INTAKE_SMTP_SECURITY": "none",
            "INTAKE_BASE_URL": os.environ.get("INTAKE_BASE_URL", base_url),
            "INTAKE_ENVIRONMENT": "development",
            # A port of its own, so that two systems on one machine do not both want 9101.
            "INTAKE_WORKER_METRICS_PORT": os.environ.get(
                "INTAKE_WORKER_METRICS_PORT", str(free_tcp_port())
            ),
        }
        if samples and (sent := load_samples(settings.model_copy(update={"redis_url": redis.url}))):
            print(f"Intake: {sent} sample submissions sent; the worker routes them.", flush=True)
        intake = [sys.executable, "-m", "service.cli"]
        children: list[subprocess.Popen[bytes]] = []
        names = ("the web server", "the worker")
        try:
            children.append(
                subprocess.Popen(
                    [*intake, "serve", "--host", host, "--port", str(port)],
                    env=child_env,
                    preexec_fn=die_with_parent(),
                )
            )
            children.append(
                subprocess.Popen([*intake, "worker"], env=child_env, preexec_fn=die_with_parent())
            )
            print(
                f"""
Intake is running.
  Web:           {base_url}/
  Submit:        {base_url}/submit
  GraphQL:       {base_url}/graphql
  Dev mailbox:   {base_url}/dev/mail
  Redis:         {redis.url}
  SMTP capture:  127.0.0.1:{capture.port}
  Job metrics:   {_worker_metrics(child_env["INTAKE_WORKER_METRICS_PORT"])}
Demo logins (password {DEMO_PASSWORD}):
  secretariat:   {SECRETARIAT_EMAIL}
  reviewers:     {reviewer_email("BKHCN")}, {reviewer_email("UBND-HA-NOI")}, ...
                 (reviewer.<agency code in lower case>@intake.localhost)
Press Ctrl-C to stop.
""",
                flush=True,
            )
            redis_stops: list[float] = []
            while all(child.poll() is None for child in children):
                if (status := redis.returncode) is not None:
                    now = time.monotonic()
                    redis_stops = [t for t in redis_stops if now - t < redis_stops_window]
                    redis_stops.append(now)
                    stopped = f"Intake: Redis stopped on its own ({exit_description(status)})"
                    if len(redis_stops) >= redis_stops_allowed:
                        print(
                            f"{stopped}, {len(redis_stops)} times within "
                            f"{redis_stops_window:.0f} s; shutting down the others. "
                            f"Its log: {redis.log_path}",
                            file=sys.stderr,
                            flush=True,
                        )
                        return 1
                    try:
                        redis.restart()
                    except EmbeddedRedisError as error:
                        print(
                            f"{stopped} and could not be started again; shutting down "
                            f"the others.\n{error}",
                            file=sys.stderr,
                            flush=True,
                        )
                        return 1
                    print(
                        f"{stopped}; started it again at {redis.url} with its data.",
                        file=sys.stderr,
                        flush=True,
                    )
                time.sleep(0.5)
            web_server = children[0]
            if web_server.returncode is not None and tcp_port_in_use(host, port):
                print(
                    f"Intake: port {port} on {host} is already in use by another program; "
                    "stop it, or choose another port with --port.",
                    file=sys.stderr,
                )
            stopped = next(
                f"{name} ({exit_description(child.returncode)})"
                for name, child in zip(names, children, strict=True)
                if child.returncode is not None
            )
            print(f"Intake: {stopped} stopped; shutting down the others.", file=sys.stderr)
            return 1  # `make run` and supervisors must see that it did not end as asked
        except KeyboardInterrupt:
            print("\nIntake: stopping.", flush=True)
            return 0
        finally:
            _stop_children(children)


def _data_dir_origin(args: argparse.Namespace) -> str:
    return "--data-dir" if getattr(args, "data_dir", None) else "INTAKE_DATA_DIR"


def _writable_data_dir(settings: Settings, origin: str) -> None:
    """Create the data directory if need be and make sure files can be written in it."""
    directory = settings.data_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".intake-"):
            pass
    except OSError as error:
        raise CommandFailed(
            f"the data directory {directory} is not a writable directory ({origin}): "
            f"{error.strerror}"
        ) from None


def _require_migrated(settings: Settings, origin: str) -> None:
    """Refuse, in one sentence, a database that is missing or behind the code's migrations;
    the revision is read as `intake doctor` reads it."""
    from sqlalchemy.engine import make_url

    from service.migrate import head_revision

    not_migrated = "the database is not migrated; run `intake migrate` first"
    url = settings.resolved_database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(str(parsed.database))
        if not database.is_file():
            # Opening a missing file would create an empty database (or fail, folder missing).
            blocked = _existing_ancestor(database.parent)
            if not blocked.is_dir():
                where = (
                    f"the data directory {settings.data_dir} is not a writable directory ({origin})"
                    if not settings.database_url
                    else f"the database's folder {database.parent} is not a directory "
                    "(INTAKE_DATABASE_URL)"
                )
                raise CommandFailed(f"{where}: {blocked} is a file")
            raise CommandFailed(not_migrated)
    try:
        current = asyncio.run(_database_revision(url))
    except Exception as error:  # any driver's failure to connect: said in one line
        cause = getattr(error, "orig", None) or error
        raise CommandFailed(
            f"cannot open the database (INTAKE_DATABASE_URL): {type(cause).__name__}: {cause}"
        ) from None
    head = head_revision(url)
    if current is None:
        raise CommandFailed(not_migrated)
    if current != head:
        raise CommandFailed(
            f"the database is at migration {current}, the code at {head}; "
            "run `intake migrate` first"
        )


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


async def _database_revision(url: str) -> str | None:
    from service.db import Database
    from service.migrate import current_revision

    # Alembic says "Context impl SQLiteImpl." at INFO: noise before a command's own output.
    alembic_log = logging.getLogger("alembic.runtime.migration")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            return await connection.run_sync(current_revision)
    finally:
        await db.dispose()
        alembic_log.setLevel(level)


def _worker_metrics(port: str) -> str:
    return (
        "off (INTAKE_WORKER_METRICS_PORT=0)" if port == "0" else f"http://127.0.0.1:{port}/metrics"
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def with_data_dir(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        # SUPPRESS: an action's own --data-dir, absent, must not undo its command's.
        command.add_argument(
            "--data-dir", help="overrides INTAKE_DATA_DIR", default=argparse.SUPPRESS
        )
        return command

    dev_command = with_data_dir(commands.add_parser("dev", help="run the whole system locally"))
    dev_command.add_argument("--host", default="127.0.0.1")
    dev_command.add_argument("--port", type=int, default=8000)
    dev_command.add_argument(
        "--no-samples",
        action="store_true",
        help="start without the sample submissions a system with none gets",
    )
    serve_command = with_data_dir(commands.add_parser("serve", help="run the web server"))
    serve_command.add_argument("--host", default="127.0.0.1")
    serve_command.add_argument("--port", type=int, default=8000)
    worker_command = with_data_dir(commands.add_parser("worker", help="run a job worker"))
    worker_command.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    with_data_dir(commands.add_parser("migrate", help="bring the database schema up to date"))
    with_data_dir(commands.add_parser("seed", help="load the directory and demo users"))
    token_command = with_data_dir(commands.add_parser("token", help="agency portals' API tokens"))
    token_commands = token_command.add_subparsers(dest="action", required=True)
    create = with_data_dir(
        token_commands.add_parser("create", help="issue a token; it is shown once")
    )
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role", required=True, choices=["REVIEWER", "AGENCY_ADMIN", "SECRETARIAT", "ADMIN"]
    )
    create.add_argument("--agency", help="agency code, required for REVIEWER and AGENCY_ADMIN")
    with_data_dir(token_commands.add_parser("list", help="every token, without its secret"))
    revoke = with_data_dir(token_commands.add_parser("revoke", help="stop a token from working"))
    revoke.add_argument("id", type=int)
    directory_command = commands.add_parser("directory", help="the national agency directory")
    directory_commands = directory_command.add_subparsers(dest="directory_command", required=True)
    load_command = with_data_dir(
        directory_commands.add_parser(
            "load", help="check the directory's data files and load them, keeping history"
        )
    )
    load_command.add_argument(
        "--path", type=Path, help="a folder of directory data files (default: the shipped data)"
    )
    rules_command = commands.add_parser("rules", help="the routing rules")
    rules_commands = rules_command.add_subparsers(dest="rules_command", required=True)
    rules_load = with_data_dir(
        rules_commands.add_parser("load", help="check a rules file and make it the rule table")
    )
    rules_load.add_argument(
        "--path", type=Path, help="a rules CSV file (default: the shipped rules.csv)"
    )
    rules_load.add_argument(
        "--if-empty",
        action="store_true",
        help="load only into a rule table that holds no rule and never did (a fresh deployment)",
    )
    reindex_command = with_data_dir(
        commands.add_parser("reindex", help="rebuild the search index from the database")
    )
    reindex_command.add_argument(
        "--verify",
        action="store_true",
        help="compare the index with the database, report the drift and repair it",
    )
    reindex_command.add_argument(
        "--batch-size", type=_positive, default=1000, help="documents read and written at once"
    )
    with_data_dir(commands.add_parser("doctor", help="check every dependency and explain"))
    user_command = with_data_dir(commands.add_parser("user", help="officials' accounts"))
    user_commands = user_command.add_subparsers(dest="action", required=True)
    create_user = with_data_dir(
        user_commands.add_parser("create", help="create an official; prints a password")
    )
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument(
        "--role", required=True, choices=["REVIEWER", "AGENCY_ADMIN", "SECRETARIAT", "ADMIN"]
    )
    create_user.add_argument("--agency", help="agency code, required for REVIEWER and AGENCY_ADMIN")
    mail_command = with_data_dir(commands.add_parser("mail", help="email templates and failures"))
    mail_commands = mail_command.add_subparsers(dest="action", required=True)
    preview = with_data_dir(
        mail_commands.add_parser("preview", help="render a template with sample data")
    )
    preview.add_argument("template")
    preview.add_argument("--lang", choices=["vi", "en"], default="vi")
    failures = with_data_dir(
        mail_commands.add_parser("failures", help="mail that failed for good, newest first")
    )
    failures.add_argument("--limit", type=int, default=50)
    retry = with_data_dir(
        mail_commands.add_parser("retry", help="queue a failed notification again")
    )
    retry.add_argument("id", type=int)
    with_data_dir(
        mail_commands.add_parser(
            "schedule", help="queue the reminders, escalations and digests due now, once"
        )
    )
    export_command = commands.add_parser("export-schema", help="write graphql/schema.graphql")
    export_command.add_argument("--output", type=Path, default=SCHEMA_PATH)
    return parser


# Commands that read or write the database's tables, and so need it migrated first.
_NEEDS_MIGRATED = frozenset({"seed", "token", "user", "directory", "rules", "reindex", "mail"})
# Commands that write in the data directory themselves, creating it if need be.
_WRITES_DATA_DIR = frozenset({"migrate", "dev", "reindex"})


def _command_name(args: argparse.Namespace) -> str:
    """The command as typed: "token create", "directory load", "doctor"."""
    action = getattr(args, "action", None) or getattr(args, "directory_command", None)
    action = action or getattr(args, "rules_command", None)
    return f"{args.command} {action}" if action else str(args.command)


def main(argv: list[str] | None = None) -> int:
    """Run a command; bad settings exit 2 (as bad options do), other expected failures 1,
    each said in a line on stderr without a traceback."""
    args = _parser().parse_args(argv)
    name = _command_name(args)
    try:
        return _run(args)
    except InvalidSettings as invalid:
        for problem in invalid.problems:
            print(f"intake {name}: {problem}", file=sys.stderr)
        return 2
    except CommandFailed as failure:
        print(f"intake {name}: {failure}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "export-schema":
        export_schema(args.output)
        return 0
    settings = _settings(args)
    origin = _data_dir_origin(args)
    if args.command in _NEEDS_MIGRATED and getattr(args, "action", None) != "preview":
        _require_migrated(settings, origin)
    if args.command in _WRITES_DATA_DIR:
        _writable_data_dir(settings, origin)
    configure_logging(settings)
    match args.command:
        case "token":
            return token(settings, args)
        case "doctor":
            return doctor(settings)
        case "user":
            return user(settings, args)
        case "mail":
            return mail(settings, args)
        case "dev":
            return dev(settings, args.host, args.port, samples=not args.no_samples)
        case "serve":
            serve(settings, args.host, args.port)
        case "worker":
            return worker(settings, burst=args.burst)
        case "migrate":
            migrate(settings)
        case "seed":
            seed(settings)
        case "directory":
            return load_directory(settings, args.path)
        case "rules":
            return load_rules(settings, args.path, if_empty=args.if_empty)
        case "reindex":
            print(reindex(settings, verify=args.verify, batch_size=args.batch_size), flush=True)
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
