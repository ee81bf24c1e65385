"""Administration of the ordered routing rules: list, create, edit, delete, and their history."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.accounts import service as accounts
from service.directory import service as directory
from service.errors import ValidationFailed
from service.routing import repository as routing_repository
from service.routing import service as routing
from service.routing.errors import RuleNotFound
from service.routing.models import RoutingRule
from service.runtime import Runtime
from service.text import whole_number
from web.common import field_errors, gettext_for, secretariat
from web.csrf import checked_form
from web.history import History
from web.rendering import page_language, render

# Form fields, named as the API's errors name them, and the rule columns they fill.
_FIELDS = {
    "position": "position",
    "kinds": "kind",
    "categories": "category",
    "province": "province",
    "keywordsVi": "keywords_vi",
    "keywordsEn": "keywords_en",
    "lead": "lead",
    "cooperating": "cooperating",
    "weight": "weight",
    "note": "note",
}


def _labels(request: Request) -> dict[str, str]:
    _ = gettext_for(request)
    return {
        "position": _("Position"),
        "kinds": _("Kinds"),
        "categories": _("Categories"),
        "province": _("Province"),
        "keywordsVi": _("Keywords in Vietnamese"),
        "keywordsEn": _("Keywords in English"),
        "lead": _("Lead agency"),
        "cooperating": _("Cooperating agencies"),
        "weight": _("Weight"),
        "active": _("Active"),
        "note": _("Note"),
    }


def _values_of(rule: RoutingRule) -> dict[str, str]:
    stored = routing.rule_values(rule)
    values = {name: str(stored[column]) for name, column in _FIELDS.items()}
    values["weight"] = f"{rule.weight:g}"
    values["active"] = "true" if rule.active else ""
    return values


def _rule_id(request: Request) -> int:
    rule_id = whole_number(request.path_params["rule_id"])
    if rule_id is None:
        raise HTTPException(404)
    return rule_id


async def rules_page(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    async with allowed[0].db.session() as session:
        rules = await routing_repository.list_rules(session)
        agencies = await directory.agencies(session)
        categories = await directory.categories(session)
    return render(
        request,
        "admin/rules.html",
        {
            "rules": rules,
            "history_text": History(page_language(request), agencies, categories),
            "done": request.query_params.get("done", ""),
        },
    )


async def _rule_page(
    request: Request,
    runtime: Runtime,
    rule_id: int | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    history: list[dict[str, Any]] = []
    async with runtime.db.session() as session:
        rule = await routing_repository.get_rule(session, rule_id) if rule_id else None
        if rule_id is not None and rule is None:
            raise HTTPException(404)
        names: dict[str, str] = {}
        if rule_id is not None:
            changes = await routing_repository.rule_changes(session, rule_id)
            names = await accounts.actor_names(session, [c.actor for c in changes])
            history = [{"change": c, "diff": _diff(c.old, c.new)} for c in reversed(changes)]
        agencies = await directory.agencies(session)
        categories = await directory.categories(session)
    defaults = dict.fromkeys(_FIELDS, "") | {"weight": "1", "active": "true"}
    return render(
        request,
        "admin/rule.html",
        {
            "rule": rule,
            "values": values or (_values_of(rule) if rule else defaults),
            "errors": errors or {},
            "labels": _labels(request),
            "history": history,
            "actor_names": names,
            "history_text": History(page_language(request), agencies, categories),
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=status_code,
    )


def _diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """(column, before, after) for each column that differs, as stored (None where there was
    no rule); all of them on create or delete."""
    columns = list((new or old or {}).keys())
    rows = []
    for column in columns:
        before = None if old is None else old.get(column)
        after = None if new is None else new.get(column)
        if str(before if before is not None else "") != str(after if after is not None else ""):
            rows.append((column, before, after))
    return rows


async def new_rule_page(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    return await _rule_page(request, allowed[0], None)


async def rule_page(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    return await _rule_page(request, allowed[0], _rule_id(request))


async def _save(request: Request, rule_id: int | None) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    form = await checked_form(request)
    values = {name: str(form.get(name) or "").strip() for name in _FIELDS}
    values["active"] = "true" if form.get("active") else ""
    stored = {column: values[name] for name, column in _FIELDS.items()}
    stored["active"] = "true" if values["active"] else "false"
    try:
        async with runtime.db.transaction() as session:
            rule = await routing.save_rule(
                session, actor.label, stored, page_language(request), rule_id
            )
    except RuleNotFound as missing:
        raise HTTPException(404) from missing
    except ValidationFailed as failure:
        return await _rule_page(
            request, runtime, rule_id, values=values, errors=field_errors(failure), status_code=422
        )
    return RedirectResponse(f"/admin/rules/{rule.id}?saved=1", status_code=303)


async def create_rule(request: Request) -> Response:
    return await _save(request, None)


async def save_rule(request: Request) -> Response:
    return await _save(request, _rule_id(request))


async def confirm_delete_rule(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    async with allowed[0].db.session() as session:
        rule = await routing_repository.get_rule(session, _rule_id(request))
    if rule is None:
        raise HTTPException(404)
    return render(request, "admin/rule_delete.html", {"rule": rule})


async def delete_rule(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    rule_id = _rule_id(request)
    await checked_form(request)
    try:
        async with runtime.db.transaction() as session:
            await routing.delete_rule(session, actor.label, rule_id)
    except RuleNotFound as missing:
        raise HTTPException(404) from missing
    return RedirectResponse("/admin/rules?done=deleted", status_code=303)
