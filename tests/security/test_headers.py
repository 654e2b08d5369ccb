"""Key-carrying headers (jwk, jku, x5u, x5c) are never trusted; kid is inert data; crit and b64; weak keys."""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

import keyfiles
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from strict_raises import raises_exactly

import fastjwt as jwt
from fastjwt.api_jwk import PyJWK, PyJWKSet
from fastjwt.exceptions import DecodeError, InvalidKeyError, InvalidSignatureError, InvalidTokenError
from fastjwt.warnings import InsecureKeyLengthWarning
from security._forge import SECRET, hs_token

ATTACKER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKER_JWK = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(ATTACKER.public_key()))


def _attacker_token(headers: dict[str, Any]) -> str:
    return jwt.encode({"sub": "admin"}, ATTACKER, algorithm="RS256", headers=headers)


KEY_HEADERS: dict[str, dict[str, Any]] = {
    "jwk": {"jwk": ATTACKER_JWK},
    "jku": {"jku": "http://127.0.0.1:1/jwks.json"},
    "x5u": {"x5u": "http://127.0.0.1:1/cert.pem"},
    "x5c": {"x5c": [base64.b64encode(keyfiles.read("rsa2048_cert.pem")).decode()]},
    "all": {"jwk": ATTACKER_JWK, "jku": "file:///etc/passwd", "x5u": "http://127.0.0.1:1/"},
}


@pytest.mark.parametrize("name", list(KEY_HEADERS))
def test_key_header_not_trusted_by_decode(name: str) -> None:
    with pytest.raises(InvalidSignatureError):
        jwt.decode(_attacker_token(KEY_HEADERS[name]), keyfiles.public_key("rsa2048"), algorithms=["RS256"])


@pytest.mark.parametrize("name", list(KEY_HEADERS))
def test_key_header_not_trusted_by_verifier(name: str) -> None:
    verifier = jwt.Verifier(keyfiles.public_key("rsa2048"), ["RS256"])
    with pytest.raises(InvalidSignatureError):
        verifier.decode(_attacker_token(KEY_HEADERS[name]))


def test_jwk_header_not_trusted_by_verifier_with_key_set() -> None:
    keyset = PyJWKSet.from_dict({"keys": [dict(keyfiles.jwk("rsa2048"), kid="real")]})
    tok = _attacker_token({"kid": "real", "jwk": dict(ATTACKER_JWK, kid="real")})
    with pytest.raises(InvalidSignatureError):
        jwt.Verifier(keyset, ["RS256"]).decode(tok)


HOSTILE_KIDS = ["../../../../etc/passwd", "' OR '1'='1' --", "a\x00b", "k" * 10_000, "%00", "\u202e", "${jndi:x}"]


@pytest.mark.parametrize("kid", HOSTILE_KIDS, ids=lambda k: repr(k[:12]))
def test_hostile_kid_unknown_in_key_set_refused(kid: str) -> None:
    keyset = PyJWKSet.from_dict({"keys": [dict(keyfiles.jwk("rsa2048"), kid="real")]})
    tok = jwt.encode({"a": 1}, keyfiles.private_key("rsa2048"), algorithm="RS256", headers={"kid": kid})
    with raises_exactly(InvalidTokenError, match="Unable to find a signing key that matches: ") as info:
        jwt.Verifier(keyset, ["RS256"]).decode(tok)
    assert len(str(info.value)) < 300  # a huge kid is not echoed whole into logs


@pytest.mark.parametrize("kid", HOSTILE_KIDS, ids=lambda k: repr(k[:12]))
def test_hostile_kid_is_passed_verbatim_to_key_source(kid: str) -> None:
    seen: list[str | None] = []
    real = PyJWK(dict(keyfiles.jwk("rsa2048"), kid="real"))

    class Source:
        def get_signing_key(self, k: str | None) -> PyJWK:
            seen.append(k)
            return real

    tok = jwt.encode({"a": 1}, keyfiles.private_key("rsa2048"), algorithm="RS256", headers={"kid": kid})
    assert jwt.Verifier(Source(), ["RS256"]).decode(tok) == {"a": 1}
    assert seen == [kid]


@pytest.mark.parametrize("kid", HOSTILE_KIDS, ids=lambda k: repr(k[:12]))
def test_hostile_kid_ignored_by_decode_with_single_key(kid: str) -> None:
    tok = hs_token({"alg": "HS256", "kid": kid}, {"a": 1}, SECRET)
    assert jwt.decode(tok, SECRET, algorithms=["HS256"]) == {"a": 1}


@pytest.mark.parametrize("kid", [1, None, ["a"], {"a": 1}, True])
def test_kid_of_wrong_type_refused(kid: object) -> None:
    tok = hs_token({"alg": "HS256", "kid": kid}, {"a": 1}, SECRET)
    with raises_exactly(InvalidTokenError, match="Key ID header parameter must be a string"):
        jwt.decode(tok, SECRET, algorithms=["HS256"])


NOT_A_LIST = "Invalid 'crit' header: must be a non-empty list"


@pytest.mark.parametrize(
    ("crit", "message"),
    [
        (["foo"], "Unsupported critical extension: foo"),
        (["b64", "foo"], "Critical extension 'b64' is missing from headers"),
        ([1], "Invalid 'crit' header: values must be strings"),
        ("b64", NOT_A_LIST),
        ([], NOT_A_LIST),
        ({"b64": 1}, NOT_A_LIST),
        (None, NOT_A_LIST),
    ],
)
def test_unknown_or_malformed_crit_refused(crit: object, message: str) -> None:
    tok = hs_token({"alg": "HS256", "crit": crit, "foo": 1}, {"a": 1}, SECRET)
    with raises_exactly(InvalidTokenError, match=message):
        jwt.decode(tok, SECRET, algorithms=["HS256"])


def test_unknown_crit_refused_by_verifier() -> None:
    tok = hs_token({"alg": "HS256", "crit": ["exp"], "exp": 1}, {"a": 1}, SECRET)
    with raises_exactly(InvalidTokenError, match="Unsupported critical extension: exp"):
        jwt.Verifier(SECRET, ["HS256"]).decode(tok)


def test_crit_allowed_by_verifier_passes() -> None:
    tok = hs_token({"alg": "HS256", "crit": ["urn:x"], "urn:x": 1}, {"a": 1}, SECRET)
    assert jwt.Verifier(SECRET, ["HS256"], allowed_crit=["urn:x"]).decode(tok) == {"a": 1}


@pytest.mark.parametrize("crit", [["b64"], None])
def test_b64_false_with_attached_payload_refused(crit: object) -> None:
    header: dict[str, Any] = {"alg": "HS256", "b64": False}
    if crit is not None:
        header["crit"] = crit
    tok = hs_token(header, {"sub": "admin"}, SECRET)
    with raises_exactly(DecodeError, match="Payload segment must be empty when 'b64' is false"):
        jwt.decode(tok, SECRET, algorithms=["HS256"])


def test_b64_false_without_detached_payload_refused_by_verifier() -> None:
    tok = jwt.api_jws.encode(b'{"a":1}', SECRET, "HS256", headers={"b64": False}, is_payload_detached=True)
    with raises_exactly(DecodeError, match='pass in a value for the "detached_payload" argument'):
        jwt.Verifier(SECRET, ["HS256"]).decode(tok)


def test_huge_detached_payload_mismatch_refused() -> None:
    tok = jwt.api_jws.encode(b"x" * (8 << 20), SECRET, "HS256", headers={"b64": False}, is_payload_detached=True)
    with pytest.raises(InvalidSignatureError):
        jwt.api_jws.decode(tok, SECRET, algorithms=["HS256"], detached_payload=b"x" * (8 << 20) + b"y")


def test_huge_detached_payload_match_verifies() -> None:
    body = b"x" * (8 << 20)
    tok = jwt.api_jws.encode(body, SECRET, "HS256", headers={"b64": False}, is_payload_detached=True)
    assert jwt.api_jws.decode(tok, SECRET, algorithms=["HS256"], detached_payload=body) == body


def test_weak_rsa_key_warned_by_default() -> None:
    tok = jwt.encode({"a": 1}, keyfiles.private_key("rsa2048"), algorithm="RS256")
    with pytest.warns(InsecureKeyLengthWarning):
        tok = jwt.encode({"a": 1}, keyfiles.private_key("rsa1024"), algorithm="RS256")
    with pytest.warns(InsecureKeyLengthWarning):
        assert jwt.decode(tok, keyfiles.public_key("rsa1024"), algorithms=["RS256"]) == {"a": 1}


def test_weak_rsa_key_refused_when_enforced() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        tok = jwt.encode({"a": 1}, keyfiles.private_key("rsa1024"), algorithm="RS256")
    with pytest.raises(InvalidKeyError):
        jwt.decode(
            tok, keyfiles.public_key("rsa1024"), algorithms=["RS256"], options={"enforce_minimum_key_length": True}
        )


def test_weak_rsa_key_refused_by_strict_encoder() -> None:
    with pytest.raises(InvalidKeyError):
        jwt.PyJWT(options={"enforce_minimum_key_length": True}).encode(
            {"a": 1}, keyfiles.private_key("rsa1024"), algorithm="RS256"
        )


@pytest.mark.parametrize(("alg", "size"), [("HS256", 31), ("HS384", 47), ("HS512", 63)])
def test_short_hmac_secret_warned_by_default(alg: str, size: int) -> None:
    with pytest.warns(InsecureKeyLengthWarning):
        tok = jwt.encode({"a": 1}, b"s" * size, algorithm=alg)
    with pytest.warns(InsecureKeyLengthWarning):
        assert jwt.decode(tok, b"s" * size, algorithms=[alg]) == {"a": 1}


@pytest.mark.parametrize(("alg", "size"), [("HS256", 31), ("HS384", 47), ("HS512", 63)])
def test_short_hmac_secret_refused_when_enforced(alg: str, size: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        tok = jwt.encode({"a": 1}, b"s" * size, algorithm=alg)
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, b"s" * size, algorithms=[alg], options={"enforce_minimum_key_length": True})


def test_short_hmac_secret_refused_by_enforcing_verifier() -> None:
    tok = hs_token({"alg": "HS256"}, {"a": 1}, b"short")
    with pytest.raises(InvalidKeyError):
        jwt.Verifier(b"short", ["HS256"], options={"enforce_minimum_key_length": True}).decode(tok)


def test_cert_der_round_trip_not_usable_as_hmac() -> None:
    from cryptography import x509

    der = x509.load_pem_x509_certificate(keyfiles.read("rsa2048_cert.pem")).public_bytes(Encoding.DER)
    tok = hs_token({"alg": "HS256"}, {"a": 1}, der)
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, der, algorithms=["HS256"])
