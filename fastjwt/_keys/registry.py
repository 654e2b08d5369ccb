"""What each JWS ``alg`` means for keys, and which algorithm objects the key layer can prepare natively.

:data:`STANDARD` maps every ``alg`` fastjwt implements (RFC 7518, RFC 8037, RFC 8812) to a :class:`Scheme`: the key
family, the hash and, for ECDSA, the curve. The algorithm objects users see (``fastjwt.algorithms``) are built from
it, and so is the ``alg`` a JWK gets when it names none.

Algorithm *objects* reach the key layer too (``PyJWS.register_algorithm`` accepts any ``Algorithm``). The classes
that merely face a family here are registered with :func:`register_face`; an object whose exact class is one of
them is prepared by the family module directly, reading only the attributes PyJWT defines on it (``hash_alg``,
``expected_curve``). Anything else, a user's subclass included, keeps its own ``prepare_key``/``sign``/``verify``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ec import SECP256K1, SECP256R1, SECP384R1, SECP521R1, EllipticCurve

__all__ = [
    "HMAC",
    "RSA",
    "RSA_PSS",
    "EC",
    "OKP",
    "NONE",
    "Scheme",
    "STANDARD",
    "HMAC_CORE_HASHES",
    "family_of",
    "hash_digest",
    "register_face",
]

# Families: how a key is loaded and used. RSA_PSS shares RSA's keys, not its padding.
NONE = "none"
HMAC = "HMAC"
RSA = "RSA"
RSA_PSS = "RSA-PSS"
EC = "EC"
OKP = "OKP"


@dataclass(frozen=True)
class Scheme:
    """The key-side meaning of one ``alg``.

    :ivar family: one of the family names above.
    :ivar hash_alg: the hash as the algorithm objects hold it: a :mod:`hashlib` constructor for HMAC, a
        ``cryptography`` hash class for RSA and ECDSA, None otherwise.
    :ivar curve: the ``cryptography`` curve class an ECDSA key must be on.
    """

    family: str
    hash_alg: Any = None
    curve: type[EllipticCurve] | None = None


STANDARD: Mapping[str, Scheme] = MappingProxyType(
    {
        "none": Scheme(NONE),
        "HS256": Scheme(HMAC, hashlib.sha256),
        "HS384": Scheme(HMAC, hashlib.sha384),
        "HS512": Scheme(HMAC, hashlib.sha512),
        "RS256": Scheme(RSA, hashes.SHA256),
        "RS384": Scheme(RSA, hashes.SHA384),
        "RS512": Scheme(RSA, hashes.SHA512),
        "ES256": Scheme(EC, hashes.SHA256, SECP256R1),
        "ES256K": Scheme(EC, hashes.SHA256, SECP256K1),
        "ES384": Scheme(EC, hashes.SHA384, SECP384R1),
        "ES521": Scheme(EC, hashes.SHA512, SECP521R1),
        "ES512": Scheme(EC, hashes.SHA512, SECP521R1),  # the name PyJWT has always accepted for P-521
        "PS256": Scheme(RSA_PSS, hashes.SHA256),
        "PS384": Scheme(RSA_PSS, hashes.SHA384),
        "PS512": Scheme(RSA_PSS, hashes.SHA512),
        "EdDSA": Scheme(OKP),
    }
)

# Exact classes of algorithm objects that face a family (filled by fastjwt.algorithms).
_faces: dict[type, str] = {}


def register_face(cls: type, family: str) -> None:
    """Declare that objects of exactly ``cls`` (not its subclasses) are plain faces of ``family``."""
    _faces[cls] = family


def _is_hash_class(hash_alg: Any) -> bool:
    return isinstance(hash_alg, type) and issubclass(hash_alg, hashes.HashAlgorithm)


# HMAC hashes the prepared keys compute through cryptography: hashlib constructor -> cryptography hash class.
HMAC_CORE_HASHES: Mapping[Callable[..., Any], type[hashes.HashAlgorithm]] = MappingProxyType(
    {hashlib.sha256: hashes.SHA256, hashlib.sha384: hashes.SHA384, hashlib.sha512: hashes.SHA512}
)


def family_of(algorithm: object) -> str | None:
    """The family that prepares ``algorithm``'s keys natively, or None when the object must do it itself.

    None for classes not registered as faces, for subclasses of them, and for faces built with a hash the prepared
    keys cannot compute (an HMAC over another hashlib function, or an RSA/ECDSA "hash" that is not a
    ``cryptography`` hash class).
    """
    family = _faces.get(type(algorithm))
    if family is None or family == OKP:
        return family
    hash_alg = getattr(algorithm, "hash_alg", None)
    if family == HMAC:
        try:
            return family if hash_alg in HMAC_CORE_HASHES else None
        except TypeError:  # an unhashable "hash"
            return None
    return family if _is_hash_class(hash_alg) else None


def hash_digest(hash_alg: Any, data: bytes) -> bytes:
    """The digest of ``data`` under ``hash_alg``: a ``cryptography`` hash class or a hashlib-style constructor."""
    if _is_hash_class(hash_alg):
        digest = hashes.Hash(hash_alg())
        digest.update(data)
        return digest.finalize()
    return bytes(hash_alg(data).digest())
