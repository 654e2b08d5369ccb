"""pytest in front of PyJWT's own test suite for `make compat`: its `import jwt` gets fastjwt.

Usage: python scripts/compat_alias.py [pytest args...]. Before pytest starts (PyJWT's pytest configuration already
names `jwt.warnings`), each PyJWT module the tests can reach is bound in ``sys.modules`` to fastjwt's module of the
same name, and an import hook refuses every other ``jwt`` name, so the real PyJWT (installed in the same venv for
fastjwt's own side-by-side tests) cannot load. At the end of the session every loaded module is checked: one that came
from a PyJWT file turns the run into a harness failure (exit 3).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

# PyJWT 2.15.1's modules, less jwt.help (no fastjwt counterpart: importing it fails, which the tests never do).
PYJWT_SUBMODULES = (
    "algorithms",
    "api_jwk",
    "api_jws",
    "api_jwt",
    "exceptions",
    "jwk_set_cache",
    "jwks_client",
    "types",
    "utils",
    "warnings",
)


class RefuseUnaliasedJwt(importlib.abc.MetaPathFinder):
    """First finder on ``sys.meta_path``: a ``jwt`` name not already bound to fastjwt fails to import."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == "jwt" or fullname.startswith("jwt."):
            raise ModuleNotFoundError(f"{fullname} has no fastjwt counterpart (compat run: PyJWT is blocked)")
        return None


def bind_jwt_to_fastjwt() -> None:
    """Bind ``jwt`` and its submodules to fastjwt's, then block any other ``jwt`` import."""
    if "jwt" in sys.modules:
        raise RuntimeError(f"compat: jwt was imported before the alias: {sys.modules['jwt']!r}")
    import fastjwt

    sys.modules["jwt"] = fastjwt
    for name in PYJWT_SUBMODULES:
        sys.modules[f"jwt.{name}"] = importlib.import_module(f"fastjwt.{name}")
    sys.meta_path.insert(0, RefuseUnaliasedJwt())


def modules_from_pyjwt() -> list[str]:
    """Loaded modules not fastjwt's: a ``jwt.*`` name bound elsewhere, or any module from a ``jwt`` package's file."""
    leaks = []
    for name, module in list(sys.modules.items()):
        if (name == "jwt" or name.startswith("jwt.")) and not module.__name__.startswith("fastjwt"):
            leaks.append(f"{name} -> {module!r}")
        origin = getattr(module, "__file__", None)
        if origin and Path(origin).parent.name == "jwt":
            leaks.append(f"{name} from {origin}")
    return leaks


def pytest_report_header() -> str:
    import fastjwt

    return f"compat: jwt is fastjwt {fastjwt.__file__} (compiled core: {fastjwt.HAS_EXTENSION}); PyJWT blocked"


def pytest_sessionfinish(session: pytest.Session) -> None:
    leaks = modules_from_pyjwt()
    if leaks:
        sys.stderr.write("compat: the real PyJWT was loaded:\n  " + "\n  ".join(leaks) + "\n")
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR


if __name__ == "__main__":
    bind_jwt_to_fastjwt()
    sys.exit(pytest.main(sys.argv[1:], plugins=[sys.modules[__name__]]))
