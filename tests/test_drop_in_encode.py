"""The drop-in ``fastjwt.encode`` reuses the last plain call's header and key; reuse must never cross argument sets.

Each test makes the same call twice (so the second takes the reuse path on the compiled core), then changes one
thing and proves the token follows it. They hold on both cores.
"""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timezone

import jwt as pyjwt
import pytest

import fastjwt
from fastjwt.algorithms import HMACAlgorithm
from fastjwt.warnings import InsecureKeyLengthWarning

SECRET_A = "first-secret-that-is-long-enough-0123456789"
SECRET_B = "other-secret-that-is-long-enough-0123456789"
SECRET_LONG = "a-secret-long-enough-for-hs512-without-a-warning-0123456789abcdefghijkl"
CLAIMS = {"sub": "u", "n": 1}


def _header(token: str) -> dict[str, object]:
    return json.loads(fastjwt.utils.base64url_decode(token.split(".")[0]))  # type: ignore[no-any-return]


def _twice(*args: object, **kwargs: object) -> str:
    first = fastjwt.encode(*args, **kwargs)  # type: ignore[arg-type]
    assert fastjwt.encode(*args, **kwargs) == first  # type: ignore[arg-type]
    return first


def test_repeated_calls_match_pyjwt_byte_for_byte() -> None:
    for _ in range(3):
        assert fastjwt.encode(CLAIMS, SECRET_A, "HS256") == pyjwt.encode(CLAIMS, SECRET_A, "HS256")
        assert fastjwt.encode(CLAIMS, SECRET_A) == pyjwt.encode(CLAIMS, SECRET_A)


def test_a_different_secret_signs_after_reuse() -> None:
    _twice(CLAIMS, SECRET_A, "HS256")
    token = fastjwt.encode(CLAIMS, SECRET_B, "HS256")
    assert fastjwt.decode(token, SECRET_B, algorithms=["HS256"]) == CLAIMS
    with pytest.raises(fastjwt.InvalidSignatureError):
        fastjwt.decode(token, SECRET_A, algorithms=["HS256"])
    assert fastjwt.encode(CLAIMS, SECRET_B.encode(), "HS256") == token


def test_a_different_algorithm_after_reuse() -> None:
    _twice(CLAIMS, SECRET_LONG, "HS256")
    token = fastjwt.encode(CLAIMS, SECRET_LONG, "HS512")
    assert _header(token)["alg"] == "HS512"
    assert fastjwt.decode(token, SECRET_LONG, algorithms=["HS512"]) == CLAIMS


def test_header_sorting_and_extra_headers_after_reuse() -> None:
    _twice(CLAIMS, SECRET_A, "HS256")
    unsorted = fastjwt.encode(CLAIMS, SECRET_A, "HS256", sort_headers=False)
    assert unsorted == pyjwt.encode(CLAIMS, SECRET_A, "HS256", sort_headers=False)
    assert list(_header(unsorted)) == ["typ", "alg"]
    with_kid = fastjwt.encode(CLAIMS, SECRET_A, "HS256", headers={"kid": "k1"})
    assert _header(with_kid)["kid"] == "k1"
    assert fastjwt.encode(CLAIMS, SECRET_A, "HS256") == pyjwt.encode(CLAIMS, SECRET_A, "HS256")


def test_a_changed_header_typ_is_seen() -> None:
    jws = fastjwt.api_jws._jws_global_obj
    _twice(CLAIMS, SECRET_A, "HS256")
    jws.header_typ = "at+jwt"
    try:
        assert _header(fastjwt.encode(CLAIMS, SECRET_A, "HS256"))["typ"] == "at+jwt"
    finally:
        del jws.header_typ
    assert _header(fastjwt.encode(CLAIMS, SECRET_A, "HS256"))["typ"] == "JWT"


def test_a_short_secret_warns_on_every_call() -> None:
    for _ in range(3):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fastjwt.encode(CLAIMS, "short", "HS256")
        assert [w.category for w in caught] == [InsecureKeyLengthWarning]


def test_the_payload_is_checked_on_every_call() -> None:
    _twice(CLAIMS, SECRET_A, "HS256")
    with pytest.raises(TypeError):
        fastjwt.encode(["not", "a", "dict"], SECRET_A, "HS256")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fastjwt.encode({"iss": 1}, SECRET_A, "HS256")
    when = datetime(2030, 1, 1, tzinfo=timezone.utc)
    token = fastjwt.encode({"exp": when}, SECRET_A, "HS256")
    assert token == pyjwt.encode({"exp": when}, SECRET_A, "HS256")


def test_registering_an_algorithm_is_seen_after_reuse() -> None:
    class Renamed(HMACAlgorithm):
        def sign(self, msg: bytes, key: bytes) -> bytes:
            return b"renamed:" + super().sign(msg, key)

    jws = fastjwt.api_jws._jws_global_obj
    jws.unregister_algorithm("HS384")
    try:
        with pytest.raises(NotImplementedError):
            fastjwt.encode(CLAIMS, SECRET_LONG, "HS384")
        jws.register_algorithm("HS384", Renamed(Renamed.SHA384))
        _twice(CLAIMS, SECRET_LONG, "HS384")
        signature = fastjwt.utils.base64url_decode(fastjwt.encode(CLAIMS, SECRET_LONG, "HS384").split(".")[2])
        assert signature.startswith(b"renamed:")
    finally:
        jws.unregister_algorithm("HS384")
        jws.register_algorithm("HS384", HMACAlgorithm(HMACAlgorithm.SHA384))
    signature = fastjwt.utils.base64url_decode(fastjwt.encode(CLAIMS, SECRET_LONG, "HS384").split(".")[2])
    assert not signature.startswith(b"renamed:")
    assert len(signature) == 48
