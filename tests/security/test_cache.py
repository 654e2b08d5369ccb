"""The verified-token cache never turns a refused token into an accepted one."""

from __future__ import annotations

import pytest
from strict_raises import raises_exactly

import fastjwt as jwt
from fastjwt.api_jwk import PyJWK
from fastjwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidSignatureError,
)
from security._forge import SECRET, hs_token

T = 1_700_000_000


class Clock:
    """A settable clock."""

    def __init__(self) -> None:
        self.t = float(T)

    def __call__(self) -> float:
        return self.t


def test_cached_entry_not_served_after_exp() -> None:
    clock = Clock()
    verifier = jwt.Verifier(SECRET, ["HS256"], cache=True, now=clock)
    tok = hs_token({"alg": "HS256"}, {"exp": T + 5}, SECRET)
    assert verifier.decode(tok) == {"exp": T + 5}
    clock.t = T + 5
    with pytest.raises(ExpiredSignatureError):
        verifier.decode(tok)


def test_cached_entry_respects_leeway_boundary() -> None:
    clock = Clock()
    verifier = jwt.Verifier(SECRET, ["HS256"], cache=True, now=clock, leeway=10)
    tok = hs_token({"alg": "HS256"}, {"exp": T + 5}, SECRET)
    verifier.decode(tok)
    clock.t = T + 14
    assert verifier.decode(tok) == {"exp": T + 5}
    clock.t = T + 15
    with pytest.raises(ExpiredSignatureError):
        verifier.decode(tok)


def test_cached_entry_not_served_before_nbf() -> None:
    clock = Clock()
    verifier = jwt.Verifier(SECRET, ["HS256"], cache=True, now=clock)
    tok = hs_token({"alg": "HS256"}, {"nbf": T - 5, "exp": T + 100}, SECRET)
    verifier.decode(tok)
    clock.t = T - 6  # the clock stepped back (NTP correction)
    with pytest.raises(ImmatureSignatureError):
        verifier.decode(tok)


def test_cache_not_shared_between_verifiers() -> None:
    good = jwt.Verifier(SECRET, ["HS256"], cache=True)
    other = jwt.Verifier(b"o" * 32, ["HS256"], cache=True)
    tok = hs_token({"alg": "HS256"}, {"a": 1}, SECRET)
    assert good.decode(tok) == {"a": 1}
    with pytest.raises(InvalidSignatureError):
        other.decode(tok)


def test_cache_not_shared_between_audiences() -> None:
    tok = hs_token({"alg": "HS256"}, {"aud": "svc-a"}, SECRET)
    assert jwt.Verifier(SECRET, ["HS256"], cache=True, audience="svc-a").decode(tok) == {"aud": "svc-a"}
    with pytest.raises(InvalidAudienceError):
        jwt.Verifier(SECRET, ["HS256"], cache=True, audience="svc-b").decode(tok)


def test_padded_variant_of_cached_token_refused() -> None:
    verifier = jwt.Verifier(SECRET, ["HS256"], cache=True)
    tok = hs_token({"alg": "HS256"}, {"a": 1}, SECRET)
    verifier.decode(tok)
    with raises_exactly(DecodeError, match="Invalid crypto padding"):
        verifier.decode(tok + "=")


def test_cached_result_is_not_mutable_by_caller() -> None:
    verifier = jwt.Verifier(SECRET, ["HS256"], cache=True)
    tok = hs_token({"alg": "HS256"}, {"roles": ["user"]}, SECRET)
    first = verifier.decode(tok)
    first["roles"].append("admin")
    first["admin"] = True
    assert verifier.decode(tok) == {"roles": ["user"]}


def test_rotated_key_drops_cached_entry() -> None:
    old = PyJWK({"kty": "oct", "k": "b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQtb2xk", "alg": "HS256", "kid": "k"})
    new = PyJWK({"kty": "oct", "k": "bmV3LXNlY3JldC1uZXctc2VjcmV0LW5ldy1zZWNyZXQtbmV3", "alg": "HS256", "kid": "k"})

    class Source:
        current = old

        def get_signing_key(self, kid: str | None) -> PyJWK:
            return self.current

    source = Source()
    verifier = jwt.Verifier(source, ["HS256"], cache=True)
    tok = jwt.encode({"a": 1}, old, algorithm="HS256", headers={"kid": "k"})
    assert verifier.decode(tok) == {"a": 1}
    source.current = new  # the old key was revoked
    with pytest.raises(InvalidSignatureError):
        verifier.decode(tok)
