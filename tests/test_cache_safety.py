"""The caches are memory-safe and isolated (issue 11): one regression test per finding, on both cores.

Every call returns objects the caller owns; nothing an attacker sends before its signature is checked stays in a
cache; every cache is bounded in bytes; entries are never served to a stricter caller; the pipeline never lets a
borrowed reference outlive Python code (the crash reproducers run in a subprocess so that a regression fails one
test instead of killing the run).
"""

from __future__ import annotations

import gc
import math
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
import weakref
from typing import Any

import pytest

import fastjwt
from fastjwt import _core
from fastjwt.exceptions import DecodeError, ExpiredSignatureError, InvalidSignatureError, InvalidTokenError

SECRET = "s" * 32
LATER = int(time.time()) + 10**6


def token(claims: dict[str, Any], headers: dict[str, Any] | None = None, key: str = SECRET) -> str:
    return fastjwt.encode(claims, key, "HS256", headers=headers)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter on the same core as this run (the FASTJWT_* switches are inherited)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )


# -- 1. no borrowed reference outlives Python code ---------------------------------------------------------------------


def test_clock_that_evicts_the_entry_being_served_gets_the_right_claims() -> None:
    result = run_python(
        """
        import time, fastjwt
        k = "k" * 32
        e = int(time.time()) + 600
        a = fastjwt.encode({"sub": "alice", "exp": e}, k)
        b = fastjwt.encode({"sub": "bob", "exp": e}, k)
        armed = False
        def clock():
            global armed
            if armed:
                armed = False
                v.clear_cache()
                v.decode(b)
            return time.time()
        v = fastjwt.Verifier(k, ["HS256"], cache=10, now=clock)
        v.decode(a)
        for _ in range(50):
            armed = True
            print(v.decode(a)["sub"])
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["alice"] * 50


def test_resolver_that_evicts_the_entry_being_served_gets_the_right_claims() -> None:
    result = run_python(
        """
        import time, fastjwt
        k = "k" * 32
        e = int(time.time()) + 600
        jwk = fastjwt.PyJWK({"kty": "oct", "k": fastjwt.utils.base64url_encode(k.encode()).decode(), "kid": "one",
                             "alg": "HS256"})

        class Source:
            armed = False
            def get_signing_key(self, kid):
                if Source.armed:
                    Source.armed = False
                    v.clear_cache()
                    for n in range(20):  # refill the cache so the freed entry's memory is reused
                        v.decode(fastjwt.encode({"sub": f"user{n}", "exp": e}, k, headers={"kid": "one"}))
                return jwk

        v = fastjwt.Verifier(Source(), ["HS256"], cache=8)
        a = fastjwt.encode({"sub": "alice", "exp": e, "roles": ["admin"]}, k, headers={"kid": "one"})
        v.decode(a)
        for _ in range(20):
            Source.armed = True
            print(v.decode(a)["sub"])
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["alice"] * 20


def test_threads_on_a_key_set_verifier_as_the_token_expires() -> None:
    result = run_python(
        """
        import threading, time, fastjwt
        k = "k" * 32
        keys = fastjwt.PyJWKSet.from_dict({"keys": [{"kty": "oct", "kid": "one", "alg": "HS256",
            "k": fastjwt.utils.base64url_encode(k.encode()).decode()}]})
        clock = [1_000_000.0]
        v = fastjwt.Verifier(keys, ["HS256"], cache=True, now=lambda: clock[0])
        tok = fastjwt.encode({"sub": "alice", "exp": 1_000_050}, k, headers={"kid": "one"})
        errors, stop = [], threading.Event()
        def work():
            try:
                while not stop.is_set():
                    try:
                        assert v.decode(tok)["sub"] == "alice"
                    except fastjwt.ExpiredSignatureError:
                        pass
            except BaseException as exc:
                errors.append(repr(exc))
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for step in range(400):
            clock[0] = 1_000_000.0 + (step % 100)  # the token expires and comes back into its window, again and again
            time.sleep(0.001)
        stop.set()
        for t in threads:
            t.join()
        print(errors)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- 2 and 3. every call returns objects the caller owns ---------------------------------------------------------------


@pytest.mark.parametrize("cache", [None, True])
def test_mutating_returned_claims_reaches_no_later_caller(cache: bool | None) -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=cache)
    tok = token({"sub": "alice", "exp": LATER, "roles": ["reader"], "ctx": {"tier": "free"}})
    first = verifier.decode(tok)
    first["sub"] = "mallory"
    first["roles"].append("admin")
    first["ctx"]["tier"] = "gold"
    second = verifier.decode(tok)
    assert second == {"sub": "alice", "exp": LATER, "roles": ["reader"], "ctx": {"tier": "free"}}
    second["roles"].append("admin")
    assert verifier.decode(tok)["roles"] == ["reader"]
    assert verifier.decode_complete(tok)["payload"]["roles"] == ["reader"]


def test_flat_claims_from_the_cache_are_new_dicts() -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=True)
    tok = token({"sub": "alice", "exp": LATER})
    first = verifier.decode(tok)
    second = verifier.decode(tok)
    assert first is not second
    first["sub"] = "mallory"
    assert verifier.decode(tok)["sub"] == "alice"


def test_mutating_a_returned_header_reaches_no_later_caller() -> None:
    headers = {"kid": "k1", "x5c": ["cert-a"], "ext": {"n": 1}}
    tok = token({"exp": LATER}, headers=headers)
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=True)
    readers = [
        lambda: verifier.decode_complete(tok)["header"],
        lambda: fastjwt.Verifier(SECRET, ["HS256"]).decode_complete(tok)["header"],
        lambda: fastjwt.decode_complete(tok, SECRET, algorithms=["HS256"])["header"],
        lambda: fastjwt.api_jws.decode_complete(tok, SECRET, algorithms=["HS256"])["header"],
        lambda: fastjwt.get_unverified_header(tok),
    ]
    for read in readers * 2:  # the second round reads what the first round's decodes cached
        header = read()
        assert header["x5c"] == ["cert-a"] and header["ext"] == {"n": 1}
        header["x5c"].append("cert-evil")
        header["ext"]["n"] = 2
        header["kid"] = "forged"


# -- 4. unauthenticated input pins no memory ---------------------------------------------------------------------------


def nested_header_token(index: int) -> str:
    """A token with a ~12 KiB header of empty lists (a parser's worst memory ratio) and a bad signature."""
    header = fastjwt.utils.base64url_encode(
        ('{"alg":"HS256","x":[' + ",".join(["[]"] * 4000) + f'],"n":{index}}}').encode()
    ).decode()
    payload = fastjwt.utils.base64url_encode(b'{"sub":"x"}').decode()
    return f"{header}.{payload}.{'A' * 43}"


def test_bad_tokens_with_huge_headers_pin_no_memory() -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=True, error_cache_ttl=60)
    bad = [nested_header_token(i) for i in range(150)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for tok in bad:
            for decode in (verifier.decode, lambda t: fastjwt.decode(t, SECRET, algorithms=["HS256"])):
                with pytest.raises(InvalidSignatureError):
                    decode(tok)
            fastjwt.get_unverified_header(tok)
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # Each parsed header takes ~240 KiB: 150 of them kept by any cache would be ~35 MiB.
    assert retained < 2 << 20, retained
    assert len(verifier._decoder.header_cache) == 0


def test_header_cache_is_bounded_in_bytes() -> None:
    cache = _core.HeaderCache(maxsize=1000, max_bytes=64 << 10)
    limits = _core.DEFAULT_LIMITS
    for i in range(300):
        segment = fastjwt.utils.base64url_encode(f'{{"alg":"HS256","kid":"{"k" * 200}{i}"}}'.encode())
        cache.store(segment, _core.parse_header(segment, 64, False), limits)
        assert cache.bytes_used <= 64 << 10
    assert 0 < len(cache) < 300
    huge = fastjwt.utils.base64url_encode(('{"alg":"HS256","x":[' + ",".join(["[]"] * 2000) + "]}").encode())
    cache.store(huge, _core.parse_header(huge, 64, False), limits)
    assert cache.get(huge, limits) is None  # larger than one entry may be


def test_verified_token_cache_is_bounded_in_bytes() -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=10_000)
    decoder = verifier._decoder
    decoder.cache_max_bytes = 256 << 10
    for i in range(400):
        verifier.decode(token({"sub": f"user{i}", "exp": LATER, "blob": "x" * 1000}))
        assert decoder.cache_bytes <= 256 << 10
    assert 0 < verifier.cache_len < 400
    verifier.decode(token({"exp": LATER, "blob": "x" * 100_000}))  # more than an eighth of the budget: not kept
    assert decoder.cache_bytes <= 256 << 10


def test_verifier_takes_a_cache_byte_bound() -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=True, cache_max_bytes=32 << 10)
    for i in range(100):
        verifier.decode(token({"sub": f"user{i}", "exp": LATER, "blob": "y" * 500}))
    assert verifier._decoder.cache_bytes <= 32 << 10
    with pytest.raises(ValueError):
        fastjwt.Verifier(SECRET, ["HS256"], cache=True, cache_max_bytes=-1)


# -- 5. the error cache --------------------------------------------------------------------------------------------


def test_error_cache_refuses_oversized_tokens() -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=True, error_cache_ttl=60)
    small = token({"exp": LATER})[:-2] + "AA"
    big = token({"exp": LATER, "pad": "p" * (_core.ERROR_CACHE_MAX_TOKEN_LENGTH)})[:-2] + "AA"
    for tok in (small, big):
        with pytest.raises(InvalidSignatureError):
            verifier.decode(tok)
    assert verifier.cache_len == 1
    with pytest.raises(InvalidSignatureError):  # served from the cache: same class and message
        verifier.decode(small)


def test_error_cache_keeps_no_frame_of_the_caller() -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=True, error_cache_ttl=60)
    bad = token({"exp": 1})

    class Request:
        pass

    def handle() -> weakref.ref[Request]:
        request = Request()  # a web framework's request object, alive in the caller's frame
        with pytest.raises(ExpiredSignatureError):
            verifier.decode(bad)
        return weakref.ref(request)

    alive = handle()
    gc.collect()
    assert alive() is None
    assert verifier.cache_len == 1


# -- 6. claims of any numeric size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cache", [None, True])
def test_huge_exp_is_accepted_with_or_without_the_cache(cache: bool | None) -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=cache)
    tok = token({"sub": "a", "exp": 10**309})
    assert verifier.decode(tok) == {"sub": "a", "exp": 10**309}
    assert verifier.decode(tok) == {"sub": "a", "exp": 10**309}
    assert fastjwt.decode(tok, SECRET, algorithms=["HS256"])["exp"] == 10**309


@pytest.mark.parametrize("cache", [None, True])
def test_huge_negative_nbf_and_iat_are_numbers(cache: bool | None) -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=cache)
    tok = token({"nbf": -(10**309), "iat": -(10**309)})
    assert verifier.decode(tok)["nbf"] == -(10**309)
    assert verifier.decode(tok)["iat"] == -(10**309)


@pytest.mark.parametrize("iat", [-(10**309), -1e308])
def test_max_age_with_an_ancient_iat_is_expired(iat: float) -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], max_age=60, cache=True)
    with pytest.raises(ExpiredSignatureError, match=r"^Signature has expired \(max_age\)$"):
        verifier.decode(token({"iat": iat}))


def test_max_age_with_a_future_iat_is_not_yet_valid() -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], max_age=60)
    with pytest.raises(fastjwt.ImmatureSignatureError):
        verifier.decode(token({"iat": 10**309}))


# -- 7. str and bytes subclasses -----------------------------------------------------------------------------------


class TokenBytes(bytes):
    def __hash__(self) -> int:  # a subclass's methods never run inside the pipeline
        raise AssertionError("__hash__ called")


class TokenStr(str):
    def __eq__(self, other: object) -> bool:
        raise AssertionError("__eq__ called")

    __hash__ = str.__hash__


@pytest.mark.parametrize("kind", [TokenBytes, TokenStr])
def test_str_and_bytes_subclasses_are_tokens(kind: type) -> None:
    tok = token({"sub": "alice", "exp": LATER})
    value = kind(tok.encode()) if kind is TokenBytes else kind(tok)
    expected = {"sub": "alice", "exp": LATER}
    assert fastjwt.decode(value, SECRET, algorithms=["HS256"]) == expected
    assert fastjwt.Verifier(SECRET, ["HS256"]).decode(value) == expected
    cached = fastjwt.Verifier(SECRET, ["HS256"], cache=True)
    assert cached.decode(value) == expected
    assert cached.decode(value) == expected
    assert fastjwt.get_unverified_header(value) == {"alg": "HS256", "typ": "JWT"}
    assert fastjwt.api_jws.decode(value, SECRET, algorithms=["HS256"]) == b'{"sub":"alice","exp":%d}' % LATER


def test_other_token_types_are_refused_as_pyjwt_refuses_them() -> None:
    tok = token({"exp": LATER})
    for value in (bytearray(tok.encode()), memoryview(tok.encode()), 12, None):
        with pytest.raises(DecodeError, match="Invalid token type"):
            fastjwt.decode(value, SECRET, algorithms=["HS256"])


# -- 8. header-cache entries are never served to a stricter caller ----------------------------------------------------


def test_header_parsed_with_padding_allowed_is_not_served_to_a_strict_caller() -> None:
    tok = token({"exp": LATER}, headers={"kid": "a"})  # header segment length % 4 != 0: padding can be added
    header_segment, payload_segment, signature = tok.split(".")
    assert len(header_segment) % 4
    padded_header = header_segment + "=" * (-len(header_segment) % 4)
    padded = f"{padded_header}.{payload_segment}.{signature}"
    loose = _core.DecodeLimits(allow_padding=True)
    shared = _core.HeaderCache()
    key = _core.HMACKey("HS256", SECRET.encode(), _hash(), None)
    decoder = _core.Decoder(lambda alg: key, None, frozenset({"HS256"}), None, limits=loose, header_cache=shared)
    with pytest.raises(InvalidSignatureError):  # the signing input changed with the padding: the point is the cache
        decoder.decode(padded)
    good_padded = _resign(padded_header, payload_segment)
    assert decoder.decode(good_padded) == f'{{"exp":{LATER}}}'.encode()
    assert len(shared) == 1
    strict = _core.Decoder(lambda alg: key, None, frozenset({"HS256"}), None, header_cache=shared)
    with pytest.raises(DecodeError, match="Invalid header padding"):
        strict.decode(good_padded)
    with pytest.raises(DecodeError, match="Invalid header padding"):
        _core.load_token(good_padded, header_cache=shared)


def test_header_parsed_under_a_deeper_limit_is_not_served_to_a_shallower_one() -> None:
    tok = token({"exp": LATER}, headers={"ext": {"a": {"b": 1}}})  # depth 3
    shared = _core.HeaderCache()
    key = _core.HMACKey("HS256", SECRET.encode(), _hash(), None)
    deep = _core.Decoder(lambda alg: key, None, frozenset({"HS256"}), None, header_cache=shared)
    deep.decode(tok)
    assert len(shared) == 1
    shallow = _core.Decoder(
        lambda alg: key, None, frozenset({"HS256"}), None, header_cache=shared, limits=_core.DecodeLimits(max_depth=2)
    )
    with pytest.raises(DecodeError, match="nesting too deep"):
        shallow.decode(tok)


def _hash() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _resign(header_segment: str, payload_segment: str) -> str:
    key = _core.HMACKey("HS256", SECRET.encode(), _hash(), None)
    signature = fastjwt.utils.base64url_encode(key.sign(f"{header_segment}.{payload_segment}".encode())).decode()
    return f"{header_segment}.{payload_segment}.{signature}"


def test_json_depth_limit_is_bounded() -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        fastjwt.Verifier(SECRET, ["HS256"], max_json_depth=_core.MAX_JSON_DEPTH_LIMIT + 1)
    with pytest.raises(ValueError, match="between 1 and"):
        fastjwt.Verifier(SECRET, ["HS256"], max_json_depth=0)


# -- 9. typed entry points refuse None ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: _core.verify_signature(None, b"x", b"y", False),
        lambda: _core.verify_signature(_core.HMACKey("HS256", b"k" * 32, _hash(), None), None, b"y", False),
        lambda: _core.verify_signature(_core.HMACKey("HS256", b"k" * 32, _hash(), None), b"x", None, False),
        lambda: _core.parse_payload(None, 64),
        lambda: _core.load_token(token({}), None),
        lambda: _core.Decoder(None, None, None, None, limits=None),
        lambda: _core.HMACKey("HS256", b"k" * 32, _hash(), None).verify(b"msg", None),
        lambda: _core.HMACKey("HS256", b"k" * 32, _hash(), None).sign(None),
        lambda: _core.raw_to_der(None, 32),
        lambda: _core.check_algorithm(None, None),
        lambda: _core.validate_header(None, frozenset()),
        lambda: _core.parse_header(None, 64, False),
        lambda: _core.token_bytes("a.b.c", None),
        lambda: _core.sign_compact(None, b"{}", _core.HMACKey("HS256", b"k" * 32, _hash(), None), False),
        lambda: _core.ClaimRules({}).check(None, 0.0),
        lambda: _core.HeaderCache().get(None, _core.DEFAULT_LIMITS),
        lambda: _core.HeaderCache().store(b"e30", None, _core.DEFAULT_LIMITS),
    ],
)
def test_typed_entry_points_refuse_none(call: Any) -> None:
    with pytest.raises(TypeError):
        call()


def test_decoder_limits_cannot_be_set_to_none() -> None:
    decoder = _core.Decoder(None, None, None, None)
    with pytest.raises(TypeError):
        decoder.limits = None
    assert isinstance(decoder.limits, _core.DecodeLimits)


# -- 11. the library never mints a token it would refuse ---------------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_encode_refuses_non_finite_numbers(value: float) -> None:
    signer = fastjwt.Signer(SECRET, "HS256")
    for encode in (
        lambda claims: fastjwt.encode(claims, SECRET, "HS256"),
        lambda claims: fastjwt.encode(claims, SECRET, "HS256", json_encoder=fastjwt.api_jwt.json.JSONEncoder),
        signer.encode,
    ):
        for claims in ({"exp": value}, {"nested": [1, {"x": value}]}):
            with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
                encode(claims)
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        fastjwt.encode({"sub": "a"}, SECRET, "HS256", headers={"x": value})


def test_finite_floats_round_trip() -> None:
    tok = fastjwt.encode({"exp": float(LATER), "score": 0.5}, SECRET, "HS256")
    assert fastjwt.decode(tok, SECRET, algorithms=["HS256"]) == {"exp": float(LATER), "score": 0.5}


def test_error_cache_entries_keep_class_and_message() -> None:
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=True, error_cache_ttl=60, typ="at+jwt")
    bad = token({"exp": LATER})
    messages = []
    for _ in range(2):
        with pytest.raises(InvalidTokenError) as info:
            verifier.decode(bad)
        assert type(info.value) is InvalidTokenError
        messages.append(str(info.value))
    assert messages == ["Invalid token type (typ)"] * 2
