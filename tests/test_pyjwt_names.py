"""Every public name of PyJWT 2.15.1's modules exists in fastjwt's module of the same name.

The lists below were read from the PyJWT 2.15.1 sdist: for each module, the names it binds at run time that do not
start with an underscore and are its own or come from another ``jwt`` module (names it imports from the standard
library, ``typing`` or ``cryptography`` are not API). Code written for PyJWT imports any of them, e.g.
``from jwt.algorithms import RSAAlgorithm`` or ``from jwt.api_jws import InvalidSignatureError``.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

import fastjwt

PYJWT_2_15_1_NAMES: dict[str, tuple[str, ...]] = {
    "jwt": (
        "DecodeError", "ExpiredSignatureError", "ImmatureSignatureError", "InsecureKeyLengthWarning",
        "InvalidAlgorithmError", "InvalidAudienceError", "InvalidIssuedAtError", "InvalidIssuerError",
        "InvalidKeyError", "InvalidSignatureError", "InvalidTokenError", "MissingRequiredClaimError", "PyJWK",
        "PyJWKClient", "PyJWKClientConnectionError", "PyJWKClientError", "PyJWKError", "PyJWKSet", "PyJWKSetError",
        "PyJWS", "PyJWT", "PyJWTError", "decode", "decode_complete", "encode", "get_algorithm_by_name",
        "get_unverified_header", "register_algorithm", "unregister_algorithm",
    ),
    "jwt.algorithms": (
        "Algorithm", "AllowedECKeys", "AllowedKeys", "AllowedOKPKeys", "AllowedPrivateKeys", "AllowedPublicKeys",
        "AllowedRSAKeys", "ECAlgorithm", "HMACAlgorithm", "HashlibHash", "InvalidKeyError", "JWKDict",
        "NoneAlgorithm", "OKPAlgorithm", "RSAAlgorithm", "RSAPSSAlgorithm", "base64url_decode", "base64url_encode",
        "der_to_raw_signature", "force_bytes", "from_base64url_uint", "get_default_algorithms", "has_crypto",
        "is_pem_format", "is_ssh_key", "raw_to_der_signature", "requires_cryptography", "to_base64url_uint",
    ),
    "jwt.api_jwk": (
        "InvalidKeyError", "JWKDict", "MissingCryptographyError", "PyJWK", "PyJWKError", "PyJWKSet", "PyJWKSetError",
        "PyJWTError", "PyJWTSetWithTimestamp", "get_default_algorithms", "has_crypto", "requires_cryptography",
    ),
    "jwt.api_jws": (
        "Algorithm", "DecodeError", "InsecureKeyLengthWarning", "InvalidAlgorithmError", "InvalidKeyError",
        "InvalidSignatureError", "InvalidTokenError", "PyJWK", "PyJWS", "RemovedInPyjwt3Warning", "base64url_decode",
        "base64url_encode", "decode", "decode_complete", "encode", "get_algorithm_by_name", "get_default_algorithms",
        "get_unverified_header", "has_crypto", "register_algorithm", "requires_cryptography", "unregister_algorithm",
    ),
    "jwt.api_jwt": (
        "DecodeError", "ExpiredSignatureError", "ImmatureSignatureError", "InvalidAudienceError",
        "InvalidIssuedAtError", "InvalidIssuerError", "InvalidJTIError", "InvalidSubjectError",
        "MissingRequiredClaimError", "PyJWS", "PyJWT", "RemovedInPyjwt3Warning", "decode", "decode_complete", "encode",
    ),
    "jwt.utils": (
        "base64url_decode", "base64url_encode", "bytes_from_int", "bytes_to_number", "der_to_raw_signature",
        "force_bytes", "from_base64url_uint", "is_pem_format", "is_ssh_key", "number_to_bytes",
        "raw_to_der_signature", "to_base64url_uint",
    ),
    "jwt.exceptions": (
        "DecodeError", "ExpiredSignatureError", "ImmatureSignatureError", "InvalidAlgorithmError",
        "InvalidAudienceError", "InvalidIssuedAtError", "InvalidIssuerError", "InvalidJTIError", "InvalidKeyError",
        "InvalidSignatureError", "InvalidSubjectError", "InvalidTokenError", "MissingCryptographyError",
        "MissingRequiredClaimError", "PyJWKClientConnectionError", "PyJWKClientError", "PyJWKError", "PyJWKSetError",
        "PyJWTError",
    ),
    "jwt.types": ("FullOptions", "HashlibHash", "JWKDict", "Options", "SigOptions"),
    "jwt.warnings": ("InsecureKeyLengthWarning", "RemovedInPyjwt3Warning"),
    "jwt.jwks_client": (
        "JWKSetCache", "PyJWK", "PyJWKClient", "PyJWKClientConnectionError", "PyJWKClientError", "PyJWKSet",
        "decode_token",
    ),
    "jwt.jwk_set_cache": ("JWKSetCache", "PyJWKSet", "PyJWKSetError", "PyJWTSetWithTimestamp"),
}  # fmt: skip

# Names still missing from modules this change does not own (fastjwt.api_jwt, .jwks_client, .jwk_set_cache): listed
# so the test fails both when a new gap opens and when one of these is filled (then delete it here).
KNOWN_GAPS: dict[str, set[str]] = {
    "jwt.api_jwt": {
        "ExpiredSignatureError", "ImmatureSignatureError", "InvalidAudienceError", "InvalidIssuedAtError",
        "InvalidIssuerError", "InvalidJTIError", "InvalidSubjectError", "MissingRequiredClaimError",
        "RemovedInPyjwt3Warning",
    },
    "jwt.jwks_client": {"decode_token"},
    "jwt.jwk_set_cache": {"PyJWTSetWithTimestamp"},
}  # fmt: skip

# Public class members (methods, properties, class attributes) PyJWT 2.15.1 defines, for the classes of the modules
# whose code is fastjwt's key layer and its faces.
PYJWT_2_15_1_MEMBERS: dict[str, tuple[str, ...]] = {
    "algorithms.Algorithm": (
        "check_crypto_key_type", "check_key_length", "compute_hash_digest", "from_jwk", "prepare_key", "sign",
        "to_jwk", "verify",
    ),
    "algorithms.NoneAlgorithm": ("from_jwk", "prepare_key", "sign", "to_jwk", "verify"),
    "algorithms.HMACAlgorithm": (
        "SHA256", "SHA384", "SHA512", "check_key_length", "from_jwk", "prepare_key", "sign", "to_jwk", "verify",
    ),
    "algorithms.RSAAlgorithm": (
        "SHA256", "SHA384", "SHA512", "check_key_length", "from_jwk", "prepare_key", "sign", "to_jwk", "verify",
    ),
    "algorithms.RSAPSSAlgorithm": ("sign", "verify"),
    "algorithms.ECAlgorithm": ("SHA256", "SHA384", "SHA512", "from_jwk", "prepare_key", "sign", "to_jwk", "verify"),
    "algorithms.OKPAlgorithm": ("from_jwk", "prepare_key", "sign", "to_jwk", "verify"),
    "api_jwk.PyJWK": ("from_dict", "from_json", "key_id", "key_type", "public_key_use"),
    "api_jwk.PyJWKSet": ("from_dict", "from_json"),
    "api_jwk.PyJWTSetWithTimestamp": ("get_jwk_set", "get_timestamp"),
    "api_jws.PyJWS": (
        "decode", "decode_complete", "encode", "get_algorithm_by_name", "get_algorithms", "get_unverified_header",
        "header_typ", "register_algorithm", "unregister_algorithm",
    ),
}  # fmt: skip


def _fastjwt_module(pyjwt_module: str) -> object:
    return importlib.import_module("fastjwt" + pyjwt_module.removeprefix("jwt"))


@pytest.mark.parametrize("module", sorted(PYJWT_2_15_1_NAMES))
def test_every_pyjwt_name_exists_in_the_same_fastjwt_module(module: str) -> None:
    ours = _fastjwt_module(module)
    missing = {name for name in PYJWT_2_15_1_NAMES[module] if not hasattr(ours, name)}
    assert missing == KNOWN_GAPS.get(module, set())


@pytest.mark.parametrize("qualified", sorted(PYJWT_2_15_1_MEMBERS))
def test_every_pyjwt_class_member_exists(qualified: str) -> None:
    module, cls_name = qualified.split(".")
    cls = getattr(importlib.import_module(f"fastjwt.{module}"), cls_name)
    assert inspect.isclass(cls)
    missing = [name for name in PYJWT_2_15_1_MEMBERS[qualified] if not hasattr(cls, name)]
    assert missing == []


def test_same_names_are_the_same_objects_across_modules() -> None:
    """A name PyJWT re-exports is one object in fastjwt too: ``except`` and ``isinstance`` see no copies."""
    from fastjwt import algorithms, api_jwk, api_jws, exceptions, utils

    assert api_jws.InvalidSignatureError is exceptions.InvalidSignatureError is fastjwt.InvalidSignatureError
    assert api_jwk.PyJWKSetError is exceptions.PyJWKSetError
    assert api_jws.PyJWK is api_jwk.PyJWK is fastjwt.PyJWK
    assert api_jws.Algorithm is algorithms.Algorithm
    assert algorithms.is_pem_format is utils.is_pem_format
    assert api_jws.base64url_encode is utils.base64url_encode
    assert api_jwk.get_default_algorithms is algorithms.get_default_algorithms
