"""Reading the directory's data files: every error found, named by file, line and field."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from service.directory.checks import (
    MAX_AGENCY_NAME_LENGTH,
    MAX_KEYWORD_LENGTH,
    MAX_KEYWORDS,
    MAX_PLACE_NAME_LENGTH,
    Fault,
    acknowledge_exceeds_respond,
    defaults_left_out,
    keywords_fault,
    text_fault,
)
from service.directory.models import SECRETARIAT_CODE, AgencyKind
from service.directory.names import place_key

DATA_DIR = Path(__file__).resolve().parent / "data"

AGENCIES_FILE = "agencies.csv"
PROVINCES_FILE = "provinces.csv"
CATEGORIES_FILE = "categories.csv"
PLACES_FILE = "places.csv"
VERSION_FILE = "VERSION"
FILES = (AGENCIES_FILE, PROVINCES_FILE, CATEGORIES_FILE, PLACES_FILE, VERSION_FILE)

AGENCY_COLUMNS = (
    "code",
    "kind",
    "parent",
    "name_vi",
    "name_en",
    "emails",
    "categories",
    "keywords_vi",
    "keywords_en",
    "acknowledge_days",
    "respond_days",
)
PROVINCE_COLUMNS = ("code", "name_vi", "name_en", "is_city", "aliases")
CATEGORY_COLUMNS = ("code", "name_vi", "name_en", "default_agency")
PLACE_COLUMNS = ("name", "province", "kind")
PLACE_KINDS = ("city", "district", "place")  # a former city or town, a former district, other

MAX_CODE_LENGTH = 40
MAX_VERSION_LENGTH = 40
MAX_DAYS = 365

_CODE = re.compile(r"[A-Z0-9]+(?:[-_][A-Z0-9]+)*")
_EMAIL = re.compile(r"[^@\s]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+-]*")


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    code: str
    kind: AgencyKind
    parent: str | None
    name_vi: str
    name_en: str
    emails: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    keywords_vi: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    acknowledge_days: int | None = None
    respond_days: int | None = None


@dataclass(frozen=True, slots=True)
class ProvinceRecord:
    code: str
    name_vi: str
    name_en: str
    is_city: bool
    aliases: tuple[str, ...] = ()

    @property
    def agency_code(self) -> str:
        return f"UBND-{self.code}"


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    """A place inside a province after the July 2025 merger: a former city, town or district,
    or a well-known area (an island, a bay, an economic zone), so that a text naming it alone
    still names its province."""

    name: str
    province: str
    kind: str


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    code: str
    name_vi: str
    name_en: str
    default_agency: str | None  # None: the secretariat triages it


@dataclass(frozen=True, slots=True)
class DirectoryData:
    version: str
    checksum: str  # SHA-256 of the data files
    agencies: tuple[AgencyRecord, ...]
    provinces: tuple[ProvinceRecord, ...]
    categories: tuple[CategoryRecord, ...]
    places: tuple[PlaceRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class DirectoryError:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file} line {self.line}"
        if self.field is not None:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


class InvalidDirectory(Exception):
    def __init__(self, errors: Sequence[DirectoryError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


def read_directory(
    path: Path = DATA_DIR, deadline_defaults: tuple[int, int] | None = None
) -> DirectoryData:
    """Parse and check the data files in `path`; InvalidDirectory lists every problem.

    `deadline_defaults`, the business days to acknowledge and to respond that apply where an
    agency gives none (INTAKE_ACKNOWLEDGE_BUSINESS_DAYS, INTAKE_RESPONSE_BUSINESS_DAYS), are
    weighed against a lone override as on the secretariat's page; None weighs only pairs."""
    contents: dict[str, bytes] = {}
    unread: list[DirectoryError] = []
    for name in FILES:
        try:
            contents[name] = (path / name).read_bytes()
        except FileNotFoundError:
            unread.append(DirectoryError(name, None, None, f"missing from {path}"))
        except OSError as error:
            unread.append(DirectoryError(name, None, None, f"cannot be read: {error.strerror}"))
    return parse_directory(contents, deadline_defaults, unread)


def parse_directory(
    contents: Mapping[str, bytes],
    deadline_defaults: tuple[int, int] | None = None,
    unread: Sequence[DirectoryError] = (),
) -> DirectoryData:
    """`unread` names the files absent from `contents`: the others are still checked, so that
    one run reports everything, except against what the absent files would hold."""
    parser = _Parser(deadline_defaults=deadline_defaults, errors=list(unread))
    named = {error.file for error in unread}
    for name in FILES:
        if name not in contents:
            parser.unreadable.add(name)
            if name not in named:
                parser.fail(name, None, None, "missing")
    checksum = hashlib.sha256()
    for name in FILES:
        content = contents.get(name, b"")
        checksum.update(f"{name}\0{len(content)}\0".encode())
        checksum.update(content)
    version = parser.version(contents.get(VERSION_FILE))
    categories = parser.rows(contents.get(CATEGORIES_FILE), CATEGORIES_FILE, CATEGORY_COLUMNS)
    agencies = parser.rows(contents.get(AGENCIES_FILE), AGENCIES_FILE, AGENCY_COLUMNS)
    provinces = parser.rows(contents.get(PROVINCES_FILE), PROVINCES_FILE, PROVINCE_COLUMNS)
    places = parser.rows(contents.get(PLACES_FILE), PLACES_FILE, PLACE_COLUMNS)
    data = parser.check(version, checksum.hexdigest(), agencies, provinces, categories, places)
    if parser.errors:
        order = {name: position for position, name in enumerate(FILES)}
        raise InvalidDirectory(
            sorted(parser.errors, key=lambda e: (order[e.file], e.line or 0))  # stable
        )
    return data


@dataclass(slots=True)
class _Row:
    file: str
    line: int
    values: dict[str, str]


@dataclass(slots=True)
class _Parser:
    errors: list[DirectoryError] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # files whose rows could not be read
    # Codes of every row per file, valid or not, so that a row with a bad email is not
    # reported again as an unknown agency wherever it is referred to.
    codes: dict[str, set[str]] = field(default_factory=dict)
    deadline_defaults: tuple[int, int] | None = None  # (acknowledge, respond) business days

    def fail(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(DirectoryError(file, line, column, message))

    def version(self, content: bytes | None) -> str:
        """None: the file could not be read, as already reported."""
        text = None if content is None else self._decode(content, VERSION_FILE)
        if text is None:
            return ""
        version = text.strip()
        if not version:
            self.fail(VERSION_FILE, 1, None, "empty: write a version such as 2025.07.1")
        elif len(version) > MAX_VERSION_LENGTH or not _VERSION.fullmatch(version):
            self.fail(VERSION_FILE, 1, None, f'not a version: "{version}"')
        return version

    def rows(self, content: bytes | None, file: str, columns: Sequence[str]) -> list[_Row]:
        """None: the file could not be read, as already reported."""
        text = None if content is None else self._decode(content, file)
        if text is None:
            self.unreadable.add(file)
            return []
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows: list[_Row] = []
        errors_before = len(self.errors)
        try:
            header = next(reader, None)
            if header is None:
                self.fail(
                    file, 1, None, f"empty: the first line names the columns {_list(columns)}"
                )
                self.unreadable.add(file)
                return []
            header = [column.strip() for column in header]
            if not self._header(file, header, columns):
                self.unreadable.add(file)
                return []
            start = 2  # the line a record starts on: records may span lines inside quotes
            for record in reader:
                row = self._row(file, start, header, record)
                if row is not None:
                    rows.append(row)
                start = reader.line_num + 1
        except csv.Error as error:
            self.fail(file, reader.line_num, None, f"not valid CSV: {error}")
            self.unreadable.add(file)
            return []
        if not rows and len(self.errors) == errors_before:
            # Loading no row would deactivate every agency, province or category, or delete
            # every place: refused like any other bad file (so is a rules file without rules).
            self.fail(file, 2, None, "no rows: the file has its header and no row below it")
            self.unreadable.add(file)
        return rows

    def _decode(self, content: bytes, file: str) -> str | None:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            self.fail(file, line, None, "not UTF-8 text: save the file as UTF-8")
            return None
        return unicodedata.normalize("NFC", text)

    def _header(self, file: str, header: list[str], columns: Sequence[str]) -> bool:
        ok = True
        for column in columns:
            if column not in header:
                self.fail(file, 1, column, "missing column")
                ok = False
        for position, column in enumerate(header):
            if column not in columns:
                known = _list(columns)
                self.fail(file, 1, column or None, f"unknown column: the columns are {known}")
                ok = False
            elif column in header[:position]:
                self.fail(file, 1, column, "column appears twice")
                ok = False
        return ok

    def _row(
        self, file: str, line: int, header: Sequence[str], record: Sequence[str]
    ) -> _Row | None:
        if all(not value.strip() for value in record):
            return None
        if len(record) != len(header):
            self.fail(file, line, None, f"{len(record)} fields where {len(header)} are expected")
            # Most often a comma left unquoted in a later field: the code is still the row's,
            # and references to it are not reported again as unknown.
            if "code" in header and header.index("code") < len(record):
                code = record[header.index("code")].strip()
                if _CODE.fullmatch(code):
                    self.codes.setdefault(file, set()).add(code)
            return None
        return _Row(file, line, {c: v.strip() for c, v in zip(header, record, strict=True)})

    def check(
        self,
        version: str,
        checksum: str,
        agency_rows: list[_Row],
        province_rows: list[_Row],
        category_rows: list[_Row],
        place_rows: Sequence[_Row] = (),
    ) -> DirectoryData:
        categories = self._categories(category_rows)
        agencies = self._agencies(agency_rows)
        provinces = self._provinces(province_rows)
        agency_codes = {a.code: a for a, _ in agencies}

        if AGENCIES_FILE not in self.unreadable:
            self._check_agency_references(agencies)
            self._check_cycles(agencies)
            secretariat = agency_codes.get(SECRETARIAT_CODE)
            if SECRETARIAT_CODE not in self.codes.get(AGENCIES_FILE, set()):
                self.fail(
                    AGENCIES_FILE,
                    None,
                    "code",
                    f"the secretariat {SECRETARIAT_CODE} is missing: it triages the rest",
                )
            elif secretariat is not None and secretariat.kind is not AgencyKind.SECRETARIAT:
                self.fail(
                    AGENCIES_FILE,
                    None,
                    "kind",
                    f"agency {SECRETARIAT_CODE} has kind {secretariat.kind}, not SECRETARIAT",
                )
            for category, row in categories:
                self._check_default_agency(category, row, agency_codes)
            for province, row in provinces:
                self._check_people_committee(province, row, agency_codes)
        self._check_place_names(provinces)
        places = self._places(place_rows, provinces)
        return DirectoryData(
            version=version,
            checksum=checksum,
            agencies=tuple(a for a, _ in agencies),
            provinces=tuple(p for p, _ in provinces),
            categories=tuple(c for c, _ in categories),
            places=tuple(places),
        )

    # One file at a time: each row's own fields, and codes that repeat.

    def _categories(self, rows: list[_Row]) -> list[tuple[CategoryRecord, _Row]]:
        records = []
        for row in self._unique(rows):
            names = self._names(row, MAX_AGENCY_NAME_LENGTH)
            default = row.values["default_agency"]
            if default and not self._code(row, "default_agency"):
                continue
            if names is not None:
                record = CategoryRecord(row.values["code"], *names, default or None)
                records.append((record, row))
        return records

    def _agencies(self, rows: list[_Row]) -> list[tuple[AgencyRecord, _Row]]:
        records = []
        for row in self._unique(rows):
            errors_before = len(self.errors)
            values = row.values
            names = self._names(row, MAX_AGENCY_NAME_LENGTH)
            kind = self._kind(row)
            parent = values["parent"] or None
            if parent is not None:
                self._code(row, "parent")
            keywords = {c: _items(values[c]) for c in ("keywords_vi", "keywords_en")}
            for column, items in keywords.items():
                self._keywords(row, column, items)
            emails = _items(values["emails"])
            for email in emails:
                if not _EMAIL.fullmatch(email):
                    self.fail(row.file, row.line, "emails", f'not an email address: "{email}"')
            acknowledge = self._days(row, "acknowledge_days")
            respond = self._days(row, "respond_days")
            self._check_deadline_order(row, acknowledge, respond)
            if names is None or kind is None or len(self.errors) > errors_before:
                continue
            record = AgencyRecord(
                code=values["code"],
                kind=kind,
                parent=parent,
                name_vi=names[0],
                name_en=names[1],
                emails=emails,
                categories=_items(values["categories"]),
                keywords_vi=keywords["keywords_vi"],
                keywords_en=keywords["keywords_en"],
                acknowledge_days=acknowledge,
                respond_days=respond,
            )
            records.append((record, row))
        return records

    def _provinces(self, rows: list[_Row]) -> list[tuple[ProvinceRecord, _Row]]:
        records = []
        for row in self._unique(rows):
            names = self._names(row, MAX_PLACE_NAME_LENGTH)
            written = row.values["is_city"]
            is_city = {"true": True, "false": False}.get(written.lower())
            if is_city is None:
                message = f'write true or false, not "{written}"' if written else "required"
                self.fail(row.file, row.line, "is_city", message)
            aliases = _items(row.values["aliases"])
            bad_aliases = False
            for number, alias in enumerate(aliases, start=1):
                fault = text_fault(alias, MAX_PLACE_NAME_LENGTH)
                if fault is Fault.TOO_LONG:
                    message = f'"{alias[:20]}…" is longer than {MAX_PLACE_NAME_LENGTH} characters'
                elif fault is not None:
                    message = f"alias {number}: {_fault_message(fault, MAX_PLACE_NAME_LENGTH)}"
                else:
                    continue
                self.fail(row.file, row.line, "aliases", message)
                bad_aliases = True
            if names is None or is_city is None or bad_aliases:
                continue
            records.append((ProvinceRecord(row.values["code"], *names, is_city, aliases), row))
        return records

    def _places(
        self, rows: Sequence[_Row], provinces: list[tuple[ProvinceRecord, _Row]]
    ) -> list[PlaceRecord]:
        """Places whose name is unique: not a province's name or alias, not another place's."""
        # A province row with an error still counts through `codes`: it is not named again
        # through every place of it.
        known = self.codes.get(PROVINCES_FILE, set())
        provinces_read = PROVINCES_FILE not in self.unreadable
        taken: dict[str, str] = {}  # place key -> what already has it
        for record, _ in provinces:
            for name in (record.name_vi, record.name_en, record.code, *record.aliases):
                taken.setdefault(place_key(name), f"a name of {record.code}")
        records = []
        for row in rows:
            name, province, kind = (row.values[c] for c in PLACE_COLUMNS)
            problems = []
            key = place_key(name)
            fault = text_fault(name, MAX_PLACE_NAME_LENGTH)
            if fault is not None:
                problems.append(("name", _fault_message(fault, MAX_PLACE_NAME_LENGTH)))
            elif not key:
                problems.append(("name", f'"{name}" has no letters'))
            elif key in taken:
                problems.append(("name", f'"{name}" is already {taken[key]}'))
            if not province:
                problems.append(("province", "required"))
            elif provinces_read and province not in known:
                problems.append(("province", f'unknown province code "{province}"'))
            if kind not in PLACE_KINDS:
                kinds = _list(PLACE_KINDS, last="or")
                message = "required" if not kind else f'unknown kind "{kind}": write {kinds}'
                problems.append(("kind", message))
            for column, message in problems:
                self.fail(row.file, row.line, column, message)
            if key and key not in taken:
                taken[key] = f"a place of {province} (line {row.line})"
            if not problems:
                records.append(PlaceRecord(name, province, kind))
        return records

    def _unique(self, rows: list[_Row]) -> Iterator[_Row]:
        first_line: dict[str, int] = {}
        for row in rows:
            if not self._code(row, "code"):
                continue
            code = row.values["code"]
            self.codes.setdefault(row.file, set()).add(code)
            if code in first_line:
                self.fail(
                    row.file,
                    row.line,
                    "code",
                    f'duplicate code "{code}" (first on line {first_line[code]})',
                )
                continue
            first_line[code] = row.line
            yield row

    def _code(self, row: _Row, column: str) -> bool:
        code = row.values[column]
        if not code:
            self.fail(row.file, row.line, column, "required")
            return False
        if len(code) > MAX_CODE_LENGTH or not _CODE.fullmatch(code):
            self.fail(
                row.file,
                row.line,
                column,
                f'"{code}" is not a code: capitals, digits and hyphens, like UBND-HA-NOI',
            )
            return False
        return True

    def _names(self, row: _Row, limit: int) -> tuple[str, str] | None:
        ok = True
        for column in ("name_vi", "name_en"):
            fault = text_fault(row.values[column], limit)
            if fault is not None:
                self.fail(row.file, row.line, column, _fault_message(fault, limit))
                ok = False
        return (row.values["name_vi"], row.values["name_en"]) if ok else None

    def _keywords(self, row: _Row, column: str, keywords: Sequence[str]) -> None:
        found = keywords_fault(keywords)
        if found is None:
            return
        number, fault = found
        if fault is Fault.TOO_MANY:
            message = f"more than {MAX_KEYWORDS} keywords"
        else:
            message = f"keyword {number}: {_fault_message(fault, MAX_KEYWORD_LENGTH)}"
        self.fail(row.file, row.line, column, message)

    def _kind(self, row: _Row) -> AgencyKind | None:
        value = row.values["kind"]
        try:
            return AgencyKind(value)
        except ValueError:
            kinds = _list([k.value for k in AgencyKind], last="or")
            message = "required" if not value else f'unknown kind "{value}": write {kinds}'
            self.fail(row.file, row.line, "kind", message)
            return None

    def _days(self, row: _Row, column: str) -> int | None:
        value = row.values[column]
        if not value:
            return None
        if value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_DAYS:
            return int(value)
        self.fail(
            row.file,
            row.line,
            column,
            f'"{value}" is not a number of days from 1 to {MAX_DAYS}; empty means the default',
        )
        return None

    def _check_deadline_order(
        self, row: _Row, acknowledge: int | None, respond: int | None
    ) -> None:
        """As the secretariat's page (service/directory/service.py, _deadline_order): the
        figures that would apply, an override or else its default, acknowledge first."""
        default_acknowledge, default_respond = self.deadline_defaults or (None, None)
        problem = None
        if acknowledge_exceeds_respond(acknowledge, respond):
            problem = (
                "acknowledge_days",
                f"{acknowledge} days to acknowledge exceed the {respond} days to respond",
            )
        elif respond is None and acknowledge_exceeds_respond(acknowledge, default_respond):
            problem = (
                "acknowledge_days",
                f"{acknowledge} days to acknowledge exceed the default {default_respond} days "
                "to respond (INTAKE_RESPONSE_BUSINESS_DAYS)",
            )
        elif acknowledge is None and acknowledge_exceeds_respond(default_acknowledge, respond):
            problem = (
                "respond_days",
                f"{respond} days to respond are fewer than the default {default_acknowledge} "
                "days to acknowledge (INTAKE_ACKNOWLEDGE_BUSINESS_DAYS)",
            )
        if problem is not None:
            column, message = problem
            self.fail(
                row.file,
                row.line,
                column,
                f"{message}: a submission is acknowledged before it is answered",
            )

    # Across files: references, cycles, names.

    def _check_agency_references(self, agencies: list[tuple[AgencyRecord, _Row]]) -> None:
        for agency, row in agencies:
            known = self.codes.get(AGENCIES_FILE, set())
            if agency.parent is not None and agency.parent not in known:
                self.fail(row.file, row.line, "parent", f'unknown agency code "{agency.parent}"')
            if CATEGORIES_FILE in self.unreadable:
                continue
            for code in agency.categories:
                if code not in self.codes.get(CATEGORIES_FILE, set()):
                    self.fail(row.file, row.line, "categories", f'unknown category code "{code}"')

    def _check_cycles(self, agencies: list[tuple[AgencyRecord, _Row]]) -> None:
        parents = {a.code: a.parent for a, _ in agencies}
        lines = {a.code: row.line for a, row in agencies}
        reported: set[str] = set()
        for agency, row in agencies:
            path: list[str] = []
            code: str | None = agency.code
            while code is not None and code in parents and code not in path:
                path.append(code)
                code = parents[code]
            if code is None or code not in path:
                continue
            cycle = path[path.index(code) :]
            if reported.intersection(cycle):
                continue
            reported.update(cycle)
            first = min(cycle, key=lines.__getitem__)
            start = cycle.index(first)
            ordered = [*cycle[start:], *cycle[:start], first]
            self.fail(
                row.file,
                lines[first],
                "parent",
                f"agency parents form a cycle: {' → '.join(ordered)}",
            )

    def _check_default_agency(
        self, category: CategoryRecord, row: _Row, agency_codes: dict[str, AgencyRecord]
    ) -> None:
        code = category.default_agency
        if code is None:
            return
        agency = agency_codes.get(code)
        if code not in self.codes.get(AGENCIES_FILE, set()):
            self.fail(row.file, row.line, "default_agency", f'unknown agency code "{code}"')
        elif agency is not None and defaults_left_out(
            code, agency.categories, {category.code: code}
        ):
            self.fail(
                row.file,
                row.line,
                "default_agency",
                f"agency {code} does not list {category.code} among its categories",
            )

    def _check_people_committee(
        self, province: ProvinceRecord, row: _Row, agency_codes: dict[str, AgencyRecord]
    ) -> None:
        agency = agency_codes.get(province.agency_code)
        if province.agency_code not in self.codes.get(AGENCIES_FILE, set()):
            self.fail(
                row.file,
                row.line,
                "code",
                f"no agency {province.agency_code} in {AGENCIES_FILE} for its People's Committee",
            )
        elif agency is not None and agency.kind is not AgencyKind.PROVINCE:
            self.fail(
                row.file,
                row.line,
                "code",
                f"agency {province.agency_code} has kind {agency.kind}, not PROVINCE",
            )

    def _check_place_names(self, provinces: list[tuple[ProvinceRecord, _Row]]) -> None:
        names: dict[str, str] = {}  # place key of a current name or code -> province code
        for province, row in provinces:
            for name, column in ((province.name_vi, "name_vi"), (province.name_en, "name_en")):
                owner = names.setdefault(place_key(name), province.code)
                if owner != province.code:
                    self.fail(row.file, row.line, column, f'"{name}" is already a name of {owner}')
            names.setdefault(place_key(province.code), province.code)
        aliased: dict[str, list[str]] = {}  # place key of an alias -> the provinces giving it
        for province, _ in provinces:
            for alias in province.aliases:
                aliased.setdefault(place_key(alias), []).append(province.code)
        for province, row in provinces:
            for alias in province.aliases:
                key = place_key(alias)
                others = [code for code in aliased[key] if code != province.code]
                if not key:
                    message = f'"{alias}" has no letters'
                elif key in names:
                    message = f'alias "{alias}" is already the name of {names[key]}'
                elif others:
                    message = f'alias "{alias}" is also an alias of {", ".join(others)}'
                else:
                    continue
                self.fail(row.file, row.line, "aliases", message)


def _fault_message(fault: Fault, limit: int) -> str:
    match fault:
        case Fault.REQUIRED:
            return "required"
        case Fault.TOO_LONG:
            return f"longer than {limit} characters"
        case _:
            return "holds control characters"


def _items(value: str) -> tuple[str, ...]:
    """'a; b;;a' -> ('a', 'b'): semicolon-separated, blanks and repeats dropped."""
    items: list[str] = []
    for item in value.split(";"):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return tuple(items)


def _list(values: Sequence[str], last: str = "and") -> str:
    return ", ".join(values) if len(values) < 2 else f"{', '.join(values[:-1])} {last} {values[-1]}"
