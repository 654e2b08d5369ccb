"""ECDSA keys (ES256, ES256K, ES384, ES512): accept on the right curve, JWK in and out, sign, verify, prepare.

JWS carries an ECDSA signature as raw ``r || s``, each exactly the curve's byte size (RFC 7518 3.4), where
``cryptography`` speaks DER; the core's ``ECKey`` converts, and refuses every other length, DER included.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import (
    SECP256K1,
    SECP256R1,
    SECP384R1,
    SECP521R1,
    EllipticCurve,
    EllipticCurvePrivateKey,
    EllipticCurvePrivateNumbers,
    EllipticCurvePublicKey,
    EllipticCurvePublicNumbers,
)
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .. import _core
from .._text import printable
from ..exceptions import InvalidKeyError
from . import _codec, _forms

__all__ = [
    "accept",
    "check_length",
    "der_signature",
    "from_jwk",
    "prepare",
    "raw_signature",
    "sign",
    "to_jwk",
    "verify",
]

KEY_TYPES = (EllipticCurvePrivateKey, EllipticCurvePublicKey)
ECKeys = EllipticCurvePrivateKey | EllipticCurvePublicKey

# JWK "crv" names (RFC 7518 6.2.1.1, RFC 8812 3.1) -> curve class and coordinate size in bytes.
_JWK_CURVES: dict[str, tuple[type[EllipticCurve], int]] = {
    "P-256": (SECP256R1, 32),
    "P-384": (SECP384R1, 48),
    "P-521": (SECP521R1, 66),
    "secp256k1": (SECP256K1, 32),
}
# cryptography's curve name -> JWK "crv".
_CRV_OF_CURVE = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521", "secp256k1": "secp256k1"}


def _byte_size(curve: EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def _family_check(key: Any) -> ECKeys:
    if not isinstance(key, KEY_TYPES):
        raise InvalidKeyError(_forms.wrong_family(key, KEY_TYPES, "ECAlgorithm"))
    return key


def _curve_check(key: ECKeys, curve: type[EllipticCurve] | None) -> ECKeys:
    if curve is not None and not isinstance(key.curve, curve):
        raise InvalidKeyError(
            f"The key's curve '{key.curve.name}' does not match the expected curve '{curve.name}' for this algorithm"
        )
    return key


def accept(key: Any, curve: type[EllipticCurve] | None = None) -> ECKeys:
    """An EC key object on ``curve`` (any curve when None): the object itself, or read from PEM or OpenSSH text.

    :raises InvalidKeyError: unreadable text, a key of another family, or a key on another curve.
    :raises TypeError: neither a key object nor ``str``/``bytes``.
    """
    if isinstance(key, KEY_TYPES):
        return _curve_check(key, curve)
    if isinstance(key, (str, bytes)):
        loaded = _forms.load_key_text(_codec.text_bytes(key))
        if loaded is None:
            raise InvalidKeyError("Could not parse the provided key.")
        return _curve_check(_family_check(loaded), curve)
    if isinstance(key, _forms.KEY_OBJECT_TYPES):
        _family_check(key)
    raise TypeError("Expecting a PEM-formatted key.")


def check_length(key: ECKeys) -> str | None:
    """None: the curve fixes an EC key's strength, and every curve offered is strong enough."""
    return None


def _coordinate(jwk: dict[str, Any], name: str) -> bytes:
    return _codec.decode(jwk[name])


def from_jwk(jwk: dict[str, Any]) -> ECKeys:
    """An EC key object from an ``EC`` JWK on P-256, P-384, P-521 or secp256k1 (private when it has ``d``).

    :raises InvalidKeyError: not ``EC``, ``x`` or ``y`` missing, unknown ``crv``, or members of the wrong size.
    :raises binascii.Error: a member is not strict Base64url.
    :raises ValueError: the point is not on the curve, or ``d`` does not fit it.
    """
    if jwk.get("kty") != "EC" or "x" not in jwk or "y" not in jwk:
        raise InvalidKeyError("Not an Elliptic curve key")
    x, y = _coordinate(jwk, "x"), _coordinate(jwk, "y")
    crv = jwk.get("crv")
    curve, size = _JWK_CURVES.get(crv, (None, 0)) if isinstance(crv, str) else (None, 0)
    if curve is None:
        raise InvalidKeyError(f"Invalid curve: {printable(crv)}")
    if len(x) != size or len(y) != size:
        raise InvalidKeyError(f"Coords should be {size} bytes for curve {crv}")
    public = EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve())
    if "d" not in jwk:
        return public.public_key()
    d = _coordinate(jwk, "d")
    if len(d) != size:
        raise InvalidKeyError(f"D should be {size} bytes for curve {crv}")
    return EllipticCurvePrivateNumbers(int.from_bytes(d, "big"), public).private_key()


def to_jwk(key: ECKeys) -> dict[str, Any]:
    """``key`` as an ``EC`` JWK (coordinates padded to the curve size; ``d`` too for a private key).

    :raises InvalidKeyError: ``key`` is not an EC key object, or its curve has no JWK name.
    """
    if not isinstance(key, KEY_TYPES):
        raise InvalidKeyError("Not a public or private key")
    crv = _CRV_OF_CURVE.get(key.curve.name)
    if crv is None:
        raise InvalidKeyError(f"Invalid curve: {key.curve.name}")
    bits = key.curve.key_size
    public = key.public_key() if isinstance(key, EllipticCurvePrivateKey) else key
    point = public.public_numbers()
    jwk = {
        "kty": "EC",
        "crv": crv,
        "x": _codec.encode_uint_text(point.x, bits),
        "y": _codec.encode_uint_text(point.y, bits),
    }
    if isinstance(key, EllipticCurvePrivateKey):
        jwk["d"] = _codec.encode_uint_text(key.private_numbers().private_value, bits)
    return jwk


def raw_signature(der: bytes, curve: EllipticCurve) -> bytes:
    """A DER ECDSA signature as JWS's raw ``r || s`` for ``curve``."""
    size = _byte_size(curve)
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def der_signature(raw: bytes, curve: EllipticCurve) -> bytes:
    """A raw ``r || s`` ECDSA signature for ``curve`` as DER.

    :raises ValueError: ``raw`` is not exactly twice the curve's byte size.
    """
    size = _byte_size(curve)
    if len(raw) != 2 * size:
        raise ValueError("Invalid signature")
    return encode_dss_signature(int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big"))


def _prepared(alg: str, key: ECKeys, hash_alg: Any) -> _core.PreparedKey:
    return _core.ECKey(alg, key, hash_alg(), None)


def sign(key: EllipticCurvePrivateKey, msg: bytes, hash_alg: Any) -> bytes:
    """The raw ``r || s`` ECDSA signature of ``msg`` under the ``cryptography`` hash class."""
    return _prepared("EC", key, hash_alg).sign(_codec.as_bytes(msg))


def verify(key: ECKeys, msg: bytes, sig: Any, hash_alg: Any) -> bool:
    """Whether ``sig`` is a valid raw ``r || s`` signature of ``msg``; anything not bytes-like is simply invalid."""
    sig = _codec.as_bytes(sig)
    if not isinstance(sig, bytes):
        return False
    return _prepared("EC", key, hash_alg).verify(_codec.as_bytes(msg), sig)


def prepare(alg: str, key: Any, hash_alg: Any, curve: type[EllipticCurve] | None) -> _core.PreparedKey:
    """The core's prepared ECDSA key for ``alg``: ``key`` accepted on ``curve`` once."""
    return _prepared(alg, accept(key, curve), hash_alg)
