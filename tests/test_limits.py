"""Resource limits: huge tokens, huge headers and deep JSON are refused with DecodeError (no timing asserts here;
fuzz/limits_report.py measures times and peak memory)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json

import pytest
from strict_raises import raises_exactly

import fastjwt as jwt
from fastjwt import _core
from fastjwt._core._json_errors import JSONError
from fastjwt.exceptions import DecodeError

SECRET = b"k" * 32


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _signed(header: bytes, payload: bytes) -> bytes:
    signing_input = _b64(header) + b"." + _b64(payload)
    return signing_input + b"." + _b64(hmac.new(SECRET, signing_input, hashlib.sha256).digest())


def _json_twins() -> list[object]:
    mods = [importlib.import_module("fastjwt._core._json_py")]
    if jwt.HAS_EXTENSION:
        mods.append(importlib.import_module("fastjwt._core._json_c"))
    return mods


def test_documented_defaults() -> None:
    assert _core.MAX_TOKEN_LENGTH == 1 << 20
    assert _core.MAX_HEADER_LENGTH == 16 << 10
    assert _core.MAX_JSON_DEPTH == 64


@pytest.mark.parametrize("kind", ["str", "bytes"])
def test_hundred_megabyte_token_refused(kind: str) -> None:
    big = b"eyJhbGciOiJIUzI1NiJ9." + b"A" * (100 << 20) + b".sig"
    tok: str | bytes = big.decode() if kind == "str" else big
    with raises_exactly(DecodeError, match="Token is too long"):
        jwt.decode(tok, SECRET, algorithms=["HS256"])
    with raises_exactly(DecodeError, match="Token is too long"):
        jwt.Verifier(SECRET, ["HS256"]).decode(tok)
    with raises_exactly(DecodeError, match="Token is too long"):
        jwt.get_unverified_header(tok)


def test_hundred_megabyte_signed_token_refused() -> None:
    tok = _signed(b'{"alg":"HS256"}', b'{"x":"' + b"a" * (100 << 20) + b'"}')
    with raises_exactly(DecodeError, match="Token is too long"):
        jwt.decode(tok, SECRET, algorithms=["HS256"])


def test_token_just_over_configured_limit_refused() -> None:
    tok = _signed(b'{"alg":"HS256"}', b'{"x":1}')
    verifier = jwt.Verifier(SECRET, ["HS256"], max_token_length=len(tok) - 1)
    with raises_exactly(DecodeError, match="Token is too long"):
        verifier.decode(tok)
    assert jwt.Verifier(SECRET, ["HS256"], max_token_length=len(tok)).decode(tok) == {"x": 1}


def _million_member_header() -> bytes:
    return b'{"alg":"HS256",' + b",".join(b'"m%d":0' % i for i in range(10**6)) + b"}"


def test_header_with_a_million_members_refused() -> None:
    tok = _signed(_million_member_header(), b'{"a":1}')
    with raises_exactly(DecodeError, match="Token is too long"):
        jwt.decode(tok, SECRET, algorithms=["HS256"])
    with raises_exactly(DecodeError, match="Token is too long"):
        jwt.get_unverified_header(tok)


def test_header_with_a_million_members_refused_even_with_a_large_token_limit() -> None:
    tok = _signed(_million_member_header(), b'{"a":1}')
    with raises_exactly(DecodeError, match="Invalid header string: header is too long"):
        jwt.Verifier(SECRET, ["HS256"], max_token_length=64 << 20).decode(tok)


def test_header_just_over_sixteen_kib_refused() -> None:
    header = b'{"alg":"HS256","x":"' + b"a" * (16 << 10) + b'"}'
    with raises_exactly(DecodeError, match="Invalid header string: header is too long"):
        jwt.decode(_signed(header, b'{"a":1}'), SECRET, algorithms=["HS256"])


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_payload_nested_a_hundred_thousand_deep_refused(opener: bytes) -> None:
    closer = b"]" if opener == b"[" else b"}"
    payload = b'{"x":' + opener * 10**5 + b"1" + closer * 10**5 + b"}"
    tok = _signed(b'{"alg":"HS256"}', payload)
    with raises_exactly(DecodeError, match="Invalid payload string: nesting too deep"):
        jwt.decode(tok, SECRET, algorithms=["HS256"])
    with raises_exactly(DecodeError, match="Invalid payload string: nesting too deep"):
        jwt.Verifier(SECRET, ["HS256"], max_token_length=64 << 20).decode(tok)


def test_header_nested_a_hundred_thousand_deep_refused() -> None:
    header = b'{"alg":"HS256","x":' + b"[" * 10**5 + b"]" * 10**5 + b"}"
    with raises_exactly(DecodeError, match="Invalid header string: header is too long"):
        jwt.get_unverified_header(_signed(header, b"{}"))


@pytest.mark.parametrize("twin", _json_twins(), ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_json_loads_refuses_deep_nesting(twin: object) -> None:
    with raises_exactly(JSONError, match="nesting too deep"):
        twin.loads(b"[" * 10**5 + b"]" * 10**5)  # type: ignore[attr-defined]


@pytest.mark.parametrize("twin", _json_twins(), ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_json_loads_depth_limit_is_exact(twin: object) -> None:
    assert twin.loads(b"[" * 64 + b"]" * 64, 64) == json.loads(b"[" * 64 + b"]" * 64)  # type: ignore[attr-defined]
    with raises_exactly(JSONError, match="nesting too deep"):
        twin.loads(b"[" * 65 + b"]" * 65, 64)  # type: ignore[attr-defined]


def test_configured_depth_limit_applies_to_payload() -> None:
    tok = _signed(b'{"alg":"HS256"}', b'{"a":{"b":{"c":1}}}')
    with raises_exactly(DecodeError, match="Invalid payload string: nesting too deep"):
        jwt.Verifier(SECRET, ["HS256"], max_json_depth=2).decode(tok)
    assert jwt.Verifier(SECRET, ["HS256"], max_json_depth=3).decode(tok) == {"a": {"b": {"c": 1}}}


def test_verifier_header_length_limit_is_configurable() -> None:
    import fastjwt

    secret = "k" * 32
    token = fastjwt.encode({"a": 1}, secret, algorithm="HS256", headers={"kid": "x" * 100})
    assert fastjwt.Verifier(secret, ["HS256"]).decode(token) == {"a": 1}
    with raises_exactly(fastjwt.DecodeError, match="header is too long"):
        fastjwt.Verifier(secret, ["HS256"], max_header_length=64).decode(token)
