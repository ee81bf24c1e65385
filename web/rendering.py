"""Jinja2 environments, one per language, with the gettext catalogs installed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from service.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_COOKIE,
    LANGUAGES,
    Language,
    format_day,
    format_number,
    format_share,
    format_size,
    format_when,
    parse_language,
    translations,
)
from service.routing import reasons
from web import labels
from web.csrf import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"


@cache
def templates_for(language: Language) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalog = translations(language)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = lambda value: format_when(value, language)
    env.filters["day"] = lambda value: format_day(value, language)
    env.filters["number"] = lambda value: format_number(value, language)
    env.filters["share"] = lambda value: format_share(value, language)
    env.filters["filesize"] = lambda value: format_size(value, language)
    env.filters["reasons"] = lambda values, names=None: "; ".join(
        reasons.render_all(values, language, names)
    )
    env.filters["actor"] = lambda label, names=None: labels.actor_label(
        label, names or {}, catalog.gettext
    )
    env.filters["personal"] = lambda value: labels.shown_personal(value, catalog.gettext)
    env.filters["optional"] = lambda label: labels.optional(label, catalog.gettext)
    env.globals |= {
        "language": language,
        "languages": LANGUAGES,
        "kind_labels": labels.kind_labels(catalog.gettext),
        "submitter_type_labels": labels.submitter_type_labels(catalog.gettext),
        "status_labels": labels.status_labels(catalog.gettext),
        "field_labels": labels.field_labels(catalog.gettext),
        "rating_labels": labels.rating_labels(catalog.gettext),
        "role_labels": labels.role_labels(catalog.gettext),
    }
    return Jinja2Templates(env=env)


def page_language(request: Request) -> Language:
    """The language the visitor chose (remembered in a cookie), else Vietnamese.

    Pages ignore Accept-Language on purpose: many browsers in Vietnam announce English.
    """
    return parse_language(request.cookies.get(LANGUAGE_COOKIE)) or DEFAULT_LANGUAGE


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    templates = templates_for(page_language(request))
    context = {
        "csrf_token": csrf_token(request),
        "signed_in_as": request.session.get("email"),
        "signed_in_role": request.session.get("role"),  # for navigation only, never for access
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, context, status_code=status_code)
