"""`intake dev|serve|worker|migrate|seed|directory|reindex|token|user|doctor|mail|export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from service.embedded.ports import free_tcp_port
from service.logs import configure_logging
from service.settings import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

T = TypeVar("T")

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "graphql" / "schema.graphql"


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings(**overrides)  # type: ignore[arg-type]


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
    from service.accounts.errors import UnknownAgency
    from service.accounts.models import Role

    if args.action == "create":
        try:
            issued = _with_session(
                settings,
                lambda session: accounts.create_token(
                    session,
                    name=args.name,
                    role=Role(args.role),
                    agency_code=args.agency,
                    created_by="cli",
                ),
            )
        except UnknownAgency as error:
            print(f"intake token create: unknown agency: {error}", file=sys.stderr)
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
        data = read_directory(source)
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
    for entity, plural in (
        ("agency", "agencies"),
        ("province", "provinces"),
        ("category", "categories"),
    ):
        counts = [
            f"{summary.count(entity, what)} {what}" for what in ("added", "changed", "deactivated")
        ]
        print(f"  {plural + ':':12} {', '.join(counts)}")
    return 0


def load_rules(settings: Settings, path: Path | None) -> int:
    """Check the routing rules file against the directory in force and make it the rule
    table; 1 on bad data, and the rules in force stay."""
    from service.routing.loader import RULES_FILE, InvalidRules, read_rules
    from service.routing.service import known_directory
    from service.routing.service import load_rules as load

    source = path or RULES_FILE

    async def run(session: AsyncSession) -> bool:
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
    print(f"Routing rules loaded from {source}." if changed else "The rules are already these.")
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
    import secrets

    from service.accounts import service as accounts
    from service.accounts.errors import AccountExists, UnknownAgency
    from service.accounts.models import Role

    password = secrets.token_urlsafe(12)
    try:
        created = _with_session(
            settings,
            lambda session: accounts.create_user(
                session,
                email=args.email,
                name=args.name,
                role=Role(args.role),
                agency_code=args.agency,
                password=password,
            ),
        )
    except (AccountExists, UnknownAgency) as error:
        print(f"intake user create: {error.code}: {error}", file=sys.stderr)
        return 1
    print(f"User {created.email} ({created.role.value}) created. Password, shown once: {password}")
    return 0


def doctor(settings: Settings) -> int:
    from service.doctor import report, run_checks

    checks = asyncio.run(run_checks(settings))
    print(report(checks))
    return 0 if all(c.ok for c in checks) else 1


def mail(settings: Settings, args: argparse.Namespace) -> int:
    """`intake mail preview|failures|retry`: templates with sample data, and mail that failed."""
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


def export_schema(output: Path) -> None:
    from service.api.schema import schema

    output.write_text(schema.as_str() + "\n", encoding="utf-8")


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


def dev(settings: Settings, host: str, port: int, *, samples: bool = True) -> None:
    """Everything on one machine: migrate, seed, Redis, SMTP capture, web server and a worker;
    on a system without submissions, the demo's samples too (unless `samples` is False)."""
    from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, reviewer_email
    from service.embedded.redis import EmbeddedRedis
    from service.embedded.smtp import MailCapture

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    data_dir = settings.data_dir.resolve()
    print(f"Intake: data in {data_dir}", flush=True)
    migrate(settings)
    seed(settings)
    base_url = f"http://{host}:{port}"
    # `kill` (SIGTERM, as a supervisor or a container runtime stops a process) stops everything
    # as Ctrl-C does: by default Python would exit at once and leave the web server, the worker
    # and Redis running.
    signal.signal(signal.SIGTERM, _interrupt)
    with EmbeddedRedis(data_dir) as redis, MailCapture(settings.mail_dir) as capture:
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
        try:
            children.append(
                subprocess.Popen(
                    [*intake, "serve", "--host", host, "--port", str(port)], env=child_env
                )
            )
            children.append(subprocess.Popen([*intake, "worker"], env=child_env))
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
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            print("Intake: a process stopped; shutting down the others.", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nIntake: stopping.", flush=True)
        finally:
            _stop_children(children)


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
        command.add_argument("--data-dir", help="overrides INTAKE_DATA_DIR")
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
    create = token_commands.add_parser("create", help="issue a token; it is shown once")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role", required=True, choices=["REVIEWER", "AGENCY_ADMIN", "SECRETARIAT", "ADMIN"]
    )
    create.add_argument("--agency", help="agency code, required for REVIEWER and AGENCY_ADMIN")
    token_commands.add_parser("list", help="every token, without its secret")
    revoke = token_commands.add_parser("revoke", help="stop a token from working")
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
    create_user = user_commands.add_parser("create", help="create an official; prints a password")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument(
        "--role", required=True, choices=["REVIEWER", "AGENCY_ADMIN", "SECRETARIAT", "ADMIN"]
    )
    create_user.add_argument("--agency", help="agency code, required for REVIEWER and AGENCY_ADMIN")
    mail_command = with_data_dir(commands.add_parser("mail", help="email templates and failures"))
    mail_commands = mail_command.add_subparsers(dest="action", required=True)
    preview = mail_commands.add_parser("preview", help="render a template with sample data")
    preview.add_argument("template")
    preview.add_argument("--lang", choices=["vi", "en"], default="vi")
    failures = mail_commands.add_parser("failures", help="mail that failed for good, newest first")
    failures.add_argument("--limit", type=int, default=50)
    retry = mail_commands.add_parser("retry", help="queue a failed notification again")
    retry.add_argument("id", type=int)
    export_command = commands.add_parser("export-schema", help="write graphql/schema.graphql")
    export_command.add_argument("--output", type=Path, default=SCHEMA_PATH)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "export-schema":
        export_schema(args.output)
        return 0
    settings = _settings(args)
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
            dev(settings, args.host, args.port, samples=not args.no_samples)
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
            return load_rules(settings, args.path)
        case "reindex":
            print(reindex(settings, verify=args.verify, batch_size=args.batch_size), flush=True)
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
