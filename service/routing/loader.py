"""Reading the shipped routing rules (rules.csv): every error named by line and field."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from service.directory import checks
from service.directory.loader import DirectoryError, InvalidDirectory
from service.routing.engine import PEOPLES_COMMITTEE, SUBMISSION_PROVINCE

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.csv"
RULE_COLUMNS = (
    "kind",
    "category",
    "province",
    "keywords_vi",
    "keywords_en",
    "lead",
    "cooperating",
    "weight",
    "active",
    "note",
)
KINDS = ("PROPOSAL", "OBSTACLE", "RECOMMENDATION")
MAX_WEIGHT = 100.0
MAX_NOTE_LENGTH = 500

InvalidRules = InvalidDirectory  # the same shape: a list of errors by file, line and field
Problem = tuple[str, str, str]  # a rule's column, the error's code, its message


@dataclass(frozen=True, slots=True)
class RuleRecord:
    position: int
    kinds: tuple[str, ...]
    categories: tuple[str, ...]
    province: str | None
    keywords_vi: tuple[str, ...]
    keywords_en: tuple[str, ...]
    lead: str
    cooperating: tuple[str, ...]
    weight: float
    active: bool
    note: str


@dataclass(frozen=True, slots=True)
class Known:
    """The directory the rules refer to."""

    agencies: Collection[str]
    categories: Collection[str]
    provinces: Collection[str]
    # It may lead a rule (the submission stays in its triage queue), never cooperate.
    secretariat: Collection[str] = frozenset()


def read_rules(known: Known, path: Path = RULES_FILE) -> list[RuleRecord]:
    name = path.name
    try:
        content = path.read_bytes()
    except OSError as error:
        raise InvalidRules([DirectoryError(name, None, None, f"cannot be read: {error}")]) from None
    return parse_rules(content, known, name)


def parse_rules(content: bytes, known: Known, name: str = "rules.csv") -> list[RuleRecord]:
    errors: list[DirectoryError] = []
    try:
        text = unicodedata.normalize("NFC", content.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise InvalidRules([DirectoryError(name, line, None, "not UTF-8 text")]) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[RuleRecord] = []
    try:
        header = [c.strip() for c in next(reader, [])]
        missing = [c for c in RULE_COLUMNS if c not in header]
        for column in missing:
            errors.append(DirectoryError(name, 1, column, "missing column"))
        for position, column in enumerate(header):
            if column not in RULE_COLUMNS:
                errors.append(DirectoryError(name, 1, column or None, "unknown column"))
            elif column in header[:position]:
                # The directory's files refuse it too: which of the two holds the rule's value?
                errors.append(DirectoryError(name, 1, column, "column appears twice"))
        if errors:
            raise InvalidRules(errors)
        start = 2
        for row in reader:
            line, start = start, reader.line_num + 1
            if all(not v.strip() for v in row):
                continue
            if len(row) != len(header):
                message = f"{len(row)} fields where {len(header)} are expected"
                errors.append(DirectoryError(name, line, None, message))
                continue
            values = {c: v.strip() for c, v in zip(header, row, strict=True)}
            record, problems = check_rule(values, known, len(records) + 1)
            errors.extend(DirectoryError(name, line, f, m) for f, _, m in problems)
            if record is not None:
                records.append(record)
    except csv.Error as error:
        errors.append(DirectoryError(name, reader.line_num, None, f"not valid CSV: {error}"))
    if not errors and not records:
        # Loading nothing would delete every rule in force: refused like any other bad file.
        errors.append(
            DirectoryError(name, 2, None, "no rules: the file has its header and no rule below it")
        )
    if errors:
        raise InvalidRules(errors)
    return records


async def load_rules_if_empty(
    session: AsyncSession, path: Path = RULES_FILE, actor: str = "cli"
) -> bool:
    """The file's rules made the rule table of a fresh deployment, one whose table holds no rule
    and never did; False, the table and file untouched, once rules exist or have existed (the
    secretariat's edits, deletions included, are never overwritten by a re-deploy)."""
    # Imported here: the routing service imports this module for check_rule.
    from service.routing import repository as routing
    from service.routing.service import known_directory, load_rules

    if await routing.list_rules(session) or await routing.rule_changes(session):
        return False
    return await load_rules(session, read_rules(await known_directory(session), path), actor)


def _identity(message: str) -> str:
    return message


def check_rule(
    values: dict[str, str],
    known: Known,
    position: int,
    _: Callable[[str], str] = _identity,
) -> tuple[RuleRecord | None, list[Problem]]:
    """One rule's fields checked against the directory: the record, or its problems, the
    messages in the language `_` translates to."""
    problems: list[Problem] = []
    kinds = items(values.get("kind", ""))
    for kind in kinds:
        if kind not in KINDS:
            message = _('Unknown kind "%(value)s": write PROPOSAL, OBSTACLE or RECOMMENDATION.')
            problems.append(("kind", "invalid", message % {"value": kind}))
    categories = items(values.get("category", ""))
    for code in categories:
        if code not in known.categories:
            message = _('Unknown category code "%(value)s".') % {"value": code}
            problems.append(("category", "invalid", message))
    province = values.get("province", "") or None
    if province not in (None, SUBMISSION_PROVINCE, *known.provinces):
        message = _('Unknown province code "%(value)s"; %(any)s means the submission\'s.')
        message %= {"value": province, "any": SUBMISSION_PROVINCE}
        problems.append(("province", "invalid", message))
    lead = values.get("lead", "")
    if not lead:
        problems.append(("lead", "invalid", _("This field is required.")))
    elif lead == PEOPLES_COMMITTEE:
        if province is None:
            message = _("%(lead)s needs a province condition, such as %(any)s.")
            message %= {"lead": lead, "any": SUBMISSION_PROVINCE}
            problems.append(("lead", "invalid", message))
    elif lead not in known.agencies:
        message = _('Unknown agency code "%(value)s".') % {"value": lead}
        problems.append(("lead", "invalid", message))
    cooperating = items(values.get("cooperating", ""))
    for code in cooperating:
        if code not in known.agencies:
            message = _('Unknown agency code "%(value)s".') % {"value": code}
            problems.append(("cooperating", "invalid", message))
        elif code in known.secretariat:
            # As assign and transfer refuse it: it has no reviewers to help answer.
            message = _('"%(code)s" is the secretariat: it cannot cooperate on a submission.')
            problems.append(("cooperating", "not_an_agency", message % {"code": code}))
        elif code == lead:
            message = _('"%(code)s" leads this rule: it cannot also cooperate on it.')
            problems.append(("cooperating", "is_lead", message % {"code": code}))
    weight = 0.0
    written = values.get("weight", "")
    try:
        weight = float(written)
        if weight == 0 or not -MAX_WEIGHT <= weight <= MAX_WEIGHT:
            raise ValueError
    except ValueError:
        message = _('"%(value)s" is not a number from -100 to 100 other than 0.')
        problems.append(("weight", "invalid", message % {"value": written}))
    active_text = values.get("active", "").lower() or "true"
    active = {"true": True, "false": False}.get(active_text)
    if active is None:
        message = _('Write true or false, not "%(value)s".')
        problems.append(("active", "invalid", message % {"value": values.get("active", "")}))
    note = values.get("note", "")
    if len(note) > MAX_NOTE_LENGTH:
        message = _("Use at most %(max)s characters.") % {"max": MAX_NOTE_LENGTH}
        problems.append(("note", "invalid", message))
    keywords_vi = items(values.get("keywords_vi", ""))
    keywords_en = items(values.get("keywords_en", ""))
    for column, keywords in (("keywords_vi", keywords_vi), ("keywords_en", keywords_en)):
        # Dropped, a blank keyword would leave a rule of keywords with none: a catch-all.
        blank = _blank_item(values.get(column, ""))
        if blank is not None:
            message = _("Keyword %(number)s is empty: write it or remove it.")
            problems.append((column, "invalid", message % {"number": blank}))
        elif (problem := keywords_problem(keywords, _)) is not None:
            problems.append((column, "invalid", problem[1]))
    if problems or active is None:
        return None, problems
    record = RuleRecord(
        position=position,
        kinds=kinds,
        categories=categories,
        province=province,
        keywords_vi=keywords_vi,
        keywords_en=keywords_en,
        lead=lead,
        cooperating=cooperating,
        weight=weight,
        active=active,
        note=note,
    )
    return record, []


def keywords_problem(
    keywords: Sequence[str], _: Callable[[str], str] = _identity
) -> tuple[str, str] | None:
    """(code, message) when a rule's or an agency's keywords break checks.keywords_fault."""
    found = checks.keywords_fault(keywords)
    if found is None:
        return None
    number, fault = found
    if fault is checks.Fault.TOO_MANY:
        return "too_many", _("Give at most %(max)s keywords.") % {"max": checks.MAX_KEYWORDS}
    message = _("Keyword %(number)s: use at most %(max)s characters, without control characters.")
    return "invalid", message % {"number": number, "max": checks.MAX_KEYWORD_LENGTH}


def items(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i.strip() for i in value.split(";") if i.strip()))


def _blank_item(value: str) -> int | None:
    """The 1-based position of the first blank item of a non-empty list ("a;;b", "a;")."""
    if not value.strip():
        return None
    return next((n for n, i in enumerate(value.split(";"), start=1) if not i.strip()), None)
