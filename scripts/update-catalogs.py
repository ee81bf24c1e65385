"""Extract messages into service/locales/messages.pot and merge them into every catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "service" / "locales"
PYBABEL = Path(sys.executable).parent / "pybabel"


def main() -> None:
    template = LOCALES / "messages.pot"
    subprocess.run(
        [PYBABEL, "extract", "-F", "babel.cfg", "-k", "_", "--no-location", "--omit-header",
         "--sort-output", "-o", template, "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    for language in ("vi", "en"):
        catalog = LOCALES / language / "LC_MESSAGES" / "messages.po"
        command = "update" if catalog.exists() else "init"
        subprocess.run(
            [str(PYBABEL), command, "-i", str(template), "-d", str(LOCALES), "-l", language]
            + ["--no-wrap"]
            + (["--ignore-obsolete", "--no-fuzzy-matching"] if command == "update" else []),
            cwd=ROOT, check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
