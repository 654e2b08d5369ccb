"""Claims of the wrong type, audience/issuer matching, required claims, leeway boundaries."""

from __future__ import annotations

from typing import Any

import pytest
from strict_raises import raises_exactly

import fastjwt as jwt
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
from security._forge import SECRET, hs_token

NOW = 1_700_000_000


def _verify(payload: dict[str, Any], **kw: Any) -> dict[str, Any]:
    tok = hs_token({"alg": "HS256"}, payload, SECRET)
    return jwt.Verifier(SECRET, ["HS256"], now=lambda: NOW, **kw).decode(tok)


def _decode(payload: dict[str, Any], **kw: Any) -> dict[str, Any]:
    tok = hs_token({"alg": "HS256"}, payload, SECRET)
    return jwt.decode(tok, SECRET, algorithms=["HS256"], **kw)


# fastjwt is stricter than PyJWT here: PyJWT int()-converts a string/bool exp (so "9999999999" passes).
@pytest.mark.parametrize("exp", ["9999999999", True, False, [1], {"a": 1}, None, "nan"])
def test_exp_of_wrong_type_refused(exp: object) -> None:
    with raises_exactly(DecodeError, match=r"Expiration Time claim \(exp\) must be an integer\."):
        _decode({"exp": exp})


@pytest.mark.parametrize("nbf", ["0", True, [1], None])
def test_nbf_of_wrong_type_refused(nbf: object) -> None:
    with raises_exactly(DecodeError, match=r"Not Before claim \(nbf\) must be an integer\."):
        _decode({"nbf": nbf})


@pytest.mark.parametrize("iat", ["0", [1], None])
def test_iat_of_wrong_type_refused(iat: object) -> None:
    with pytest.raises(InvalidIssuedAtError):
        _decode({"iat": iat})


@pytest.mark.parametrize("exp", [-(2**70), -(10**300), -1e300, 0])
def test_exp_far_in_the_past_is_expired(exp: float) -> None:
    with pytest.raises(ExpiredSignatureError):
        _decode({"exp": exp})


@pytest.mark.parametrize("exp", [2**64, 2**70, 10**30, 1e300])
def test_exp_beyond_64_bits_is_in_the_future(exp: float) -> None:
    assert _decode({"exp": exp}) == {"exp": exp}


@pytest.mark.parametrize("nbf", [2**64, 10**30, 1e300])
def test_nbf_beyond_64_bits_is_immature(nbf: float) -> None:
    with pytest.raises(ImmatureSignatureError):
        _decode({"nbf": nbf})


def test_exp_at_now_is_expired() -> None:
    with pytest.raises(ExpiredSignatureError):
        _verify({"exp": NOW})


def test_exp_after_now_is_valid() -> None:
    assert _verify({"exp": NOW + 1}) == {"exp": NOW + 1}


def test_exp_at_leeway_boundary_is_expired() -> None:
    with pytest.raises(ExpiredSignatureError):
        _verify({"exp": NOW - 10}, leeway=10)


def test_exp_inside_leeway_is_valid() -> None:
    assert _verify({"exp": NOW - 9}, leeway=10) == {"exp": NOW - 9}


def test_nbf_at_leeway_boundary_is_valid() -> None:
    assert _verify({"nbf": NOW + 10}, leeway=10) == {"nbf": NOW + 10}


def test_nbf_beyond_leeway_is_immature() -> None:
    with pytest.raises(ImmatureSignatureError):
        _verify({"nbf": NOW + 11}, leeway=10)


@pytest.mark.parametrize("leeway", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_leeway_refused_by_verifier(leeway: float) -> None:
    # PyJWT accepts a NaN leeway, which makes every expired token pass (NaN comparisons are false).
    with pytest.raises(ValueError):
        jwt.Verifier(SECRET, ["HS256"], leeway=leeway)


@pytest.mark.parametrize("leeway", [float("nan"), float("inf")])
def test_non_finite_leeway_refused_by_decode(leeway: float) -> None:
    with pytest.raises(ValueError):
        _decode({"exp": 1}, leeway=leeway)


def test_aud_list_refused_with_strict_aud() -> None:
    with pytest.raises(InvalidAudienceError):
        _decode({"aud": ["a"]}, audience="a", options={"strict_aud": True})


def test_aud_other_string_refused_with_strict_aud() -> None:
    with pytest.raises(InvalidAudienceError):
        _decode({"aud": "ab"}, audience="a", options={"strict_aud": True})


def test_aud_substring_refused() -> None:
    with pytest.raises(InvalidAudienceError):
        _decode({"aud": "api"}, audience="api.example")


@pytest.mark.parametrize("aud", [1, [1], {"a": 1}, True, [None], [["a"]]])
def test_aud_of_wrong_type_refused(aud: object) -> None:
    with raises_exactly(InvalidAudienceError, match="Invalid claim format in token"):
        _decode({"aud": aud}, audience="a")


@pytest.mark.parametrize("aud", [["x", "y"], ["x", "y", "z"], ["a.example", "example", "A", "a "]])
@pytest.mark.parametrize("audience", ["a", ["a"], ["a", "q"]], ids=["str", "list1", "list2"])
def test_aud_list_of_several_entries_without_a_match_refused(aud: list[str], audience: str | list[str]) -> None:
    with raises_exactly(InvalidAudienceError, match="Audience doesn't match"):
        _decode({"aud": aud}, audience=audience)
    with raises_exactly(InvalidAudienceError, match="Audience doesn't match"):
        _verify({"aud": aud}, audience=audience)


@pytest.mark.parametrize("aud", [["a", "y"], ["x", "a"], ["x", "y", "a"]])
def test_aud_list_of_several_entries_with_a_match_anywhere_accepted(aud: list[str]) -> None:
    assert _decode({"aud": aud}, audience="a") == {"aud": aud}
    assert _verify({"aud": aud}, audience=["q", "a"]) == {"aud": aud}


def test_aud_missing_when_expected() -> None:
    with pytest.raises(MissingRequiredClaimError):
        _decode({}, audience="a")


def test_aud_present_but_not_expected_refused() -> None:
    with pytest.raises(InvalidAudienceError):
        _decode({"aud": "a"})


@pytest.mark.parametrize(
    ("iss", "expected"),
    [
        ("https://idp.example", "https://idp.example.evil"),
        ("https://idp.example.evil", "https://idp.example"),
        ("idp", "https://idp.example"),
        ("https://idp.example/", "https://idp.example"),
        ("HTTPS://IDP.EXAMPLE", "https://idp.example"),
    ],
)
def test_issuer_prefix_suffix_substring_refused(iss: str, expected: str) -> None:
    with pytest.raises(InvalidIssuerError):
        _decode({"iss": iss}, issuer=expected)


def test_issuer_string_is_not_treated_as_container() -> None:
    # CVE-2024-53861: `"abc" in "xabcx"` is true; the issuer string must be compared whole.
    with pytest.raises(InvalidIssuerError):
        _decode({"iss": "abc"}, issuer="xabcx")


@pytest.mark.parametrize("iss", [["a"], 1, {"a": 1}, None])
def test_issuer_of_wrong_type_refused(iss: object) -> None:
    with pytest.raises(InvalidIssuerError):
        _decode({"iss": iss}, issuer="a")


@pytest.mark.parametrize("sub", [["a"], 1, {"a": 1}])
def test_subject_of_wrong_type_refused(sub: object) -> None:
    with pytest.raises(InvalidSubjectError):
        _decode({"sub": sub})


@pytest.mark.parametrize("jti", [["a"], 1, {"a": 1}])
def test_jti_of_wrong_type_refused(jti: object) -> None:
    with pytest.raises(InvalidJTIError):
        _decode({"jti": jti})


def test_subject_mismatch_refused() -> None:
    with pytest.raises(InvalidSubjectError):
        _decode({"sub": "alice"}, subject="admin")


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"])
def test_missing_required_claim_refused(claim: str) -> None:
    with pytest.raises(MissingRequiredClaimError):
        _decode({"x": 1}, options={"require": [claim]})


@pytest.mark.parametrize("claim", ["exp", "sub"])
def test_missing_required_claim_refused_by_verifier(claim: str) -> None:
    with pytest.raises(MissingRequiredClaimError):
        _verify({"x": 1}, options={"require": [claim]})


def test_max_age_refuses_old_token() -> None:
    with pytest.raises(ExpiredSignatureError):
        _verify({"iat": NOW - 301}, max_age=300)
