"""The key layer's place in the import graph, read from the source (every import, also those inside functions).

``fastjwt._keys`` may import the ground floor (exceptions, warnings, types, _compat, _text), the ``_core`` chooser
and ``cryptography``; never a twin of the core directly, and never the modules built on it (algorithms, the api_*
modules, signer, verifier, the extras). The PyJWT-named modules import it, not the other way round. And no module of
the layer, or of its PyJWT faces, grows past about 600 lines.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import fastjwt

# The package being tested: the source tree, or site-packages when the suite runs against an installed wheel.
PACKAGE = Path(fastjwt.__file__).resolve().parent
KEY_LAYER = sorted((PACKAGE / "_keys").glob("*.py"))
GROUND_FLOOR = {"fastjwt.exceptions", "fastjwt.warnings", "fastjwt.types", "fastjwt._compat", "fastjwt._text"}
ALLOWED_FASTJWT = GROUND_FLOOR | {"fastjwt._core", "fastjwt._keys"}
FACES = ("algorithms.py", "api_jwk.py", "api_jws.py", "utils.py")
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved, ``from pkg import name`` as ``pkg.name`` too."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _fastjwt_modules(imported: set[str]) -> set[str]:
    """The fastjwt modules among ``imported`` (a ``from pkg import function`` adds nothing beyond ``pkg``)."""
    modules = set()
    for name in imported:
        if not name.startswith("fastjwt."):
            continue  # not fastjwt, or the package itself in "from .. import module" (the module is listed too)
        if name.startswith("fastjwt._keys"):
            modules.add("fastjwt._keys")
        elif name.count(".") == 1:
            modules.add(name)
        else:  # fastjwt.X.Y: a name from module X
            modules.add(".".join(name.split(".")[:2]))
    return modules


@pytest.mark.parametrize("path", KEY_LAYER, ids=lambda p: p.name)
def test_key_layer_imports_only_what_lies_below_it(path: Path) -> None:
    imported = _imported_modules(path)
    upward = _fastjwt_modules(imported) - ALLOWED_FASTJWT
    assert upward == set(), f"{path.name} imports {sorted(upward)}"
    assert not any(name.startswith("fastjwt._core._") for name in imported)  # the chooser, never a twin
    third_party = {name.split(".")[0] for name in imported} - {"fastjwt", "cryptography", "__future__"}
    assert third_party <= set(sys.stdlib_module_names), f"{path.name} imports {sorted(third_party)}"


@pytest.mark.parametrize("face", FACES)
def test_pyjwt_faces_build_on_the_key_layer(face: str) -> None:
    assert "fastjwt._keys" in _fastjwt_modules(_imported_modules(PACKAGE / face))


def test_the_resolver_sees_relative_imports() -> None:
    """A control for the checks above: a known upward import would be caught."""
    imported = _imported_modules(PACKAGE / "api_jwk.py")
    assert {"fastjwt.algorithms", "fastjwt._keys"} <= _fastjwt_modules(imported)
    assert "fastjwt._core" in _fastjwt_modules(_imported_modules(PACKAGE / "_keys" / "hmac.py"))


@pytest.mark.parametrize("path", [*KEY_LAYER, *(PACKAGE / face for face in FACES)], ids=lambda p: p.name)
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"
