"""Regressions from the hostile review of the cache-safety work: one test per finding, on both cores.

F1 a finalizer that shrinks a dict while ``dumps(sort_keys=True)`` writes it; F2 a decoder setting changed while a
decode is in flight; F3 the pure twin's caches under threads; F4 claims that are a mapping but not a dict; F5
``fastjwt.encode`` reusing its last call after the algorithm was unregistered mid-call.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

import fastjwt
from fastjwt import _core
from fastjwt.exceptions import DecodeError, ExpiredSignatureError, InvalidAlgorithmError

SECRET = b"s" * 48


def b64(data: bytes, pad: bool = False) -> bytes:
    out = base64.urlsafe_b64encode(data)
    return out if pad else out.rstrip(b"=")


def make_token(header: dict[str, Any], claims: dict[str, Any], pad_header: bool = False) -> str:
    h = b64(json.dumps(header, separators=(",", ":")).encode(), pad_header)
    p = b64(json.dumps(claims).encode())
    signature = b64(hmac.new(SECRET, h + b"." + p, hashlib.sha256).digest())
    return (h + b"." + p + b"." + signature).decode()


# -- F1 ----------------------------------------------------------------------------------------------------------------

SHRINKING_HEADER = r"""
import gc, sys
import fastjwt
strike = int(sys.argv[1])
nested = {"k%d" % i: i for i in range(4)}
calls = [0]
class Bomb:
    def __init__(self):
        self.cycle = self  # only the cyclic collector frees it: __del__ runs inside whatever allocation triggers it
    def __del__(self):
        calls[0] += 1
        if calls[0] == strike:
            nested.popitem() if sys.argv[2] == "pop" else nested.clear()
        elif calls[0] < strike:
            Bomb(); Bomb()
fastjwt.encode({"sub": "x"}, "k" * 32, headers={"x": {"a": 1}})
Bomb(); Bomb()
hold = [[] for _ in range(200)]  # empty the list free list: the next list allocation goes through the collector
gc.set_threshold(1)
token = fastjwt.encode({"sub": "x"}, "k" * 32, headers={"x": nested})
gc.set_threshold(700)
header = fastjwt.get_unverified_header(token)["x"]
assert isinstance(header, dict) and set(header) <= {"k0", "k1", "k2", "k3"}, header
print("ok")
"""


@pytest.mark.parametrize("shrink", ["clear", "pop"])
def test_a_dict_shrinking_under_sorted_dumps_is_never_read_past_its_end(shrink: str) -> None:
    for strike in range(1, 12):  # each garbage collection the encode triggers, one after the other
        result = subprocess.run(
            [sys.executable, "-c", SHRINKING_HEADER, str(strike), shrink],
            capture_output=True,
            text=True,
            timeout=120,
            env=os.environ.copy(),
        )
        assert result.returncode == 0 and result.stdout.strip() == "ok", (strike, result.stderr[-2000:])


# -- F2 ----------------------------------------------------------------------------------------------------------------


class LookupHook:
    """A key source whose next lookup runs ``action`` first (as another thread could, at that moment)."""

    def __init__(self) -> None:
        k = fastjwt.utils.base64url_encode(SECRET).decode()
        self.jwk = fastjwt.PyJWK({"kty": "oct", "kid": "k", "alg": "HS256", "k": k})
        self.action: Any = None

    def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:
        action, self.action = self.action, None
        if action is not None:
            action()
        return self.jwk


def test_allow_list_changed_mid_decode_holds_for_the_next_token() -> None:
    source = LookupHook()
    verifier = fastjwt.Verifier(source, ["HS256"])
    first = make_token({"alg": "HS256", "kid": "k"}, {"n": 1})
    second = make_token({"alg": "HS256", "kid": "k"}, {"n": 2})
    source.action = lambda: setattr(verifier._decoder, "allowed", frozenset({"HS384"}))
    assert verifier.decode(first) == {"n": 1}  # began under the old allow-list
    with pytest.raises(InvalidAlgorithmError):
        verifier.decode(second)


def test_limits_tightened_mid_decode_hold_for_the_next_token() -> None:
    source = LookupHook()
    verifier = fastjwt.Verifier(source, ["HS256"], allow_b64_padding=True)
    header = {"alg": "HS256", "kid": "k", "typ": "JWT"}
    first = make_token(header, {"n": 1}, pad_header=True)
    second = make_token(header, {"n": 2}, pad_header=True)
    assert first.split(".")[0].endswith("=")
    source.action = lambda: setattr(verifier._decoder, "limits", _core.DecodeLimits())
    assert verifier.decode(first) == {"n": 1}
    with pytest.raises(DecodeError, match="Invalid header padding"):
        verifier.decode(second)


# -- F3 ----------------------------------------------------------------------------------------------------------------


def test_cache_byte_count_stays_exact_under_threads() -> None:
    tokens = [fastjwt.encode({"sub": str(i), "pad": "x" * (i % 50)}, SECRET, "HS256") for i in range(200)]
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=4, cache_max_bytes=20_000)
    errors: list[BaseException] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can

    deadline = time.monotonic() + 2.0  # races need time to show; the fixed code passes however long it runs

    def work(offset: int) -> None:
        step = 0
        try:
            while time.monotonic() < deadline:
                verifier.decode(tokens[(offset + 7 * step) % len(tokens)])
                step += 1
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=work, args=(n * 25,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert 0 < verifier.cache_len <= 4
    # Four new tokens, one thread: they evict whatever is left, and the count must be what they alone cost.
    fresh = [fastjwt.encode({"sub": f"fresh{i}"}, SECRET, "HS256") for i in range(4)]
    control = fastjwt.Verifier(SECRET, ["HS256"], cache=4, cache_max_bytes=20_000)
    for tok in fresh:
        verifier.decode(tok)
        control.decode(tok)
    assert verifier.cache_len == 4
    assert verifier._decoder.cache_bytes == control._decoder.cache_bytes


# -- F4 ----------------------------------------------------------------------------------------------------------------


class OrderedJWT(fastjwt.PyJWT):
    def _decode_payload(self, decoded: dict[str, Any]) -> Any:
        return collections.OrderedDict(super()._decode_payload(decoded))


def test_claims_hook_returning_a_mapping_is_checked_like_a_dict() -> None:
    good = fastjwt.encode({"sub": "a", "exp": 10**10}, SECRET, "HS256")
    assert OrderedJWT().decode(good, SECRET, algorithms=["HS256"]) == {"sub": "a", "exp": 10**10}
    expired = fastjwt.encode({"sub": "a", "exp": 1}, SECRET, "HS256")
    with pytest.raises(ExpiredSignatureError):
        OrderedJWT().decode(expired, SECRET, algorithms=["HS256"])


def test_claim_rules_read_a_mapping_through_its_own_methods() -> None:
    class Claims(collections.abc.Mapping):  # type: ignore[type-arg]
        def __init__(self, data: dict[str, Any]) -> None:
            self.data = data

        def __getitem__(self, name: str) -> Any:
            return self.data[name]

        def __iter__(self) -> Any:
            return iter(self.data)

        def __len__(self) -> int:
            return len(self.data)

    rules = _core.ClaimRules({}, issuer="me")
    rules.check(Claims({"iss": "me", "exp": 10**10}), 0.0)
    with pytest.raises(ExpiredSignatureError):
        rules.check(Claims({"iss": "me", "exp": 1}), 100.0)


# -- F5 ----------------------------------------------------------------------------------------------------------------


def test_encode_does_not_sign_with_an_algorithm_unregistered_while_the_payload_is_written() -> None:
    class Payload(dict):  # type: ignore[type-arg]
        def items(self) -> Any:
            if "HS256" in fastjwt.api_jws._jws_global_obj.get_algorithms():
                fastjwt.unregister_algorithm("HS256")
            return super().items()

    hs256 = fastjwt.get_algorithm_by_name("HS256")
    fastjwt.encode({"a": 1}, SECRET, "HS256")  # a plain call: remembered for the next one
    try:
        with pytest.raises(NotImplementedError, match="Algorithm not supported"):
            fastjwt.encode(Payload(a=2), SECRET, "HS256")
    finally:
        if "HS256" not in fastjwt.api_jws._jws_global_obj.get_algorithms():
            fastjwt.register_algorithm("HS256", hs256)
    assert fastjwt.decode(fastjwt.encode({"a": 3}, SECRET, "HS256"), SECRET, algorithms=["HS256"]) == {"a": 3}


# -- the depth limit is an int -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1.5, "64"])
def test_json_depth_limit_must_be_an_integer(depth: Any) -> None:
    with pytest.raises(TypeError):
        fastjwt.Verifier(SECRET, ["HS256"], max_json_depth=depth)

