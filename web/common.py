"""What every page handler needs: the runtime, the caller, and errors keyed by field."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts.actor import Actor
from service.api.auth import resolve_actor
from service.attachments.service import IncomingFile
from service.errors import ValidationFailed
from service.i18n import translations
from service.runtime import Runtime
from web.rendering import page_language, render


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def gettext_for(request: Request) -> Callable[[str], str]:
    return translations(page_language(request)).gettext


def field_errors(failure: ValidationFailed) -> dict[str, str]:
    """The first message for each field, as forms show them."""
    errors: dict[str, str] = {}
    for error in failure.errors:
        errors.setdefault(error.field, error.message)
    return errors


def _sign_in(request: Request) -> Response:
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    # A form sent after the session ended: its address only takes posts, so signing in returns
    # to the page the form was on (the browser sends it as Referer: same-origin policy), and
    # the sign-in page says the form was not sent.
    return RedirectResponse(f"/login?next={quote(_form_page(request))}&ended=1", status_code=303)


def _form_page(request: Request) -> str:
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    parent = request.url.path.rstrip("/").rpartition("/")[0]
    return parent or "/"


async def official(request: Request) -> tuple[Runtime, Actor] | Response:
    """The signed-in agency official or secretariat member; anyone else is sent to sign in."""
    runtime = runtime_of(request)
    actor = await resolve_actor(request, runtime)
    if not actor.is_official:
        return _sign_in(request)
    return runtime, actor


async def secretariat(request: Request) -> tuple[Runtime, Actor] | Response:
    allowed = await official(request)
    if isinstance(allowed, Response):
        return allowed
    if not allowed[1].is_secretariat:
        return render(request, "forbidden.html", status_code=403)
    return allowed


async def uploaded_files(form: FormData, field: str, max_bytes: int) -> list[IncomingFile]:
    """The files chosen in a file input; an input left empty sends a nameless empty part."""
    files = []
    for value in form.getlist(field):
        if not isinstance(value, UploadFile):
            continue
        if value.filename or value.size:
            # One byte past the limit is enough for the check to name the file as too large.
            data = await value.read(max_bytes + 1)
            files.append(IncomingFile(value.filename or "file", data))
        await value.close()
    return files
