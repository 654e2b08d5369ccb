"""Verifier: the same results as the drop-in functions, plus typ/max_age/now/allowed_crit, key sets and sources."""

from __future__ import annotations

import asyncio
from typing import Any

import keyfiles
import pytest
from conftest import SECRET, Clock
from strict_raises import raises_exactly
from thread_workers import run_workers

import fastjwt
from fastjwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKSetError,
)

T0 = 1_700_000_000


def _set() -> tuple[fastjwt.PyJWKSet, dict[str, Any]]:
    keys = []
    priv = {}
    for kid, kind in (("r", "rsa2048"), ("e", "p256")):
        pub = dict(keyfiles.jwk(kind))
        pub["kid"] = kid
        keys.append(pub)
        priv[kid] = keyfiles.private_pem(kind)
    return fastjwt.PyJWKSet(keys), priv


@pytest.mark.parametrize(
    ("claims", "kw"),
    [
        ({"sub": "a", "exp": T0 + 10}, {}),
        ({"exp": T0 - 10}, {}),
        ({"aud": "x"}, {"audience": "y"}),
        ({"aud": ["x", "y"]}, {"audience": "y"}),
        ({"iss": "i"}, {"issuer": "j"}),
        ({}, {"options": {"require": ["exp"]}}),
        ({"exp": T0 - 3}, {"leeway": 5}),
    ],
)
def test_same_as_drop_in(claims: dict[str, Any], kw: dict[str, Any]) -> None:
    token = fastjwt.encode(claims, SECRET)
    try:
        expected: Any = fastjwt.decode(token, SECRET, algorithms=["HS256"], **kw)
    except InvalidTokenError as exc:
        expected = type(exc)
    v = fastjwt.Verifier(SECRET, ["HS256"], **kw)
    try:
        got: Any = v.decode(token)
    except InvalidTokenError as exc:
        got = type(exc)
    assert got == expected
    if isinstance(expected, dict):
        assert v.decode_complete(token)["payload"] == expected
        assert v.decode_complete(token)["header"] == fastjwt.get_unverified_header(token)


def test_wrong_key_and_alg() -> None:
    token = fastjwt.encode({}, SECRET)
    with pytest.raises(InvalidSignatureError):
        fastjwt.Verifier(SECRET + "x", ["HS256"]).decode(token)
    with pytest.raises(InvalidAlgorithmError):
        fastjwt.Verifier(SECRET, ["HS512"]).decode(token)


def test_now_clock_drives_expiry(clock: Clock) -> None:
    token = fastjwt.encode({"exp": int(clock.t) + 10}, SECRET)
    v = fastjwt.Verifier(SECRET, ["HS256"], now=clock)
    assert v.decode(token)["exp"] == int(clock.t) + 10
    clock.advance(10)
    with pytest.raises(ExpiredSignatureError):
        v.decode(token)


def test_typ() -> None:
    v = fastjwt.Verifier(SECRET, ["HS256"], typ="at+jwt")
    assert v.decode(fastjwt.encode({"a": 1}, SECRET, headers={"typ": "at+jwt"})) == {"a": 1}
    assert v.decode(fastjwt.encode({"a": 1}, SECRET, headers={"typ": "application/AT+JWT"})) == {"a": 1}
    with raises_exactly(InvalidTokenError, match=r"Invalid token type \(typ\)"):
        v.decode(fastjwt.encode({"a": 1}, SECRET))  # typ JWT
    with raises_exactly(InvalidTokenError, match=r"Invalid token type \(typ\)"):
        v.decode(fastjwt.encode({"a": 1}, SECRET, headers={"typ": None}))


def test_max_age(clock: Clock) -> None:
    v = fastjwt.Verifier(SECRET, ["HS256"], max_age=60, now=clock)
    assert v.decode(fastjwt.encode({"iat": int(clock.t) - 59}, SECRET))
    with raises_exactly(ExpiredSignatureError, match=r"Signature has expired \(max_age\)"):
        v.decode(fastjwt.encode({"iat": int(clock.t) - 61}, SECRET))
    with raises_exactly(MissingRequiredClaimError, match='Token is missing the "iat" claim'):
        v.decode(fastjwt.encode({"x": 1}, SECRET))  # iat required


def _crit_token(crit: list[str]) -> str:
    return fastjwt.encode({"a": 1}, SECRET, headers={"crit": crit, "x-ext": 1})


def test_allowed_crit() -> None:
    token = _crit_token(["x-ext"])
    with raises_exactly(InvalidTokenError, match="Unsupported critical extension: x-ext"):
        fastjwt.Verifier(SECRET, ["HS256"]).decode(token)
    assert fastjwt.Verifier(SECRET, ["HS256"], allowed_crit=["x-ext"]).decode(token) == {"a": 1}


def test_key_set_kid_picks_key() -> None:
    jwks, priv = _set()
    v = fastjwt.Verifier(jwks, ["RS256", "ES256"])
    assert v.decode(fastjwt.encode({"k": "r"}, priv["r"], algorithm="RS256", headers={"kid": "r"})) == {"k": "r"}
    assert v.decode(fastjwt.encode({"k": "e"}, priv["e"], algorithm="ES256", headers={"kid": "e"})) == {"k": "e"}
    # a token signed by the EC key but naming the RSA kid fails
    with raises_exactly(
        InvalidAlgorithmError, match="Token algorithm 'ES256' does not match the key's algorithm 'RS256'"
    ):
        v.decode(fastjwt.encode({}, priv["e"], algorithm="ES256", headers={"kid": "r"}))
    with raises_exactly(InvalidTokenError, match="Unable to find a signing key that matches: 'nope'"):
        v.decode(fastjwt.encode({}, priv["r"], algorithm="RS256", headers={"kid": "nope"}))


def test_key_set_missing_kid() -> None:
    jwks, priv = _set()
    token = fastjwt.encode({"a": 1}, priv["r"], algorithm="RS256")
    # no kid: the one key of the token's algorithm is used (the set also has an ES256 key)
    assert fastjwt.Verifier(jwks, ["RS256"]).decode(token) == {"a": 1}
    two_rsa = fastjwt.PyJWKSet([dict(keyfiles.jwk("rsa2048"), alg="RS256"), dict(keyfiles.jwk("rsa1024"), alg="RS256")])
    with raises_exactly(InvalidTokenError, match="Token has no 'kid' and the key set has more than one usable key"):
        fastjwt.Verifier(two_rsa, ["RS256"]).decode(token)
    one = dict(keyfiles.jwk("rsa2048"))
    assert fastjwt.Verifier(fastjwt.PyJWKSet([one]), ["RS256"]).decode(token) == {"a": 1}


class Source:
    """A sync key source counting lookups."""

    def __init__(self) -> None:
        self.key = fastjwt.PyJWK(keyfiles.jwk("rsa2048"))
        self.kids: list[str | None] = []

    def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:
        self.kids.append(kid)
        if kid != "k1":
            raise PyJWKSetError("unknown kid")
        return self.key


class AsyncSource(Source):
    """An async key source."""

    async def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:  # type: ignore[override]
        return Source.get_signing_key(self, kid)


def _rs(kid: str = "k1", **claims: Any) -> str:
    return fastjwt.encode(claims or {"a": 1}, keyfiles.private_pem("rsa2048"), algorithm="RS256", headers={"kid": kid})


def test_key_source() -> None:
    src = Source()
    v = fastjwt.Verifier(src, ["RS256"])
    assert v.decode(_rs()) == {"a": 1}
    assert src.kids == ["k1"]
    with raises_exactly(PyJWKSetError, match="unknown kid"):
        v.decode(_rs("k2"))
    assert src.kids == ["k1", "k2"]


def test_adecode_sync_and_async_sources() -> None:
    for src in (Source(), AsyncSource()):
        v = fastjwt.Verifier(src, ["RS256"])
        assert asyncio.run(v.adecode(_rs())) == {"a": 1}
        with raises_exactly(PyJWKSetError, match="unknown kid"):
            asyncio.run(v.adecode(_rs("zz")))
        assert src.kids == ["k1", "zz"]


def test_adecode_plain_key() -> None:
    v = fastjwt.Verifier(SECRET, ["HS256"], audience="x")
    assert asyncio.run(v.adecode(fastjwt.encode({"aud": "x"}, SECRET))) == {"aud": "x"}
    with pytest.raises(InvalidAudienceError):
        asyncio.run(v.adecode(fastjwt.encode({"aud": "y"}, SECRET)))


@pytest.mark.parametrize("cache", [None, 64])
def test_thread_safety(cache: int | None) -> None:
    v = fastjwt.Verifier(SECRET, ["HS256"], cache=cache)
    tokens = [fastjwt.encode({"n": i}, SECRET) for i in range(40)]
    bad = fastjwt.encode({"n": -1}, SECRET + "x")

    def work(offset: int) -> None:  # the first wrong answer or unexpected error ends the worker and is reported
        for _r in range(5):
            for i, _t in enumerate(tokens):
                j = (i + offset) % len(tokens)
                assert v.decode(tokens[j]) == {"n": j}
            with raises_exactly(InvalidSignatureError, match="Signature verification failed"):
                v.decode(bad)

    assert run_workers(work, [(k,) for k in range(8)]) == []


def test_bad_inputs() -> None:
    v = fastjwt.Verifier(SECRET, ["HS256"])
    wrong_type = r"Invalid token type\. Token must be a <class 'bytes'>"
    for bad, message in [
        ("", "Not enough segments"),
        ("a.b", "Not enough segments"),
        ("a.b.c", "Invalid header padding"),
        (5, wrong_type),
        (None, wrong_type),
        ("é.é.é", "Invalid token: non-ASCII characters"),
    ]:
        with raises_exactly(DecodeError, match=message):
            v.decode(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        fastjwt.Verifier(SECRET, ["HS256"], leeway=float("nan"))
