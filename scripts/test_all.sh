#!/usr/bin/env bash
# Build and test the compiled extension on every CPython 3.10-3.13 this machine has (make test-all).
# For each interpreter under $PYENV_ROOT/versions (default /root/.pyenv/versions): a venv .venv3XX at the repository
# root, the package built and installed from a snapshot of the tree (so a build here never races an in-place build
# in the working tree), then the suite from a copy of tests/ with FASTJWT_REQUIRE_EXTENSION=1, so the compiled core
# must load. Prints PASS/FAIL per version; exits non-zero if any version failed or none was found.
# Usage: scripts/test_all.sh [pytest args...]
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSIONS_DIR="${PYENV_ROOT:-/root/.pyenv}/versions"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fastjwt-test-all.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Snapshot of what a build needs (no generated C, no compiled modules), and of what the tests read.
mkdir -p "$WORK/src" "$WORK/run/checkout"
(cd "$ROOT" && tar cf - --exclude='*.c' --exclude='*.so' --exclude='*.html' --exclude=__pycache__ \
    fastjwt setup.py pyproject.toml MANIFEST.in README.md LICENSE) | tar xf - -C "$WORK/src"
(cd "$ROOT" && cp -r tests benchmarks docs fuzz pyproject.toml "$WORK/run/checkout/")
# The Wycheproof tests look for ../shared two levels above tests/, as in the working tree.
if [ -d "$ROOT/../shared" ]; then ln -s "$(cd "$ROOT/../shared" && pwd)" "$WORK/run/shared"; fi

declare -a results=()
status=0
found=0
for minor in 10 11 12 13; do
    interp=""
    for candidate in "$VERSIONS_DIR"/3."$minor".*/bin/python3; do
        [ -x "$candidate" ] && interp="$candidate"  # glob order: the last is the newest patch release
    done
    if [ -z "$interp" ]; then
        results+=("3.$minor  SKIP (not installed under $VERSIONS_DIR)")
        continue
    fi
    found=1
    version="$("$interp" -c 'import platform; print(platform.python_version())')"
    venv="$ROOT/.venv3$minor"
    log="$WORK/test-3$minor.log"
    printf '\n=== CPython %s (%s)\n' "$version" "$venv"
    {
        [ -x "$venv/bin/python" ] || "$interp" -m venv "$venv"
        "$venv/bin/python" -m pip install -q --upgrade pip &&
        "$venv/bin/python" -m pip wheel -q --no-deps -w "$WORK/wheels-3$minor" "$WORK/src" &&
        wheel="$(echo "$WORK/wheels-3$minor"/fastjwt-*.whl)" &&
        "$venv/bin/python" -m pip install -q "${wheel}[test]" &&
        "$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$wheel" &&
        (cd "$WORK/run/checkout" &&
            FASTJWT_REQUIRE_EXTENSION=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" tests)
    } >"$log" 2>&1
    rc=$?
    summary="$(grep -E '(passed|failed|error)' "$log" | tail -n 1)"
    if [ "$rc" -eq 0 ]; then
        results+=("$version  PASS  $summary")
    else
        results+=("$version  FAIL  ${summary:-see log below}")
        tail -n 40 "$log"
        status=1
    fi
    tail -n 1 "$log"
done

printf '\n=== test-all: compiled core per CPython\n'
printf '%s\n' "${results[@]}"
[ "$found" -eq 1 ] || { echo "no CPython 3.10-3.13 found under $VERSIONS_DIR" >&2; exit 1; }
exit "$status"
