"""PyJWT's algorithm classes (``jwt.algorithms``) as faces over fastjwt's key layer.

Code written for PyJWT subclasses these classes, registers instances with ``register_algorithm`` and tests them
with ``isinstance``, so they stay real classes with PyJWT's attributes (``hash_alg``, ``expected_curve``, the
``SHA256``-style constants) and methods (``prepare_key``, ``sign``, ``verify``, ``to_jwk``, ``from_jwk``,
``check_key_length``, ``compute_hash_digest``). Each method hands the work to the family module in
:mod:`fastjwt._keys` that owns it. Tokens never go through these methods when the object is one of these exact
classes with a hash the core computes: the key layer prepares the core's key from the object's attributes. A
subclass is taken at its word: its own methods sign and verify. The names PyJWT's module imports (its ``utils``
helpers) are importable from here too.

Where fastjwt differs from PyJWT 2.15.1
---------------------------------------
Stricter, for security:

* ``HMACAlgorithm.prepare_key`` refuses (``InvalidKeyError``) every form of asymmetric key material: PEM of any
  label anywhere in the text (also without an END line, or after comments, whitespace or control bytes), SSH2
  blocks, OpenSSH public keys (also ``sk-`` and certificate types, or inside an ``authorized_keys`` line), DER keys,
  certificates and CSRs and their bare Base64, JWK or JWK Set text in any JSON encoding (member names escaped or
  not; ``{"keys": []}`` too), JSON objects nested over 256 levels (PyJWT refuses them from about 990, where its
  parser gives up), and ``cryptography`` key objects (PyJWT raises ``TypeError`` for those). PyJWT catches fewer
  of these (CVE-2022-29217, CVE-2026-48526). An unfinished marker such as ``-----BEGIN PUBLIC KEY`` is a secret, as
  in PyJWT.
* The RSA, EC and EdDSA ``prepare_key`` raise ``InvalidKeyError`` for text they cannot read, encrypted keys
  included, and for key objects of another family (PyJWT lets ``ValueError``, ``TypeError`` or
  ``UnicodeDecodeError`` escape for some of these).
* ``ECAlgorithm.verify`` returns False for a signature that is not bytes-like (PyJWT: ``TypeError``); as in PyJWT,
  only raw ``r || s`` of exactly the curve's size verifies.
* ``from_jwk`` decodes Base64url members strictly (``binascii.Error`` for a non-canonical spelling PyJWT would
  accept); ``HMACAlgorithm.from_jwk`` raises ``InvalidKeyError`` without ``k`` (PyJWT: ``KeyError``), and
  ``OKPAlgorithm.from_jwk`` raises ``InvalidKeyError`` for any member that is not a key of the curve, bad Base64url
  included (PyJWT lets ``binascii.Error`` escape for some).
* ``cryptography`` is required: ``has_crypto`` is always True.

More permissive: ``RSAAlgorithm.verify`` and ``RSAPSSAlgorithm.verify`` take a private key and verify with its
public half, as PyJWT's EC and EdDSA classes already do; ``sign`` with a public key raises ``InvalidKeyError``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Literal, NoReturn, TypeAlias, Union, overload

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurve, EllipticCurvePrivateKey, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey, Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from ._keys import _forms
from ._keys import ec as _ec
from ._keys import hmac as _hmac
from ._keys import jwk as _jwk
from ._keys import okp as _okp
from ._keys import registry as _registry
from ._keys import rsa as _rsa
from .exceptions import InvalidKeyError
from .types import HashlibHash, JWKDict
from .utils import (  # noqa: F401
    base64url_decode,
    base64url_encode,
    der_to_raw_signature,
    force_bytes,
    from_base64url_uint,
    is_pem_format,
    is_ssh_key,
    raw_to_der_signature,
    to_base64url_uint,
)

__all__ = [
    "AllowedECKeys",
    "AllowedKeys",
    "AllowedOKPKeys",
    "AllowedPrivateKeys",
    "AllowedPublicKeys",
    "AllowedRSAKeys",
    "Algorithm",
    "ECAlgorithm",
    "HMACAlgorithm",
    "NoneAlgorithm",
    "OKPAlgorithm",
    "RSAAlgorithm",
    "RSAPSSAlgorithm",
    "get_default_algorithms",
    "has_crypto",
    "requires_cryptography",
]

# The key types each family takes, under PyJWT's names (kept as typing.Union objects, as PyJWT has them).
AllowedRSAKeys: TypeAlias = Union[RSAPrivateKey, RSAPublicKey]
AllowedECKeys: TypeAlias = Union[EllipticCurvePrivateKey, EllipticCurvePublicKey]
AllowedOKPKeys: TypeAlias = Union[Ed25519PrivateKey, Ed25519PublicKey, Ed448PrivateKey, Ed448PublicKey]
AllowedKeys: TypeAlias = Union[AllowedRSAKeys, AllowedECKeys, AllowedOKPKeys]
#: Every ``cryptography`` private key type fastjwt signs with.
AllowedPrivateKeys: TypeAlias = Union[RSAPrivateKey, EllipticCurvePrivateKey, Ed25519PrivateKey, Ed448PrivateKey]
#: Every ``cryptography`` public key type fastjwt verifies with.
AllowedPublicKeys: TypeAlias = Union[RSAPublicKey, EllipticCurvePublicKey, Ed25519PublicKey, Ed448PublicKey]

#: Always True: ``cryptography`` is a dependency of fastjwt (PyJWT can run without it).
has_crypto: bool = True

#: The ``alg`` names that need ``cryptography``: all but ``none`` and HMAC.
requires_cryptography: set[str] = {
    name for name, scheme in _registry.STANDARD.items() if scheme.family not in (_registry.NONE, _registry.HMAC)
}


def _jwk_out(jwk: JWKDict, as_dict: bool) -> JWKDict | str:
    return jwk if as_dict else json.dumps(jwk)


class Algorithm(ABC):
    """What every JWS algorithm offers: turn a key into the form it works with, sign, verify, and JWK conversion.

    Subclass it (or one of the classes below) and pass an instance to ``fastjwt.register_algorithm`` to add or
    replace an algorithm; fastjwt then calls ``prepare_key`` once per key and ``sign``/``verify`` per token.
    """

    # The cryptography key classes check_crypto_key_type admits (None: the algorithm takes no cryptography keys).
    _crypto_key_types: ClassVar[tuple[type, ...] | None] = None

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        """The digest of ``bytestr`` under this algorithm's ``hash_alg`` (hashlib or ``cryptography`` style).

        :raises NotImplementedError: the algorithm has no hash.
        """
        hash_alg = getattr(self, "hash_alg", None)
        if hash_alg is None:
            raise NotImplementedError
        return _registry.hash_digest(hash_alg, bytestr)

    def check_crypto_key_type(self, key: Any) -> None:
        """Refuse a ``cryptography`` key of the wrong family for this algorithm.

        :raises ValueError: the algorithm takes no ``cryptography`` keys at all.
        :raises InvalidKeyError: ``key`` is not one of the admitted key classes.
        """
        admitted = self._crypto_key_types
        if admitted is None:
            raise ValueError(
                "This method requires the cryptography library, "
                "and should only be used by cryptography-based algorithms."
            )
        if not isinstance(key, admitted):
            raise InvalidKeyError(_forms.wrong_family(key, admitted, type(self).__name__))

    @abstractmethod
    def prepare_key(self, key: Any) -> Any:
        """Check ``key`` and return it in the form ``sign`` and ``verify`` take."""

    @abstractmethod
    def sign(self, msg: bytes, key: Any) -> bytes:
        """The signature of ``msg`` with the prepared ``key``."""

    @abstractmethod
    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        """Whether ``sig`` is a valid signature of ``msg`` for the prepared ``key``."""

    @overload
    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> JWKDict | str:
        """``key_obj`` as a JWK: a dict when ``as_dict``, else JSON text."""

    @staticmethod
    @abstractmethod
    def from_jwk(jwk: str | JWKDict) -> Any:
        """The key a JWK (dict or JSON text) holds, in the form ``sign`` and ``verify`` take."""

    def check_key_length(self, key: Any) -> str | None:
        """A warning text when the prepared ``key`` is shorter than recommended for this algorithm, else None."""
        return None


class NoneAlgorithm(Algorithm):
    """``alg: none``: no key, an empty signature, and nothing ever verifies."""

    def prepare_key(self, key: str | None) -> None:
        """Accept only the absence of a key (``None`` or ``""``).

        :raises InvalidKeyError: any key at all.
        """
        if key is not None and key != "":
            raise InvalidKeyError('When alg = "none", key value must be None.')
        return None

    def sign(self, msg: bytes, key: None) -> bytes:
        """The empty signature."""
        return b""

    def verify(self, msg: bytes, key: None, sig: bytes) -> bool:
        """False, always: an unsigned token proves nothing."""
        return False

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> NoReturn:
        """Not available: ``none`` has no key.

        :raises NotImplementedError: always.
        """
        raise NotImplementedError()

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> NoReturn:
        """Not available: ``none`` has no key.

        :raises NotImplementedError: always.
        """
        raise NotImplementedError()


class HMACAlgorithm(Algorithm):
    """HMAC with a hashlib hash (HS256, HS384, HS512): a shared secret signs and verifies.

    :param hash_alg: the hashlib constructor, e.g. :attr:`SHA256`.
    """

    SHA256: ClassVar[HashlibHash] = _registry.STANDARD["HS256"].hash_alg
    SHA384: ClassVar[HashlibHash] = _registry.STANDARD["HS384"].hash_alg
    SHA512: ClassVar[HashlibHash] = _registry.STANDARD["HS512"].hash_alg

    def __init__(self, hash_alg: HashlibHash) -> None:
        self.hash_alg = hash_alg

    def prepare_key(self, key: str | bytes) -> bytes:
        """The secret as bytes, once it is known not to be empty or someone's public key.

        :raises InvalidKeyError: empty, a key object, or text carrying key material (see the module notes).
        :raises TypeError: neither ``str`` nor ``bytes``.
        """
        return _hmac.accept(key)

    def sign(self, msg: bytes, key: bytes) -> bytes:
        """The HMAC of ``msg`` under ``key``."""
        return _hmac.sign(key, msg, self.hash_alg)

    def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
        """Whether ``sig`` is the HMAC of ``msg`` under ``key`` (constant-time comparison)."""
        return _hmac.verify(key, msg, sig, self.hash_alg)

    @overload
    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: bool = False) -> JWKDict | str:
        """The secret as an ``oct`` JWK: a dict when ``as_dict``, else JSON text."""
        return _jwk_out(_hmac.to_jwk(key_obj), as_dict)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> bytes:
        """The secret of an ``oct`` JWK (dict or JSON text).

        :raises InvalidKeyError: not JSON, not ``oct``, no ``k``, or an empty secret.
        """
        return _hmac.from_jwk(_jwk.as_object(jwk))

    def check_key_length(self, key: bytes) -> str | None:
        """A warning text when the secret is shorter than the hash output (RFC 7518 3.2), else None."""
        return _hmac.check_length(key, self.hash_alg)


class RSAAlgorithm(Algorithm):
    """RSASSA-PKCS1-v1_5 (RS256, RS384, RS512).

    :param hash_alg: the ``cryptography`` hash class, e.g. :attr:`SHA256`.
    """

    SHA256: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA256
    SHA384: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA384
    SHA512: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA512

    _crypto_key_types = _rsa.KEY_TYPES
    _MIN_KEY_SIZE: ClassVar[int] = _rsa.MIN_KEY_SIZE

    def __init__(self, hash_alg: type[hashes.HashAlgorithm]) -> None:
        self.hash_alg = hash_alg

    def check_key_length(self, key: AllowedRSAKeys) -> str | None:
        """A warning text when the modulus is under 2048 bits (NIST SP 800-131A), else None."""
        return _rsa.check_length(key)

    def prepare_key(self, key: AllowedRSAKeys | str | bytes) -> AllowedRSAKeys:
        """An RSA key object: the object itself, or read from PEM (PKCS#1, PKCS#8, SPKI) or OpenSSH text.

        :raises InvalidKeyError: unreadable text, or a key of another family.
        :raises TypeError: neither a key object nor ``str``/``bytes``.
        """
        return _rsa.accept(key)

    def sign(self, msg: bytes, key: RSAPrivateKey) -> bytes:
        """The PKCS#1 v1.5 signature of ``msg``."""
        return _rsa.sign(key, msg, self.hash_alg, False)

    def verify(self, msg: bytes, key: AllowedRSAKeys, sig: bytes) -> bool:
        """Whether ``sig`` is a valid PKCS#1 v1.5 signature of ``msg``."""
        return _rsa.verify(key, msg, sig, self.hash_alg, False)

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: bool = False) -> JWKDict | str:
        """The key as an ``RSA`` JWK: a dict when ``as_dict``, else JSON text."""
        return _jwk_out(_rsa.to_jwk(key_obj), as_dict)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedRSAKeys:
        """The RSA key object of an ``RSA`` JWK (dict or JSON text), public or private.

        :raises InvalidKeyError: not JSON, not RSA, incomplete, or more than two primes.
        :raises ValueError: ``cryptography`` refuses the numbers (``binascii.Error`` for bad Base64url).
        """
        return _rsa.from_jwk(_jwk.as_object(jwk))


class RSAPSSAlgorithm(RSAAlgorithm):
    """RSASSA-PSS (PS256, PS384, PS512): MGF1 with the signing hash, a salt as long as the hash."""

    def sign(self, msg: bytes, key: RSAPrivateKey) -> bytes:
        """The PSS signature of ``msg`` (randomised: it differs on every call)."""
        return _rsa.sign(key, msg, self.hash_alg, True)

    def verify(self, msg: bytes, key: AllowedRSAKeys, sig: bytes) -> bool:
        """Whether ``sig`` is a valid PSS signature of ``msg``."""
        return _rsa.verify(key, msg, sig, self.hash_alg, True)


class ECAlgorithm(Algorithm):
    """ECDSA (ES256, ES256K, ES384, ES512) with raw ``r || s`` signatures.

    :param hash_alg: the ``cryptography`` hash class, e.g. :attr:`SHA256`.
    :param expected_curve: the curve class keys must be on (any curve when None).
    """

    SHA256: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA256
    SHA384: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA384
    SHA512: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA512

    _crypto_key_types = _ec.KEY_TYPES

    def __init__(self, hash_alg: type[hashes.HashAlgorithm], expected_curve: type[EllipticCurve] | None = None) -> None:
        self.hash_alg = hash_alg
        self.expected_curve = expected_curve

    def prepare_key(self, key: AllowedECKeys | str | bytes) -> AllowedECKeys:
        """An EC key object on the expected curve: the object itself, or read from PEM or OpenSSH text.

        :raises InvalidKeyError: unreadable text, a key of another family, or a key on another curve.
        :raises TypeError: neither a key object nor ``str``/``bytes``.
        """
        return _ec.accept(key, self.expected_curve)

    def sign(self, msg: bytes, key: EllipticCurvePrivateKey) -> bytes:
        """The raw ``r || s`` signature of ``msg`` (randomised: it differs on every call)."""
        return _ec.sign(key, msg, self.hash_alg)

    def verify(self, msg: bytes, key: AllowedECKeys, sig: bytes) -> bool:
        """Whether ``sig`` is a valid raw ``r || s`` signature of ``msg``, exactly the curve's size."""
        return _ec.verify(key, msg, sig, self.hash_alg)

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: bool = False) -> JWKDict | str:
        """The key as an ``EC`` JWK: a dict when ``as_dict``, else JSON text."""
        return _jwk_out(_ec.to_jwk(key_obj), as_dict)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedECKeys:
        """The EC key object of an ``EC`` JWK (dict or JSON text) on P-256, P-384, P-521 or secp256k1.

        :raises InvalidKeyError: not JSON, not EC, an unknown curve, or members of the wrong size.
        :raises ValueError: the point is not on the curve (``binascii.Error`` for bad Base64url).
        """
        return _ec.from_jwk(_jwk.as_object(jwk))


class OKPAlgorithm(Algorithm):
    """EdDSA (``EdDSA``) with Ed25519 or Ed448 keys; messages and signatures may be ``str`` (UTF-8)."""

    _crypto_key_types = _okp.KEY_TYPES

    def __init__(self, **kwargs: Any) -> None:
        pass

    def prepare_key(self, key: AllowedOKPKeys | str | bytes) -> AllowedOKPKeys:
        """An Ed25519/Ed448 key object: the object itself, or read from PEM or OpenSSH text.

        :raises InvalidKeyError: unreadable text, or anything that is not an EdDSA key.
        """
        return _okp.accept(key)

    def sign(self, msg: str | bytes, key: Ed25519PrivateKey | Ed448PrivateKey) -> bytes:
        """The EdDSA signature of ``msg``."""
        return _okp.sign(key, msg)

    def verify(self, msg: str | bytes, key: AllowedOKPKeys, sig: str | bytes) -> bool:
        """Whether ``sig`` is a valid EdDSA signature of ``msg``."""
        return _okp.verify(key, msg, sig)

    @overload
    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: bool = False) -> JWKDict | str:
        """The key as an ``OKP`` JWK: a dict when ``as_dict``, else JSON text."""
        return _jwk_out(_okp.to_jwk(key), as_dict)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedOKPKeys:
        """The Ed25519/Ed448 key object of an ``OKP`` JWK (dict or JSON text).

        :raises InvalidKeyError: not JSON, not OKP, another curve, or a member that is not a key of the curve.
        """
        return _okp.from_jwk(_jwk.as_object(jwk))


# Which class faces which family; get_default_algorithms builds one object per standard alg from these.
_FACES: dict[str, Any] = {
    _registry.NONE: lambda scheme: NoneAlgorithm(),
    _registry.HMAC: lambda scheme: HMACAlgorithm(scheme.hash_alg),
    _registry.RSA: lambda scheme: RSAAlgorithm(scheme.hash_alg),
    _registry.RSA_PSS: lambda scheme: RSAPSSAlgorithm(scheme.hash_alg),
    _registry.EC: lambda scheme: ECAlgorithm(scheme.hash_alg, scheme.curve),
    _registry.OKP: lambda scheme: OKPAlgorithm(),
}
for _cls, _family in (
    (HMACAlgorithm, _registry.HMAC),
    (RSAAlgorithm, _registry.RSA),
    (RSAPSSAlgorithm, _registry.RSA_PSS),
    (ECAlgorithm, _registry.EC),
    (OKPAlgorithm, _registry.OKP),
):
    _registry.register_face(_cls, _family)


def get_default_algorithms() -> dict[str, Algorithm]:
    """A fresh object for every ``alg`` fastjwt implements, by name (what ``PyJWS`` starts from)."""
    return {name: _FACES[scheme.family](scheme) for name, scheme in _registry.STANDARD.items()}
