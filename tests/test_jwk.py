"""PyJWK and PyJWKSet against PyJWT 2.15.1, and RFC 7638 thumbprints."""

from __future__ import annotations

import json
from typing import Any

import jwt as pyjwt
import keyfiles
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st
from strict_raises import raises_exactly

from fastjwt import algorithms
from fastjwt.api_jwk import PyJWK, PyJWKSet, PyJWTSetWithTimestamp, jwk_thumbprint
from fastjwt.exceptions import InvalidKeyError, PyJWKError, PyJWKSetError, PyJWTError

# RFC 7638 section 3.1: the RSA key of RFC 7517 Appendix A.1 and its SHA-256 thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJEC"
    "PebWKRXjBZCiFV4n3oknjhMs"
    "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n"
    "91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
# RFC 7638 section 3.1 also shows the exact JSON that is hashed.
RFC7638_CANONICAL_PREFIX = '{"e":"AQAB","kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4'

KIND_EXPECTED_ALG = {
    "rsa2048": "RS256",
    "rsa1024": "RS256",
    "p256": "ES256",
    "p384": "ES384",
    "p521": "ES512",
    "secp256k1": "ES256K",
    "ed25519": "EdDSA",
}


def _spki(key: Any) -> bytes:
    pub = key.public_key() if hasattr(key, "private_bytes") else key
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[no-any-return]


def _with_meta(jwk: dict[str, Any], kid: str) -> dict[str, Any]:
    return dict(jwk, kid=kid, use="sig")


@pytest.mark.parametrize("kind", list(KIND_EXPECTED_ALG))
@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
def test_pyjwk_matches_pyjwt(kind: str, private: bool) -> None:
    data = _with_meta(keyfiles.jwk(kind, private), f"{kind}-kid")
    ours, theirs = PyJWK(data), pyjwt.PyJWK(data)
    assert ours.algorithm_name == theirs.algorithm_name == KIND_EXPECTED_ALG[kind]
    assert ours.key_type == theirs.key_type == data["kty"]
    assert ours.key_id == theirs.key_id == f"{kind}-kid"
    assert ours.public_key_use == theirs.public_key_use == "sig"
    assert type(ours.Algorithm).__name__ == type(theirs.Algorithm).__name__
    assert isinstance(ours.Algorithm, algorithms.Algorithm)
    assert type(ours.key) is type(theirs.key)
    assert _spki(ours.key) == _spki(theirs.key) == _spki(keyfiles.public_key(kind))
    assert hasattr(ours.key, "private_bytes") is private


def test_pyjwk_holds_the_prepared_key() -> None:
    jwk = PyJWK(keyfiles.jwk("p256"))
    assert jwk.key is jwk.key  # parsed once, in the constructor
    assert jwk.Algorithm.prepare_key(jwk.key) is jwk.key
    msg = b"header.payload"
    sig = jwk.Algorithm.sign(msg, keyfiles.private_key("p256"))
    assert jwk.Algorithm.verify(msg, jwk.key, sig) is True


def test_pyjwk_oct_and_explicit_algorithm() -> None:
    oct_jwk = {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYg", "kid": "h"}
    ours = PyJWK(oct_jwk)
    assert ours.algorithm_name == "HS256" == pyjwt.PyJWK(oct_jwk).algorithm_name
    assert ours.key == b"secret-secret-secret-secret-32b"
    assert PyJWK(oct_jwk, algorithm="HS512").algorithm_name == "HS512"
    assert PyJWK(dict(oct_jwk, alg="HS384")).algorithm_name == "HS384"
    # The argument wins over the JWK's own alg, as in PyJWT.
    assert PyJWK(dict(oct_jwk, alg="HS384"), algorithm="HS512").algorithm_name == "HS512"
    ed448 = keyfiles.jwk("ed448")
    assert PyJWK(ed448, algorithm="EdDSA").algorithm_name == "EdDSA"
    rsa = keyfiles.jwk("rsa2048")
    assert PyJWK(rsa, algorithm="PS384").algorithm_name == "PS384"


@pytest.mark.parametrize(
    ("data", "error", "pyjwt_error"),
    [
        ({"kty": ""}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"n": "AQAB"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"kty": "XYZ"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"kty": "EC", "crv": "P-192", "x": "AA", "y": "AA"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"kty": "OKP", "x": "AA"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"kty": "OKP", "crv": "X25519", "x": "AA"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"kty": "OKP", "crv": "Ed448", "x": "AA"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"kty": "RSA", "alg": "XX999", "n": "AQAB", "e": "AQAB"}, PyJWKError, pyjwt.exceptions.PyJWKError),
        ({"kty": "RSA", "n": 5, "e": "AQAB"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
        ({"kty": "RSA", "e": "AQAB"}, InvalidKeyError, pyjwt.exceptions.InvalidKeyError),
    ],
)
def test_pyjwk_errors_match_pyjwt(data: dict[str, Any], error: type[Exception], pyjwt_error: type[Exception]) -> None:
    with raises_exactly(error):
        PyJWK(data)
    with raises_exactly(pyjwt_error):
        pyjwt.PyJWK(data)


def test_pyjwk_stricter_than_pyjwt() -> None:
    # An oct key without "k": PyJWT raises KeyError, fastjwt InvalidKeyError.
    with pytest.raises(InvalidKeyError):
        PyJWK({"kty": "oct"})
    with pytest.raises(KeyError):
        pyjwt.PyJWK({"kty": "oct"})
    # Non-canonical Base64url in a member: PyJWT decodes it leniently, fastjwt refuses the key.
    p256 = keyfiles.jwk("p256")
    sloppy = dict(p256, x=p256["x"] + "==")
    pyjwt.PyJWK(sloppy)
    with pytest.raises(InvalidKeyError):
        PyJWK(sloppy)
    # JWK data that is not an object.
    for bad in ([], "x", None):
        with pytest.raises(InvalidKeyError):
            PyJWK(bad)  # type: ignore[arg-type]


def test_pyjwk_from_dict_and_from_json() -> None:
    data = _with_meta(keyfiles.jwk("ed25519"), "e1")
    for jwk in (PyJWK.from_dict(data), PyJWK.from_json(json.dumps(data)), PyJWK.from_json(json.dumps(data), "EdDSA")):
        assert isinstance(jwk, PyJWK)
        assert jwk.key_id == "e1"
        assert _spki(jwk.key) == _spki(keyfiles.public_key("ed25519"))
    with pytest.raises(json.JSONDecodeError):
        PyJWK.from_json("not json")


def _mixed_set() -> list[Any]:
    return [
        _with_meta(keyfiles.jwk("rsa2048"), "rsa"),
        "not an object",
        _with_meta(keyfiles.jwk("p256"), "ec"),
        {"kty": "XYZ", "kid": "unknown-kty"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "bad-point"},
        {"kty": "OKP", "crv": "X25519", "x": "AA", "kid": "unsupported-crv"},
        {"kty": "RSA", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB", "kid": "enc-alg"},
        _with_meta(keyfiles.jwk("ed25519"), "ed"),
        42,
        _with_meta({"kty": "oct", "k": "c2VjcmV0"}, "hmac"),
    ]


def test_pyjwkset_skips_unusable_keys_as_pyjwt() -> None:
    ours, theirs = PyJWKSet(_mixed_set()), pyjwt.PyJWKSet(_mixed_set())
    assert [k.key_id for k in ours.keys] == [k.key_id for k in theirs.keys] == ["rsa", "ec", "ed", "hmac"]
    assert [k.key_id for k in ours] == ["rsa", "ec", "ed", "hmac"]
    assert ours["ec"].algorithm_name == "ES256"
    assert _spki(ours["rsa"].key) == _spki(keyfiles.public_key("rsa2048"))
    with pytest.raises(KeyError):
        ours["nope"]
    # An oct key without "k" is skipped (PyJWT fails on the whole set with KeyError).
    with_missing_k = [*_mixed_set(), {"kty": "oct", "kid": "no-k"}]
    assert [k.key_id for k in PyJWKSet(with_missing_k)] == ["rsa", "ec", "ed", "hmac"]


def test_pyjwkset_first_key_wins_for_duplicate_kid() -> None:
    keys = [_with_meta(keyfiles.jwk("p256"), "same"), _with_meta(keyfiles.jwk("p384"), "same")]
    assert PyJWKSet(keys)["same"].algorithm_name == "ES256" == pyjwt.PyJWKSet(keys)["same"].algorithm_name


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([], "did not contain any keys"),
        (None, "did not contain any keys"),
        ({"kty": "oct"}, "Invalid JWK Set value"),
        ("abc", "Invalid JWK Set value"),
        ([{"kty": "XYZ"}, "x"], "did not contain any usable keys"),
    ],
)
def test_pyjwkset_errors_match_pyjwt(keys: Any, message: str) -> None:
    with pytest.raises(PyJWKSetError, match=message):
        PyJWKSet(keys)
    with pytest.raises(pyjwt.exceptions.PyJWKSetError, match=message):
        pyjwt.PyJWKSet(keys)


def test_pyjwkset_from_dict_and_from_json() -> None:
    doc = {"keys": [_with_meta(keyfiles.jwk("p256"), "a"), _with_meta(keyfiles.jwk("secp256k1"), "b")]}
    for jwks in (PyJWKSet.from_dict(doc), PyJWKSet.from_json(json.dumps(doc))):
        assert [k.key_id for k in jwks] == ["a", "b"]
        assert jwks["b"].algorithm_name == "ES256K"
    with pytest.raises(PyJWKSetError):
        PyJWKSet.from_dict({})
    with pytest.raises(PyJWKSetError):
        PyJWKSet.from_json("[]")
    with pytest.raises(json.JSONDecodeError):
        PyJWKSet.from_json("{")


def test_pyjwt_set_with_timestamp() -> None:
    jwks = PyJWKSet([keyfiles.jwk("p256")])
    entry = PyJWTSetWithTimestamp(jwks)
    assert entry.get_jwk_set() is jwks
    assert isinstance(entry.get_timestamp(), float)


# --- thumbprints ------------------------------------------------------------------------------


def test_rfc7638_example() -> None:
    assert jwk_thumbprint(RFC7638_JWK) == RFC7638_THUMBPRINT
    assert jwk_thumbprint(RFC7638_JWK, "SHA-256") == RFC7638_THUMBPRINT
    assert PyJWK(RFC7638_JWK).thumbprint() == RFC7638_THUMBPRINT
    # Member order and non-required members do not matter.
    reordered = dict(reversed(list(RFC7638_JWK.items())), use="sig", key_ops=["verify"])
    assert jwk_thumbprint(reordered) == RFC7638_THUMBPRINT


def test_thumbprint_input_is_the_canonical_json() -> None:
    import base64
    import hashlib

    canonical = json.dumps({k: RFC7638_JWK[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    assert canonical.startswith(RFC7638_CANONICAL_PREFIX)
    for name, fn in (("SHA-256", hashlib.sha256), ("SHA-384", hashlib.sha384), ("SHA-512", hashlib.sha512)):
        expected = base64.urlsafe_b64encode(fn(canonical.encode()).digest()).rstrip(b"=").decode()
        assert jwk_thumbprint(RFC7638_JWK, name) == expected
    assert len(jwk_thumbprint(RFC7638_JWK, "SHA-512")) == 86


@pytest.mark.parametrize("kind", keyfiles.ASYMMETRIC_KINDS)
def test_thumbprint_same_for_public_and_private_jwk(kind: str) -> None:
    public, private = keyfiles.jwk(kind), keyfiles.jwk(kind, private=True)
    value = jwk_thumbprint(public)
    assert value == jwk_thumbprint(private)
    assert len(value) == 43 and "=" not in value
    others = {jwk_thumbprint(keyfiles.jwk(k)) for k in keyfiles.ASYMMETRIC_KINDS if k != kind}
    assert value not in others


def test_thumbprint_oct_and_okp_members() -> None:
    oct_jwk = {"kty": "oct", "k": "c2VjcmV0", "alg": "HS256"}
    assert jwk_thumbprint(oct_jwk) == jwk_thumbprint({"k": "c2VjcmV0", "kty": "oct"})
    assert jwk_thumbprint(oct_jwk) != jwk_thumbprint({"kty": "oct", "k": "c2VjcmV1"})
    ed = keyfiles.jwk("ed25519")
    assert jwk_thumbprint(ed) == jwk_thumbprint({"crv": ed["crv"], "x": ed["x"], "kty": "OKP", "kid": "x"})


def test_thumbprint_errors() -> None:
    with pytest.raises(InvalidKeyError):
        jwk_thumbprint({"kty": "RSA", "n": "AQAB"})  # no e
    with pytest.raises(InvalidKeyError):
        jwk_thumbprint({"kty": "EC", "crv": "P-256", "x": "AA", "y": 5})
    with pytest.raises(InvalidKeyError):
        jwk_thumbprint({"kty": "XYZ"})
    with pytest.raises(InvalidKeyError):
        jwk_thumbprint({"n": "AQAB", "e": "AQAB"})
    with pytest.raises(InvalidKeyError):
        jwk_thumbprint(["kty"])  # type: ignore[arg-type]
    with raises_exactly(PyJWKError, match="Unsupported thumbprint hash: 'MD5'"):
        jwk_thumbprint(RFC7638_JWK, "MD5")


def test_alg_none_jwk_is_unusable_and_skipped() -> None:
    none_jwk = {"kty": "oct", "k": "c2VjcmV0", "alg": "none", "kid": "n"}
    with raises_exactly(PyJWKError, match="Unable to find an algorithm for key"):
        PyJWK(none_jwk)
    with pytest.raises(NotImplementedError):  # PyJWT's behaviour, which breaks the whole set
        pyjwt.PyJWK(none_jwk)
    jwks = PyJWKSet([none_jwk, {"kty": "oct", "k": "c2VjcmV0", "kid": "h"}])
    assert [k.key_id for k in jwks] == ["h"]


@pytest.mark.parametrize("alg", [["RS256"], 5, {"a": 1}])
def test_non_string_alg_is_pyjwk_error(alg: object) -> None:
    with raises_exactly(PyJWKError, match="Unable to find an algorithm for key"):
        PyJWK(dict(keyfiles.jwk("rsa2048"), alg=alg))


_MEMBER_VALUES = st.one_of(
    st.sampled_from(
        ["EC", "RSA", "OKP", "oct", "P-256", "P-521", "secp256k1", "Ed25519", "Ed448", "AQAB", "AA", "", "none"]
    ),
    st.sampled_from(["HS256", "RS256", "ES256", "EdDSA", "PS512", "ES256K"]),
    st.integers(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["kty", "crv", "x", "y", "d", "n", "e", "k", "alg", "p", "q", "kid"]), _MEMBER_VALUES
    )
)
def test_pyjwk_of_junk_raises_only_pyjwt_errors(jwk: dict[str, object]) -> None:
    try:
        PyJWK(jwk)
    except PyJWTError:  # the property is the hierarchy: any PyJWT error, never another exception
        pass


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ({"k": "c3VwZXItc2VjcmV0LWhtYWMta2V5", "kid": "no-kty"}, InvalidKeyError, "kty is not found"),
        (
            {"kty": "oct", "alg": "XX1", "k": "c3VwZXItc2VjcmV0LWhtYWMta2V5", "kid": "bad-alg"},
            PyJWKError,
            "Unable to find an algorithm for key",
        ),
        (
            {"kty": "oct", "alg": "none", "k": "c3VwZXItc2VjcmV0LWhtYWMta2V5", "kid": "none-alg"},
            PyJWKError,
            "Unable to find an algorithm for key",
        ),
        (
            {"kty": "OKP", "d": "c3VwZXItc2VjcmV0LWhtYWMta2V5", "x": "AA", "kid": "no-crv"},
            InvalidKeyError,
            "crv is not found",
        ),
    ],
)
def test_pyjwk_errors_do_not_echo_key_material(data: dict[str, Any], error: type[Exception], message: str) -> None:
    with raises_exactly(error, match=message) as info:
        PyJWK(data)
    message = str(info.value)
    assert "c3VwZXItc2VjcmV0LWhtYWMta2V5" not in message
    assert data["kid"] in message  # still says which key
