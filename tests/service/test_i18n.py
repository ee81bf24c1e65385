"""The gettext catalogs: complete in Vietnamese, and in step with the source."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from service.i18n import LOCALES_DIR, format_day, format_when, parse_language, translations

ROOT = LOCALES_DIR.parent.parent


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if isinstance(m.id, str) and m.id}


def test_every_message_in_the_source_is_in_the_template(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-k", "_", "-o", fresh, "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert _ids(fresh) == _ids(LOCALES_DIR / "messages.pot"), "run `make catalogs`"


def test_every_message_has_a_vietnamese_translation() -> None:
    with (LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    assert _ids(LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po") == _ids(
        LOCALES_DIR / "messages.pot"
    )


def test_translations_and_language_negotiation() -> None:
    assert translations("vi").gettext("Track") == "Tra cứu"
    assert translations("en").gettext("Track") == "Track"
    assert translations("vi").gettext("a message nobody wrote") == "a message nobody wrote"
    assert parse_language("en-GB") == "en"
    assert parse_language(" VI ") == "vi"
    assert parse_language("fr") is None
    assert parse_language(None) is None


def test_moments_are_written_day_before_month_with_the_year_in_full_and_vietnams_zone() -> None:
    # 10:05 UTC on 12 March is 17:05 in Vietnam; the locales' short formats would write the
    # same moment "12/3/26" in Vietnamese and "3/12/26" in English.
    moment = datetime(2026, 3, 12, 10, 5, tzinfo=UTC)
    assert format_when(moment, "vi") == "17:05, 12/03/2026 (UTC+07:00)"
    assert format_when(moment, "en") == "12 Mar 2026, 17:05 (UTC+07:00)"
    # Late in the evening in UTC is already the next day in Vietnam.
    new_year = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert format_when(new_year, "vi") == "03:00, 01/01/2027 (UTC+07:00)"


def test_days_are_written_as_moments_are() -> None:
    assert format_day(date(2026, 12, 5), "vi") == "05/12/2026"
    assert format_day(date(2026, 12, 5), "en") == "5 Dec 2026"
    # A moment late in the evening in UTC is the next day in Vietnam.
    assert format_day(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "vi") == "01/01/2027"
    assert format_day(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "en") == "1 Jan 2027"
