#!/usr/bin/env bash
# The release path, checked locally (make dist-check):
#   1. python -m build: an sdist, and a wheel built from that sdist (so the sdist builds from scratch, Cython coming
#      from the build requirements in an isolated environment), into dist/;
#   2. the wheel installs into a fresh venv that has no Cython and no usable compiler (CC/CXX point at `false`, only
#      binary packages are allowed), and there uses the compiled core;
#   3. the test suite runs against that installed wheel from a copy of tests/ outside the source tree, so
#      `import fastjwt` resolves to site-packages;
#   4. the sdist also installs directly into another fresh venv, builds its extension and loads it.
# Usage: scripts/dist_check.sh [python]   (default: python3)
set -euo pipefail

PYTHON="${1:-python3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fastjwt-dist-check.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"

step() { printf '\n=== %s\n' "$*"; }

step "build sdist and wheel into dist/"
# From a snapshot of the working tree (uncommitted changes included, no generated C, no compiled modules): the
# build's cythonize step never writes into the tree that others may be building in place.
mkdir -p "$WORK/src"
tar cf - --exclude=./.git --exclude='./.venv*' --exclude=./build --exclude=./dist --exclude=./wheelhouse \
    --exclude='*.c' --exclude='*.so' --exclude='*.pyd' --exclude='*.html' --exclude=__pycache__ \
    --exclude='*.egg-info' --exclude='./.*_cache' --exclude=./.hypothesis --exclude=./.benchmarks . |
    tar xf - -C "$WORK/src"
"$PYTHON" -m venv "$WORK/tools"
"$WORK/tools/bin/python" -m pip install -q --upgrade pip build
rm -rf dist
"$WORK/tools/bin/python" -m build --outdir "$ROOT/dist" "$WORK/src"
ls -l dist
SDIST="$(ls dist/fastjwt-*.tar.gz)"
WHEEL="$(ls dist/fastjwt-*.whl)"

step "install the wheel into a fresh venv with no Cython and no compiler"
"$PYTHON" -m venv "$WORK/wheel-venv"
WPY="$WORK/wheel-venv/bin/python"
"$WPY" -m pip install -q --upgrade pip
CC=false CXX=false "$WPY" -m pip install -q --only-binary :all: "${WHEEL}[test]"
if "$WPY" -c "import Cython" 2>/dev/null; then
    echo "FAIL: Cython is importable in the wheel venv" >&2
    exit 1
fi

# Outside the source tree; tests/ sits two levels below a directory that links shared/ (when this checkout has
# one beside it) so the Wycheproof vectors resolve exactly as they do in the tree.
mkdir -p "$WORK/outside/checkout"
cp -r tests benchmarks docs fuzz pyproject.toml "$WORK/outside/checkout/"
if [ -d "$ROOT/../shared" ]; then ln -s "$(cd "$ROOT/../shared" && pwd)" "$WORK/outside/shared"; fi
cd "$WORK/outside/checkout"

"$WPY" - <<'PY'
import pathlib, sysconfig
import fastjwt, fastjwt._core, fastjwt._core._json
site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
where = pathlib.Path(fastjwt.__file__).resolve()
assert site in where.parents, f"fastjwt imported from {where}, not from {site}"
assert fastjwt.HAS_EXTENSION, "the wheel's compiled core did not load"
for mod in ("_core_c", "_json_c"):
    m = __import__(f"fastjwt._core.{mod}", fromlist=["_"])
    assert m.__file__.endswith((".so", ".pyd")), m.__file__
token = fastjwt.encode({"sub": "dist-check"}, "k" * 32, "HS256")
assert fastjwt.decode(token, "k" * 32, ["HS256"]) == {"sub": "dist-check"}
print(f"OK: fastjwt {fastjwt.__version__} from {where.parent}, compiled core in use")
PY

step "test suite against the installed wheel (compiled core)"
FASTJWT_REQUIRE_EXTENSION=1 "$WPY" -m pytest -q -p no:cacheprovider tests

step "install the sdist into another fresh venv (builds its extension from scratch)"
cd "$ROOT"
"$PYTHON" -m venv "$WORK/sdist-venv"
SPY="$WORK/sdist-venv/bin/python"
"$SPY" -m pip install -q --upgrade pip
"$SPY" -m pip install -q "$SDIST"
cd "$WORK"
"$SPY" - <<'PY'
import fastjwt
assert fastjwt.HAS_EXTENSION, "the extension built from the sdist did not load"
token = fastjwt.encode({"sub": "sdist"}, "k" * 32, "HS256")
assert fastjwt.decode(token, "k" * 32, ["HS256"]) == {"sub": "sdist"}
print(f"OK: sdist built and loaded its compiled core ({fastjwt._core.__name__})")
PY

step "dist-check passed: $(basename "$SDIST") $(basename "$WHEEL")"
