"""`make compat`: PyJWT 2.15.1's own test suite, run against fastjwt on the compiled core and on the pure-Python twin.

Fetches PyJWT's sdist with pip into build/compat/ (kept while its sha256 matches the pinned one), unpacks its tests and
runs them through scripts/compat_alias.py, which binds `jwt` to fastjwt. Prints one count line per core; the full pytest
output and the JUnit XML of each run stay in build/compat/. A measurement, not a gate: exits 0 whatever the tests say,
non-zero only when the harness itself broke (download, hash, pytest crash, no test collected, PyJWT loaded).

Usage: python scripts/compat.py [--reference]   (--reference: the same tests on the real PyJWT, to check the harness)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

PYJWT_VERSION = "2.15.1"
SDIST_SHA256 = "4f259e80cdfb6b3fc18a7de51fd1ef9ec79652f25019bae68975ca2468a34df8"

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "compat"
SDIST = WORK / f"pyjwt-{PYJWT_VERSION}.tar.gz"
SOURCE = WORK / f"pyjwt-{PYJWT_VERSION}"
CORE_SWITCHES = ("FASTJWT_REQUIRE_EXTENSION", "FASTJWT_NO_EXTENSIONS")
RUNS = {  # label -> (file stem, environment switch, jwt bound to fastjwt)
    "compiled core": ("compiled", "FASTJWT_REQUIRE_EXTENSION", True),
    "pure-Python core": ("python", "FASTJWT_NO_EXTENSIONS", True),
}
REFERENCE_RUN = {"real PyJWT": ("reference", None, False)}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_sdist() -> None:
    """Download the sdist unless a copy with the pinned hash is already there; a wrong hash stops the run."""
    WORK.mkdir(parents=True, exist_ok=True)
    if SDIST.exists() and sha256_of(SDIST) != SDIST_SHA256:
        SDIST.unlink()  # a damaged or foreign file: fetch it again, and check that copy
    if not SDIST.exists():
        pip_download = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*pip_download, "--dest", str(WORK), f"PyJWT=={PYJWT_VERSION}"], check=True)
    if not SDIST.exists():
        sys.exit(f"compat: pip download did not produce {SDIST}")
    digest = sha256_of(SDIST)
    if digest != SDIST_SHA256:
        sys.exit(f"compat: HASH MISMATCH for {SDIST}: sha256 {digest}, pinned {SDIST_SHA256}")


def unpack_sdist() -> None:
    """A fresh copy of the sdist's tree, without its jwt/ package: the tests must find no PyJWT source beside them."""
    shutil.rmtree(SOURCE, ignore_errors=True)
    with tarfile.open(SDIST) as archive:
        archive.extractall(WORK, filter="data")
    shutil.rmtree(SOURCE / "jwt")


def run_suite(stem: str, switch: str | None, alias: bool) -> tuple[int, Path, Path]:
    """PyJWT's tests under its own pytest configuration (and its CI's `python -b`); returns (exit code, log, xml)."""
    env = {key: value for key, value in os.environ.items() if key not in CORE_SWITCHES}
    if switch:
        env[switch] = "1"
    runner = [str(ROOT / "scripts" / "compat_alias.py")] if alias else ["-m", "pytest"]
    command = [sys.executable, "-b", *runner, "-p", "no:cacheprovider", "--continue-on-collection-errors"]
    log, xml = WORK / f"{stem}.log", WORK / f"{stem}.xml"
    command += [f"--junitxml={xml}", "tests"]
    xml.unlink(missing_ok=True)
    with log.open("w") as out:
        code = subprocess.run(command, cwd=SOURCE, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    return code, log, xml


def counts(xml: Path) -> dict[str, int]:
    """passed/failed/errors/skipped/total from pytest's JUnit XML (collection errors count as errors)."""
    suite = ET.parse(xml).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    total, failed, errors, skipped = (int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped"))
    passed = total - failed - errors - skipped
    return {"passed": passed, "failed": failed, "errors": errors, "skipped": skipped, "total": total}


def main() -> int:
    runs = REFERENCE_RUN if "--reference" in sys.argv[1:] else RUNS
    fetch_sdist()
    unpack_sdist()
    broken = []
    for label, (stem, switch, alias) in runs.items():
        code, log, xml = run_suite(stem, switch, alias)
        if code not in (0, 1) or not xml.exists():
            broken.append(f"{label}: pytest exit {code}, see {log}")
            continue
        c = counts(xml)
        if c["total"] == 0:
            broken.append(f"{label}: no test collected, see {log}")
            continue
        print(
            f"compat ({label}): {c['passed']} passed, {c['failed']} failed, {c['errors']} errors, "
            f"{c['skipped']} skipped of {c['total']}  [{log.relative_to(ROOT)}]"
        )
    for problem in broken:
        print(f"compat HARNESS FAILURE ({problem})", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
