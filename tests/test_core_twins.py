"""The compiled core and its pure-Python twin give the same results, exception classes and messages."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from conftest import SECRET
from cryptography.hazmat.primitives import hashes
from hypothesis import given, settings
from hypothesis import strategies as st

import fastjwt
from fastjwt._core import _core_py

try:
    _core_c: ModuleType | None = importlib.import_module("fastjwt._core._core_c")
except ImportError:
    _core_c = None

# In the pure-Python run the compiled twin is absent: compare the twin with itself so the inputs still run.
OTHER: ModuleType = _core_c if _core_c is not None else _core_py


def _outcome(fn: Callable[[ModuleType], Any], core: ModuleType) -> Any:
    try:
        return ("ok", fn(core))
    except Exception as exc:
        return ("err", type(exc).__name__, str(exc))


def same(fn: Callable[[ModuleType], Any]) -> Any:
    a, b = _outcome(fn, _core_py), _outcome(fn, OTHER)
    assert a == b
    return a


T = 1_700_000_000
TOKENS = [
    fastjwt.encode({"a": 1, "exp": T + 10}, SECRET),
    fastjwt.encode({"exp": T - 10}, SECRET),
    fastjwt.encode({"nbf": T + 10}, SECRET),
    fastjwt.encode({"aud": ["x", "y"], "iss": "i"}, SECRET),
    fastjwt.encode({"a": 1}, SECRET + "x"),
    fastjwt.encode({"a": 1}, SECRET, headers={"crit": ["zz"], "zz": 1}),
    "a.b",
    "",
    "e30.e30.",
    "eyJhbGciOiJIUzI1NiJ9.e30.AA==",
    "e30.W10.AA",
    "é.a.b",
]


def _decoder(core: ModuleType, **rules: Any) -> Any:
    key = core.HMACKey("HS256", SECRET.encode(), hashes.SHA256(), None)
    claim_rules = core.ClaimRules({}, clock=lambda: T, **rules)
    return core.Decoder(lambda alg: key, None, frozenset({"HS256"}), claim_rules)


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("rules", [{}, {"audience": "x", "issuer": "i"}, {"leeway": 20}])
def test_decoder(token: str, rules: dict[str, Any]) -> None:
    same(lambda core: _decoder(core, **rules).decode(token))
    same(lambda core: _decoder(core, **rules).decode_complete(token))


@pytest.mark.parametrize("token", TOKENS)
def test_load_token(token: str) -> None:
    same(lambda core: core.load_token(token)[:4])


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"exp": T},
        {"exp": T + 1},
        {"exp": "1"},
        {"exp": 1.5e30},
        {"iat": T + 5},
        {"iat": "x"},
        {"nbf": T},
        {"aud": 1},
        {"aud": ["y"]},
        {"iss": 3},
        {"sub": 1},
        {"jti": []},
        {"exp": float("nan")},
        {"exp": True},
    ],
)
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"audience": "x"},
        {"issuer": ["i", "j"]},
        {"leeway": 1},
        {"options": {"require": ["exp", "iat"]}},
        {"options": {"strict_aud": True}, "audience": "y"},
    ],
)
def test_claim_rules(payload: dict[str, Any], kw: dict[str, Any]) -> None:
    kw = dict(kw)
    options = kw.pop("options", {})
    same(lambda core: core.ClaimRules(options, **kw).check(payload, float(T)))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="eyJhbGciOiJIUzI1NiJ9.e30AQ=_-!é ", max_size=60))
def test_random_token_like_strings(text: str) -> None:
    same(lambda core: core.b64url_decode(text))
    same(lambda core: core.load_token(text, header_cache=None)[:4])
    same(lambda core: _decoder(core).decode(text))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_b64_twins(data: bytes) -> None:
    enc = same(lambda core: core.b64url_encode(data))
    assert enc == ("ok", _core_py.b64url_encode(data))
    same(lambda core: core.b64url_decode(data))
