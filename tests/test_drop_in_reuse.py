"""The drop-in ``fastjwt.decode`` reuses a prepared Decoder per argument set; reuse must never cross argument sets.

The compiled core also remembers the last call's arguments; these tests change one argument at a time and prove the
answer follows it. They hold on both cores.
"""

from __future__ import annotations

import time

import pytest

import fastjwt
from fastjwt.algorithms import HMACAlgorithm
from fastjwt.exceptions import (
    ExpiredSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidSubjectError,
)

SECRET_A = "first-secret-that-is-long-enough-0123456789"
SECRET_B = "other-secret-that-is-long-enough-0123456789"


def _token(secret: str = SECRET_A, **claims: object) -> str:
    return fastjwt.encode({"sub": "u", **claims}, secret, "HS256")


def _twice(token: str, key: object, **kwargs: object) -> dict[str, object]:
    """Decode twice with the same arguments, so the second call takes the reuse path."""
    first = fastjwt.decode(token, key, algorithms=["HS256"], **kwargs)  # type: ignore[arg-type]
    assert fastjwt.decode(token, key, algorithms=["HS256"], **kwargs) == first  # type: ignore[arg-type]
    return first


def test_a_different_secret_is_used_after_reuse() -> None:
    _twice(_token(), SECRET_A)
    assert fastjwt.decode(_token(SECRET_B), SECRET_B, algorithms=["HS256"])["sub"] == "u"
    with pytest.raises(InvalidSignatureError):
        fastjwt.decode(_token(), SECRET_B, algorithms=["HS256"])


def test_different_key_objects_are_not_confused() -> None:
    key_a = HMACAlgorithm(HMACAlgorithm.SHA256).prepare_key(SECRET_A)
    key_b = HMACAlgorithm(HMACAlgorithm.SHA256).prepare_key(SECRET_B)
    _twice(_token(), key_a)
    with pytest.raises(InvalidSignatureError):
        fastjwt.decode(_token(), key_b, algorithms=["HS256"])


def test_a_different_algorithm_list_is_used_after_reuse() -> None:
    _twice(_token(), SECRET_A)
    with pytest.raises(InvalidAlgorithmError):
        fastjwt.decode(_token(), SECRET_A, algorithms=["HS512"])
    with pytest.raises(InvalidAlgorithmError):
        fastjwt.decode(_token(), SECRET_A, algorithms=("HS384",))


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [
        ({"audience": ["a", "b"]}, {"audience": ["a"]}, InvalidAudienceError),
        ({"audience": ("a", "b")}, {"audience": "a"}, InvalidAudienceError),
        ({"issuer": ["i1", "i2"], "audience": "b"}, {"issuer": ["i1"], "audience": "b"}, InvalidIssuerError),
        ({"subject": "u", "audience": "b"}, {"subject": "v", "audience": "b"}, InvalidSubjectError),
    ],
)
def test_each_claim_argument_is_compared(
    first: dict[str, object], second: dict[str, object], error: type[Exception]
) -> None:
    token = _token(aud="b", iss="i2")
    _twice(token, SECRET_A, **first)
    with pytest.raises(error):
        fastjwt.decode(token, SECRET_A, algorithms=["HS256"], **second)  # type: ignore[arg-type]


def test_leeway_is_compared() -> None:
    token = _token(exp=int(time.time()) - 50)
    _twice(token, SECRET_A, leeway=3600)
    with pytest.raises(ExpiredSignatureError):
        fastjwt.decode(token, SECRET_A, algorithms=["HS256"], leeway=0)


def test_registering_an_algorithm_is_seen_by_a_reused_call() -> None:
    class Renamed(HMACAlgorithm):
        pass

    token = fastjwt.api_jws.encode(b'{"sub":"u"}', SECRET_A, "HS256")
    jws = fastjwt.api_jws._jws_global_obj
    renamed_token = _renamed(token)
    for _ in range(2):
        with pytest.raises(InvalidAlgorithmError):
            fastjwt.decode(renamed_token, SECRET_A, algorithms=["HS256-RENAMED"])
    jws.register_algorithm("HS256-RENAMED", Renamed(Renamed.SHA256))
    try:
        assert fastjwt.decode(renamed_token, SECRET_A, algorithms=["HS256-RENAMED"]) == {"sub": "u"}
    finally:
        jws.unregister_algorithm("HS256-RENAMED")
    with pytest.raises(InvalidAlgorithmError):
        fastjwt.decode(renamed_token, SECRET_A, algorithms=["HS256-RENAMED"])


def _renamed(token: str) -> str:
    """``token`` re-signed with the same secret under the header ``alg`` ``HS256-RENAMED``."""
    import hashlib
    import hmac

    header = fastjwt.utils.base64url_encode(b'{"alg":"HS256-RENAMED","typ":"JWT"}')
    payload = token.split(".")[1].encode()
    signing_input = header + b"." + payload
    signature = hmac.new(SECRET_A.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + fastjwt.utils.base64url_encode(signature)).decode()
