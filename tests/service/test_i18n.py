"""The gettext catalogs: complete in Vietnamese, and in step with the source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from service.i18n import LOCALES_DIR, parse_language, translations

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
