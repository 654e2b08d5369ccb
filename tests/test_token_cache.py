"""The Verifier's verified-token cache: each semantic listed in fastjwt/verifier.py's docstring, one test each."""

from __future__ import annotations

import base64
from typing import Any

import keyfiles
import pytest
from conftest import SECRET, Clock
from strict_raises import raises_exactly

import fastjwt
from fastjwt.algorithms import HMACAlgorithm
from fastjwt.exceptions import ExpiredSignatureError, ImmatureSignatureError, InvalidSignatureError


class CountingHMAC(HMACAlgorithm):
    """HS256 under another name, counting signature checks."""

    calls = 0

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        CountingHMAC.calls += 1
        return super().verify(msg, key, sig)


class CountingSource:
    """A key source whose HS256 key verifies through :class:`CountingHMAC` (so signature checks can be counted)."""

    def __init__(self) -> None:
        k = base64.urlsafe_b64encode(SECRET.encode()).rstrip(b"=").decode()
        self.jwk = fastjwt.PyJWK({"kty": "oct", "k": k, "alg": "HS256"})
        self.jwk.Algorithm = CountingHMAC(HMACAlgorithm.SHA256)

    def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:
        return self.jwk


@pytest.fixture
def counting() -> type[CountingHMAC]:
    """Resets the signature-check counter."""
    CountingHMAC.calls = 0
    return CountingHMAC


def _tok(**claims: Any) -> str:
    return fastjwt.encode(claims, SECRET, algorithm="HS256")


def _v(clock: Clock, **kw: Any) -> fastjwt.Verifier:
    kw.setdefault("cache", 16)
    return fastjwt.Verifier(CountingSource(), ["HS256"], now=clock, **kw)


def test_hit_skips_signature_check(counting: type[CountingHMAC], clock: Clock) -> None:
    v, token = _v(clock), _tok(a=1)
    assert v.decode(token) == {"a": 1}
    assert v.decode(token) == {"a": 1}
    assert v.decode_complete(token)["payload"] == {"a": 1}
    assert counting.calls == 1
    assert v.cache_len == 1


def test_no_cache_checks_every_time(counting: type[CountingHMAC], clock: Clock) -> None:
    v, token = _v(clock, cache=None), _tok(a=1)
    v.decode(token)
    v.decode(token)
    assert counting.calls == 2


def test_distinct_tokens_distinct_entries(counting: type[CountingHMAC], clock: Clock) -> None:
    v = _v(clock)
    assert v.decode(_tok(a=1)) == {"a": 1}
    assert v.decode(_tok(a=2)) == {"a": 2}
    assert v.cache_len == 2
    # a tampered copy of a cached token is not served from the cache
    token = _tok(a=3)
    v.decode(token)
    h, p, s = token.split(".")
    with pytest.raises(InvalidSignatureError):
        v.decode(f"{h}.{p}.{'A' if s[0] != 'A' else 'B'}{s[1:]}")


@pytest.mark.parametrize("with_iat", [True, False])
def test_expired_entry_not_served(counting: type[CountingHMAC], clock: Clock, with_iat: bool) -> None:
    claims: dict[str, Any] = {"exp": int(clock.t) + 10}
    if with_iat:
        claims["iat"] = int(clock.t)
    v, token = _v(clock), _tok(**claims)
    v.decode(token)
    clock.advance(9)
    v.decode(token)
    assert counting.calls == 1
    clock.advance(1)  # exp == now: expired
    with pytest.raises(ExpiredSignatureError):
        v.decode(token)


def test_expiry_with_leeway(counting: type[CountingHMAC], clock: Clock) -> None:
    v, token = _v(clock, leeway=5), _tok(exp=int(clock.t) + 10)
    v.decode(token)
    clock.advance(14)
    assert v.decode(token)["exp"] == int(clock.t) - 4
    clock.advance(1)
    with pytest.raises(ExpiredSignatureError):
        v.decode(token)


def test_nbf_rechecked(counting: type[CountingHMAC], clock: Clock) -> None:
    v = _v(clock)
    token = _tok(nbf=int(clock.t) + 5)
    with pytest.raises(ImmatureSignatureError):
        v.decode(token)
    assert v.cache_len == 0
    clock.advance(5)
    assert v.decode(token) == {"nbf": int(clock.t)}


def test_cache_ttl(counting: type[CountingHMAC], clock: Clock) -> None:
    v, token = _v(clock, cache_ttl=30), _tok(a=1)
    v.decode(token)
    clock.advance(29)
    v.decode(token)
    assert counting.calls == 1
    clock.advance(2)
    v.decode(token)
    assert counting.calls == 2


def test_lru_bound(counting: type[CountingHMAC], clock: Clock) -> None:
    v = _v(clock, cache=3)
    tokens = [_tok(n=i) for i in range(5)]
    for t in tokens:
        v.decode(t)
    assert v.cache_len == 3
    counting.calls = 0
    v.decode(tokens[4])
    assert counting.calls == 0
    v.decode(tokens[0])  # evicted: verified again
    assert counting.calls == 1


def test_failures_not_cached_by_default(counting: type[CountingHMAC], clock: Clock) -> None:
    v = _v(clock)
    bad = fastjwt.encode({"a": 1}, SECRET + "x", algorithm="HS256")
    for _ in range(2):
        with pytest.raises(InvalidSignatureError):
            v.decode(bad)
    assert counting.calls == 2


def test_failures_cached_with_error_cache_ttl(counting: type[CountingHMAC], clock: Clock) -> None:
    v = _v(clock, error_cache_ttl=0.2)
    bad = fastjwt.encode({"a": 1}, SECRET + "x", algorithm="HS256")
    for _ in range(3):
        with pytest.raises(InvalidSignatureError):
            v.decode(bad)
    assert counting.calls == 1
    # the error cache runs on the verifier's clock (``now=`` here), like the rest of the cache
    clock.advance(0.1)
    with pytest.raises(InvalidSignatureError):
        v.decode(bad)
    assert counting.calls == 1
    clock.advance(0.15)
    with pytest.raises(InvalidSignatureError):
        v.decode(bad)
    assert counting.calls == 2


def test_a_cached_failure_expires_on_the_injected_clock(clock: Clock) -> None:
    # not yet valid at first: the failure is cached for 60 s of the verifier's clock, then the token is checked again
    v = _v(clock, error_cache_ttl=60)
    token = _tok(a=1, nbf=int(clock.t) + 30)
    with pytest.raises(ImmatureSignatureError):
        v.decode(token)
    clock.advance(45)
    with pytest.raises(ImmatureSignatureError):
        v.decode(token)
    clock.advance(20)
    assert v.decode(token) == {"a": 1, "nbf": int(clock.t) - 35}


def test_returned_dicts_independent(counting: type[CountingHMAC], clock: Clock) -> None:
    v, token = _v(clock, audience="a"), _tok(aud=["a", "b"], x={"y": [1]})
    first = v.decode(token)
    first["aud"].append("evil")
    first["x"]["y"].append(2)
    first["new"] = 1
    second = v.decode(token)
    assert second == {"aud": ["a", "b"], "x": {"y": [1]}}
    assert counting.calls == 1
    complete = v.decode_complete(token)
    complete["header"]["alg"] = "none"
    assert v.decode_complete(token)["header"]["alg"] == "HS256"


def test_claims_rechecked_on_hit(counting: type[CountingHMAC], clock: Clock) -> None:
    token = _tok(aud="a")
    assert _v(clock, audience="a").decode(token) == {"aud": "a"}
    with pytest.raises(fastjwt.exceptions.InvalidAudienceError):
        _v(clock, audience="b").decode(token)


class RotatingSource:
    """A key source whose key object can be replaced."""

    def __init__(self) -> None:
        self.key = fastjwt.PyJWK(dict(keyfiles.jwk("rsa2048"), kid="k"))
        self.calls = 0

    def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:
        self.calls += 1
        return self.key


def test_rotation_drops_entry(clock: Clock) -> None:
    src = RotatingSource()
    v = fastjwt.Verifier(src, ["RS256"], cache=8, now=clock)
    token = fastjwt.encode({"a": 1}, keyfiles.private_pem("rsa2048"), algorithm="RS256", headers={"kid": "k"})
    assert v.decode(token) == {"a": 1}
    assert v.decode(token) == {"a": 1}
    assert src.calls == 2  # the hit asks the source again
    assert v.cache_len == 1
    # rotated to another key: the cached entry must not be served
    src.key = fastjwt.PyJWK(dict(keyfiles.jwk("p256"), kid="k"))
    with raises_exactly(
        fastjwt.exceptions.InvalidAlgorithmError, match="'RS256' does not match the key's algorithm 'ES256'"
    ):
        v.decode(token)
