"""The agency directory: loading a version of it with its history, and looking things up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlmodel.ext.asyncio.session import AsyncSession

from search.text import normalize
from service.db import utcnow
from service.directory import repository
from service.directory.checks import (
    MAX_AGENCY_NAME_LENGTH,
    Fault,
    acknowledge_exceeds_respond,
    text_fault,
)
from service.directory.loader import (
    AgencyRecord,
    CategoryRecord,
    DirectoryData,
    PlaceRecord,
    ProvinceRecord,
)
from service.directory.models import (
    SECRETARIAT_CODE,
    Agency,
    AgencyCategory,
    Category,
    DirectoryChange,
    DirectoryVersion,
    Place,
    Province,
    ProvinceAlias,
)
from service.directory.names import PlaceMatcher, PlaceName, place_key
from service.errors import FieldError, ValidationFailed
from service.i18n import Language, translations
from service.text import official_address, whole_number

__all__ = [
    "SECRETARIAT_CODE",
    "Change",
    "LoadSummary",
    "categories",
    "find_province",
    "load_directory",
    "provinces",
    "provinces_named_in",
    "secretariat",
]

CREATED = "created"
PLACE = "place"
IS_ACTIVE = "is_active"

Value = str | int | bool | Sequence[str] | None


@dataclass(frozen=True, slots=True)
class Change:
    entity: str  # agency, province, category, place
    code: str
    field: str  # "created", or the field that changed
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class LoadSummary:
    version: str
    recorded: bool  # False: the same data was loaded before and nothing differs
    changes: tuple[Change, ...]

    def count(self, entity: str, what: str) -> int:
        """How many `entity` rows were "added", "changed", "deactivated" (agencies, provinces,
        categories) or "removed" (places, which are deleted)."""
        return self._counts[what][entity]

    @property
    def _counts(self) -> dict[str, Counter[str]]:
        added, gone, changed = Counter[str](), set[tuple[str, str]](), set[tuple[str, str]]()
        for change in self.changes:
            if change.field == CREATED:
                added[change.entity] += 1
            elif _is_removal(change):
                gone.add((change.entity, change.code))
            else:
                changed.add((change.entity, change.code))
        # A deactivated province's aliases go with it: it counts once, as deactivated.
        changed_counts = Counter(entity for entity, code in changed - gone)
        gone_counts = Counter(entity for entity, _ in gone)
        return {
            "added": added,
            "changed": changed_counts,
            "deactivated": gone_counts,
            "removed": gone_counts,
        }


@dataclass(slots=True)
class _Diff:
    changes: list[Change] = field(default_factory=list)
    created: set[tuple[str, str]] = field(default_factory=set)

    def create(self, entity: str, code: str, name: str) -> None:
        self.created.add((entity, code))
        self.changes.append(Change(entity, code, CREATED, None, name))

    def assign(self, entity: str, code: str, row: object, name: str, new: Value) -> None:
        old: Value = getattr(row, name)
        if _text(old) == _text(new):
            return
        setattr(row, name, list(new) if isinstance(new, tuple) else new)
        self.note(entity, code, name, old, new)

    def note(self, entity: str, code: str, name: str, old: Value, new: Value) -> None:
        if (entity, code) not in self.created:
            self.changes.append(Change(entity, code, name, _text(old), _text(new)))


def _is_removal(change: Change) -> bool:
    """A row deactivated, or a place deleted (recorded as leaving its province)."""
    if change.entity == PLACE:
        return change.field == "province" and change.new is None
    return change.field == IS_ACTIVE and change.new == "false"


async def load_directory(session: AsyncSession, data: DirectoryData, actor: str) -> LoadSummary:
    """Bring the database to `data`, recording every change; agencies, provinces and categories
    are deactivated, never deleted (places and aliases are)."""
    diff = _Diff()
    agencies = await _load_agencies(session, data.agencies, diff)
    await _load_categories(session, data.categories, agencies, diff)
    await _load_competences(session, data.agencies, agencies, diff)
    await _load_provinces(session, data.provinces, agencies, diff)
    await _load_places(session, data.places, diff)

    latest = await repository.latest_version(session)
    recorded = bool(diff.changes) or latest is None or latest.checksum != data.checksum
    if recorded:
        now = utcnow()
        version = DirectoryVersion(
            version=data.version, checksum=data.checksum, actor=actor, loaded_at=now
        )
        repository.add(session, version)
        await session.flush()
        assert version.id is not None
        for change in diff.changes:
            repository.add(
                session,
                DirectoryChange(
                    version_id=version.id,
                    actor=actor,
                    at=now,
                    entity=change.entity,
                    code=change.code,
                    field=change.field,
                    old=change.old,
                    new=change.new,
                ),
            )
    await session.flush()
    return LoadSummary(data.version, recorded, tuple(diff.changes))


async def _load_agencies(
    session: AsyncSession, records: Sequence[AgencyRecord], diff: _Diff
) -> dict[str, Agency]:
    agencies = {a.code: a for a in await repository.list_agencies(session)}
    for record in records:
        agency = agencies.get(record.code)
        if agency is None:
            agency = Agency(code=record.code, name_vi="", name_en="", kind=record.kind)
            repository.add(session, agency)
            agencies[record.code] = agency
            diff.create("agency", record.code, record.name_vi)
        for name in (
            "name_vi",
            "name_en",
            "kind",
            "emails",
            "keywords_vi",
            "keywords_en",
            "acknowledge_days",
            "respond_days",
        ):
            diff.assign("agency", record.code, agency, name, getattr(record, name))
        diff.assign("agency", record.code, agency, IS_ACTIVE, True)
    present = {r.code for r in records}
    for code, agency in agencies.items():
        if code not in present:
            diff.assign("agency", code, agency, IS_ACTIVE, False)
    await session.flush()

    codes = {a.id: code for code, a in agencies.items()}
    for record in records:
        agency = agencies[record.code]
        old_parent = codes.get(agency.parent_id) if agency.parent_id is not None else None
        if old_parent != record.parent:
            agency.parent_id = agencies[record.parent].id if record.parent else None
            diff.note("agency", record.code, "parent", old_parent, record.parent)
    return agencies


async def _load_categories(
    session: AsyncSession,
    records: Sequence[CategoryRecord],
    agencies: dict[str, Agency],
    diff: _Diff,
) -> None:
    categories = {c.code: c for c in await repository.list_all_categories(session)}
    codes = {a.id: code for code, a in agencies.items()}
    for position, record in enumerate(records):
        category = categories.get(record.code)
        if category is None:
            category = Category(code=record.code, name_vi="", name_en="", position=position)
            repository.add(session, category)
            categories[record.code] = category
            diff.create("category", record.code, record.name_vi)
        for name in ("name_vi", "name_en"):
            diff.assign("category", record.code, category, name, getattr(record, name))
        diff.assign("category", record.code, category, "position", position)
        diff.assign("category", record.code, category, IS_ACTIVE, True)
        old_agency = codes.get(category.agency_id) if category.agency_id is not None else None
        if old_agency != record.default_agency:
            default = agencies[record.default_agency] if record.default_agency else None
            category.agency_id = default.id if default else None
            diff.note("category", record.code, "default_agency", old_agency, record.default_agency)
    present = {r.code for r in records}
    for code, category in categories.items():
        if code not in present:
            diff.assign("category", code, category, IS_ACTIVE, False)
    await session.flush()


async def _load_competences(
    session: AsyncSession,
    records: Sequence[AgencyRecord],
    agencies: dict[str, Agency],
    diff: _Diff,
) -> None:
    links: dict[int, dict[str, AgencyCategory]] = {}
    for link in await repository.list_agency_categories(session):
        links.setdefault(link.agency_id, {})[link.category_code] = link
    for record in records:
        agency_id = agencies[record.code].id
        assert agency_id is not None
        current = links.get(agency_id, {})
        if set(current) == set(record.categories):
            continue
        for code, link in current.items():
            if code not in record.categories:
                await repository.remove(session, link)
        for code in record.categories:
            if code not in current:
                repository.add(session, AgencyCategory(agency_id=agency_id, category_code=code))
        diff.note("agency", record.code, "categories", sorted(current), sorted(record.categories))
    await session.flush()


async def _load_provinces(
    session: AsyncSession,
    records: Sequence[ProvinceRecord],
    agencies: dict[str, Agency],
    diff: _Diff,
) -> None:
    provinces = {p.code: p for p in await repository.list_all_provinces(session)}
    for record in records:
        agency_id = agencies[record.agency_code].id
        assert agency_id is not None
        province = provinces.get(record.code)
        if province is None:
            province = Province(code=record.code, name_vi="", name_en="", agency_id=agency_id)
            repository.add(session, province)
            provinces[record.code] = province
            diff.create("province", record.code, record.name_vi)
        for name in ("name_vi", "name_en", "is_city"):
            diff.assign("province", record.code, province, name, getattr(record, name))
        diff.assign("province", record.code, province, IS_ACTIVE, True)
        province.agency_id = agency_id  # always UBND-<code>: a change of it shows in agencies
    present = {r.code for r in records}
    for code, province in provinces.items():
        if code not in present:
            diff.assign("province", code, province, IS_ACTIVE, False)
    await session.flush()

    # Aliases are keyed by their folded name: drop the moved and removed ones before adding.
    wanted = {place_key(alias): (r.code, alias) for r in records for alias in r.aliases}
    existing = {a.key: a for a in await repository.list_province_aliases(session)}
    stale = [a for key, a in existing.items() if wanted.get(key) != (a.province_code, a.name)]
    for alias in stale:
        await repository.remove(session, alias)
    await session.flush()
    for key, (code, name) in wanted.items():
        if key not in existing or existing[key] in stale:
            repository.add(session, ProvinceAlias(key=key, province_code=code, name=name))
    old_names: dict[str, list[str]] = {}
    for alias in existing.values():
        old_names.setdefault(alias.province_code, []).append(alias.name)
    new_names = {r.code: sorted(r.aliases) for r in records}
    # A province no longer in the file loses its aliases too: recorded like any other change.
    for code in [*new_names, *sorted(old_names.keys() - new_names.keys())]:
        old, new = sorted(old_names.get(code, [])), new_names.get(code, [])
        if old != new:
            diff.note("province", code, "aliases", old, new)
    await session.flush()


async def _load_places(session: AsyncSession, records: Sequence[PlaceRecord], diff: _Diff) -> None:
    """Places are keyed by their folded name; one that moves province is removed and added."""
    wanted = {place_key(r.name): r for r in records}
    existing = {p.key: p for p in await repository.list_places(session)}
    for key, old in existing.items():
        record = wanted.get(key)
        if record is None or record.province != old.province_code:
            await repository.remove(session, old)
            if record is None:
                diff.note(PLACE, old.name, "province", old.province_code, None)
    await session.flush()
    for key, record in wanted.items():
        place = existing.get(key)
        if place is None or place.province_code != record.province:
            repository.add(
                session,
                Place(key=key, province_code=record.province, name=record.name, kind=record.kind),
            )
            if place is None:
                diff.create(PLACE, record.name, record.province)
            else:
                diff.note(PLACE, record.name, "province", place.province_code, record.province)
            continue
        diff.assign(PLACE, record.name, place, "name", record.name)
        diff.assign(PLACE, record.name, place, "kind", record.kind)
    await session.flush()


def _text(value: Value) -> str | None:
    """How a value reads in the change history."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    return ";".join(value)


async def secretariat(session: AsyncSession) -> Agency:
    agency = await repository.get_agency_by_code(session, SECRETARIAT_CODE)
    if agency is None:
        raise LookupError("the directory is not loaded: run `intake directory load`")
    return agency


async def agencies(session: AsyncSession) -> list[Agency]:
    return list(await repository.list_agencies(session))


async def categories(session: AsyncSession) -> list[Category]:
    return list(await repository.list_categories(session))


async def provinces(session: AsyncSession) -> list[Province]:
    return list(await repository.list_provinces(session))


async def find_province(session: AsyncSession, text: str) -> Province | None:
    """The active province `text` names: its code, its name, a former province's name, or the
    name of a place inside one (places.csv), as provinces_named_in reads them in free text."""
    text = normalize(text).strip()
    if not text:
        return None
    province = await repository.get_province(session, text.upper())
    if province is not None and province.is_active:
        return province
    key = place_key(text)
    if not key:
        return None
    active = await repository.list_provinces(session)
    for province in active:
        if key in {
            place_key(province.name_vi),
            place_key(province.name_en),
            place_key(province.code),
        }:
            return province
    alias = await repository.get_province_alias(session, key)
    place = None if alias is not None else await repository.get_place(session, key)
    code = alias.province_code if alias is not None else place.province_code if place else None
    return next((p for p in active if p.code == code), None)


async def provinces_named_in(session: AsyncSession, text: str) -> list[Province]:
    """The active provinces a free text names, in order of mention: current or former names,
    or the name of a place inside one (places.csv)."""
    active = {p.code: p for p in await repository.list_provinces(session)}
    names = [
        PlaceName(name, code)
        for code, province in active.items()
        for name in (province.name_vi, province.name_en)
    ]
    names += [
        PlaceName(name, code)
        for name, code in await repository.alias_and_place_names(session)
        if code in active
    ]
    return [active[code] for code in _matcher(tuple(names)).provinces_named(text)]


@lru_cache(maxsize=4)
def _matcher(names: tuple[PlaceName, ...]) -> PlaceMatcher:
    """A matcher per set of names: the directory changes rarely, routing reads it constantly.
    Keyed by the names themselves, so an edit anywhere is a new key, never a stale matcher."""
    return PlaceMatcher(names)


# The secretariat's edits of one agency, recorded like a load: who, when, old, new. The next
# `intake directory load` of the shipped files brings those files' values back, recorded too.

MAX_AGENCY_EMAILS = 10
MAX_DEADLINE_DAYS = 365
HISTORY_LENGTH = 20


async def record_agency_edits(
    session: AsyncSession, actor: str, code: str, changes: Sequence[tuple[str, str, str]]
) -> None:
    """One directory version holding these (field, old, new) changes of agency `code`."""
    if not changes:
        return
    latest = await repository.latest_version(session)
    now = utcnow()
    version = DirectoryVersion(
        version=latest.version if latest else "edit", checksum="", actor=actor, loaded_at=now
    )
    repository.add(session, version)
    await session.flush()
    assert version.id is not None
    for name, old_text, new_text in changes:
        repository.add(
            session,
            DirectoryChange(
                version_id=version.id,
                actor=actor,
                at=now,
                entity="agency",
                code=code,
                field=name,
                old=old_text,
                new=new_text,
            ),
        )
    await session.flush()


async def agency(session: AsyncSession, code: str) -> Agency | None:
    return await repository.get_agency_by_code(session, code.strip().upper())


async def agency_history(session: AsyncSession, code: str) -> list[DirectoryChange]:
    """The agency's newest recorded changes, newest first."""
    return list(await repository.entity_changes(session, "agency", code, HISTORY_LENGTH))


async def agency_categories(session: AsyncSession, agency_row: Agency) -> list[str]:
    assert agency_row.id is not None
    return await repository.agency_category_codes(session, agency_row.id)


def parse_days(text: str, field: str, language: Language) -> int | None:
    """A deadline override as typed: empty for none, else a whole number of business days."""
    text = text.strip()
    if not text:
        return None
    days = whole_number(text)
    if days is None:
        _ = translations(language).gettext
        message = _("Write a whole number of business days, or leave it empty.")
        raise ValidationFailed([FieldError(field, "invalid", message)])
    return days


async def update_agency(
    session: AsyncSession,
    actor: str,
    code: str,
    language: Language,
    *,
    name_vi: str,
    name_en: str,
    emails: Sequence[str],
    acknowledge_days: int | None,
    respond_days: int | None,
    defaults: tuple[int, int] | None = None,
) -> Agency:
    """Change an agency's names, contact emails and deadline overrides, recording each change;
    raises ValidationFailed naming each field. `defaults`, the (acknowledge, respond) business
    days that apply where an override is empty (the settings'), are weighed against the other."""
    _ = translations(language).gettext
    row = await agency(session, code)
    if row is None:
        message = _("Choose an agency from the directory.")
        raise ValidationFailed([FieldError("agencyCode", "unknown", message)])
    problems: list[FieldError] = []
    names: dict[str, str] = {}
    for field_name, value in (("nameVi", name_vi), ("nameEn", name_en)):
        text = normalize(value).strip()
        fault = text_fault(text, MAX_AGENCY_NAME_LENGTH)
        if fault is Fault.REQUIRED:
            problems.append(FieldError(field_name, "required", _("This field is required.")))
        elif fault is not None:
            message = _("Use at most %(max)s characters, without control characters.") % {
                "max": MAX_AGENCY_NAME_LENGTH
            }
            problems.append(FieldError(field_name, "invalid", message))
        names[field_name] = text
    clean_emails: list[str] = []
    for value in emails:
        text = value.strip()
        if not text:
            continue
        address = official_address(text)
        if address is not None:
            clean_emails.append(address)
        else:
            message = _('"%(value)s" is not a valid email address.') % {"value": text}
            problems.append(FieldError("emails", "invalid", message))
            break
    clean_emails = list(dict.fromkeys(clean_emails))
    if len(clean_emails) > MAX_AGENCY_EMAILS:
        message = _("Give at most %(max)s email addresses.") % {"max": MAX_AGENCY_EMAILS}
        problems.append(FieldError("emails", "too_many", message))
    for field_name, days in (("acknowledgeDays", acknowledge_days), ("respondDays", respond_days)):
        if days is not None and not 1 <= days <= MAX_DEADLINE_DAYS:
            message = _("Choose from 1 to %(max)s business days.") % {"max": MAX_DEADLINE_DAYS}
            problems.append(FieldError(field_name, "out_of_range", message))
    if not any(p.field in ("acknowledgeDays", "respondDays") for p in problems):
        order = _deadline_order(acknowledge_days, respond_days, defaults, language)
        if order is not None:
            problems.append(order)
    if problems:
        raise ValidationFailed(problems)
    changes: list[tuple[str, str, str]] = []
    wanted: dict[str, Value] = {
        "name_vi": names["nameVi"],
        "name_en": names["nameEn"],
        "emails": clean_emails,
        "acknowledge_days": acknowledge_days,
        "respond_days": respond_days,
    }
    for name, new in wanted.items():
        old: Value = getattr(row, name)
        if _text(old) != _text(new):
            changes.append((name, _text(old) or "", _text(new) or ""))
            setattr(row, name, new)
    await record_agency_edits(session, actor, row.code, changes)
    await session.flush()
    return row


def _deadline_order(
    acknowledge_days: int | None,
    respond_days: int | None,
    defaults: tuple[int, int] | None,
    language: Language,
) -> FieldError | None:
    """A submission is due to be acknowledged before it is due to be answered: the figures that
    would apply (an override, else its default) must not say otherwise."""
    _ = translations(language).gettext
    default_acknowledge, default_respond = defaults if defaults is not None else (None, None)
    if acknowledge_exceeds_respond(acknowledge_days, respond_days):
        message = _(
            "Must not exceed the business days to respond, %(days)s: a submission is "
            "acknowledged before it is answered."
        )
        return FieldError("acknowledgeDays", "exceeds_respond", message % {"days": respond_days})
    if respond_days is None and acknowledge_exceeds_respond(acknowledge_days, default_respond):
        message = _(
            "Must not exceed the default business days to respond, %(days)s: a submission is "
            "acknowledged before it is answered."
        )
        return FieldError("acknowledgeDays", "exceeds_respond", message % {"days": default_respond})
    if acknowledge_days is None and acknowledge_exceeds_respond(default_acknowledge, respond_days):
        message = _(
            "Must not be less than the default business days to acknowledge, %(days)s: a "
            "submission is acknowledged before it is answered."
        )
        return FieldError(
            "respondDays", "below_acknowledge", message % {"days": default_acknowledge}
        )
    return None
