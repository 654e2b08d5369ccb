"""EdDSA keys (``EdDSA`` with Ed25519 or Ed448, RFC 8037): accept, JWK ``OKP`` in and out, sign, verify, prepare."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey, Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .. import _core
from .._text import printable
from ..exceptions import InvalidKeyError
from . import _codec, _forms

__all__ = ["accept", "check_length", "from_jwk", "prepare", "sign", "to_jwk", "verify"]

PRIVATE_TYPES = (Ed25519PrivateKey, Ed448PrivateKey)
PUBLIC_TYPES = (Ed25519PublicKey, Ed448PublicKey)
KEY_TYPES = (Ed25519PrivateKey, Ed448PrivateKey, Ed25519PublicKey, Ed448PublicKey)
OKPKeys = Ed25519PrivateKey | Ed25519PublicKey | Ed448PrivateKey | Ed448PublicKey

# JWK "crv" -> (private key class, public key class).
_JWK_CURVES: dict[str, tuple[Any, Any]] = {
    "Ed25519": (Ed25519PrivateKey, Ed25519PublicKey),
    "Ed448": (Ed448PrivateKey, Ed448PublicKey),
}


def _family_check(key: Any) -> OKPKeys:
    if not isinstance(key, KEY_TYPES):
        raise InvalidKeyError(_forms.wrong_family(key, KEY_TYPES, "OKPAlgorithm"))
    return key


def accept(key: Any) -> OKPKeys:
    """An Ed25519/Ed448 key object: the object itself, or read from PEM (PKCS#8, SPKI) or OpenSSH text.

    :raises InvalidKeyError: unreadable text, or anything that is not an EdDSA key (non-text values included).
    """
    if not isinstance(key, (str, bytes)):
        return _family_check(key)
    loaded = _forms.load_key_text(_codec.text_bytes(key))
    if loaded is None:
        raise InvalidKeyError("Could not parse the provided key.")
    return _family_check(loaded)


def check_length(key: OKPKeys) -> str | None:
    """None: an EdDSA key has the one size its curve defines."""
    return None


def _raw_public(key: OKPKeys) -> bytes:
    if isinstance(key, PRIVATE_TYPES):
        return key.public_key().public_bytes_raw()
    return key.public_bytes_raw()


def from_jwk(jwk: dict[str, Any]) -> OKPKeys:
    """An Ed25519/Ed448 key object from an ``OKP`` JWK (private when it has ``d``, which must match ``x``).

    :raises InvalidKeyError: not ``OKP``, another curve, ``x`` missing, or a member that is not a key of the curve
        (bad Base64url, wrong length, ``d`` that does not give ``x``).
    """
    if jwk.get("kty") != "OKP":
        raise InvalidKeyError("Not an Octet Key Pair")
    crv = jwk.get("crv")
    classes = _JWK_CURVES.get(crv) if isinstance(crv, str) else None
    if classes is None:
        raise InvalidKeyError(f"Invalid curve: {printable(crv)}")
    if "x" not in jwk:
        raise InvalidKeyError('OKP should have "x" parameter')
    private_class, public_class = classes
    try:
        x = _codec.decode(jwk["x"])
        if "d" not in jwk:
            return public_class.from_public_bytes(x)  # type: ignore[no-any-return]
        key = private_class.from_private_bytes(_codec.decode(jwk["d"]))
    except ValueError as error:  # binascii.Error included
        raise InvalidKeyError("Invalid key parameter") from error
    if _raw_public(key) != x:
        raise InvalidKeyError("Public key does not match private key")
    return key  # type: ignore[no-any-return]


def to_jwk(key: OKPKeys) -> dict[str, Any]:
    """``key`` as an ``OKP`` JWK (members in PyJWT's order, so the JSON text is the same).

    :raises InvalidKeyError: ``key`` is not an EdDSA key object.
    """
    if not isinstance(key, KEY_TYPES):
        raise InvalidKeyError("Not a public or private key")
    crv = "Ed25519" if isinstance(key, (Ed25519PrivateKey, Ed25519PublicKey)) else "Ed448"
    jwk = {"x": _codec.encode_text(_raw_public(key))}
    if isinstance(key, PRIVATE_TYPES):
        jwk["d"] = _codec.encode_text(key.private_bytes_raw())
    jwk.update(kty="OKP", crv=crv)
    return jwk


def _text_as_bytes(value: Any) -> Any:
    # EdDSA's sign and verify take str too (UTF-8), as PyJWT's OKPAlgorithm does.
    return value.encode("utf-8") if isinstance(value, str) else _codec.as_bytes(value)


def sign(key: OKPKeys, msg: str | bytes) -> bytes:
    """The EdDSA signature of ``msg`` (a ``str`` is signed as UTF-8)."""
    return _core.EdKey("EdDSA", key, None).sign(_text_as_bytes(msg))


def verify(key: OKPKeys, msg: str | bytes, sig: str | bytes) -> bool:
    """Whether ``sig`` is a valid EdDSA signature of ``msg``; a private key verifies with its public half."""
    return _core.EdKey("EdDSA", key, None).verify(_text_as_bytes(msg), _text_as_bytes(sig))


def prepare(alg: str, key: Any) -> _core.PreparedKey:
    """The core's prepared EdDSA key for ``alg``: ``key`` accepted once."""
    return _core.EdKey(alg, accept(key), None)
