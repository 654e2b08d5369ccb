"""The drop-in JWS layer: algorithm registry, unverified headers, detached payloads (RFC 7797), crit, instances."""

from __future__ import annotations

from typing import Any

import jwt as pyjwt
import pytest
from conftest import SECRET
from strict_raises import raises_exactly

import fastjwt
from fastjwt import api_jws
from fastjwt import exceptions as exc
from fastjwt.algorithms import HMACAlgorithm


def test_round_trip_bytes_payload() -> None:
    token = api_jws.encode(b"\x00binary\xff", SECRET, algorithm="HS384")
    assert token == pyjwt.api_jws.encode(b"\x00binary\xff", SECRET, algorithm="HS384")
    assert api_jws.decode(token, SECRET, algorithms=["HS384"]) == b"\x00binary\xff"
    complete = api_jws.decode_complete(token, SECRET, algorithms=["HS384"])
    assert complete["payload"] == b"\x00binary\xff"
    assert complete["header"] == {"alg": "HS384", "typ": "JWT"}


def test_detached_payload_round_trip() -> None:
    token = api_jws.encode(b"body", SECRET, algorithm="HS256", is_payload_detached=True)
    assert token == pyjwt.api_jws.encode(b"body", SECRET, algorithm="HS256", is_payload_detached=True)
    assert token.split(".")[1] == ""
    assert api_jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"body") == b"body"
    with pytest.raises(exc.InvalidSignatureError):
        api_jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"other")
    with raises_exactly(exc.DecodeError, match='pass in a value for the "detached_payload" argument'):
        api_jws.decode(token, SECRET, algorithms=["HS256"])


def test_b64_false_rfc7797() -> None:
    headers = {"b64": False, "crit": ["b64"]}
    token = api_jws.encode(b"$.02", SECRET, algorithm="HS256", headers=headers, is_payload_detached=True)
    assert token == pyjwt.api_jws.encode(b"$.02", SECRET, algorithm="HS256", headers=headers, is_payload_detached=True)
    assert api_jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"$.02") == b"$.02"
    # b64:false without the crit entry: PyJWT honours it with a detached payload, and so does fastjwt
    bad = pyjwt.api_jws.encode(b"x", SECRET, algorithm="HS256", headers={"b64": False}, is_payload_detached=True)
    assert pyjwt.api_jws.decode(bad, SECRET, algorithms=["HS256"], detached_payload=b"x") == b"x"
    assert api_jws.decode(bad, SECRET, algorithms=["HS256"], detached_payload=b"x") == b"x"


def test_get_unverified_header() -> None:
    token = fastjwt.encode({}, SECRET, headers={"kid": "k", "x": [1]})
    assert fastjwt.get_unverified_header(token) == {"alg": "HS256", "kid": "k", "typ": "JWT", "x": [1]}
    header = fastjwt.get_unverified_header(token)
    header["alg"] = "none"  # a caller's mutation does not leak into later calls
    assert fastjwt.get_unverified_header(token)["alg"] == "HS256"
    with raises_exactly(exc.DecodeError, match="Not enough segments"):
        fastjwt.get_unverified_header("nope")
    with raises_exactly(exc.InvalidTokenError, match="Key ID header parameter must be a string"):
        fastjwt.get_unverified_header(fastjwt.encode({}, SECRET, headers={"kid": 1}))


def test_get_algorithm_by_name() -> None:
    assert isinstance(fastjwt.get_algorithm_by_name("HS256"), HMACAlgorithm)
    with pytest.raises(NotImplementedError):
        fastjwt.get_algorithm_by_name("XX1")


def test_register_and_unregister_algorithm() -> None:
    fastjwt.register_algorithm("HS256X", HMACAlgorithm(HMACAlgorithm.SHA256))
    try:
        token = fastjwt.encode({"a": 1}, SECRET, algorithm="HS256X")
        assert fastjwt.get_unverified_header(token)["alg"] == "HS256X"
        assert fastjwt.decode(token, SECRET, algorithms=["HS256X"]) == {"a": 1}
        with pytest.raises(ValueError):
            fastjwt.register_algorithm("HS256X", HMACAlgorithm(HMACAlgorithm.SHA256))
        with pytest.raises(TypeError):
            fastjwt.register_algorithm("BAD", object())  # type: ignore[arg-type]
    finally:
        fastjwt.unregister_algorithm("HS256X")
    with pytest.raises(NotImplementedError):
        fastjwt.encode({}, SECRET, algorithm="HS256X")
    with pytest.raises(exc.InvalidAlgorithmError):
        fastjwt.decode(token, SECRET, algorithms=["HS256X"])
    with pytest.raises(KeyError):
        fastjwt.unregister_algorithm("HS256X")


def test_instance_algorithms_and_options() -> None:
    jws = fastjwt.PyJWS(algorithms=["HS512"], options={"verify_signature": False})
    token = jws.encode(b"p", SECRET, algorithm="HS512")
    with pytest.raises(NotImplementedError):
        jws.encode(b"p", SECRET, algorithm="HS256")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert jws.decode(forged, SECRET, algorithms=["HS512"]) == b"p"
    with pytest.raises(exc.InvalidSignatureError):
        fastjwt.PyJWS().decode(forged, SECRET, algorithms=["HS512"])


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"crit": ["x"], "x": 1}, "Unsupported critical extension: x"),
        ({"crit": "b64"}, "Invalid 'crit' header: must be a non-empty list"),
        ({"crit": []}, "Invalid 'crit' header: must be a non-empty list"),
        ({"crit": ["b64"]}, "Critical extension 'b64' is missing from headers"),
    ],
)
def test_crit_like_pyjwt(headers: dict[str, Any], message: str) -> None:
    import hashlib
    import hmac
    import json

    from fastjwt import _core

    h = _core.b64url_encode(json.dumps({"alg": "HS256", **headers}).encode()).decode()
    p = _core.b64url_encode(b"{}").decode()
    s = _core.b64url_encode(hmac.new(SECRET.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()).decode()
    token = f"{h}.{p}.{s}"

    with raises_exactly(pyjwt.exceptions.InvalidTokenError, match=message):
        pyjwt.api_jws.decode(token, SECRET, algorithms=["HS256"])
    with raises_exactly(exc.InvalidTokenError, match=message):
        api_jws.decode(token, SECRET, algorithms=["HS256"])


def test_bad_algorithm_argument() -> None:
    with pytest.raises(NotImplementedError):
        api_jws.encode(b"x", SECRET, algorithm="nope")
    with raises_exactly(exc.DecodeError, match='pass in a value for the "algorithms" argument'):
        api_jws.decode(api_jws.encode(b"x", SECRET), SECRET)
