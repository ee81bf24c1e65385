"""Logging: JSON lines in production (one object per line, with the request id), text otherwise."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

from service.request_id import peek_request_id
from service.settings import Settings


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or peek_request_id()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Secrets and personal data never reach a log line, whoever wrote it: email addresses (an SMTP
# reply may quote one; an address's query string spells "@" as %40) and phone numbers (a
# search for one), the private link's key and tokens in addresses, also percent-encoded inside
# another address's query (the language switch's `next`: uvicorn's access log prints the query
# string), unsubscribe links (their token spells the address in base64), and bearer tokens.
_REDACTIONS = (
    (re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "[email]"),
    (re.compile(r"(?<![\w%])(?:\+84|%2B84|0)\d{9}(?!\d)"), "[phone]"),
    (
        re.compile(r"(?i)((?:[?&]|%3F|%26)(?:key|token|access_key|accesskey)(?:=|%3D))[^&\s\"'%]+"),
        r"\1[redacted]",
    ),
    (re.compile(r"(/unsubscribe/)[^\s?\"'/]+"), r"\1[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
)


_PARAMETER_LOGGERS = ("aiosqlite", "aiosmtplib", "mail.log")


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites the record's message (and traceback) with secrets and addresses masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = peek_request_id() or "-"
        return True


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to sys.stderr as it is at each line, not as it was when logging was configured:
    a stream swapped since (by a test runner's capture, or a daemon's redirection) would
    otherwise be written to after it was closed. setStream() still fixes a stream of its own."""

    def __init__(self) -> None:
        super().__init__()
        self._fixed: TextIO | None = None  # StreamHandler's __init__ set sys.stderr of the day

    @property
    def stream(self) -> TextIO:
        return self._fixed or sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        self._fixed = value


def configure_logging(settings: Settings) -> None:
    handler = _StandardError()
    handler.addFilter(RedactingFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.addFilter(_RequestIdFilter())
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # aiosqlite's DEBUG lines hold every statement's parameters (names, emails, phones), and
    # aiosmtplib's hold whole messages: never below INFO, whatever INTAKE_LOG_LEVEL says.
    for chatty in _PARAMETER_LOGGERS:
        logging.getLogger(chatty).setLevel(max(logging.INFO, root.level))
