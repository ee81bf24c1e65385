"""Pages: landing, submission form, tracking, language switch, unsubscribing, the dev mailbox."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Route

from service.api.search.tokens import issue_tenant_token
from service.directory import service as directory
from service.embedded.smtp import list_messages, read_message
from service.errors import FieldError, ValidationFailed
from service.i18n import parse_language, translations
from service.notifications import service as notifications
from service.outbox.service import unit_of_work
from service.proposals import service as proposals
from service.proposals.access import access_key
from service.proposals.validation import SubmissionInput, check_submission
from service.runtime import Runtime
from service.settings import Settings
from web import (
    admin_agencies,
    admin_holidays,
    admin_rules,
    admin_users,
    inbox,
    preferences,
    public,
    response_templates,
    secretariat,
    tracking,
)
from web.accounts import login, login_form, logout
from web.admin import create_token as admin_create_token
from web.admin import revoke_token as admin_revoke_token
from web.admin import tokens_page
from web.attachments import download
from web.audit import audit_page
from web.common import gettext_for, uploaded_files
from web.csrf import checked_form
from web.language_links import chosen_language_request, remember_language
from web.rendering import page_language, render
from web.search import search_export, search_page, similar
from web.spam import (
    HONEYPOT_FIELD,
    STARTED_FIELD,
    carried_stamp,
    form_started,
    spam_errors,
    too_soon_error,
)

STATIC_DIR = Path(__file__).parent / "static"
_FORM_FIELDS = (
    "kind",
    "title",
    "description",
    "categoryCode",
    "provinceCode",
    "legalReferences",
    "submitterType",
    "name",
    "email",
    "phone",
    "organisation",
)
# Sent by the language switch of a refused form whose sender had chosen files.
_FILES_CHOSEN_FIELD = "attachmentsChosen"
_ACCEPT = {
    "pdf": ".pdf",
    "png": ".png",
    "jpeg": ".jpg,.jpeg",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "odt": ".odt",
    "ods": ".ods",
}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _form_page(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    started: str = "",
    form_error: str = "",
    status_code: int = 200,
    shown_again: bool = False,
    files_chosen: bool = False,
) -> Response:
    async with _runtime(request).db.session() as session:
        categories = await directory.categories(session)
        provinces = await directory.provinces(session)
    settings = _runtime(request).settings
    return render(
        request,
        "submit.html",
        {
            "values": values,
            "errors": errors,
            "categories": categories,
            "provinces": provinces,
            "attachment_limits": {
                "count": settings.attachment_max_count,
                "megabytes": f"{settings.attachment_max_bytes / 1_048_576:.0f}",
                "types": ", ".join(t.upper() for t in settings.attachment_types),
            },
            "accept": ",".join(_ACCEPT.get(t, "") for t in settings.attachment_types),
            "honeypot_field": HONEYPOT_FIELD,
            "started_field": STARTED_FIELD,
            "form_started": started or form_started(settings),
            "form_error": form_error,
            "language_form": _language_form(values, started, files_chosen) if shown_again else None,
        },
        status_code=status_code,
    )


def _language_form(values: dict[str, str], started: str, files_chosen: bool) -> dict[str, object]:
    """The language switch of a form shown again: it posts what was typed (never in a URL:
    personal data, and too long for one) with the start stamp, so that the minimum fill time
    still counts from the first opening. The honeypot stays out, as the page shows it empty."""
    fields = [(name, value) for name, value in values.items() if value]
    fields.append((STARTED_FIELD, started))
    if files_chosen:
        fields.append((_FILES_CHOSEN_FIELD, "yes"))
    return {"action": "/submit/language", "fields": fields}


def _messages_by_field(errors: Iterable[FieldError]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for error in errors:
        # Each file's problem (attachments.0, attachments.1 ...) shows at the one file input.
        field = error.field.split(".", 1)[0]
        messages[field] = (
            f"{messages[field]} {error.message}" if field in messages else error.message
        )
    return messages


async def submit_form(request: Request) -> Response:
    return await _form_page(request, {}, {})


def _submission(form: FormData) -> tuple[dict[str, str], SubmissionInput]:
    values = {name: str(form.get(name) or "") for name in _FORM_FIELDS}
    values["consentToPublish"] = "yes" if form.get("consentToPublish") else ""
    data = SubmissionInput(
        kind=values["kind"],
        title=values["title"],
        description=values["description"],
        category=values["categoryCode"],
        province=values["provinceCode"],
        legal_references=values["legalReferences"],
        submitter_type=values["submitterType"],
        name=values["name"],
        email=values["email"],
        phone=values["phone"],
        organisation=values["organisation"],
        consent_to_publish=bool(values["consentToPublish"]),
    )
    return values, data


async def submit(request: Request) -> Response:
    runtime = _runtime(request)
    form = await checked_form(request)
    values, data = _submission(form)
    files = await uploaded_files(form, "attachments", runtime.settings.attachment_max_bytes)
    _ = gettext_for(request)
    started = carried_stamp(form, runtime.settings)
    suspicious = spam_errors(form, _)
    too_soon = too_soon_error(form, runtime.settings, _)
    if suspicious or too_soon:
        return await _form_page(
            request,
            values,
            suspicious,
            started=started,
            form_error=too_soon,
            status_code=422,
            shown_again=True,
            files_chosen=bool(files),
        )
    try:
        async with unit_of_work(runtime.db, runtime.queue) as session:
            proposal = await proposals.submit_proposal(
                session, data, runtime.settings, page_language(request), files=files
            )
    except ValidationFailed as failure:
        return await _form_page(
            request,
            values,
            _messages_by_field(failure.errors),
            started=started,
            status_code=422,
            shown_again=True,
            files_chosen=bool(files),
        )
    # The confirmation is the submitter's private page: the key lets them act without an email.
    key = access_key(runtime.settings, proposal)
    return RedirectResponse(f"/track/{proposal.tracking_code}?new=1&key={key}", status_code=303)


async def submit_in_language(request: Request) -> Response:
    """A refused form again in the language just chosen, with what was typed and its field
    errors said in that language: checked, never stored. It is no send, so the spam checks
    and the checks that need the database (topic, province, duplicates) wait for /submit."""
    language = parse_language(request.path_params["language"])
    if language is None:
        raise HTTPException(404)
    settings = _runtime(request).settings
    form = await checked_form(request)
    values, data = _submission(form)
    errors = _messages_by_field(check_submission(data, settings, language)[1])
    files_chosen = bool(form.get(_FILES_CHOSEN_FIELD))
    if files_chosen:
        _ = translations(language).gettext
        errors["attachments"] = _(
            "The files you chose were not kept when the language changed: choose them again."
        )
    response = await _form_page(
        chosen_language_request(request, language),
        values,
        errors,
        started=carried_stamp(form, settings),
        status_code=422 if errors else 200,
        shown_again=True,
        files_chosen=files_chosen,
    )
    remember_language(response, language)
    return response


async def track_lookup(request: Request) -> Response:
    code = request.query_params.get("code", "")
    if not code:
        return render(request, "track_lookup.html", {"code": "", "not_found": False})
    normalized = proposals.normalize_tracking_code(code)
    if normalized is None:
        return render(
            request, "track_lookup.html", {"code": code, "not_found": True}, status_code=404
        )
    return RedirectResponse(f"/track/{normalized}", status_code=303)


def _same_site_target(target: str) -> bool:
    """A path on this site: no scheme, no host, nothing a browser reads as `//host`."""
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return False
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return False  # browsers drop tabs and newlines and read backslashes as slashes
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _answers_get(request: Request, path: str) -> bool:
    """Whether a GET of `path` reaches a page, not 405: a page rendered for a failed form
    (e.g. /track/{code}/answer) has a URL that only accepts POST. Unknown paths count as
    pages: they answer with the not-found page, in the new language."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    partial = False
    for route in request.app.router.routes:
        match, _child = route.matches(scope)
        if match is Match.FULL:
            return True
        partial = partial or match is Match.PARTIAL
    return not partial


async def switch_language(request: Request) -> Response:
    language = parse_language(request.path_params["language"])
    if language is None:
        raise HTTPException(404)
    # `next` is the page's path and query string as sent (percent-escapes kept, e.g. a search
    # for "a&b" or Vietnamese text); RedirectResponse escapes only what is left unsafe.
    target = request.query_params.get("next", "/")
    if not _same_site_target(target) or not _answers_get(request, unquote(urlsplit(target).path)):
        target = "/"
    response = RedirectResponse(target, status_code=303)
    remember_language(response, language)
    return response


async def dev_mailbox(request: Request) -> Response:
    mail_dir = _runtime(request).settings.mail_dir
    return render(request, "dev/mailbox.html", {"messages": list_messages(mail_dir)})


async def dev_message(request: Request) -> Response:
    message = read_message(_runtime(request).settings.mail_dir, request.path_params["message_id"])
    if message is None:
        raise HTTPException(404)
    return render(request, "dev/message.html", {"message": message})


async def unsubscribe_form(request: Request) -> Response:
    settings = _runtime(request).settings
    email = notifications.unsubscribe_email(settings, request.path_params["token"])
    if email is None:
        return render(request, "unsubscribe.html", {"email": None}, status_code=404)
    return render(request, "unsubscribe.html", {"email": email, "done": False})


async def unsubscribe(request: Request) -> Response:
    # No CSRF token: the signed link is itself the secret, and mail providers' one-click
    # unsubscribe (RFC 8058) posts here without a session. The worst a forged post can do is
    # stop non-essential mail to the very address the link names.
    runtime = _runtime(request)
    email = notifications.unsubscribe_email(runtime.settings, request.path_params["token"])
    if email is None:
        return render(request, "unsubscribe.html", {"email": None}, status_code=404)
    async with unit_of_work(runtime.db, runtime.queue) as session:
        await notifications.opt_out(session, email)
    return render(request, "unsubscribe.html", {"email": email, "done": True})


def web_routes(settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route("/", public.landing),
        Route("/published", public.published),
        Route("/statistics", public.dashboard),
        Route("/submit", submit_form, methods=["GET"]),
        Route("/submit", submit, methods=["POST"]),
        Route("/submit/language/{language}", submit_in_language, methods=["POST"]),
        Route("/track", track_lookup),
        Route("/track/{code}", tracking.track),
        Route("/track/{code}/answer", tracking.answer, methods=["POST"]),
        Route("/track/{code}/withdraw", tracking.withdraw, methods=["POST"]),
        Route("/track/{code}/rate", tracking.rate, methods=["POST"]),
        Route("/track/{code}/personal-data", tracking.personal_data, methods=["POST"]),
        Route("/track/{code}/erase", tracking.erase_personal_data, methods=["POST"]),
        Route("/lang/{language}", switch_language),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/attachments/{attachment_id}", download),
        Route("/inbox", inbox.inbox, methods=["GET"]),
        Route("/inbox/acknowledge", inbox.acknowledge_many, methods=["POST"]),
        # Before /inbox/{proposal_id}, which would otherwise take these paths.
        Route(response_templates.PATH, response_templates.templates_page, methods=["GET"]),
        Route(response_templates.PATH, response_templates.create_template, methods=["POST"]),
        Route(
            response_templates.PATH + "/{template_id}",
            response_templates.template_page,
            methods=["GET"],
        ),
        Route(
            response_templates.PATH + "/{template_id}",
            response_templates.save_template,
            methods=["POST"],
        ),
        Route(
            response_templates.PATH + "/{template_id}/delete",
            response_templates.delete_template,
            methods=["POST"],
        ),
        Route("/inbox/{proposal_id}", inbox.detail, methods=["GET"]),
        Route("/inbox/{proposal_id}/{step}", inbox.step, methods=["POST"]),
        Route(
            "/inbox/{proposal_id}/personal-data/export",
            inbox.export_personal_data,
            methods=["POST"],
        ),
        Route(
            "/inbox/{proposal_id}/personal-data/erase",
            inbox.erase_personal_data,
            methods=["POST"],
        ),
        Route("/admin/audit", audit_page),
        Route("/secretariat/triage", secretariat.triage, methods=["GET"]),
        Route("/secretariat/triage/{proposal_id}/assign", secretariat.assign, methods=["POST"]),
        Route("/admin/tokens", tokens_page, methods=["GET"]),
        Route("/admin/tokens", admin_create_token, methods=["POST"]),
        Route("/admin/tokens/{token_id}/revoke", admin_revoke_token, methods=["POST"]),
        Route("/admin/agencies", admin_agencies.agencies_page, methods=["GET"]),
        Route("/admin/agencies/{code}", admin_agencies.agency_page, methods=["GET"]),
        Route("/admin/agencies/{code}", admin_agencies.save_agency, methods=["POST"]),
        Route("/admin/users", admin_users.users_page, methods=["GET"]),
        Route("/admin/users", admin_users.create_user, methods=["POST"]),
        Route("/admin/users/{user_id}", admin_users.user_page, methods=["GET"]),
        Route("/admin/users/{user_id}", admin_users.update_user, methods=["POST"]),
        Route("/admin/users/{user_id}/deactivate", admin_users.deactivate_user, methods=["POST"]),
        Route("/admin/users/{user_id}/reactivate", admin_users.reactivate_user, methods=["POST"]),
        Route("/admin/rules", admin_rules.rules_page, methods=["GET"]),
        Route("/admin/rules", admin_rules.create_rule, methods=["POST"]),
        Route("/admin/rules/new", admin_rules.new_rule_page, methods=["GET"]),
        Route("/admin/rules/{rule_id}", admin_rules.rule_page, methods=["GET"]),
        Route("/admin/rules/{rule_id}", admin_rules.save_rule, methods=["POST"]),
        Route("/admin/rules/{rule_id}/delete", admin_rules.confirm_delete_rule, methods=["GET"]),
        Route("/admin/rules/{rule_id}/delete", admin_rules.delete_rule, methods=["POST"]),
        Route("/admin/holidays", admin_holidays.holidays_page, methods=["GET"]),
        Route("/admin/holidays", admin_holidays.add_holiday, methods=["POST"]),
        Route("/admin/holidays/{day}/delete", admin_holidays.remove_holiday, methods=["POST"]),
        Route(preferences.PATH, preferences.preferences_page, methods=["GET"]),
        Route(preferences.PATH, preferences.save_preferences, methods=["POST"]),
        Route("/unsubscribe/{token}", unsubscribe_form, methods=["GET"]),
        Route("/unsubscribe/{token}", unsubscribe, methods=["POST"]),
        Route("/secretariat/search", search_page),
        Route("/secretariat/search.{format:str}", search_export),
        Route("/api/similar", similar),
        Route("/api/search/tenant-token", issue_tenant_token, methods=["POST"]),
    ]
    if settings.environment == "development":
        routes += [Route("/dev/mail", dev_mailbox), Route("/dev/mail/{message_id}", dev_message)]
    return routes
