"""Check that cibuildwheel, configured by pyproject.toml, plans exactly the intended wheels (part of make lint).

Intended: CPython 3.10-3.13 on manylinux and musllinux x86_64 and aarch64, macOS x86_64 and arm64, Windows AMD64,
28 wheels, no free-threaded or PyPy builds. Also checks that the wheels workflow's job slices cover that set exactly
once, and that the workflow pins the cibuildwheel version checked here. Needs cibuildwheel (in the `lint` extra);
prints the difference and exits 1 on a mismatch.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ("cp310", "cp311", "cp312", "cp313")
INTENDED: dict[str, set[str]] = {
    "linux": {
        f"{v}-{libc}_{arch}" for v in VERSIONS for libc in ("manylinux", "musllinux") for arch in ("x86_64", "aarch64")
    },
    "macos": {f"{v}-macosx_{arch}" for v in VERSIONS for arch in ("x86_64", "arm64")},
    "windows": {f"{v}-win_amd64" for v in VERSIONS},
}
WORKFLOW = ROOT / ".github" / "workflows" / "wheels.yml"
# One build_wheels matrix entry per line: `- { name: ..., os: ubuntu-24.04, archs: aarch64, skip: "*-musllinux_*" }`.
MATRIX_ENTRY = re.compile(r'^\s*- \{ name: [^,]+, os: (?P<os>[\w.-]+), archs: (?P<archs>\w+), skip: "(?P<skip>[^"]*)"')
RUNNER_PLATFORM = {"ubuntu": "linux", "macos": "macos", "windows": "windows"}


def workflow_slices() -> list[tuple[str, str, str]]:
    """(platform, CIBW_ARCHS, CIBW_SKIP) for each job of the wheels workflow's build matrix."""
    slices = []
    for line in WORKFLOW.read_text().splitlines():
        match = MATRIX_ENTRY.match(line)
        if match:
            platform = RUNNER_PLATFORM[match["os"].split("-")[0]]
            slices.append((platform, match["archs"], match["skip"]))
    return slices


def plan(platform: str, archs: str | None = None, skip: str = "") -> list[str]:
    """The build identifiers cibuildwheel would build for ``platform`` (optionally narrowed like a workflow job)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIBW_")}
    if archs:
        env["CIBW_ARCHS"] = archs
    if skip:
        env["CIBW_SKIP"] = skip
    out = subprocess.run(
        [sys.executable, "-m", "cibuildwheel", "--print-build-identifiers", "--platform", platform],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    return out.stdout.split()


def main() -> int:
    """Compare the planned builds with the intended ones; 0 when they match."""
    ok = True
    for platform, intended in INTENDED.items():
        planned = plan(platform)
        if set(planned) != intended or len(planned) != len(intended):
            ok = False
            missing, unexpected = sorted(intended - set(planned)), sorted(set(planned) - intended)
            print(f"{platform}: missing {missing}, unexpected {unexpected}")
    sliced: list[str] = []
    slices = workflow_slices()
    if not slices:
        ok = False
        print(f"no build matrix entries found in {WORKFLOW}")
    for platform, archs, skip in slices:
        sliced += plan(platform, archs, skip)
    everything = set().union(*INTENDED.values())
    if sorted(sliced) != sorted(everything):
        ok = False
        print(f"workflow slices: duplicates or gaps, {len(sliced)} planned for {len(everything)} wheels")
    from importlib.metadata import version

    pinned = re.search(r'CIBUILDWHEEL_VERSION: "([^"]+)"', WORKFLOW.read_text())
    if not pinned or pinned[1] != version("cibuildwheel"):
        ok = False
        print(f"wheels.yml pins cibuildwheel {pinned and pinned[1]}, this check ran {version('cibuildwheel')}")
    if f"-eq {len(everything)}" not in WORKFLOW.read_text():
        ok = False
        print(f"wheels.yml's release check does not expect {len(everything)} wheels")
    print(f"wheel plan: {len(everything)} wheels {'as intended' if ok else 'NOT as intended'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
