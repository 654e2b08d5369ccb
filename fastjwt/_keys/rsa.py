"""RSA keys (RS256/384/512 with PKCS#1 v1.5, PS256/384/512 with PSS): accept, check, JWK in and out, sign, prepare.

Signing and verifying go through the core's ``RSAKey``, the same object the token paths use, so there is one
implementation of each padding; PSS uses MGF1 with the signing hash and a salt as long as the hash (RFC 7518 3.5).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import (
    RSAPrivateKey,
    RSAPrivateNumbers,
    RSAPublicKey,
    RSAPublicNumbers,
    rsa_crt_dmp1,
    rsa_crt_dmq1,
    rsa_crt_iqmp,
    rsa_recover_prime_factors,
)

from .. import _core
from ..exceptions import InvalidKeyError
from . import _codec, _forms

__all__ = ["MIN_KEY_SIZE", "accept", "check_length", "from_jwk", "prepare", "sign", "to_jwk", "verify"]

#: Moduli shorter than this many bits draw a warning (NIST SP 800-131A).
MIN_KEY_SIZE = 2048

KEY_TYPES = (RSAPrivateKey, RSAPublicKey)
RSAKeys = RSAPrivateKey | RSAPublicKey

# The CRT members of a two-prime private JWK (RFC 7518 6.3.2), all present or all absent.
_CRT_MEMBERS = ("p", "q", "dp", "dq", "qi")


def _family_check(key: Any) -> RSAKeys:
    if not isinstance(key, KEY_TYPES):
        raise InvalidKeyError(_forms.wrong_family(key, KEY_TYPES, "RSAAlgorithm"))
    return key


def accept(key: Any) -> RSAKeys:
    """An RSA key object from ``key``: the object itself, or read from PEM (PKCS#1, PKCS#8, SPKI) or OpenSSH text.

    :raises InvalidKeyError: unreadable text, or a key of another family.
    :raises TypeError: neither a key object nor ``str``/``bytes``.
    """
    if isinstance(key, KEY_TYPES):
        return key
    if isinstance(key, (str, bytes)):
        loaded = _forms.load_key_text(_codec.text_bytes(key))
        if loaded is None:
            raise InvalidKeyError("Could not parse the provided public key.")
        return _family_check(loaded)
    if isinstance(key, _forms.KEY_OBJECT_TYPES):
        _family_check(key)
    raise TypeError("Expecting a PEM-formatted key.")


def check_length(key: RSAKeys) -> str | None:
    """The warning for a modulus under :data:`MIN_KEY_SIZE` bits, or None."""
    if key.key_size >= MIN_KEY_SIZE:
        return None
    return (
        f"The RSA key is {key.key_size} bits long, which is below the minimum recommended size of "
        f"{MIN_KEY_SIZE} bits. See NIST SP 800-131A."
    )


def _private_numbers(jwk: dict[str, Any], public: RSAPublicNumbers) -> RSAPrivateNumbers:
    d = _codec.decode_uint(jwk["d"])
    if "p" in jwk:
        p, q, dp, dq, qi = (_codec.decode_uint(jwk[name]) for name in _CRT_MEMBERS)
    else:  # only d: the primes follow from n, e and d, and the CRT values from them
        p, q = rsa_recover_prime_factors(public.n, public.e, d)
        dp, dq, qi = rsa_crt_dmp1(d, p), rsa_crt_dmq1(d, q), rsa_crt_iqmp(p, q)
    return RSAPrivateNumbers(p=p, q=q, d=d, dmp1=dp, dmq1=dq, iqmp=qi, public_numbers=public)


def from_jwk(jwk: dict[str, Any]) -> RSAKeys:
    """An RSA key object from an ``RSA`` JWK: public (``n``, ``e``) or private (``d``, with or without CRT members).

    :raises InvalidKeyError: not ``RSA``, ``n`` or ``e`` missing, more than two primes, or CRT members incomplete.
    :raises binascii.Error: a member is not strict Base64url.
    :raises ValueError: ``cryptography`` refuses the numbers.
    """
    if jwk.get("kty") != "RSA":
        raise InvalidKeyError("Not an RSA key")
    if "n" not in jwk or "e" not in jwk:
        raise InvalidKeyError("Not a public or private key")
    if "d" in jwk:
        if "oth" in jwk:
            raise InvalidKeyError("Unsupported RSA private key: > 2 primes not supported")
        present = sum(name in jwk for name in _CRT_MEMBERS)
        if present not in (0, len(_CRT_MEMBERS)):
            raise InvalidKeyError("RSA key must include all parameters if any are present besides d")
    public = RSAPublicNumbers(e=_codec.decode_uint(jwk["e"]), n=_codec.decode_uint(jwk["n"]))
    if "d" not in jwk:
        return public.public_key()
    return _private_numbers(jwk, public).private_key()


def _public_members(numbers: RSAPublicNumbers, operation: str) -> dict[str, Any]:
    return {
        "kty": "RSA",
        "key_ops": [operation],
        "n": _codec.encode_uint_text(numbers.n),
        "e": _codec.encode_uint_text(numbers.e),
    }


def to_jwk(key: RSAKeys) -> dict[str, Any]:
    """``key`` as an ``RSA`` JWK: public members, plus the private ones (with CRT) for a private key.

    Members come in PyJWT's order with its ``key_ops``, so the JSON text matches PyJWT's byte for byte.

    :raises InvalidKeyError: ``key`` is not an RSA key object.
    """
    if isinstance(key, RSAPublicKey):
        return _public_members(key.public_numbers(), "verify")
    if not isinstance(key, RSAPrivateKey):
        raise InvalidKeyError("Not a public or private key")
    numbers = key.private_numbers()
    jwk = _public_members(numbers.public_numbers, "sign")
    private = (numbers.d, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp)
    jwk.update(zip(("d", *_CRT_MEMBERS), map(_codec.encode_uint_text, private), strict=True))
    return jwk


def _prepared(alg: str, key: RSAKeys, hash_alg: Any, pss: bool, key_length_msg: str | None) -> _core.PreparedKey:
    return _core.RSAKey(alg, key, hash_alg(), pss, key_length_msg)


def sign(key: RSAPrivateKey, msg: bytes, hash_alg: Any, pss: bool) -> bytes:
    """The RSA signature of ``msg`` (PSS when ``pss``, else PKCS#1 v1.5) under the ``cryptography`` hash class."""
    return _prepared("RSA", key, hash_alg, pss, None).sign(_codec.as_bytes(msg))


def verify(key: RSAKeys, msg: bytes, sig: bytes, hash_alg: Any, pss: bool) -> bool:
    """Whether ``sig`` is a valid signature of ``msg``; a private key verifies with its public half."""
    return _prepared("RSA", key, hash_alg, pss, None).verify(_codec.as_bytes(msg), _codec.as_bytes(sig))


def prepare(alg: str, key: Any, hash_alg: Any, pss: bool) -> _core.PreparedKey:
    """The core's prepared RSA key for ``alg``: ``key`` accepted and its length judged once."""
    rsa_key = accept(key)
    return _prepared(alg, rsa_key, hash_alg, pss, check_length(rsa_key))
