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
    """The value of the hidden field stamped when the form is first opened."""
    return _signer(settings).sign(f"{time.time() if now is None else now:.3f}").decode()


def _seconds_since(settings: Settings, stamp: str) -> float | None:
    try:
        started = float(_signer(settings).unsign(stamp).decode())
    except (BadSignature, ValueError):
        return None
    return time.time() - started


def carried_stamp(form: FormData, settings: Settings) -> str:
    """The stamp for the form shown again after a refusal: the one it was sent with when our
    signature checks out, so that correcting a mistake does not restart the clock; else a new one.
    Only this server can sign, so passing the posted stamp back gains a sender nothing."""
    stamp = str(form.get(STARTED_FIELD) or "")
    return stamp if _seconds_since(settings, stamp) is not None else form_started(settings)


def spam_errors(form: FormData, _: Callable[[str], str]) -> dict[str, str]:
    """Errors keyed by field when a field shows the post is automated; empty when none does."""
    if str(form.get(HONEYPOT_FIELD) or "").strip():
        return {HONEYPOT_FIELD: _("This field must stay empty. Clear it and send again.")}
    return {}


def too_soon_error(form: FormData, settings: Settings, _: Callable[[str], str]) -> str:
    """A message about the whole form when it was sent faster than people fill it; else ""."""
    minimum = settings.spam_min_fill_seconds
    if minimum <= 0:
        return ""
    elapsed = _seconds_since(settings, str(form.get(STARTED_FIELD) or ""))
    if elapsed is not None and elapsed >= minimum:
        return ""
    return _(
        "The form was sent too soon after it was opened, as automated senders do. "
        "Check what you wrote and send it again."
    )
