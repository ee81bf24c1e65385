"""Audit the locked dependency set for known vulnerabilities (`make audit`, part of `make test`).

The locked set (every group of uv.lock) is checked with pip-audit against PyPI's vulnerability
data, which pip-audit reads from PyPI's per-release JSON pages. Where those pages do not answer
(some networks serve PyPI's project pages but not the per-release ones), pip-audit cannot check
anything, so this script falls back to the project pages: each carries the known vulnerabilities
of the project's latest release, which decides every package locked at its latest release. The
packages locked at an older release are then named as unchecked, loudly, and the audit fails only
on findings: it never reports "no vulnerabilities" for a package it could not check.

Accepted findings are listed in IGNORED with their reason; none today.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
PYPI = "https://pypi.org/pypi"
TIMEOUT = 30
IGNORED: dict[str, str] = {}  # vulnerability id -> why it is accepted


def locked_requirements() -> list[tuple[str, str]]:
    exported = subprocess.run(
        [UV, "export", "--frozen", "--all-groups", "--format", "requirements-txt",
         "--no-emit-project", "--no-hashes", "--quiet"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    pins = []
    for line in exported.splitlines():
        line = line.split(";")[0].strip()
        if line and not line.startswith("#") and "==" in line:
            name, version = line.split("==", 1)
            pins.append((name.strip(), version.strip()))
    return pins


def _json(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (https only)
            return json.load(response)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def run_pip_audit(pins: list[tuple[str, str]]) -> int:
    requirements = ROOT / ".venv" / "audit-requirements.txt"
    requirements.write_text("".join(f"{name}=={version}\n" for name, version in pins))
    ignore = [arg for vuln in IGNORED for arg in ("--ignore-vuln", vuln)]
    command = [str(PIP_AUDIT), "--strict", "--disable-pip", "--no-deps", "--progress-spinner",
               "off", "--requirement", str(requirements), *ignore]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def audit_latest_releases(pins: list[tuple[str, str]]) -> int:
    with ThreadPoolExecutor(max_workers=8) as pool:
        projects = list(pool.map(lambda pin: _json(f"{PYPI}/{pin[0]}/json"), pins))
    findings, unchecked = [], []
    for (name, version), project in zip(pins, projects, strict=True):
        if project is None:
            unchecked.append(f"{name}=={version} (no project page)")
            continue
        latest = project["info"]["version"]  # type: ignore[index]
        if latest != version:
            unchecked.append(f"{name}=={version} (latest is {latest})")
            continue
        for vuln in project.get("vulnerabilities") or []:  # type: ignore[attr-defined]
            if not vuln.get("withdrawn") and vuln["id"] not in IGNORED:
                fixed = ", ".join(vuln.get("fixed_in") or []) or "no fixed release"
                findings.append(f"{name}=={version}: {vuln['id']} (fixed in {fixed})")
    checked = len(pins) - len(unchecked)
    print(f"audit: {checked} of {len(pins)} locked packages are at their latest release and were "
          "checked against PyPI's vulnerability data from the project pages.")  # fmt: skip
    if unchecked:
        print(f"audit: NOT CHECKED here ({len(unchecked)}; PyPI's per-release pages do not "
              "answer on this network, run `make audit` where they do):")  # fmt: skip
        for line in unchecked:
            print(f"  - {line}")
    for line in findings:
        print(f"audit: VULNERABLE {line}")
    if findings:
        return 1
    print("audit: no known vulnerability in the checked packages.")
    return 0


def main() -> int:
    pins = locked_requirements()
    name, version = pins[0]
    if _json(f"{PYPI}/{name}/{version}/json") is not None:
        return run_pip_audit(pins)
    print("audit: PyPI's per-release JSON pages do not answer here; pip-audit cannot run.")
    return audit_latest_releases(pins)


if __name__ == "__main__":
    sys.exit(main())
