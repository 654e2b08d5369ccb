"""HMAC secrets (HS256, HS384, HS512): accept, check the length, JWK ``oct`` in and out, sign, verify, prepare.

A secret is any non-empty ``str`` (UTF-8) or ``bytes`` that is not key material of another kind: a public key
offered as an HMAC secret is the algorithm-confusion attack (see :mod:`fastjwt._keys._forms`), so PEM, DER, OpenSSH,
certificates and JWK text are refused here, as are ``cryptography`` key objects.
"""

from __future__ import annotations

import hmac as stdlib_hmac
from typing import Any

from .. import _core
from ..exceptions import InvalidKeyError
from . import _codec, _forms
from .registry import HMAC_CORE_HASHES

__all__ = ["accept", "check_length", "from_jwk", "prepare", "sign", "to_jwk", "verify"]

# PyJWT's wording for each refusal; callers match on these.
EMPTY_SECRET = "HMAC key must not be empty."
NOT_A_SECRET = "The specified key is an asymmetric key or x509 certificate and should not be used as an HMAC secret."
JWK_AS_SECRET = (
    "The specified key looks like a JWK and should not be used directly as an HMAC secret. "
    "Load it via PyJWK / HMACAlgorithm.from_jwk first."
)


def accept(key: Any) -> bytes:
    """The secret bytes of ``key``, after refusing anything that is not a plain secret.

    :raises InvalidKeyError: empty, a ``cryptography`` key or certificate object, or text that carries a key.
    :raises TypeError: neither ``str`` nor ``bytes``.
    """
    if not isinstance(key, (str, bytes)) and isinstance(key, _forms.KEY_OBJECT_TYPES):
        raise InvalidKeyError(NOT_A_SECRET)
    secret = _codec.text_bytes(key)
    if not secret:
        raise InvalidKeyError(EMPTY_SECRET)
    if _forms.is_asymmetric_material(secret):
        raise InvalidKeyError(NOT_A_SECRET)
    if _forms.looks_like_jwk(secret):
        # Even an "oct" JWK: its JSON text is not the secret it describes.
        raise InvalidKeyError(JWK_AS_SECRET)
    return secret


def check_length(secret: bytes, hash_alg: Any) -> str | None:
    """The warning for a secret shorter than the hash output (RFC 7518 3.2), or None when it is long enough.

    ``hash_alg`` is a hashlib constructor or a ``cryptography`` hash class: anything whose instances have ``name``
    and ``digest_size``.
    """
    hash_obj = hash_alg()
    if len(secret) >= hash_obj.digest_size:
        return None
    return (
        f"The HMAC key is {len(secret)} bytes long, which is below the minimum recommended length of "
        f"{hash_obj.digest_size} bytes for {hash_obj.name.upper()}. See RFC 7518 Section 3.2."
    )


def from_jwk(jwk: dict[str, Any]) -> bytes:
    """The secret of an ``oct`` JWK (its ``k`` member).

    :raises InvalidKeyError: not ``oct``, no ``k``, or an empty secret.
    :raises binascii.Error: ``k`` is not strict Base64url.
    """
    if jwk.get("kty") != "oct":
        raise InvalidKeyError("Not an HMAC key")
    if "k" not in jwk:
        raise InvalidKeyError('HMAC key must have a "k" parameter')
    secret = _codec.decode(jwk["k"])
    if not secret:
        raise InvalidKeyError(EMPTY_SECRET)
    return secret


def to_jwk(secret: str | bytes) -> dict[str, Any]:
    """``secret`` as an ``oct`` JWK (members in PyJWT's order, so the JSON text is the same)."""
    return {"k": _codec.encode_text(_codec.text_bytes(secret)), "kty": "oct"}


def sign(secret: bytes, msg: bytes, hash_alg: Any) -> bytes:
    """The HMAC of ``msg`` under ``secret`` with any hashlib constructor."""
    return stdlib_hmac.digest(secret, msg, hash_alg)


def verify(secret: bytes, msg: bytes, sig: bytes, hash_alg: Any) -> bool:
    """Whether ``sig`` is the HMAC of ``msg``, compared in constant time."""
    return stdlib_hmac.compare_digest(sig, sign(secret, msg, hash_alg))


def prepare(alg: str, key: Any, hash_alg: Any) -> _core.PreparedKey:
    """The core's prepared HMAC key for ``alg``: ``key`` accepted, its length judged, the key schedule run once.

    ``hash_alg`` must be one of the hashlib constructors in :data:`~fastjwt._keys.registry.HMAC_CORE_HASHES`.
    """
    secret = accept(key)
    return _core.HMACKey(alg, secret, HMAC_CORE_HASHES[hash_alg](), check_length(secret, hash_alg))
