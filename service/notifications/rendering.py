"""Rendering email templates (plain text and HTML) in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.i18n import Language, format_day, format_size, format_when, translations
from service.notifications.models import ERASED_RECIPIENT

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@cache
def _environment(language: Language) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = lambda value: format_when(value, language)
    env.filters["day"] = lambda value: format_day(value, language)
    env.filters["filesize"] = lambda value: format_size(value, language)
    return env


def render_mail(template: str, language: Language, context: dict[str, Any]) -> RenderedMail:
    env = _environment(language)
    context = {**context, "language": language}
    if context.get("note") == ERASED_RECIPIENT:  # a quoted note erased before the mail went
        context["note"] = translations(language).gettext("[erased]")
    text_template = env.get_template(f"{template}.txt")
    subject = str(getattr(text_template.make_module(context), "subject", "")).strip()
    text = text_template.render(context)
    html = env.get_template(f"{template}.html").render({**context, "subject": subject})
    return RenderedMail(subject=" ".join(subject.split()), text=text, html=html)
