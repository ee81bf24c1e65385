"""An official's own mail settings: one email each, or the daily digest, and their language.

The same choice as the API's setNotificationPreferences; the digest mail links here. Leaving the
digest sends at once what was held back for it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts import repository as accounts
from service.accounts.models import NotificationMode
from service.db import utcnow
from service.i18n import LANGUAGES, parse_language
from service.notifications import service as notifications
from service.notifications.schedule import queue_pending_digest
from service.outbox.service import unit_of_work
from web.common import gettext_for, official
from web.csrf import checked_form
from web.rendering import render

PATH = notifications.PREFERENCES_PATH  # the digest mail links here
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


async def _page(
    request: Request,
    mode: str,
    language: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    _ = gettext_for(request)
    return render(
        request,
        "preferences.html",
        {
            "mode": mode,
            "mail_language": language,
            "modes": {
                NotificationMode.INSTANT.value: _("One email for each assignment, reminder and "
                                                  "new triage item"),
                NotificationMode.DIGEST.value: _("One digest each business day morning"),
            },
            "language_names": {code: LANGUAGE_NAMES[code] for code in LANGUAGES},
            "labels": {"mode": _("Mail about your work"), "language": _("Language of your mail")},
            "errors": errors or {},
            "saved": request.query_params.get("saved") == "1",
            "digest_sent": request.query_params.get("digest") == "sent",
        },
        status_code=status_code,
    )  # fmt: skip


async def preferences_page(request: Request) -> Response:
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    assert actor.user_id is not None
    async with runtime.db.session() as session:
        user = await accounts.get_user(session, actor.user_id)
    assert user is not None
    return await _page(request, user.notification_mode.value, user.language)


async def save_preferences(request: Request) -> Response:
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    assert actor.user_id is not None
    form = await checked_form(request)
    mode, language = str(form.get("mode") or ""), str(form.get("language") or "")
    _ = gettext_for(request)
    errors = {}
    if mode not in NotificationMode.__members__:
        errors["mode"] = _("Choose an option from the list.")
    chosen = parse_language(language)
    if chosen is None:
        errors["language"] = _("Choose an option from the list.")
    if errors or chosen is None:
        return await _page(request, mode, language, errors=errors, status_code=422)
    async with unit_of_work(runtime.db, runtime.queue) as session:
        before = await accounts.get_user(session, actor.user_id)
        was_digest = before is not None and before.notification_mode is NotificationMode.DIGEST
        user = await notifications.set_preferences(
            session, actor.user_id, mode=NotificationMode(mode), language=chosen
        )
        sent = 0
        if was_digest and user is not None and user.notification_mode is NotificationMode.INSTANT:
            sent = await queue_pending_digest(session, runtime.settings, user, utcnow())
    return RedirectResponse(f"{PATH}?saved=1" + ("&digest=sent" if sent else ""), status_code=303)
