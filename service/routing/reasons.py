"""Why a submission went where it went: a reason is a code with its arguments, stored as
JSON ({"code": "keywords", "args": {"keywords": [...]}}) and rendered in the reader's language.

Decisions recorded before reasons were structured hold plain English strings; those render
as they are. The English rendering without names is the text the API has always returned.

Precedent and near-duplicate reasons cite other submissions by tracking code. A reader sees only
the codes of submissions they may read themselves (`Names.readable`): the tracking code opens
the public tracking page, and an agency must not learn of another's unpublished submissions
from a reason. The others are still counted, with their similarity, without their codes.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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
    # The tracking codes of cited submissions the reader may read; None: all (the secretariat).
    readable: Container[str] | None = None

    def reading(self, readable: Container[str] | None) -> Names:
        """These names for a reader who may read only the `readable` cited submissions."""
        return replace(self, readable=readable)


# The reasons that cite other submissions by tracking code, and where their args hold it.
CITING = frozenset({"precedent", "near_duplicate"})


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


def cited(values: Iterable[Stored | Reason]) -> set[str]:
    """The tracking codes of the submissions these reasons cite."""
    codes: set[str] = set()
    for value in values:
        reason = loaded(value)
        if isinstance(reason, str) or reason.code not in CITING:
            continue
        if reason.code == "near_duplicate":
            codes.add(str(reason.args.get("code") or ""))
        else:
            codes.update(str(case.get("code") or "") for case in reason.args.get("cases", []))
    codes.discard("")
    return codes


_CITED = re.compile(r"(\S+) \((\d+\.\d\d)\)")
_PRECEDENT = re.compile(r"precedent: ((?:\S+ \(\d+\.\d\d\)(?:, )?)+)")
_DUPLICATE = re.compile(r"near-duplicate of (\S+)")


def from_note(note: str) -> list[Stored]:
    """The reasons of a routing note written before reasons were structured, and left as text
    by the migration that structured the others: its citations structured, so that they can be
    cut to a reader; every other part as it is."""
    found: list[Stored] = []
    for part in note.split("; ") if note else []:
        if match := _PRECEDENT.fullmatch(part):
            found.append(precedent((c, float(v)) for c, v in _CITED.findall(match[1])).stored())
        elif match := _DUPLICATE.fullmatch(part):
            found.append(near_duplicate(match[1]).stored())
        else:
            found.append(part)
    return found


def shown(value: Stored | Reason, readable: Container[str] | None) -> Reason | str:
    """The reason as a reader sees it: the code of every cited submission they may not read
    replaced by None (a precedent's similarity stays)."""
    reason = loaded(value)
    if readable is None or isinstance(reason, str) or reason.code not in CITING:
        return reason
    args = dict(reason.args)
    if reason.code == "near_duplicate":
        if args.get("code") not in readable:
            args["code"] = None
    else:
        args["cases"] = [
            case if case.get("code") in readable else {**case, "code": None}
            for case in args.get("cases", [])
        ]
    return Reason(reason.code, args)


def render(value: Stored | Reason, language: Language, names: Names | None = None) -> str:
    """One reason as a sentence in `language`; codes by their names where `names` has them,
    cited submissions by their codes only where `names.readable` holds them."""
    names = names or Names()
    reason = shown(value, names.readable)
    if isinstance(reason, str):
        return reason
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
            cases = list(args.get("cases", []))
            parts = [
                f"{case['code']} ({_decimal(float(case['similarity']), language)})"
                for case in cases
                if case.get("code")
            ]
            hidden = [
                _decimal(float(case["similarity"]), language)
                for case in cases
                if not case.get("code")
            ]
            if hidden:
                parts.append(
                    catalog.ngettext(
                        "%(count)s earlier submission you may not see (%(similarities)s)",
                        "%(count)s earlier submissions you may not see (%(similarities)s)",
                        len(hidden),
                    )
                    % {"count": len(hidden), "similarities": ", ".join(hidden)}
                )
            return _("precedent: %(cases)s") % {"cases": ", ".join(parts)}
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
            if args.get("code") is None:
                return _("near-duplicate of an earlier submission you may not see")
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


def english(values: Iterable[Stored | Reason], readable: Container[str] | None = None) -> list[str]:
    """The reasons as the API returns them: English, with codes (of cited submissions, those
    in `readable`; None: all)."""
    return render_all(values, "en", Names(readable=readable))


def _decimal(value: float, language: Language) -> str:
    return format_decimal(value, "0.00", locale=language)
