"""PyJWT's single-claim helpers on ``PyJWT`` (``_validate_iss`` and friends) run exactly one check."""

from __future__ import annotations

from typing import Any

import pytest

import fastjwt
from fastjwt.exceptions import (
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
)

JWT = fastjwt.PyJWT()
NOW = 1_700_000_000.0


@pytest.mark.parametrize("issuer", [["urn:a", "urn:b"], ("urn:a", "urn:b"), {"urn:a", "urn:b"}, "urn:a", None])
def test_validate_iss_accepts(issuer: Any) -> None:
    JWT._validate_iss({"iss": "urn:a"}, issuer=issuer)


@pytest.mark.parametrize(
    ("payload", "issuer", "message"),
    [
        ({"iss": 123}, "123", "Payload Issuer (iss) must be a string"),
        ({"iss": "123"}, 123, 'Issuer param must be "str" or "Container[str]"'),
        ({"iss": "urn:c"}, ["urn:a"], "Invalid issuer"),
        ({"iss": "urn:a"}, "urn:ab", "Invalid issuer"),
    ],
)
def test_validate_iss_refuses(payload: dict[str, Any], issuer: Any, message: str) -> None:
    with pytest.raises(InvalidIssuerError) as info:
        JWT._validate_iss(payload, issuer=issuer)
    assert str(info.value) == message


def test_validate_iss_missing_claim() -> None:
    with pytest.raises(MissingRequiredClaimError):
        JWT._validate_iss({}, issuer="urn:a")


def test_each_helper_checks_only_its_claim() -> None:
    # every other claim is wrong: only the helper's own claim may decide
    payload = {"exp": 1, "nbf": 10**12, "iat": 10**12, "aud": "x", "iss": "x", "sub": 5, "jti": 7}
    JWT._validate_iss(dict(payload, iss="ok"), issuer="ok")
    JWT._validate_aud(dict(payload, aud="ok"), audience="ok")
    JWT._validate_exp(dict(payload, exp=NOW + 10), now=NOW, leeway=0)
    JWT._validate_nbf(dict(payload, nbf=NOW - 10), now=NOW, leeway=0)
    JWT._validate_iat(dict(payload, iat=NOW - 10), now=NOW, leeway=0)
    JWT._validate_sub(dict(payload, sub="ok"), subject="ok")
    JWT._validate_jti(dict(payload, jti="ok"))
    JWT._validate_required_claims(payload, ["exp", "sub"])


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: JWT._validate_exp({"exp": NOW - 1}, now=NOW, leeway=0), ExpiredSignatureError),
        (lambda: JWT._validate_nbf({"nbf": NOW + 100}, now=NOW, leeway=10), ImmatureSignatureError),
        (lambda: JWT._validate_iat({"iat": "x"}, now=NOW, leeway=0), InvalidIssuedAtError),
        (lambda: JWT._validate_aud({"aud": ["a", "b"]}, audience="c"), InvalidAudienceError),
        (lambda: JWT._validate_aud({"aud": ["a"]}, audience="a", strict=True), InvalidAudienceError),
        (lambda: JWT._validate_sub({"sub": "a"}, subject="b"), InvalidSubjectError),
        (lambda: JWT._validate_jti({"jti": 1}), InvalidJTIError),
        (lambda: JWT._validate_required_claims({"sub": None}, ["sub"]), MissingRequiredClaimError),
    ],
)
def test_helpers_raise_their_claims_error(call: Any, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error


def test_leeway_applies() -> None:
    JWT._validate_exp({"exp": NOW - 5}, now=NOW, leeway=10)
    JWT._validate_nbf({"nbf": NOW + 5}, now=NOW, leeway=10)
