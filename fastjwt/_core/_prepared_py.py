"""Prepared keys over ``cryptography`` (twin of ``prepared.pxi``)."""

from __future__ import annotations

import hmac as _stdlib_hmac
from typing import Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from ..exceptions import (
    InvalidKeyError,
)
from ._common_py import _given


class PreparedKey:
    """A key made ready once for one algorithm: ``sign(msg)`` and ``verify(msg, sig)`` with no per-call parsing."""

    __slots__ = ("alg", "key", "key_length_msg")

    alg: Any  # the header's "alg", already checked by check_algorithm
    key: Any
    key_length_msg: str | None

    def sign(self, msg: bytes) -> bytes:  # pragma: no cover - overridden
        raise InvalidKeyError("this key cannot sign")

    def verify(self, msg: bytes, sig: bytes) -> bool:  # pragma: no cover - overridden
        return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.alg}>"


class HMACKey(PreparedKey):
    """HMAC with a keyed context that is copied per message (the key schedule runs once)."""

    __slots__ = ("_keyed",)

    def __init__(self, alg: str, secret: bytes, hash_algorithm: hashes.HashAlgorithm, key_length_msg: str | None):
        self.alg = alg
        self.key = None  # the secret is kept only inside the keyed context
        self.key_length_msg = key_length_msg
        self._keyed = crypto_hmac.HMAC(secret, hash_algorithm)

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        h = self._keyed.copy()
        h.update(msg)
        return h.finalize()

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        h = self._keyed.copy()
        h.update(msg)
        return _stdlib_hmac.compare_digest(h.finalize(), sig)


class RSAKey(PreparedKey):
    """RSASSA-PKCS1-v1_5 or RSASSA-PSS (salt length = hash length, as PyJWT)."""

    __slots__ = ("_private", "_public", "_padding", "_hash")

    def __init__(self, alg: str, key: Any, hash_algorithm: hashes.HashAlgorithm, pss: bool, key_length_msg: str | None):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._hash = hash_algorithm
        self._padding = (
            padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=hash_algorithm.digest_size)
            if pss
            else padding.PKCS1v15()
        )
        self._private = key if hasattr(key, "private_numbers") else None
        self._public = key.public_key() if self._private is not None else key

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        return cast(bytes, self._private.sign(msg, self._padding, self._hash))

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        try:
            self._public.verify(sig, msg, self._padding, self._hash)
        except InvalidSignature:
            return False
        return True


def raw_to_der(sig: bytes, size: int) -> bytes | None:
    """Raw ``r || s`` (each ``size`` bytes) to a DER ECDSA signature; None when the length is not exactly 2*size."""
    _given(sig, "sig")
    if len(sig) != 2 * size or size <= 0 or size > 66:
        return None
    return encode_dss_signature(int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big"))


class ECKey(PreparedKey):
    """ECDSA with JWS's raw fixed-size ``r || s`` signatures (RFC 7518 section 3.4)."""

    __slots__ = ("_private", "_public", "_ecdsa", "_size")

    def __init__(self, alg: str, key: Any, hash_algorithm: hashes.HashAlgorithm, key_length_msg: str | None):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._ecdsa = ECDSA(hash_algorithm)
        self._size = (key.curve.key_size + 7) // 8
        self._private = key if hasattr(key, "private_numbers") else None
        self._public = key.public_key() if self._private is not None else key

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        r, s = decode_dss_signature(self._private.sign(msg, self._ecdsa))
        return r.to_bytes(self._size, "big") + s.to_bytes(self._size, "big")

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        der = raw_to_der(sig, self._size)
        if der is None:
            return False
        try:
            self._public.verify(der, msg, self._ecdsa)
        except InvalidSignature:
            return False
        return True


class EdKey(PreparedKey):
    """EdDSA (Ed25519 or Ed448)."""

    __slots__ = ("_private", "_public")

    def __init__(self, alg: str, key: Any, key_length_msg: str | None):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._private = key if hasattr(key, "private_bytes_raw") else None
        self._public = key.public_key() if self._private is not None else key

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        return cast(bytes, self._private.sign(msg))

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        try:
            self._public.verify(sig, msg)
        except InvalidSignature:
            return False
        return True


class AlgorithmKey(PreparedKey):
    """Any other (registered or subclassed) ``Algorithm``: delegates to its ``sign``/``verify``."""

    __slots__ = ("_algorithm",)

    def __init__(self, alg: str, algorithm: Any, key: Any, key_length_msg: str | None):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._algorithm = algorithm

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        return cast(bytes, self._algorithm.sign(msg, self.key))

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        return bool(self._algorithm.verify(msg, self.key, sig))
