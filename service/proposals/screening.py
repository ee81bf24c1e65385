"""Screening a submission's title and description for what must never be received or published.

Like the live system Intake mirrors, a submission may not carry a state-secret classification
marking, personal data nobody should send (identity numbers, passwords and one-time codes, bank
card numbers) or offensive language. The screen is deterministic and deliberately narrow: a
refused ordinary proposal costs more than a missed insult, which the secretariat can still
reject. Phone numbers and email addresses are not refused: submitters cite agency hotlines.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import cache
from pathlib import Path

from search.text import fold
from service.errors import FieldError
from service.i18n import Language, translations

OFFENSIVE_PHRASES = Path(__file__).parent / "data" / "offensive.txt"

_START = r"(?<![^\W_])"  # no letter or digit just before
_END = r"(?![^\W_])"  # no letter or digit just after
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class Finding(StrEnum):
    """What the screen found, in the order it is looked for; one is reported per field."""

    CLASSIFIED_MARKING = "classified_marking"
    IDENTITY_NUMBER = "identity_number"
    LOGIN_SECRET = "login_secret"  # noqa: S105 (a finding's name, not a secret)
    CARD_NUMBER = "card_number"
    OFFENSIVE_LANGUAGE = "offensive_language"


def screen(name: str, value: str, language: Language) -> list[FieldError]:
    """The field's error if `value` holds something a submission may not contain, else none."""
    finding = refused_content(value)
    if finding is None:
        return []
    _ = translations(language).gettext
    if finding is Finding.CLASSIFIED_MARKING:
        return [
            FieldError(
                name,
                "classified_marking",
                _(
                    "Remove the state-secret marking (Mật, Tối mật, Tuyệt mật): classified "
                    "information must not be sent here."
                ),
            )
        ]
    if finding is Finding.IDENTITY_NUMBER:
        message = _(
            "Remove the identity card number: personal identity numbers must not be sent here."
        )
    elif finding is Finding.LOGIN_SECRET:
        message = _("Remove the password or one-time code: never send one to anybody, us included.")
    elif finding is Finding.CARD_NUMBER:
        message = _("Remove the bank card number: never send it to anybody, us included.")
    else:
        return [
            FieldError(
                name,
                "offensive_language",
                _("Remove the offensive language: insults and profanity are not accepted."),
            )
        ]
    return [FieldError(name, "personal_data", message)]


def refused_content(text: str) -> Finding | None:
    """The first thing `text` may not contain, or None."""
    nfc = unicodedata.normalize("NFC", text)
    folded = fold(nfc)
    if _has_classified_marking(nfc):
        return Finding.CLASSIFIED_MARKING
    if _has_identity_number(nfc, folded):
        return Finding.IDENTITY_NUMBER
    if _PASSWORD.search(folded) or _ONE_TIME_CODE.search(folded):
        return Finding.LOGIN_SECRET
    if _has_card_number(nfc):
        return Finding.CARD_NUMBER
    if _has_offensive_phrase(nfc, folded):
        return Finding.OFFENSIVE_LANGUAGE
    return None


# State secrets. Law 29/2018/QH14 marks classified documents Mật, Tối mật or Tuyệt mật, stamped in
# capitals or written "độ Mật". The word mật alone is ordinary (bí mật, mật ong, mật độ, mật khẩu),
# so only these read as markings, case as written:
# - TỐI MẬT or TUYỆT MẬT in capitals;
# - MẬT in capitals beside no other word in capitals (in an all-capitals title, BÍ MẬT NHÀ NƯỚC or
#   MẬT ONG is a phrase, not a stamp);
# - "độ" and a level with its capital (độ Mật, độ Tối mật), except where the law's own phrase
#   names the class ("bí mật nhà nước độ Mật") or the levels are listed ("độ Tuyệt mật, Tối
#   mật và Mật"): proposals about the law on state secrets quote them;
# - a line starting "Độ mật:", a document's classification field.
_LEVEL = r"(?:MẬT|Mật|TỐI\s+MẬT|Tối\s+[mM]ật|TUYỆT\s+MẬT|Tuyệt\s+[mM]ật)"
_UPPER_LEVEL = re.compile(rf"{_START}(?:TỐI|TUYỆT)\s+MẬT{_END}")
_UPPER_MAT = re.compile(rf"{_START}MẬT{_END}")
_UPPER_WORD = re.compile(r"[^\W\d_]{2,}")
_DEGREE = re.compile(rf"{_START}(?:độ|Độ|ĐỘ)\s+{_LEVEL}{_END}")
_LAW_CLASS = re.compile(r"bí\s+mật\s+nhà\s+nước\s+(?:thuộc\s+)?$", re.IGNORECASE)
_LISTED_AFTER = re.compile(
    r"\s*(?:,|và|hoặc)\s*(?:độ\s+)?(?:mật|tối\s+mật|tuyệt\s+mật)", re.IGNORECASE
)
_LISTED_BEFORE = re.compile(r"mật\s*(?:,|và|hoặc)\s*$", re.IGNORECASE)
_LEVEL_FIELD = re.compile(r"^[ \t]*độ\s+mật\s*:", re.IGNORECASE | re.MULTILINE)


def _has_classified_marking(text: str) -> bool:
    if _UPPER_LEVEL.search(text) or _LEVEL_FIELD.search(text):
        return True
    for match in _UPPER_MAT.finditer(text):
        before = text[: match.start()].rstrip(" \t").rsplit(None, 1)
        after = text[match.end() :].lstrip(" \t").split(None, 1)
        neighbours = [before[-1] if before else "", after[0] if after else ""]
        if not any(_is_upper_word(word) for word in neighbours):
            return True
    for match in _DEGREE.finditer(text):
        named_by_law = _LAW_CLASS.search(text[max(0, match.start() - 40) : match.start()])
        listed = _LISTED_AFTER.match(text, match.end()) or _LISTED_BEFORE.search(
            text[max(0, match.start() - 20) : match.start()]
        )
        if not named_by_law and not listed:
            return True
    return False


def _is_upper_word(word: str) -> bool:
    letters = _UPPER_WORD.search(word)
    return letters is not None and letters.group().isupper()


# Identity numbers. A citizen identity number (CCCD) has 12 digits, the first three the province
# of birth (001 to 096); an old identity card (CMND) has 9 or 12. Twelve digits starting with a
# province code are refused anywhere (amounts of money do not start with 0); 9 or 12 digits are
# refused when an identity document is named just before them (9 digits alone are as often
# 150000000 đồng).
_TWELVE_DIGITS = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][.,])0[0-9]{11}(?![0-9A-Za-z])")
_IDENTITY_DOCUMENT = (
    "can cuoc",
    "cccd",
    "cmnd",
    "cmtnd",
    "chung minh nhan dan",
    "chung minh thu",
    "so dinh danh",
    "dinh danh ca nhan",
    "identity card",
    "identity number",
    "id card",
    "id number",
    "citizen id",
    "national id",
)
_NAMED_IDENTITY_NUMBER = re.compile(
    rf"{_START}(?:{'|'.join(_IDENTITY_DOCUMENT)}){_END}[^0-9\n]{{0,40}}?"
    r"(?<![0-9])(?:[0-9]{9}|[0-9]{12})(?![0-9])"
)


def _has_identity_number(text: str, folded: str) -> bool:
    if _NAMED_IDENTITY_NUMBER.search(folded):
        return True
    return any(1 <= int(m.group()[1:3]) <= 96 for m in _TWELVE_DIGITS.finditer(text))


# Passwords and one-time codes, matched folded ("mật khẩu" as "mat khau"). A password is refused
# when it is given: the word, a few words naming the account, ":" "=" "là" or "is", then a token
# of four or more characters holding a digit or a symbol ("mật khẩu VNeID: abc123"); rules about
# passwords ("mật khẩu: tối thiểu 8 ký tự") and masked ones ("******") pass. A one-time code is
# four to eight digits after "mã OTP" or "OTP:" and the like; "phí OTP 1.000 đồng" passes.
_PASSWORD = re.compile(
    rf"{_START}(?:mat khau|password|passwd|passcode){_END}[^\n:=.;,!?]{{0,30}}?"
    r"\s*(?::|=|\bla\b|\bis\b)\s*"
    r"(?![*•]+(?:\s|$))(?=\S*[0-9!@#$%^&*_+=?~])\S{4,}"
)
_ONE_TIME_CODE = re.compile(
    rf"(?:{_START}(?:ma otp|ma xac thuc|ma xac nhan|ma pin|otp code|pin code|verification code"
    rf"|one-time code|one time code){_END}\s*(?::|=|\bla\b|\bis\b)?"
    rf"|{_START}otp\s*(?::|=|\bla\b|\bis\b))"
    r"\s*[0-9]{4,8}(?![0-9.,])(?!\s*(?:d|dong|vnd|k|%)(?![^\W_]))"
)


# Bank cards: 13 to 19 digits, run together or in groups of four (Amex 4-6-5), starting like a
# card scheme's numbers (Visa 4, Mastercard 51-55 and 2221-2720, Amex 34 and 37, JCB 35,
# UnionPay 62, Vietnam's Napas 9704) and passing the Luhn check. Tax codes start with 0 and
# amounts with zeros do not pass.
_CARD = re.compile(
    r"(?<![0-9])(?<![0-9][.,])"
    r"(?:[0-9]{13,19}"
    r"|[0-9]{4}(?:[ \-][0-9]{4}){2,3}(?:[ \-][0-9]{1,3})?"
    r"|[0-9]{4}[ \-][0-9]{6}[ \-][0-9]{5})"
    r"(?![0-9])"
)
_CARD_PREFIX = re.compile(
    r"4|5[1-5]|2(?:22[1-9]|2[3-9][0-9]|[3-6][0-9]{2}|7[01][0-9]|720)|3[457]|62|9704"
)


def _has_card_number(text: str) -> bool:
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ \-]", "", match.group())
        if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and _luhn_valid(digits):
            return True
    return False


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


# Offensive language: the phrases of data/offensive.txt, as whole words (see that file's notes).
def _has_offensive_phrase(text: str, folded: str) -> bool:
    marked, unmarked = _offensive_patterns()
    return bool(marked.search(text.casefold()) or unmarked.search(folded))


@cache
def _offensive_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    marked: list[str] = []
    unmarked: list[str] = []
    for line in OFFENSIVE_PHRASES.read_text(encoding="utf-8").splitlines():
        phrase = unicodedata.normalize("NFC", line.strip()).casefold()
        if not phrase or phrase.startswith("#"):
            continue
        words = r"[\s\-]+".join(re.escape(word) for word in phrase.split())
        (marked if _NON_ASCII.search(phrase) else unmarked).append(words)
    return _whole_words(marked), _whole_words(unmarked)


def _whole_words(phrases: list[str]) -> re.Pattern[str]:
    # Longest first, so that a phrase is not cut short by another it starts with.
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(f"{_START}(?:{'|'.join(ordered)}){_END}" if ordered else "(?!)")
