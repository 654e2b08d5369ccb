"""Typing: the public API is annotated well enough for ``mypy --strict`` users.

* ``tests/typing/public_api_example.py`` (a program over the public API with ``assert_type`` checks) passes
  ``mypy --strict``, and it runs.
* mypy rejects misuse of the same API (a control: the check above would pass vacuously if fastjwt's names were
  ``Any`` or mypy could not see the package).
* The package ships ``py.typed`` and a stub for every compiled module.

Errors inside fastjwt's own modules are ``make typecheck``'s business; here mypy follows imports silently so only
the example's own lines are judged.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import fastjwt

MYPY_MISSING = "mypy is not installed: it is in the `lint` extra (pip install -e '.[lint]', or make typecheck)"

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "typing" / "public_api_example.py"


def _mypy(*paths: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy", reason=MYPY_MISSING)
    env = {k: v for k, v in os.environ.items() if k != "MYPYPATH"}
    return subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
            "--show-error-codes", "--hide-error-context", "--no-pretty", "--python-version", "3.10",
            *map(str, paths),
        ],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


def test_the_public_api_example_passes_mypy_strict() -> None:
    result = _mypy(EXAMPLE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_public_api_example_runs() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLE)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


MISUSE = '''\
from typing import Any
import fastjwt as jwt
from fastjwt.types import Options

token: bytes = jwt.encode({"sub": "1"}, "secret", algorithm="HS256")
jwt.encode({"sub": "1"}, "secret", algorithm=256)
verifier = jwt.Verifier("secret", ["HS256"], leeway="30s")
claims: list[Any] = verifier.decode("a.b.c")
jwt.get_unverified_header(42)
jwt.Signer("secret", "HS256").encode(["not", "a", "dict"])
options: Options = {"verify_exp": "yes", "leeway": 5}
jwt.PyJWKClient(b"https://id.example/jwks")
'''


def test_mypy_rejects_misuse_of_the_public_api(tmp_path: Path) -> None:
    misuse = tmp_path / "misuse.py"
    misuse.write_text(MISUSE)
    result = _mypy(misuse, cwd=ROOT)
    lines = {int(m.group(1)) for m in re.finditer(r"misuse\.py:(\d+): error:", result.stdout)}
    # One error per misuse line (5-12): str assigned to bytes, an int algorithm, a str leeway, dict assigned to list,
    # an int token, a list payload, a wrong option value and an unknown option, a bytes JWKS URI.
    assert lines == set(range(5, 13)), result.stdout + result.stderr


def test_the_package_ships_py_typed_and_a_stub_per_compiled_module() -> None:
    package = Path(fastjwt.__file__).parent  # the source tree, or site-packages when testing an installed wheel
    assert (package / "py.typed").is_file()
    compiled = [p for p in package.rglob("*") if p.name.endswith((".so", ".pyd")) or p.suffix == ".pyx"]
    assert compiled or not fastjwt.HAS_EXTENSION, f"no compiled modules or Cython sources in {package}"
    for path in compiled:
        stub = path.parent / (path.name.split(".", 1)[0] + ".pyi")
        assert stub.is_file(), f"{path.name} has no .pyi stub"
