"""Why a submission went where it went: a reason is a code with its arguments, stored as
JSON ({"code": "keywords", "args": {"keywords": [...]}}) and rendered in the reader's language.

Decisions recorded before reasons were structured hold plain English strings; those render
as they are. The English rendering without names is the text the API has always returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal

from service.i18n import Language, translations

Stored = str | dict[str, Any]  # a reason as JSON holds it: plain text (older rows) or structured


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        return {"code": self.code, "args": dict(self.args)}


@dataclass(frozen=True, slots=True)
class Names:
    """How codes read on a page: agencies and categories by their names in its language."""

    agencies: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)
    actors: Mapping[str, str] = field(default_factory=dict)


def nothing() -> Reason:
    return Reason("none")


def rule(position: int, note: str) -> Reason:
    return Reason("rule", {"position": position, "note": note})


def keywords(found: Sequence[str]) -> Reason:
    return Reason("keywords", {"keywords": list(found)})


def competence(category: str) -> Reason:
    return Reason("competence", {"category": category})


def title_subject(keyword: str) -> Reason:
    return Reason("title_subject", {"keyword": keyword})


def precedent(cited: Iterable[tuple[str, float]]) -> Reason:
    """Earlier submissions (tracking code, similarity) whose routing stood."""
    return Reason(
        "precedent", {"cases": [{"code": code, "similarity": value} for code, value in cited]}
    )


def confidence(agency: str, value: float) -> Reason:
    return Reason("confidence", {"agency": agency, "confidence": value})


def below_threshold(value: float, threshold: float) -> Reason:
    return Reason("below_threshold", {"confidence": value, "threshold": threshold})


def near_duplicate(tracking_code: str) -> Reason:
    return Reason("near_duplicate", {"code": tracking_code})


def decided(agency: str, actor: str) -> Reason:
    return Reason("decided", {"agency": agency, "actor": actor})


def declined(agency: str, actor: str, reason: str) -> Reason:
    return Reason("declined", {"agency": agency, "actor": actor, "reason": reason})


def loaded(value: Stored | Reason) -> Reason | str:
    """A stored reason as a Reason, or the plain text of an older row."""
    if isinstance(value, Reason | str):
        return value
    return Reason(str(value.get("code", "")), dict(value.get("args") or {}))


def render(value: Stored | Reason, language: Language, names: Names | None = None) -> str:
    """One reason as a sentence in `language`; codes by their names where `names` has them."""
    reason = loaded(value)
    if isinstance(reason, str):
        return reason
    names = names or Names()
    catalog = translations(language)
    _, args = catalog.gettext, reason.args

    def agency(key: str = "agency") -> str:
        code = str(args.get(key, ""))
        return names.agencies.get(code, code)

    def number(key: str) -> str:
        return _decimal(float(args.get(key, 0.0)), language)

    match reason.code:
        case "none":
            return _("no rule, competence or precedent points at any agency")
        case "rule":
            # The shipped rules' notes are catalog messages (service/routing/seed_notes.py);
            # a note the secretariat wrote is not, and gettext returns it as written.
            note = _(str(args.get("note", ""))) if args.get("note") else ""
            position = args.get("position", "")
            if not note:
                return _("rule %(position)s") % {"position": position}
            return _("rule %(position)s: %(note)s") % {"position": position, "note": note}
        case "keywords":
            found = [str(k) for k in args.get("keywords", [])]
            message = catalog.ngettext(
                "keyword: %(keywords)s", "keywords: %(keywords)s", len(found)
            )
            return message % {"keywords": ", ".join(found)}
        case "competence":
            code = str(args.get("category", ""))
            return _("competent for %(category)s") % {"category": names.categories.get(code, code)}
        case "title_subject":
            return _("subject of the title: %(keyword)s") % {"keyword": args.get("keyword", "")}
        case "precedent":
            cited = ", ".join(
                f"{case['code']} ({_decimal(float(case['similarity']), language)})"
                for case in args.get("cases", [])
            )
            return _("precedent: %(cases)s") % {"cases": cited}
        case "confidence":
            return _("%(agency)s: confidence %(confidence)s") % {
                "agency": agency(),
                "confidence": number("confidence"),
            }
        case "below_threshold":
            return _(
                "confidence %(confidence)s is below %(threshold)s: the secretariat decides"
            ) % {
                "confidence": number("confidence"),
                "threshold": number("threshold"),
            }
        case "near_duplicate":
            return _("near-duplicate of %(code)s") % {"code": args.get("code", "")}
        case "decided":
            actor = str(args.get("actor", ""))
            return _("%(agency)s: decided by %(actor)s") % {
                "agency": agency(),
                "actor": names.actors.get(actor, actor),
            }
        case "declined":
            actor = str(args.get("actor", ""))
            return _("declined by %(agency)s (%(actor)s): %(reason)s") % {
                "agency": agency(),
                "actor": names.actors.get(actor, actor),
                "reason": args.get("reason", ""),
            }
    return reason.code  # a code this version does not know: shown, not lost


def render_all(
    values: Iterable[Stored | Reason], language: Language, names: Names | None = None
) -> list[str]:
    return [render(value, language, names) for value in values]


def english(values: Iterable[Stored | Reason]) -> list[str]:
    """The reasons as the API returns them: English, with codes."""
    return render_all(values, "en")


def _decimal(value: float, language: Language) -> str:
    return format_decimal(value, "0.00", locale=language)
