"""What ships: the wheel and the sdist built from this tree, and the compiled modules' stubs.

The wheel must carry the compiled modules (one per ``.pyx`` under ``fastjwt/``), their ``.pyi`` stubs and
``py.typed``, and no Cython sources, generated C or annotation HTML; it must import from outside the tree with the
compiled core in use.
The sdist must carry the Cython sources and everything the build and the tests read, and no generated C or binaries.

Both distributions are built once per session from a snapshot of the tree with the build tools of this environment
(setuptools' PEP 517 hooks, as ``python -m build --no-isolation`` calls them). The snapshot is seeded with the
compiled modules already built in place, stamped newer than their sources, so setuptools packages them instead of
recompiling: this checks what goes into the distributions in seconds.
Compiling from scratch in clean environments is ``make dist-check`` (scripts/dist_check.sh) and CI's wheels workflow.
"""

from __future__ import annotations

import email.parser
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import fastjwt

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fastjwt"
EXT_SUFFIX: str = sysconfig.get_config_var("EXT_SUFFIX")
# Each compiled module as its path without the suffix, relative to the tree: "fastjwt/_core/_core_c".
PYX_MODULES = sorted(p.relative_to(ROOT).with_suffix("").as_posix() for p in PACKAGE.rglob("*.pyx"))
FORBIDDEN_IN_WHEEL = (".c", ".h", ".pyx", ".pxd", ".pxi", ".html", ".pyc")
FORBIDDEN_IN_SDIST = (".c", ".so", ".pyd", ".html", ".pyc")
# Copied into the snapshot: what setup.py, pyproject.toml and MANIFEST.in name.
SNAPSHOT_ITEMS = ("fastjwt", "tests", "benchmarks", "docs", "scripts", "setup.py", "pyproject.toml", "MANIFEST.in",
                  "README.md", "LICENSE", "CHANGELOG.md", "Makefile")


@dataclass(frozen=True)
class Dists:
    """The two distributions built from the snapshot."""

    wheel: Path
    sdist: Path


def _build_platlib(cwd: Path) -> Path:
    """Where setuptools' ``build`` puts compiled modules here (e.g. ``build/lib.linux-x86_64-cpython-311``)."""
    code = (
        "from setuptools.dist import Distribution\n"
        "cmd = Distribution().get_command_obj('build'); cmd.finalize_options(); print(cmd.build_platlib)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return cwd / out.stdout.strip()


def _seed_compiled(snapshot: Path) -> None:
    """Copy the in-place compiled modules (and their C) into the snapshot so the build reuses them."""
    platlib = _build_platlib(snapshot)
    seeds = []
    for name in PYX_MODULES:
        built = ROOT / f"{name}{EXT_SUFFIX}"
        generated_c = ROOT / f"{name}.c"
        if not (built.is_file() and generated_c.is_file()):
            return  # not built in place: let the build compile (slower, same result)
        (platlib / name).parent.mkdir(parents=True, exist_ok=True)
        seeds += [shutil.copy(generated_c, snapshot / f"{name}.c"), shutil.copy(built, platlib / f"{name}{EXT_SUFFIX}")]
    # Make the seeds newer than every source so neither cythonize nor build_ext redoes them.
    for path in seeds:
        os.utime(path)


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """Build the sdist and the wheel once per session from a snapshot of the tree."""
    if not (ROOT / "setup.py").is_file() or not PYX_MODULES:
        # tests/ copied out to run against an installed wheel (cibuildwheel, make dist-check, make test-all).
        pytest.skip(f"no source tree at {ROOT}: these tests build distributions from it")
    snapshot = tmp_path_factory.mktemp("snapshot")
    ignore = shutil.ignore_patterns("*.so", "*.pyd", "*.c", "*.html", "__pycache__", "*.egg-info")
    for item in SNAPSHOT_ITEMS:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, snapshot / item, ignore=ignore)
        elif source.is_file():
            shutil.copy(source, snapshot / item)
    _seed_compiled(snapshot)
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "FASTJWT_NO_EXTENSIONS"}  # the wheel always has its core
    # The PEP 517 hooks that `python -m build --no-isolation` calls (one process each, as build runs them), without
    # needing the `build` package.
    for hook in ("build_sdist", "build_wheel"):
        code = f"import sys\nfrom setuptools import build_meta\nbuild_meta.{hook}(sys.argv[1])\n"
        result = subprocess.run(
            [sys.executable, "-c", code, str(out)], cwd=snapshot, capture_output=True, text=True, env=env, timeout=600
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = out.glob("fastjwt-*.whl")
    (sdist,) = out.glob("fastjwt-*.tar.gz")
    return Dists(wheel=wheel, sdist=sdist)


def _tracked(paths: Any) -> list[Path]:
    """Source files, not caches."""
    return [path for path in paths if "__pycache__" not in path.parts]


def _wheel_names(dists: Dists) -> set[str]:
    with zipfile.ZipFile(dists.wheel) as zf:
        return set(zf.namelist())


def _sdist_names(dists: Dists) -> set[str]:
    with tarfile.open(dists.sdist) as tf:
        prefix = tf.getnames()[0].split("/", 1)[0] + "/"
        return {name.removeprefix(prefix) for name in tf.getnames() if name.startswith(prefix)}


def test_wheel_contains_every_compiled_module_with_its_stub(dists: Dists) -> None:
    names = _wheel_names(dists)
    assert PYX_MODULES, "no .pyx under fastjwt/ found: the extension list would be empty"
    for module in PYX_MODULES:
        assert f"{module}{EXT_SUFFIX}" in names, f"compiled {module} missing from the wheel"
        assert f"{module}.pyi" in names, f"stub for {module} missing from the wheel"
    assert "fastjwt/py.typed" in names


def test_wheel_contains_every_python_module_and_no_sources_of_the_build(dists: Dists) -> None:
    names = _wheel_names(dists)
    for source in _tracked(PACKAGE.rglob("*.py")):
        assert source.relative_to(ROOT).as_posix() in names, f"{source.name} missing from the wheel"
    leaked = sorted(n for n in names if n.endswith(FORBIDDEN_IN_WHEEL))
    assert leaked == [], f"build inputs or by-products in the wheel: {leaked}"
    assert not any(n.startswith(("tests/", "benchmarks/", "docs/", "build/")) for n in names)


def test_wheel_metadata_matches_the_package(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as zf:
        (meta_name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode())
        wheel_info = zf.read(meta_name.replace("METADATA", "WHEEL")).decode()
    assert meta["Name"] == "fastjwt"
    assert meta["Version"] == fastjwt.__version__, "pyproject.toml's version and fastjwt.__version__ disagree"
    runtime = [r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r]
    assert [r.split(">")[0].split("=")[0].strip() for r in runtime] == ["cryptography"]
    assert "Root-Is-Purelib: false" in wheel_info, "a wheel with compiled modules must be platform-specific"


def test_wheel_imports_from_outside_the_tree_with_its_compiled_core(dists: Dists, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(dists.wheel) as zf:
        zf.extractall(site)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import fastjwt, fastjwt._core._json\n"
        "assert fastjwt.__file__.startswith(sys.argv[1]), fastjwt.__file__\n"
        "assert fastjwt.HAS_EXTENSION\n"
        "compiled = sys.modules['fastjwt._core._json_c']\n"
        "assert fastjwt._core._json.__name__ and compiled.__file__.startswith(sys.argv[1])\n"
        "t = fastjwt.encode({'sub': 'wheel'}, 'k' * 32, 'HS256')\n"
        "assert fastjwt.decode(t, 'k' * 32, ['HS256']) == {'sub': 'wheel'}\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("FASTJWT_NO_EXTENSIONS", "PYTHONPATH")}
    env["FASTJWT_REQUIRE_EXTENSION"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", code, str(site)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok"


def test_wheel_console_scripts_resolve_to_callables(dists: Dists, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(dists.wheel) as zf:
        zf.extractall(site)
        (entry_name,) = [n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt")]
        entry_points = zf.read(entry_name).decode()
    targets = re.findall(r"^\s*[\w.-]+\s*=\s*([\w.]+:[\w.]+)\s*$", entry_points.split("[console_scripts]", 1)[-1], re.M)
    assert targets, f"no console scripts in {entry_points!r}"
    code = (
        "import importlib, sys; sys.path.insert(0, sys.argv[1])\n"
        "for target in sys.argv[2:]:\n"
        "    module, attr = target.split(':')\n"
        "    obj = importlib.import_module(module)\n"
        "    assert obj.__file__.startswith(sys.argv[1]), obj.__file__\n"
        "    for part in attr.split('.'):\n"
        "        obj = getattr(obj, part)\n"
        "    assert callable(obj), target\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(site), *targets], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]


def test_sdist_has_the_cython_sources_and_what_the_build_and_tests_read(dists: Dists) -> None:
    names = _sdist_names(dists)
    for module in PYX_MODULES:
        assert f"{module}.pyx" in names
        assert f"{module}.pyi" in names
    for required in ("setup.py", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE", "fastjwt/py.typed"):
        assert required in names, f"{required} missing from the sdist"
    for pattern in ("*.py", "*.pxd", "*.pxi", "*.h"):
        for source in _tracked(PACKAGE.rglob(pattern)):
            relative = source.relative_to(ROOT).as_posix()
            assert relative in names, f"{relative} missing from the sdist: the extension build needs it"
    for key_file in (ROOT / "tests" / "keys").rglob("*"):
        if key_file.is_file() and "__pycache__" not in key_file.parts:
            assert key_file.relative_to(ROOT).as_posix() in names, f"{key_file.name} missing from the sdist"
    leaked = sorted(n for n in names if n.endswith(FORBIDDEN_IN_SDIST))
    assert leaked == [], f"generated or compiled files in the sdist: {leaked}"


def _compiled(name: str) -> Any:
    """Import a compiled module directly; fail unless this run asked for the pure-Python path only."""
    try:
        return importlib.import_module(f"fastjwt._core.{name}")
    except ImportError:
        if os.environ.get("FASTJWT_NO_EXTENSIONS"):
            pytest.skip(f"fastjwt._core.{name} is not built and FASTJWT_NO_EXTENSIONS is set")
        raise


def _split_top_level(text: str) -> list[str]:
    """Split a parameter list at the commas that are not inside brackets or quotes."""
    parts, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def _embedded_parameters(owner: type) -> list[tuple[str, Any]]:
    """Constructor parameters of a cdef class from the signature Cython's ``embedsignature`` puts in its docstring.

    A cdef class's ``__init__`` is a slot wrapper that ``inspect`` sees as ``(*args, **kwargs)``; the docstring's first
    line, e.g. ``Decoder(prepare, ClaimRules rules, *, typ=None)``, has the real list (with Cython types before names).
    Only the names and their order are taken from it: Cython 3.3 can misplace the bare ``*`` in the embedded text
    (``Decoder`` shows ``verify_signature`` before it although the compiled constructor takes it by keyword only), so
    the kinds come back as None and are not compared.
    """
    first_line = (owner.__doc__ or "").split("\n", 1)[0]
    assert first_line.startswith(f"{owner.__name__}(") and first_line.endswith(")"), first_line
    names: list[str] = []
    for part in _split_top_level(first_line[len(owner.__name__) + 1 : -1]):
        declaration = part.split("=", 1)[0].strip()
        if declaration not in ("*", "/"):
            names.append(declaration.lstrip("*").split()[-1])
    return [(name, None) for name in names if name != "self"]


def _parameters(obj: Callable[..., Any], owner: type | None = None) -> list[tuple[str, Any]]:
    """Parameter names and kinds; ``self`` dropped so methods of cdef classes and Python classes compare."""
    slot_wrapper = not hasattr(obj, "__code__") and "Initialize self" in (obj.__doc__ or "")
    if owner is not None and obj is getattr(owner, "__init__", None) and slot_wrapper:
        return _embedded_parameters(owner)
    params = list(inspect.signature(obj).parameters.values())
    return [(p.name, p.kind) for p in params if p.name != "self"]


# Compiled methods whose Python twin spells a parameter differently would make the stub (the twin's annotations)
# lie about keyword use; an entry here documents a deliberate difference. None today.
SIGNATURE_EXCEPTIONS: frozenset[str] = frozenset()


@pytest.mark.parametrize(("compiled_name", "twin_name"), [("_core_c", "_core_py"), ("_json_c", "_json_py")])
def test_compiled_modules_match_the_twin_the_stubs_describe(compiled_name: str, twin_name: str) -> None:
    compiled = _compiled(compiled_name)
    twin = importlib.import_module(f"fastjwt._core.{twin_name}")
    assert sorted(compiled.__all__) == sorted(twin.__all__)
    checked = 0
    for name in compiled.__all__:
        c_obj, py_obj = getattr(compiled, name), getattr(twin, name)
        assert type(c_obj).__name__ == type(py_obj).__name__ or (callable(c_obj) and callable(py_obj)), name
        pairs: list[tuple[str, Any, Any, type | None]] = []
        if inspect.isclass(py_obj):
            assert inspect.isclass(c_obj), name
            for attr, member in vars(py_obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                if callable(member):
                    assert hasattr(c_obj, attr), f"{name}.{attr} missing from {compiled_name}"
                    pairs.append((f"{name}.{attr}", getattr(c_obj, attr), member, c_obj))
        elif callable(py_obj):
            pairs.append((name, c_obj, py_obj, None))
        for label, c_fn, py_fn, c_owner in pairs:
            if label in SIGNATURE_EXCEPTIONS:
                continue
            c_params, py_params = _parameters(c_fn, c_owner), _parameters(py_fn)
            if c_params and c_params[0][1] is None:  # names only, from an embedded signature
                py_params = [(name, None) for name, _ in py_params]
            assert c_params == py_params, f"{compiled_name}.{label} differs from its twin"
            checked += 1
    assert checked > 0
