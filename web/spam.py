"""Spam defence on the submission form without third parties: a honeypot and a minimum fill time."""

from __future__ import annotations

import time
from collections.abc import Callable

from itsdangerous import BadSignature, TimestampSigner
from starlette.datastructures import FormData

from service.settings import Settings

# A text input people never see (off-screen, aria-hidden, out of the tab order); bots fill it.
HONEYPOT_FIELD = "website"
# When the form was rendered, signed so that a bot cannot claim it opened the form long ago.
STARTED_FIELD = "formStarted"
_SALT = "intake.submit-form-started"


def _signer(settings: Settings) -> TimestampSigner:
    return TimestampSigner(settings.secret_key, salt=_SALT)


def form_started(settings: Settings, now: float | None = None) -> str:
    """The value of the hidden field stamped on every rendering of the form."""
    return _signer(settings).sign(f"{time.time() if now is None else now:.3f}").decode()


def _seconds_since(settings: Settings, stamp: str) -> float | None:
    try:
        started = float(_signer(settings).unsign(stamp).decode())
    except (BadSignature, ValueError):
        return None
    return time.time() - started


def spam_errors(form: FormData, settings: Settings, _: Callable[[str], str]) -> dict[str, str]:
    """Errors keyed by field when the post looks automated; empty when it looks human."""
    errors: dict[str, str] = {}
    if str(form.get(HONEYPOT_FIELD) or "").strip():
        errors[HONEYPOT_FIELD] = _("This field must stay empty. Clear it and send again.")
    minimum = settings.spam_min_fill_seconds
    if minimum > 0:
        elapsed = _seconds_since(settings, str(form.get(STARTED_FIELD) or ""))
        if elapsed is None or elapsed < minimum:
            errors[STARTED_FIELD] = _(
                "The form was sent too soon after it was opened, as automated senders do. "
                "Check what you wrote and send it again."
            )
    return errors
