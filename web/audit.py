"""The secretariat's audit log page: who viewed, exported or erased submitters' personal data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from service.accounts import repository as account_rows
from service.audit import service as audit
from service.audit.models import AuditAction, AuditEntry, AuditFilter
from service.calendar import ZONE
from service.proposals import repository as proposal_rows
from service.proposals import service as proposals
from service.text import whole_number
from web.common import gettext_for, secretariat
from web.rendering import render

PAGE_SIZE = 50
_FIELDS = ("action", "actor", "code", "from", "to")  # in the order the form shows them


def _labels(gettext: Callable[[str], str]) -> dict[str, str]:
    """The filters' labels: on the form, and naming each problem in the error summary."""
    return {
        "action": gettext("Action"),
        "actor": gettext("Who (an email, user:3 or token:5)"),
        "code": gettext("Tracking code"),
        "from": gettext("From"),
        "to": gettext("To"),
    }


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


async def audit_page(request: Request) -> Response:
    allowed = await secretariat(request)
    if isinstance(allowed, Response):
        return allowed
    runtime, actor = allowed
    _ = gettext_for(request)
    params = request.query_params
    values = {name: params.get(name, "").strip() for name in _FIELDS}
    errors: dict[str, str] = {}
    action = AuditAction(values["action"]) if values["action"] in AuditAction.__members__ else None
    if values["action"] and action is None:
        errors["action"] = _("Choose an action from the list.")
    bounds: dict[str, datetime] = {}
    for name, next_day in (("from", False), ("to", True)):
        if not values[name]:
            continue
        day = _day(values[name])
        if day is None:
            errors[name] = _("Enter a date like 2026-03-31.")
            continue
        start = datetime.combine(day, time(0), tzinfo=ZONE)
        bounds[name] = start + timedelta(days=1) if next_day else start
    if "from" in bounds and "to" in bounds and bounds["from"] >= bounds["to"]:
        # Named as the statistics page and the API name it (after_to), rather than no entries.
        message = _("The first day of the period must not come after its last day, %(last)s.")
        errors["from"] = message % {"last": values["to"]}
    raw_page = params.get("page", "1")
    page = whole_number(raw_page, 10_000) or 1
    rows: list[AuditEntry] = []
    total = 0
    codes: dict[int, str] = {}
    async with runtime.db.session() as session:
        proposal_id: int | None = None
        if values["code"]:
            code = proposals.normalize_tracking_code(values["code"])
            found = await proposal_rows.get_by_tracking_code(session, code) if code else None
            if found is None:
                errors["code"] = _("No submission has this tracking code.")
            else:
                proposal_id = found.id
        who = values["actor"]
        if "@" in who:
            # The rows show officials by email; the log records them as user:N.
            user = await account_rows.get_by_email(session, who.lower())
            if user is None:
                errors["actor"] = _("No account has this email.")
            else:
                who = f"user:{user.id}"
        if not errors:
            where = AuditFilter(
                action=action,
                actor=who,
                proposal_id=proposal_id,
                since=bounds.get("from"),
                until=bounds.get("to"),
            )
            rows, total = await audit.entries(
                session, actor, where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            )
            ids = sorted({i for row in rows for i in row.proposal_ids})
            shown = await proposal_rows.get_many_visible(session, actor.scope, ids)
            codes = {p.id: p.tracking_code for p in shown if p.id is not None}
    # Every problem at once, in the form's order, so that one correction is enough.
    errors = {name: errors[name] for name in _FIELDS if name in errors}
    kept = [(name, value) for name, value in values.items() if value]
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "audit/log.html",
        {
            "rows": rows,
            "total": total,
            "codes": codes,
            "values": values,
            "errors": errors,
            "labels": _labels(_),
            "actions": list(AuditAction),
            "action_labels": action_labels(_),
            "page": page,
            "previous_url": f"/admin/audit?{urlencode([*kept, ('page', page - 1)])}"
            if page > 1
            else None,
            "next_url": f"/admin/audit?{urlencode([*kept, ('page', page + 1)])}"
            if page < pages
            else None,
        },
        status_code=422 if errors else 200,
    )


def action_labels(gettext: Callable[[str], str]) -> dict[str, str]:
    return {
        AuditAction.VIEW_CONTACT.value: gettext("Viewed contact details (inbox)"),
        AuditAction.API_VIEW_CONTACT.value: gettext("Viewed contact details (API)"),
        AuditAction.DOWNLOAD_SUBMITTER_FILE.value: gettext("Downloaded a submitter's file"),
        AuditAction.EXPORT_SEARCH.value: gettext("Exported search results"),
        AuditAction.EXPORT_PERSONAL_DATA.value: gettext("Exported a submitter's data"),
        AuditAction.ERASE_PERSONAL_DATA.value: gettext("Erased a submitter's data"),
    }
