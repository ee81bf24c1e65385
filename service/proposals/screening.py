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
from itertools import takewhile
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
    if _has_identity_number(folded):
        return Finding.IDENTITY_NUMBER
    if _PASSWORD.search(folded) or _has_one_time_code(folded):
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
# - MẬT in capitals, unless it is part of a phrase in capitals: in a line all in capitals (a
#   title), beside another word (BÍ MẬT NHÀ NƯỚC, MẬT ONG, QUẢN LÝ TÀI LIỆU MẬT are phrases; a
#   stamp MẬT alone on its line is not); in a line with small letters too, only where it makes an
#   ordinary word with the word in capitals before or after it (BẢO MẬT, BÍ MẬT, MẬT ONG: "sửa
#   LUẬT BẢO VỆ BÍ MẬT NHÀ NƯỚC năm 2018"), while "TÀI LIỆU MẬT về chuyển đổi số" and "Tài liệu
#   MẬT" carry the marking; ĐỘ MẬT is judged by the rule on "độ" below;
# - "độ" and a level (độ Mật, độ Tối mật) that ends there, judged by the word after the level:
#   - none (end of the line or a punctuation mark: "tài liệu độ Mật.") is a marking;
#   - a word that makes mật part of an ordinary word (mật thiết, mật độ, mật khẩu, mật ong, mật
#     mã: "mức độ mật thiết") is not;
#   - another word is a marking only when the level's capital means something, that is when the
#     word after it is not capitalised too: "độ Mật như quy định" is one, while in a title in
#     capitals or title case ("XÁC ĐỊNH ĐỘ MẬT CỦA TÀI LIỆU", "Độ Mật Của Tài Liệu") the capital
#     is only the title's and "độ mật" names the notion;
#   except where the law's own phrase names the class ("bí mật nhà nước độ Mật") or the levels
#   are listed ("độ Tuyệt mật, Tối mật và Mật"): proposals about the law on state secrets quote
#   them;
# - a line starting "Độ mật:", a document's classification field.
_LEVEL = r"(?:MẬT|Mật|TỐI\s+MẬT|Tối\s+[mM]ật|TUYỆT\s+MẬT|Tuyệt\s+[mM]ật)"
_UPPER_LEVEL = re.compile(rf"{_START}(?:TỐI|TUYỆT)\s+MẬT{_END}")
_UPPER_MAT = re.compile(rf"{_START}MẬT{_END}")
_UPPER_WORD = re.compile(r"[^\W\d_]{2,}")
_DEGREE = re.compile(rf"{_START}(?:độ|Độ|ĐỘ)\s+{_LEVEL}{_END}")
_WORD_AFTER = re.compile(r"[ \t]+([^\W_]+)")
# Syllables that follow mật in ordinary words (as casefolded, with their marks).
_MAT_COMPOUNDS = frozenset(
    {
        *("thiết", "độ", "khẩu", "ong", "mã", "mía", "hoa", "ngọt", "gấu", "rỉ", "thám", "báo"),
        *("thư", "hiệu", "lệnh", "đàm", "ước", "ngữ", "danh", "vụ", "sứ", "đạo", "chỉ", "tập"),
        "phả",
    }
)
# Syllables that come before mật in ordinary words.
_MAT_PREFIXES = frozenset(
    {"bí", "bảo", "cơ", "thân", "cẩn", "nghiêm", "đường", "túi", "sỏi", "ống", "ong", "rỉ"}
)
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
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end < 0 else line_end
        before = text[line_start : match.start()].split()
        after = text[match.end() : line_end].split()
        word_before, word_after = (before[-1] if before else ""), (after[0] if after else "")
        if _in_capitals(text[line_start:line_end]):
            if not (_is_upper_word(word_before) or _is_upper_word(word_after)):
                return True
        elif not _mat_in_an_upper_word(word_before, word_after):
            return True
    for match in _DEGREE.finditer(text):
        named_by_law = _LAW_CLASS.search(text[max(0, match.start() - 40) : match.start()])
        listed = _LISTED_AFTER.match(text, match.end()) or _LISTED_BEFORE.search(
            text[max(0, match.start() - 20) : match.start()]
        )
        if not named_by_law and not listed and _level_ends_there(text, match.end()):
            return True
    return False


def _level_ends_there(text: str, end: int) -> bool:
    after = _WORD_AFTER.match(text, end)
    if after is None:
        return True
    word = after.group(1)
    if word.casefold() in _MAT_COMPOUNDS:
        return False
    return not word[0].isupper()


def _is_upper_word(word: str) -> bool:
    letters = _UPPER_WORD.search(word)
    return letters is not None and letters.group().isupper()


def _in_capitals(line: str) -> bool:
    return not any(char.islower() for char in line)


def _mat_in_an_upper_word(word_before: str, word_after: str) -> bool:
    # The words beside MẬT as split on spaces ("(BÍ", "ONG,"): a punctuation mark between one and
    # MẬT ("LIỆU: MẬT") parts them.
    before = re.search(r"[^\W\d_]+$", word_before)
    after = re.match(r"[^\W\d_]+", word_after)
    return bool(
        (before and before.group().isupper() and before.group().casefold() in _MAT_PREFIXES)
        or (before and before.group() == "ĐỘ")
        or (after and after.group().isupper() and after.group().casefold() in _MAT_COMPOUNDS)
    )


# Identity numbers, matched folded. A citizen identity number (CCCD) has 12 digits, the first
# three the province of birth (001 to 096); an old identity card (CMND) has 9 or 12. A number of 9
# or 12 digits, run together or in groups of three to six split by spaces or dots ("001 088
# 012345", "123.456.789"), is refused when an identity document is named in the 60 characters
# before it on its line, the last one named there:
# - with nothing between them but words that introduce a number: "CCCD số", "số CCCD:", "căn
#   cước công dân số", "CMND của tôi là", "ID card number";
# - or with a few other words too (at most four besides those, no digit, no end of a sentence)
#   when the number has a CCCD's shape (12 digits from a province code), or is introduced by
#   "là", "is" or ":" after a document named as somebody's number ("số" or "my" before the name,
#   "của", "số" or "number" in or just after it): "Số CCCD trong hồ sơ là 001203004567", "CMND
#   của ông Nguyễn Văn A là 123456789", "identity number on file: 123 456 789", while "phí làm
#   căn cước năm nay là 350.000.000" is an amount. Not when an amount or a contact (phí, tổng,
#   số tiền, điện thoại, fee, total, phone, ...) comes between them or earlier in the clause, nor
#   when another kind of number (below) between them claims the number: "số hồ sơ là", "CCCD nộp
#   kèm, mã hồ sơ", "my case number is". After a preposition another kind of number is where the
#   identity number is written ("trong hồ sơ là", "trên tờ biên nhận:", "in the dossier is"),
#   unless the number follows it directly or after "số", "no" ("theo giấy biên nhận số
#   079250001234" is the receipt's).
# Twelve digits run together that start with a province code are refused without a name too ("số
# 001088012345"), unless the nearest name in the 60 characters before them on their line is
# another kind of number (tài khoản, STK, account, vận đơn, mã đơn, hợp đồng, hóa đơn, the
# numbers of public administration: hồ sơ số, số hồ sơ, biên nhận, giấy hẹn, công văn, văn bản,
# quyết định, số ký hiệu, đơn số, case or application number, ...): such a number can run to
# twelve digits that start like a province code. None is refused when a unit follows (đồng, VND,
# người, hộ, ...): "căn cước cho người dân là 350000000 đồng" and "012000000000 đồng" are
# amounts, and the name must be close: "the ID card office at 123456789 Main St" is an address.
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
_OTHER_NUMBER = (
    "tai khoan",
    "so tk",
    "stk",
    "account",
    "acct",
    "van don",
    "ma don",
    "don hang",
    "hop dong",
    "hoa don",
    "giao dich",
    "ho so",
    "bien nhan",
    "bien lai",
    "giay hen",
    "phieu hen",
    "ma tiep nhan",
    "cong van",
    "van ban",
    "quyet dinh",
    "thong bao",
    "to trinh",
    "ky hieu",
    "so hieu",
    "don so",
    "so don",
    "ma so thue",
    "mst",
    "bhxh",
    "bhyt",
    "khach hang",
    "tracking",
    "order",
    "invoice",
    "contract",
    "case number",
    "case no",
    "file number",
    "file no",
    "application number",
    "application no",
    "application id",
    "filing number",
    "reference number",
    "reference no",
    "ref no",
    "document number",
    "document no",
    "doc no",
    "receipt number",
    "receipt no",
    "dossier",
)
# Between a document's name and its number: the rest of the name, who it belongs to, "số", "là".
_NUMBER_INTRODUCERS = (
    r"so|la|cua|toi|minh|em|anh|chi|ong|ba|cong|dan|nhan|gan|chip|moi|cu|ma"
    r"|my|is|no|nr|number"
)
_UNIT = (
    r"d|dong|vnd|usd|eur|euro|trieu|ty|nghin|ngan|k|%|nguoi|ho|luot|ban|chiec|cai|people"
    r"|persons|residents"
)
_CANDIDATE_NUMBER = re.compile(
    rf"{_START}(?<![0-9][ .,])"
    r"(?P<number>[0-9]{3,6}(?:[ .][0-9]{3,6}){1,3}(?![ .,]?[0-9])"
    r"|(?:[0-9]{9}|[0-9]{12})(?![.,][0-9]))"
    rf"{_END}(?!\s*(?:{_UNIT})(?![^\W_]))"
)
_NAME_BEFORE = re.compile(
    rf"{_START}(?:(?P<identity>{'|'.join(_IDENTITY_DOCUMENT)})|{'|'.join(_OTHER_NUMBER)}){_END}"
)
_NAME_REACH = 60  # characters before a number where its name is looked for
_INTRODUCED = re.compile(rf"(?:[\s:#().,/\-]|(?:{_NUMBER_INTRODUCERS})(?![^\W_]))*")
_INTRODUCING_WORDS = frozenset(_NUMBER_INTRODUCERS.split("|"))
_FEW_WORDS = 4  # other words allowed between an identity document's name and its number
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END_OR_DIGIT = re.compile(r"[.!?;…0-9]")
_CLAUSE_BREAK = re.compile(r"[,;:.!?…]")
_OWNER_OR_NUMBER = frozenset({"so", "cua", "my", "number", "no", "nr"})
_COPULA = re.compile(rf"{_START}(?:la|is){_END}|:")
_AMOUNT_OR_CONTACT = re.compile(
    rf"{_START}(?:phi|so tien|tong|so luong|dien thoai|sdt|hotline|tong dai|fax|phone|fee|cost"
    rf"|price|total|amount){_END}"
)
_AFTER_PREPOSITION = re.compile(
    rf"{_START}(?:trong|tren|o|tai|theo|thuoc|kem|cua|voi|tu|in|on|at|from|of|with|under)\s+"
    r"(?:(?:the|a|an|my|our|your|his|her|their|this|that|bo|to|cac|mot|ban|nhung)\s+)?$"
)
_NUMBER_FOLLOWS = re.compile(r"[\s#]*(?:(?:so|ma|no|nr|number)(?![^\W_])[\s:.#]*)?")


def _has_identity_number(folded: str) -> bool:
    for match in _CANDIDATE_NUMBER.finditer(folded):
        number = match.group("number")
        digits = re.sub(r"[ .]", "", number)
        if len(digits) not in (9, 12):
            continue
        line_start = folded.rfind("\n", 0, match.start()) + 1
        before = folded[max(line_start, match.start() - _NAME_REACH) : match.start()]
        names = list(_NAME_BEFORE.finditer(before))
        has_province_code = len(digits) == 12 and 1 <= int(digits[:3]) <= 96
        if _named_by_identity_document(before, names, has_province_code):
            return True
        if names and not names[-1].group("identity"):
            continue
        if number == digits and has_province_code:
            return True
    return False


def _named_by_identity_document(
    before: str, names: list[re.Match[str]], has_province_code: bool
) -> bool:
    documents = [index for index, name in enumerate(names) if name.group("identity")]
    if not documents:
        return False
    document = names[documents[-1]]
    between = before[document.end() :]
    if _INTRODUCED.fullmatch(between):
        return True
    clause_before = _CLAUSE_BREAK.split(before[: document.start()])[-1]
    if (
        _SENTENCE_END_OR_DIGIT.search(between)
        or _AMOUNT_OR_CONTACT.search(between)
        or _AMOUNT_OR_CONTACT.search(clause_before)
        or any(_claims_the_number(before, name) for name in names[documents[-1] + 1 :])
    ):
        return False
    others = [word for word in _WORD.finditer(between) if word.group() not in _INTRODUCING_WORDS]
    if len(others) > _FEW_WORDS:
        return False
    introduction = between[others[-1].end() :] if others else between
    return has_province_code or bool(
        _COPULA.search(introduction) and _named_as_a_persons_number(clause_before, document)
    )


def _named_as_a_persons_number(clause_before: str, document: re.Match[str]) -> bool:
    # "Số CMND", "CMND của ông A", "identity number", not "phí làm căn cước" or "căn cước gắn
    # chip cấp cho người dân tỉnh": an amount or a count can follow "là" too.
    word_before = _WORD.findall(clause_before)[-1:]
    words_after = takewhile(
        _INTRODUCING_WORDS.__contains__, _WORD.findall(document.string, document.end())
    )
    return not _OWNER_OR_NUMBER.isdisjoint([*word_before, *document.group().split(), *words_after])


def _claims_the_number(before: str, name: re.Match[str]) -> bool:
    # "trong hồ sơ là ..." says where the number is written; "hồ sơ số ..." names it.
    where_written = _AFTER_PREPOSITION.search(before, 0, name.start())
    return not where_written or bool(_NUMBER_FOLLOWS.fullmatch(before, name.end()))


# Passwords and one-time codes, matched folded ("mật khẩu" as "mat khau"). A password is refused
# when it is given: the word, a few words naming the account, ":" "=" "là" or "is", then a token
# of four or more characters holding a digit or a symbol ("mật khẩu VNeID: abc123"); rules about
# passwords ("mật khẩu: tối thiểu 8 ký tự") and masked ones ("******") pass. A one-time code is
# four to eight digits after "mã OTP", "mã OTP của tôi là", "OTP:" and the like; "phí OTP 1.000
# đồng" passes. Four digits that read as a year (1900 to 2100) are a code only when they end the
# sentence ("OTP: 2024" is refused, "mã OTP 2025 triển khai" and "OTP: 2024 là năm triển khai"
# pass): a year is written with more words after it, a code given on its own.
_PASSWORD = re.compile(
    rf"{_START}(?:mat khau|password|passwd|passcode){_END}[^\n:=.;,!?]{{0,30}}?"
    r"\s*(?::|=|\bla\b|\bis\b)\s*"
    r"(?![*•]+(?:\s|$))(?=\S*[0-9!@#$%^&*_+=?~])\S{4,}"
)
_ONE_TIME_CODE = re.compile(
    rf"(?:{_START}(?:ma otp|ma xac thuc|ma xac nhan|ma pin|otp code|pin code|verification code"
    rf"|one-time code|one time code){_END}(?:\s+cua\s+(?:toi|minh|em|anh|chi|ban|ong|ba))?"
    rf"\s*(?::|=|\bla\b|\bis\b)?"
    rf"|{_START}otp\s*(?::|=|\bla\b|\bis\b))"
    r"\s*(?P<code>[0-9]{4,8})(?![0-9]|[.,][0-9])(?!\s*(?:d|dong|vnd|k|%)(?![^\W_]))"
)
_SENTENCE_GOES_ON = re.compile(r"[ \t]*[,\-–]?[ \t]*[^\W_]")


def _has_one_time_code(folded: str) -> bool:
    for match in _ONE_TIME_CODE.finditer(folded):
        code = match.group("code")
        is_year = len(code) == 4 and 1900 <= int(code) <= 2100
        if not (is_year and _SENTENCE_GOES_ON.match(folded, match.end())):
            return True
    return False


# Bank cards: 13 to 19 digits, run together or in groups of four split by spaces, hyphens or dots
# (Amex 4-6-5), starting like a card scheme's numbers (Visa 4, Mastercard 51-55 and 2221-2720,
# Amex 34 and 37, JCB 35, UnionPay 62, Vietnam's Napas 9704) and passing the Luhn check. Tax codes
# start with 0 and amounts with zeros do not pass. Like an identity number, a number named as
# another kind of number is not a card: the nearest name in the 60 characters before it on its
# line decides, a card's ("thẻ", "số thẻ", "thẻ ATM", "card number", Visa, ...) or another's ("mã
# hồ sơ", "hợp đồng số", "số tài khoản", ...); with none, the number is a card.
_CARD = re.compile(
    r"(?<![0-9])(?<![0-9][.,])"
    r"(?:[0-9]{13,19}"
    r"|[0-9]{4}(?:[ .\-][0-9]{4}){2,3}(?:[ .\-][0-9]{1,3})?"
    r"|[0-9]{4}[ .\-][0-9]{6}[ .\-][0-9]{5})"
    r"(?![0-9])"
)
_CARD_PREFIX = re.compile(
    r"4|5[1-5]|2(?:22[1-9]|2[3-9][0-9]|[3-6][0-9]{2}|7[01][0-9]|720)|3[457]|62|9704"
)
_CARD_NAME = (
    "card",
    "atm",
    "visa",
    "mastercard",
    "master card",
    "napas",
    "jcb",
    "amex",
    "unionpay",
)
_CARD_NAME_BEFORE = re.compile(
    rf"{_START}(?:(?P<card>{'|'.join(_CARD_NAME)})|{'|'.join(_OTHER_NUMBER)}){_END}"
)
# Folded, "thẻ" would read as the English "the": it is named a card before folding.
_THE_VIETNAMESE_CARD = re.compile(rf"{_START}thẻ{_END}")


def _has_card_number(text: str) -> bool:
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ .\-]", "", match.group())
        if not (13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and _luhn_valid(digits)):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[max(line_start, match.start() - _NAME_REACH) : match.start()]
        names = list(
            _CARD_NAME_BEFORE.finditer(fold(_THE_VIETNAMESE_CARD.sub("card", before.casefold())))
        )
        if not names or names[-1].group("card"):
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
