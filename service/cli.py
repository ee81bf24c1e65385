"""`intake dev|serve|worker|migrate|seed|reindex|export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from service.settings import Settings

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


def reindex(settings: Settings, *, verify: bool, batch_size: int) -> str:
    """Rebuild the search index, or verify it against the database and repair the drift."""
    from search.reindex import run

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(run(settings, verify=verify, batch_size=batch_size)).summary()


def export_schema(output: Path) -> None:
    from service.api.schema import schema

    output.write_text(schema.as_str() + "\n", encoding="utf-8")


def serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from service.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", lifespan="on")


def worker(settings: Settings, *, burst: bool) -> None:
    from workers.settings import create_worker

    asyncio.set_event_loop(asyncio.new_event_loop())
    create_worker(settings, burst=burst).run()


def dev(settings: Settings, host: str, port: int) -> None:
    """Everything on one machine: migrate, seed, Redis, SMTP capture, web server and a worker."""
    from service.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, reviewer_email
    from service.embedded.redis import EmbeddedRedis
    from service.embedded.smtp import MailCapture

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    data_dir = settings.data_dir.resolve()
    print(f"Intake: data in {data_dir}", flush=True)
    migrate(settings)
    seed(settings)
    base_url = f"http://{host}:{port}"
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
        }
        intake = [sys.executable, "-m", "service.cli"]
        children = [
            subprocess.Popen(
                [*intake, "serve", "--host", host, "--port", str(port)], env=child_env
            ),
            subprocess.Popen([*intake, "worker"], env=child_env),
        ]
        print(
            f"""
Intake is running.
  Web:           {base_url}/
  Submit:        {base_url}/submit
  GraphQL:       {base_url}/graphql
  Dev mailbox:   {base_url}/dev/mail
  Redis:         {redis.url}
  SMTP capture:  127.0.0.1:{capture.port}
Demo logins (password {DEMO_PASSWORD}):
  secretariat:   {SECRETARIAT_EMAIL}
  reviewers:     {reviewer_email("BKHCN")}, {reviewer_email("UBND-HA-NOI")}, ...
                 (reviewer.<agency code in lower case>@intake.localhost)
Press Ctrl-C to stop.
""",
            flush=True,
        )
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            print("Intake: a process stopped; shutting down the others.", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nIntake: stopping.", flush=True)
        finally:
            _stop_children(children)


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
    serve_command = with_data_dir(commands.add_parser("serve", help="run the web server"))
    serve_command.add_argument("--host", default="127.0.0.1")
    serve_command.add_argument("--port", type=int, default=8000)
    worker_command = with_data_dir(commands.add_parser("worker", help="run a job worker"))
    worker_command.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    with_data_dir(commands.add_parser("migrate", help="bring the database schema up to date"))
    with_data_dir(commands.add_parser("seed", help="load the directory and demo users"))
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
    export_command = commands.add_parser("export-schema", help="write graphql/schema.graphql")
    export_command.add_argument("--output", type=Path, default=SCHEMA_PATH)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "export-schema":
        export_schema(args.output)
        return
    settings = _settings(args)
    match args.command:
        case "dev":
            dev(settings, args.host, args.port)
        case "serve":
            serve(settings, args.host, args.port)
        case "worker":
            worker(settings, burst=args.burst)
        case "migrate":
            migrate(settings)
        case "seed":
            seed(settings)
        case "reindex":
            print(reindex(settings, verify=args.verify, batch_size=args.batch_size), flush=True)


if __name__ == "__main__":
    main()
