"""JSON Web Keys (RFC 7517) and key sets as objects; the ``alg`` a key is used with; RFC 7638 thumbprints.

A :class:`JWK` parses its key once, when it is built, and holds the loaded key (a ``cryptography`` key object, or
the secret bytes of an ``oct`` key); a :class:`JWKSet` keeps the usable keys of a ``{"keys": [...]}`` document and
skips the rest. ``fastjwt.api_jwk``'s ``PyJWK``/``PyJWKSet`` are these, with PyJWT's algorithm object attached.

Error messages name a JWK by its identifying members only (:func:`describe`), never by its key material.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any, ClassVar, Generic, TypeVar, cast

from .._text import printable
from ..exceptions import InvalidKeyError, PyJWKError, PyJWKSetError, PyJWTError
from . import _codec, ec, hmac, okp, rsa
from .registry import EC, HMAC, OKP, RSA, RSA_PSS, STANDARD

__all__ = ["JWK", "JWKSet", "as_object", "default_algorithm", "describe", "from_jwk", "thumbprint"]

# The family module that reads each family's JWKs.
_READERS = {HMAC: hmac.from_jwk, RSA: rsa.from_jwk, RSA_PSS: rsa.from_jwk, EC: ec.from_jwk, OKP: okp.from_jwk}

# The alg a JWK without one is used with, by (kty, crv); None stands for "no crv" (PyJWT's choices: an EC key
# without crv is taken as P-256, and Ed448 has no default).
_DEFAULT_ALGORITHMS = {
    ("EC", None): "ES256",
    ("EC", "P-256"): "ES256",
    ("EC", "P-384"): "ES384",
    ("EC", "P-521"): "ES512",
    ("EC", "secp256k1"): "ES256K",
    ("OKP", "Ed25519"): "EdDSA",
}
_CURVE_FREE_ALGORITHMS = {"RSA": "RS256", "oct": "HS256"}

# RFC 7638 3.2 (RSA, EC, oct) and RFC 8037 2 (OKP): the members a thumbprint hashes, already in sorted order.
_THUMBPRINT_MEMBERS = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "oct": ("k", "kty"),
    "OKP": ("crv", "kty", "x"),
}
_THUMBPRINT_HASHES = {"SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}

# The members error messages may show: they identify a key and hold no key material.
_DESCRIBED_MEMBERS = ("kty", "kid", "alg", "use", "crv")
# How much of that description a message shows.
_DESCRIPTION_LIMIT = 200

_JWKType = TypeVar("_JWKType", bound="JWK")
_JWKSetType = TypeVar("_JWKSetType", bound="JWKSet[Any]")
_Member = TypeVar("_Member", bound="JWK")


def describe(jwk: dict[str, Any]) -> str:
    """The identifying members of ``jwk`` (``kty``, ``kid``, ``alg``, ``use``, ``crv``) as a dict's text, for messages.

    Escaped and cut (:func:`fastjwt._text.printable`): the members are the sender's text.
    """
    return printable({name: jwk[name] for name in _DESCRIBED_MEMBERS if name in jwk}, limit=_DESCRIPTION_LIMIT)


def as_object(jwk: str | dict[str, Any]) -> dict[str, Any]:
    """A JWK given as a dict or as JSON text, as a dict.

    :raises InvalidKeyError: text that is not JSON, or JSON that is not an object, or any other type.
    """
    if isinstance(jwk, str):
        try:
            jwk = json.loads(jwk)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than json can parse
            raise InvalidKeyError("Key is not valid JSON") from None
    if not isinstance(jwk, dict):
        raise InvalidKeyError("Key is not valid JSON")
    return jwk


def default_algorithm(jwk: dict[str, Any]) -> str:
    """The ``alg`` a JWK that names none is used with, chosen from its ``kty`` and ``crv``.

    :raises InvalidKeyError: no ``kty``, an unsupported one, or a curve without a default.
    """
    kty = jwk.get("kty")
    if not kty:
        raise InvalidKeyError(f"kty is not found: {describe(jwk)}")
    if not isinstance(kty, str) or kty not in ("EC", "OKP", *_CURVE_FREE_ALGORITHMS):
        raise InvalidKeyError(f"Unsupported kty: {printable(kty)}")
    if kty in _CURVE_FREE_ALGORITHMS:
        return _CURVE_FREE_ALGORITHMS[kty]
    crv = jwk.get("crv") or None
    if crv is None and kty == "OKP":
        raise InvalidKeyError(f"crv is not found: {describe(jwk)}")
    algorithm = _DEFAULT_ALGORITHMS.get((kty, crv)) if crv is None or isinstance(crv, str) else None
    if algorithm is None:
        raise InvalidKeyError(f"Unsupported crv: {printable(crv)}")
    return algorithm


def from_jwk(jwk: dict[str, Any], algorithm: str) -> Any:
    """The key ``jwk`` holds, read by the family of the standard ``algorithm``.

    :raises PyJWKError: ``algorithm`` is not one fastjwt implements, or is ``none``.
    :raises InvalidKeyError: the JWK does not hold a usable key of that family.
    """
    scheme = STANDARD.get(algorithm) if isinstance(algorithm, str) else None
    reader = _READERS.get(scheme.family) if scheme is not None else None
    if reader is None:
        raise PyJWKError(f"Unable to find an algorithm for key: {describe(jwk)}")
    try:
        return reader(jwk)
    except (TypeError, ValueError) as error:
        raise InvalidKeyError(f"Unable to construct key from JWK: {error}") from error


def thumbprint(jwk: dict[str, Any], hash: str = "SHA-256") -> str:
    """The RFC 7638 thumbprint of ``jwk``, as Base64url without padding.

    The members the key type requires (RSA: ``e``, ``kty``, ``n``; EC: ``crv``, ``kty``, ``x``, ``y``; oct: ``k``,
    ``kty``; OKP: ``crv``, ``kty``, ``x``) are written as JSON in name order without whitespace, and the UTF-8 of that
    is hashed. Other members do not change it, so a private JWK has its public half's thumbprint.

    :param hash: ``"SHA-256"`` (the default), ``"SHA-384"``, ``"SHA-512"`` or ``"SHA-1"``.
    :raises InvalidKeyError: not a dict, an unsupported ``kty``, or a required member missing or not a string.
    :raises PyJWKError: an unsupported ``hash``.
    """
    if not isinstance(jwk, dict):
        raise InvalidKeyError("A JWK must be a JSON object")
    hash_name = _THUMBPRINT_HASHES.get(hash)
    if hash_name is None:
        raise PyJWKError(f"Unsupported thumbprint hash: {printable(repr(hash))}")
    kty = jwk.get("kty")
    names = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if names is None:
        raise InvalidKeyError(f"Unsupported kty for a thumbprint: {printable(repr(kty))}")
    members = {}
    for name in names:
        value = jwk.get(name)
        if not isinstance(value, str):
            raise InvalidKeyError(f'The JWK has no string "{name}" member')
        members[name] = value
    canonical = json.dumps(members, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return _codec.encode_text(hashlib.new(hash_name, canonical).digest())


class JWK:
    """A JSON Web Key, its ``alg`` and its loaded key.

    :param jwk_data: the JWK as a dict.
    :param algorithm: the ``alg`` to use the key with; when not given, the JWK's own ``alg``, else the default for
        its ``kty`` and ``crv`` (:func:`default_algorithm`).
    :raises InvalidKeyError: ``jwk_data`` is not a dict, has no usable ``kty``/``crv``, or holds no usable key.
    :raises PyJWKError: the ``alg`` is not one fastjwt implements, or is ``none``.

    :ivar key: the loaded key: a ``cryptography`` key object, or the secret bytes of an ``oct`` key.
    :ivar algorithm_name: the ``alg`` the key is used with.
    """

    def __init__(self, jwk_data: dict[str, Any], algorithm: str | None = None) -> None:
        if not isinstance(jwk_data, dict):
            raise InvalidKeyError("A JWK must be a JSON object")
        self._jwk_data = jwk_data
        if not jwk_data.get("kty"):
            raise InvalidKeyError(f"kty is not found: {describe(jwk_data)}")
        chosen = algorithm or jwk_data.get("alg") or default_algorithm(jwk_data)
        self.key: Any = from_jwk(jwk_data, chosen)
        self.algorithm_name: str = chosen

    @classmethod
    def from_dict(cls: type[_JWKType], obj: dict[str, Any], algorithm: str | None = None) -> _JWKType:
        """The key of a JWK given as a dict (the same as calling the class)."""
        return cls(obj, algorithm)

    @classmethod
    def from_json(cls: type[_JWKType], data: str, algorithm: str | None = None) -> _JWKType:
        """The key of a JWK given as JSON text.

        :raises json.JSONDecodeError: ``data`` is not JSON.
        """
        return cls.from_dict(json.loads(data), algorithm)

    @property
    def key_type(self) -> str | None:
        """The JWK's ``kty``."""
        return self._jwk_data.get("kty")

    @property
    def key_id(self) -> str | None:
        """The JWK's ``kid``, None when it has none."""
        return self._jwk_data.get("kid")

    @property
    def public_key_use(self) -> str | None:
        """The JWK's ``use`` (``"sig"`` or ``"enc"``), None when it has none."""
        return self._jwk_data.get("use")

    def thumbprint(self, hash: str = "SHA-256") -> str:
        """This key's RFC 7638 thumbprint (see :func:`thumbprint`)."""
        return thumbprint(self._jwk_data, hash)


class JWKSet(Generic[_Member]):
    """The usable keys of a JWK Set, in document order.

    Members that are not objects, and keys that cannot be used (unknown ``kty``, ``crv`` or ``alg``, bad members),
    are left out rather than failing the whole set: one odd key in an identity provider's JWKS must not lock every
    user out.

    :param keys: the set's ``keys`` array.
    :raises PyJWKSetError: ``keys`` is empty or not a list, or none of its keys is usable.
    """

    #: The class each usable key is built as (a subclass of :class:`JWK`, the set's member type).
    key_class: ClassVar[type[JWK]] = JWK

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any keys")
        if not isinstance(keys, list):
            raise PyJWKSetError("Invalid JWK Set value")
        self.keys: list[_Member] = []
        for member in keys:
            if isinstance(member, dict):
                try:
                    self.keys.append(cast(_Member, self.key_class(member)))
                except PyJWTError:
                    continue
        if not self.keys:
            raise PyJWKSetError("The JWK Set did not contain any usable keys. Perhaps 'cryptography' is not installed?")

    @classmethod
    def from_dict(cls: type[_JWKSetType], obj: dict[str, Any]) -> _JWKSetType:
        """The set of a decoded ``{"keys": [...]}`` document.

        :raises PyJWKSetError: ``obj`` is not a dict, or holds no usable key.
        """
        if not isinstance(obj, dict):
            raise PyJWKSetError("Invalid JWK Set value")
        return cls(obj.get("keys", []))

    @classmethod
    def from_json(cls: type[_JWKSetType], data: str) -> _JWKSetType:
        """The set of ``{"keys": [...]}`` JSON text.

        :raises json.JSONDecodeError: ``data`` is not JSON.
        :raises PyJWKSetError: not a JSON object, or no usable key in it.
        """
        return cls.from_dict(json.loads(data))

    def __getitem__(self, kid: str) -> _Member:
        """The first key whose ``kid`` is ``kid``.

        :raises KeyError: no key has it.
        """
        for key in self.keys:
            if key.key_id == kid:
                return key
        raise KeyError(f"keyset has no key for kid: {printable(kid)}")

    def __iter__(self) -> Iterator[_Member]:
        """The usable keys, in document order."""
        return iter(self.keys)
