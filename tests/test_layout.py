"""The package's shape: small modules with one concern, the hot path, the key layer and the extras each in a place
of their own (issue 12: no module over about 600 lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

import fastjwt

PACKAGE = Path(fastjwt.__file__).resolve().parent
SOURCES = sorted(
    path
    for pattern in ("*.py", "*.pyx", "*.pxi", "*.pxd")
    for path in PACKAGE.rglob(pattern)
    if "__pycache__" not in path.parts
)
MAX_LINES = 600


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_is_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"


def test_the_layers_are_folders_a_newcomer_can_find() -> None:
    assert (PACKAGE / "_core" / "__init__.py").is_file()  # the hot path and its chooser
    assert (PACKAGE / "_keys" / "__init__.py").is_file()  # the key layer
    assert (PACKAGE / "_jwks" / "__init__.py").is_file()  # what the JWKS clients share
    assert (PACKAGE / "cli" / "__init__.py").is_file()  # the command line
    for pyjwt_module in ("api_jws", "api_jwt", "api_jwk", "algorithms", "exceptions", "utils", "jwks_client"):
        assert (PACKAGE / f"{pyjwt_module}.py").is_file()  # PyJWT's module names, at the top
