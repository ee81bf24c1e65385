"""Change histories as a page shows them: actions, field names and values (roles, agencies,
categories, kinds, yes/no) in the page's language, whatever the rows store (codes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from service.accounts.models import AccountChange
from service.directory.models import Agency, AgencyKind, Category
from service.i18n import Language, format_number, translations
from service.routing.reasons import Names
from web import labels

_AGENCY_FIELDS = frozenset({"agency", "lead", "cooperating", "parent", "default_agency"})
_CATEGORY_FIELDS = frozenset({"category", "categories"})
_YES_NO_FIELDS = frozenset({"active", "is_active"})


class History:
    """Renders history rows for one page: built with the directory's agencies and categories."""

    def __init__(
        self,
        language: Language,
        agencies: Iterable[Agency] = (),
        categories: Iterable[Category] = (),
    ) -> None:
        self.language = language
        _ = self._ = translations(language).gettext
        self.agencies = {a.code: a.name(language) for a in agencies}
        self.categories = {c.code: c.name(language) for c in categories}
        self.codes: dict[str, str] = {
            **labels.kind_labels(_),
            **labels.role_labels(_),
            AgencyKind.MINISTRY: _("Ministry or ministry-level agency"),
            AgencyKind.PROVINCE: _("Province or city"),
            AgencyKind.SECRETARIAT: _("Secretariat"),
            "@committee": _("the People's Committee of the submission's province"),
            "@submission": _("the province the submission names"),
        }
        self.actions = {
            "created": _("Created"),
            "changed": _("Changed"),
            "deleted": _("Deleted"),
            "deactivated": _("Deactivated"),
            "reactivated": _("Reactivated"),
            "added": _("Added"),
            "renamed": _("Renamed"),
            "removed": _("Removed"),
        }
        self.fields = {
            "created": _("Created"),
            "role": _("Role"),
            "agency": _("Agency"),
            "name_vi": _("Name in Vietnamese"),
            "name_en": _("Name in English"),
            "kind": _("Kind"),
            "emails": _("Contact emails"),
            "keywords_vi": _("Keywords in Vietnamese"),
            "keywords_en": _("Keywords in English"),
            "acknowledge_days": _("Business days to acknowledge"),
            "respond_days": _("Business days to respond"),
            "is_active": _("Active"),
            "active": _("Active"),
            "parent": _("Parent agency"),
            "categories": _("Categories"),
            "category": _("Categories"),
            "position": _("Position"),
            "province": _("Province"),
            "lead": _("Lead agency"),
            "cooperating": _("Cooperating agencies"),
            "weight": _("Weight"),
            "note": _("Note"),
        }

    @property
    def names(self) -> Names:
        """The same names for routing reasons."""
        return Names(agencies=self.agencies, categories=self.categories)

    def action(self, action: str) -> str:
        return self.actions.get(action, action)

    def field(self, name: str) -> str:
        return self.fields.get(name, name)

    def value(self, name: str, raw: Any) -> str:
        """A stored value (text, list joined by ";", bool, number) as the page reads it."""
        if raw is None or raw == "":
            return "—"
        if name in _YES_NO_FIELDS or isinstance(raw, bool):
            yes = raw is True or str(raw).lower() == "true"
            return self._("Yes") if yes else self._("No")
        if isinstance(raw, float | int):
            return format_number(raw, self.language)
        parts = [p for p in str(raw).split(";") if p]
        if name in _AGENCY_FIELDS:
            parts = [self.codes.get(p) or self.agencies.get(p, p) for p in parts]
        elif name in _CATEGORY_FIELDS:
            parts = [self.categories.get(p, p) for p in parts]
        else:
            parts = [self.codes.get(p, p) for p in parts]
        return "; ".join(parts) or "—"

    def account_changes(self, change: AccountChange) -> list[tuple[str, str | None, str]]:
        """(field, before, after) of an account change; before None on creation. Rows recorded
        before changes were structured have only their text (see `detail`)."""
        rows: list[tuple[str, str | None, str]] = []
        for item in change.changes:
            name = str(item["field"])
            before = None if change.action == "created" else self.value(name, item.get("before"))
            rows.append((self.field(name), before, self.value(name, item.get("after"))))
        return rows
