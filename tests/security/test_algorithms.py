"""alg=none, algorithm confusion (public key as HMAC secret), alg/key mismatch, empty HMAC keys."""

from __future__ import annotations

import json

import keyfiles
import pytest
from strict_raises import raises_exactly

import fastjwt as jwt
from fastjwt.api_jwk import PyJWK
from fastjwt.exceptions import DecodeError, InvalidAlgorithmError, InvalidKeyError, InvalidSignatureError
from security._forge import SECRET, hs_token, token

NONE_CASINGS = ["none", "None", "NONE", "nOnE", "NoNe"]


@pytest.mark.parametrize("alg", NONE_CASINGS)
@pytest.mark.parametrize("signature", [b"", b"x"])
def test_alg_none_refused_when_only_real_algorithms_allowed(alg: str, signature: bytes) -> None:
    tok = token({"alg": alg, "typ": "JWT"}, {"sub": "admin"}, signature)
    with pytest.raises(InvalidAlgorithmError):
        jwt.decode(tok, SECRET, algorithms=["HS256"])


@pytest.mark.parametrize("alg", NONE_CASINGS)
def test_alg_none_refused_by_verifier(alg: str) -> None:
    tok = token({"alg": alg}, {"sub": "admin"})
    with pytest.raises(InvalidAlgorithmError):
        jwt.Verifier(SECRET, ["HS256"]).decode(tok)


def _variants(raw: bytes) -> list[bytes]:
    return [raw, b"  \n\t" + raw, b"# comment\n" + raw, b"\x00\x01\x1b" + raw, raw + b"\n\n"]


PUBLIC_FILES = [
    "rsa2048_public_spki.pem",
    "rsa2048_public_pkcs1.pem",
    "rsa2048_public.openssh",
    "rsa2048_cert.pem",
    "p256_public_spki.pem",
    "p256_public.openssh",
    "p256_cert.pem",
    "ed25519_public_spki.pem",
    "ed25519_public.openssh",
    "rsa2048_private_pkcs8.pem",
    "p256_private_sec1.pem",
]

CONFUSION_CASES = [(f, i) for f in PUBLIC_FILES for i in range(5)]


@pytest.mark.parametrize(("name", "variant"), CONFUSION_CASES)
def test_public_key_as_hmac_secret_refused(name: str, variant: int) -> None:
    key = _variants(keyfiles.read(name))[variant]
    tok = hs_token({"alg": "HS256"}, {"sub": "admin"}, key)
    # Prefixed forms (comment / control bytes first) may be rejected either as a key that looks asymmetric
    # or, if not recognised, the forged token still must not verify against the real secret semantics.
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, key, algorithms=["HS256"])


@pytest.mark.parametrize("name", ["rsa2048_public_spki.pem", "p256_public_spki.pem", "ed25519_public_spki.pem"])
def test_public_key_as_hmac_secret_str_refused(name: str) -> None:
    key = keyfiles.read(name).decode()
    tok = hs_token({"alg": "HS256"}, {"sub": "admin"}, key.encode())
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, key, algorithms=["HS256", "RS256", "ES256", "EdDSA"])


@pytest.mark.parametrize(
    "name", ["rsa2048_public_spki.der", "rsa2048_public_pkcs1.der", "p256_public_spki.der", "ed25519_public_spki.der"]
)
def test_der_public_key_as_hmac_secret_refused(name: str) -> None:
    key = keyfiles.read(name)
    tok = hs_token({"alg": "HS256"}, {"sub": "admin"}, key)
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, key, algorithms=["HS256"])


@pytest.mark.parametrize("name", ["rsa2048_public.jwk.json", "p256_public.jwk.json", "ed25519_public.jwk.json"])
def test_jwk_json_as_hmac_secret_refused(name: str) -> None:
    key = keyfiles.read(name)
    tok = hs_token({"alg": "HS256"}, {"sub": "admin"}, key)
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, key, algorithms=["HS256"])


def test_jwks_json_as_hmac_secret_refused() -> None:
    key = json.dumps({"keys": [json.loads(keyfiles.read("rsa2048_public.jwk.json"))]}).encode()
    tok = hs_token({"alg": "HS256"}, {"sub": "admin"}, key)
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, key, algorithms=["HS256"])


def test_public_key_as_hmac_secret_refused_by_verifier() -> None:
    key = keyfiles.read("rsa2048_public_spki.pem")
    tok = hs_token({"alg": "HS256"}, {"sub": "admin"}, key)
    with pytest.raises(InvalidKeyError):
        jwt.Verifier(key, ["HS256"]).decode(tok)


def test_hs_token_against_rsa_key_object_refused() -> None:
    key = keyfiles.public_key("rsa2048")
    tok = hs_token({"alg": "HS256"}, {"sub": "admin"}, keyfiles.read("rsa2048_public_spki.pem"))
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, key, algorithms=["HS256", "RS256"])


def test_rs_token_with_ec_key_refused() -> None:
    tok = jwt.encode({"a": 1}, keyfiles.private_key("rsa2048"), algorithm="RS256")
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, keyfiles.public_key("p256"), algorithms=["RS256"])


def test_token_alg_differs_from_pyjwk_alg_refused() -> None:
    data = json.loads(keyfiles.read("rsa2048_public.jwk.json"))
    data["alg"] = "RS256"
    jwk = PyJWK(data)
    tok = jwt.encode({"a": 1}, keyfiles.private_key("rsa2048"), algorithm="PS256")
    with pytest.raises(InvalidAlgorithmError):
        jwt.decode(tok, jwk, algorithms=["RS256", "PS256"])


def test_hs_token_against_oct_pyjwk_with_other_alg_refused() -> None:
    jwk = PyJWK({"kty": "oct", "k": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s", "alg": "HS512"})
    tok = hs_token({"alg": "HS256"}, {"a": 1}, b"k" * 32)
    with pytest.raises(InvalidAlgorithmError):
        jwt.decode(tok, jwk, algorithms=["HS256", "HS512"])


def test_algorithm_not_in_allowed_list_refused() -> None:
    tok = hs_token({"alg": "HS512"}, {"a": 1}, SECRET, "sha512")
    with pytest.raises(InvalidAlgorithmError):
        jwt.decode(tok, SECRET, algorithms=["HS256"])


@pytest.mark.parametrize("key", [b"", ""])
def test_empty_hmac_key_refused(key: bytes | str) -> None:
    tok = hs_token({"alg": "HS256"}, {"a": 1}, b"")
    with pytest.raises(InvalidKeyError):
        jwt.decode(tok, key, algorithms=["HS256"])


def test_wrong_hmac_secret_refused() -> None:
    tok = hs_token({"alg": "HS256"}, {"a": 1}, SECRET)
    with pytest.raises(InvalidSignatureError):
        jwt.decode(tok, b"j" * 32, algorithms=["HS256"])


@pytest.mark.parametrize("alg", [123, None, ["HS256"], {"x": 1}, "", "hs256", "HS256 "])
def test_alg_of_wrong_type_or_spelling_refused(alg: object) -> None:
    tok = hs_token({"alg": alg}, {"a": 1}, SECRET)
    with pytest.raises(InvalidAlgorithmError):
        jwt.decode(tok, SECRET, algorithms=["HS256"])


@pytest.mark.parametrize("alg", ["S256", "HS2", "256", "HS256,RS256"])
def test_allowed_algorithms_string_is_not_substring_matched(alg: str) -> None:
    # PyJWT tests `alg in algorithms`, a substring test when algorithms is a str; fastjwt takes a str as one name.
    tok = hs_token({"alg": alg}, {"a": 1}, SECRET)
    with pytest.raises(InvalidAlgorithmError):
        jwt.decode(tok, SECRET, algorithms="HS256,RS256")


def test_hs256_token_refused_when_algorithms_is_a_comma_joined_string() -> None:
    tok = hs_token({"alg": "HS256"}, {"a": 1}, SECRET)
    with pytest.raises(InvalidAlgorithmError):
        jwt.decode(tok, SECRET, algorithms="HS256,RS256")


@pytest.mark.parametrize("algorithms", [None, []])
def test_missing_allowed_algorithms_refused(algorithms: list[str] | None) -> None:
    tok = hs_token({"alg": "HS256"}, {"a": 1}, SECRET)
    with raises_exactly(DecodeError, match='pass in a value for the "algorithms" argument'):
        jwt.decode(tok, SECRET, algorithms=algorithms)
