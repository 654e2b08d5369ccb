"""ClaimRules semantics and boundaries with an injected clock (the core in use)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from strict_raises import raises_exactly

from fastjwt import _core
from fastjwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
)

NOW = 1_700_000_000.0


def check(payload: dict[str, Any], options: dict[str, Any] | None = None, **kw: Any) -> None:
    _core.ClaimRules(options or {}, **kw).check(payload, NOW)


def test_exp_boundary() -> None:
    check({"exp": int(NOW) + 1})
    with pytest.raises(ExpiredSignatureError):
        check({"exp": int(NOW)})  # exp == now is expired
    check({"exp": int(NOW)}, leeway=1)
    with pytest.raises(ExpiredSignatureError):
        check({"exp": int(NOW) - 1}, leeway=1)
    check({"exp": int(NOW) - 4}, leeway=timedelta(seconds=5))
    check({"exp": int(NOW)}, {"verify_exp": False})


def test_nbf_and_iat_boundaries() -> None:
    check({"nbf": int(NOW)})
    with pytest.raises(ImmatureSignatureError):
        check({"nbf": int(NOW) + 1})
    check({"nbf": int(NOW) + 2}, leeway=2.0)
    check({"iat": int(NOW)})
    with pytest.raises(ImmatureSignatureError):
        check({"iat": int(NOW) + 1})
    with pytest.raises(InvalidIssuedAtError):
        check({"iat": "now"})
    check({"nbf": int(NOW) + 100, "iat": int(NOW) + 100}, {"verify_nbf": False, "verify_iat": False})


def test_float_times_truncate_like_pyjwt() -> None:
    check({"exp": NOW + 1.9})  # read as int(NOW + 1.9) == NOW + 1
    with pytest.raises(ExpiredSignatureError):
        check({"exp": NOW + 0.9})  # read as NOW: expired
    with pytest.raises(ExpiredSignatureError):
        _core.ClaimRules({}).check({"exp": NOW + 1.9}, NOW + 1.0)


def test_time_claim_types() -> None:
    for bad in ("1", None, [1], {"a": 1}, float("inf")):
        with raises_exactly(DecodeError, match=r"Expiration Time claim \(exp\) must be an integer\."):
            check({"exp": bad})
        with raises_exactly(DecodeError, match=r"Not Before claim \(nbf\) must be an integer\."):
            check({"nbf": bad})


def test_require() -> None:
    with pytest.raises(MissingRequiredClaimError) as info:
        check({"exp": NOW + 5}, {"require": ["exp", "iss"]})
    assert info.value.claim == "iss"
    with pytest.raises(MissingRequiredClaimError):
        check({"iss": None}, {"require": ["iss"]})


def test_audience_forms() -> None:
    check({"aud": "a"}, audience="a")
    check({"aud": ["b", "a"]}, audience="a")
    check({"aud": "a"}, audience=["x", "a"])
    check({"aud": "a"}, audience={"a"})
    with pytest.raises(InvalidAudienceError):
        check({"aud": "a"}, audience="ab")
    with pytest.raises(InvalidAudienceError):
        check({"aud": "a"})  # aud present, none expected
    with pytest.raises(MissingRequiredClaimError):
        check({}, audience="a")
    with pytest.raises(InvalidAudienceError):
        check({"aud": ["a"]}, {"strict_aud": True}, audience="a")
    check({"aud": "a"}, {"strict_aud": True}, audience="a")
    check({"aud": "zzz"}, {"verify_aud": False}, audience="a")
    with pytest.raises(TypeError):
        _core.ClaimRules({}, audience=5)


@pytest.mark.parametrize("claimed", ["https://iss", "https://iss.evil", "https://is", "xhttps://iss", "ISS"])
def test_issuer_exact_only(claimed: str) -> None:
    for expected in ("https://iss", ["https://iss", "other"], ("https://iss",)):
        if claimed == "https://iss":
            check({"iss": claimed}, issuer=expected)
        else:
            with pytest.raises(InvalidIssuerError):
                check({"iss": claimed}, issuer=expected)


def test_subject_and_jti() -> None:
    check({"sub": "s"}, subject="s")
    with pytest.raises(InvalidSubjectError):
        check({"sub": "t"}, subject="s")
    with pytest.raises(InvalidSubjectError):
        check({"sub": 1})
    with pytest.raises(InvalidJTIError):
        check({"jti": 1})
    check({"jti": 1}, {"verify_jti": False})


@pytest.mark.parametrize("leeway", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_leeway(leeway: float) -> None:
    with pytest.raises(ValueError):
        _core.ClaimRules({}, leeway=leeway)


def test_injected_clock() -> None:
    rules = _core.ClaimRules({}, clock=lambda: 42)
    assert rules.now() == 42.0
