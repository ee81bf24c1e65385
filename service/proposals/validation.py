"""Checking a submission field by field, with messages in the submitter's language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email

from service.errors import FieldError
from service.i18n import Language, format_number, translations
from service.proposals.models import ProposalKind, SubmitterType
from service.proposals.screening import screen
from service.settings import Settings
from service.text import has_control_characters, is_blank, normalize

_Choice = TypeVar("_Choice", bound=StrEnum)
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 .()\-]+$")


@dataclass(slots=True)
class SubmissionInput:
    """What a submitter sent, as text, before any checking."""

    kind: str = ""
    title: str = ""
    description: str = ""
    category: str = ""
    province: str = ""
    legal_references: str = ""
    submitter_type: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    organisation: str = ""
    consent_to_publish: bool = False
    language: str = ""


@dataclass(slots=True)
class CleanSubmission:
    kind: ProposalKind
    title: str
    description: str
    category: str
    province: str | None
    legal_references: str
    submitter_type: SubmitterType
    name: str
    email: str
    phone: str
    organisation: str
    consent_to_publish: bool
    language: Language


@dataclass(slots=True)
class _Checker:
    settings: Settings
    language: Language
    errors: list[FieldError] = field(default_factory=list)

    def fail(self, name: str, code: str, message: str) -> None:
        self.errors.append(FieldError(name, code, message))

    def text(self, name: str, value: str, *, required: bool, limit: int, multiline: bool) -> str:
        _ = translations(self.language).gettext
        value = normalize(value)
        if is_blank(value):
            if required:
                self.fail(name, "required", _("This field is required."))
            return ""
        if has_control_characters(value, multiline=multiline):
            self.fail(name, "control_characters", _("Remove control characters from this field."))
        elif len(value) > limit:
            most = format_number(limit, self.language)  # 20.000 in Vietnamese, 20,000 in English
            self.fail(name, "too_long", _("Use at most %(max)s characters.") % {"max": most})
        return value

    def choice(self, name: str, value: str, choices: type[_Choice]) -> _Choice | None:
        _ = translations(self.language).gettext
        value = normalize(value).upper()
        if not value:
            self.fail(name, "required", _("This field is required."))
            return None
        try:
            return choices(value)
        except ValueError:
            self.fail(name, "invalid_choice", _("Choose one of the listed options."))
            return None

    def email(self, value: str) -> str:
        _ = translations(self.language).gettext
        value = self.text("email", value, required=False, limit=254, multiline=False)
        if not value or self.has_error("email"):
            return value
        try:
            checked = validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            self.fail("email", "invalid", _("Enter a valid email address, like name@example.com."))
            return value
        if checked.smtputf8:  # a domain with accents is fine: it goes out as punycode
            self.fail(
                "email",
                "accented_local_part",
                _(
                    "Write the part before @ without accented letters: "
                    "most mail servers cannot deliver to it."
                ),
            )
            return value
        return checked.normalized

    def phone(self, value: str) -> str:
        _ = translations(self.language).gettext
        value = self.text("phone", value, required=False, limit=30, multiline=False)
        if not value or self.has_error("phone"):
            return value
        digits = re.sub(r"\D", "", value)
        if not _PHONE_CHARACTERS.match(value) or not 9 <= len(digits) <= 15:
            self.fail(
                "phone",
                "invalid",
                _("Enter a phone number of 9 to 15 digits, like 0912 345 678."),
            )
            return value
        return ("+" if value.startswith("+") else "") + digits

    def has_error(self, name: str) -> bool:
        return any(e.field == name for e in self.errors)


def canonical_phone(phone: str) -> str:
    """One spelling per number, so that 0912 345 678 and +84 912 345 678 are the same person:
    a Vietnamese number with its leading 0 (for +84, 84 or 0084), another country's with +."""
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    elif digits.startswith("84") and len(digits) in (11, 12):  # 84 and 9 or 10 digits
        international = digits
    else:
        return digits
    if international.startswith("84"):
        return "0" + international[2:]
    return "+" + international


def check_submission(
    data: SubmissionInput, settings: Settings, language: Language
) -> tuple[CleanSubmission | None, list[FieldError]]:
    """The cleaned submission, or None with every field error found (not just the first)."""
    _ = translations(language).gettext
    check = _Checker(settings, language)
    kind = check.choice("kind", data.kind, ProposalKind)
    title = check.text(
        "title", data.title, required=True, limit=settings.max_title_length, multiline=False
    )
    description = check.text(
        "description",
        data.description,
        required=True,
        limit=settings.max_description_length,
        multiline=True,
    )
    for screened, value in (("title", title), ("description", description)):
        if value and not check.has_error(screened):
            check.errors.extend(screen(screened, value, language))
    category = check.text("categoryCode", data.category, required=True, limit=40, multiline=False)
    province = check.text("provinceCode", data.province, required=False, limit=40, multiline=False)
    legal_references = check.text(
        "legalReferences",
        data.legal_references,
        required=False,
        limit=settings.max_legal_references_length,
        multiline=True,
    )
    submitter_type = check.choice("submitterType", data.submitter_type, SubmitterType)
    name = check.text(
        "name", data.name, required=True, limit=settings.max_name_length, multiline=False
    )
    email = check.email(data.email)
    phone = check.phone(data.phone)
    if not email and not phone and not check.has_error("email") and not check.has_error("phone"):
        check.fail(
            "email",
            "contact_required",
            _("Give an email address or a phone number so we can reach you."),
        )
    organisation = check.text(
        "organisation",
        data.organisation,
        required=False,
        limit=settings.max_name_length,
        multiline=False,
    )
    if check.errors or kind is None or submitter_type is None:
        return None, check.errors
    clean = CleanSubmission(
        kind=kind,
        title=title,
        description=description,
        category=category,
        province=province or None,
        legal_references=legal_references,
        submitter_type=submitter_type,
        name=name,
        email=email,
        phone=phone,
        organisation=organisation,
        consent_to_publish=data.consent_to_publish,
        language=language,
    )
    return clean, []
