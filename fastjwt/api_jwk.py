# adapted from PyJWT (MIT)
"""JSON Web Keys (RFC 7517) and key sets, with PyJWT's ``PyJWK`` and ``PyJWKSet``; RFC 7638 thumbprints.

A :class:`PyJWK` parses its key once, in the constructor, and holds the
prepared ``cryptography`` object (or the HMAC secret bytes) in :attr:`PyJWK.key`,
so using it costs nothing per token.

Differences from PyJWT
----------------------
* :meth:`PyJWK.thumbprint` and :func:`jwk_thumbprint` (RFC 7638) are additions.
* JWK members are Base64url-decoded strictly (see :mod:`fastjwt.utils`): a
  member PyJWT would decode leniently makes the key unusable
  (``InvalidKeyError``), and ``PyJWKSet`` skips it.
* An ``oct`` JWK without ``k`` raises ``InvalidKeyError`` (PyJWT: ``KeyError``),
  so ``PyJWKSet`` skips it instead of failing on the whole set.
* A JWK whose algorithm is ``none`` raises ``PyJWKError`` (PyJWT:
  ``NotImplementedError``, which also made ``PyJWKSet`` fail on the whole set
  instead of skipping that key).
* Error messages name the JWK by its ``kty``, ``kid``, ``alg``, ``use`` and
  ``crv`` only; PyJWT prints the whole JWK, private members included.
* ``PyJWK`` raises ``InvalidKeyError`` for JWK data that is not a dict, and
  ``PyJWKSet.from_dict``/``from_json`` raise ``PyJWKSetError`` for a document
  that is not a JSON object (PyJWT: ``AttributeError`` for both). Text that is
  not JSON raises ``json.JSONDecodeError`` from ``from_json``, as in PyJWT.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

from ._text import printable
from .algorithms import Algorithm, get_default_algorithms, has_crypto, requires_cryptography
from .exceptions import (
    InvalidKeyError,
    MissingCryptographyError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
)
from .types import JWKDict
from .utils import base64url_encode

__all__ = ["PyJWK", "PyJWKSet", "PyJWTSetWithTimestamp", "jwk_thumbprint"]

# RFC 7638 section 3.2 (RSA, EC, oct) and RFC 8037 section 2 (OKP).
_THUMBPRINT_MEMBERS: dict[str, tuple[str, ...]] = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "oct": ("k", "kty"),
    "OKP": ("crv", "kty", "x"),
}
_THUMBPRINT_HASHES: dict[str, str] = {
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


# Members shown in error messages: never key material, public or private.
_DESCRIBED_MEMBERS = ("kty", "kid", "alg", "use", "crv")
# How much of their description a message shows.
_DESCRIPTION_LIMIT = 200


def _describe(jwk: JWKDict) -> str:
    """The JWK's identifying members, for error messages (PyJWT prints the whole JWK, secrets included).

    Shown as a dict, escaped and cut: the members are the sender's text.
    """
    return printable({name: jwk[name] for name in _DESCRIBED_MEMBERS if name in jwk}, limit=_DESCRIPTION_LIMIT)


_DEFAULT_ALGORITHMS: dict[str, Algorithm] = {}


def _default_algorithms() -> dict[str, Algorithm]:
    """The default algorithm objects, built once: they hold no per-key state, so PyJWKs can share them."""
    if not _DEFAULT_ALGORITHMS:
        _DEFAULT_ALGORITHMS.update(get_default_algorithms())
    return _DEFAULT_ALGORITHMS


def jwk_thumbprint(jwk: JWKDict, hash: str = "SHA-256") -> str:
    """The RFC 7638 thumbprint of a JWK, Base64url without padding.

    The required members of the key type (``RSA``: e, kty, n; ``EC``: crv, kty,
    x, y; ``oct``: k, kty; ``OKP``: crv, kty, x) are serialized in
    lexicographic order without whitespace, UTF-8 encoded and hashed.

    :param jwk: the JWK as a dict (other members are ignored).
    :param hash: ``"SHA-256"`` (default), ``"SHA-384"``, ``"SHA-512"`` or ``"SHA-1"``.
    :raises InvalidKeyError: unknown ``kty``, or a required member missing or not a string.
    :raises PyJWKError: unsupported ``hash``.
    """
    if not isinstance(jwk, dict):
        raise InvalidKeyError("A JWK must be a JSON object")
    hash_name = _THUMBPRINT_HASHES.get(hash)
    if hash_name is None:
        raise PyJWKError(f"Unsupported thumbprint hash: {hash!r}")
    kty = jwk.get("kty")
    members = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise InvalidKeyError(f"Unsupported kty for a thumbprint: {kty!r}")
    required: dict[str, str] = {}
    for name in members:
        value = jwk.get(name)
        if not isinstance(value, str):
            raise InvalidKeyError(f'The JWK has no string "{name}" member')
        required[name] = value
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.new(hash_name, canonical.encode("utf-8")).digest()
    return base64url_encode(digest).decode("ascii")


class PyJWK:
    """A `JSON Web Key <https://www.rfc-editor.org/rfc/rfc7517>`_ and its prepared key.

    :ivar key: the key object ``Algorithm.from_jwk`` built (a ``cryptography``
        key, or the secret bytes of an ``oct`` key).
    :ivar algorithm_name: the JWS ``alg`` this key is used with.
    :ivar Algorithm: the :class:`~fastjwt.algorithms.Algorithm` object for it.
    """

    def __init__(self, jwk_data: JWKDict, algorithm: str | None = None) -> None:
        """A class that represents a `JSON Web Key <https://www.rfc-editor.org/rfc/rfc7517>`_.

        :param jwk_data: The decoded JWK data.
        :type jwk_data: dict[str, typing.Any]
        :param algorithm: The key algorithm. If not specified, the key's ``alg`` will be used.
        :type algorithm: str or None
        :raises InvalidKeyError: If the key type (``kty``) is not found or unsupported, or if the curve (``crv``)
            is not found or unsupported.
        :raises MissingCryptographyError: If the algorithm requires ``cryptography`` to be installed and it is not
            available.
        :raises PyJWKError: If unable to find an algorithm for the key.
        """
        if not isinstance(jwk_data, dict):
            raise InvalidKeyError("A JWK must be a JSON object")
        self._jwk_data = jwk_data

        kty = self._jwk_data.get("kty", None)
        if not kty:
            raise InvalidKeyError(f"kty is not found: {_describe(self._jwk_data)}")

        if not algorithm and isinstance(self._jwk_data, dict):
            algorithm = self._jwk_data.get("alg", None)

        if not algorithm:
            # Determine alg with kty (and crv).
            crv = self._jwk_data.get("crv", None)
            if kty == "EC":
                if crv == "P-256" or not crv:
                    algorithm = "ES256"
                elif crv == "P-384":
                    algorithm = "ES384"
                elif crv == "P-521":
                    algorithm = "ES512"
                elif crv == "secp256k1":
                    algorithm = "ES256K"
                else:
                    raise InvalidKeyError(f"Unsupported crv: {printable(crv)}")
            elif kty == "RSA":
                algorithm = "RS256"
            elif kty == "oct":
                algorithm = "HS256"
            elif kty == "OKP":
                if not crv:
                    raise InvalidKeyError(f"crv is not found: {_describe(self._jwk_data)}")
                if crv == "Ed25519":
                    algorithm = "EdDSA"
                else:
                    raise InvalidKeyError(f"Unsupported crv: {printable(crv)}")
            else:
                raise InvalidKeyError(f"Unsupported kty: {printable(kty)}")

        if algorithm == "none":
            raise PyJWKError(f"Unable to find an algorithm for key: {_describe(self._jwk_data)}")

        if not has_crypto and algorithm in requires_cryptography:
            raise MissingCryptographyError(f"{algorithm} requires 'cryptography' to be installed.")

        self.algorithm_name: str = algorithm  # type: ignore[assignment, unused-ignore]

        try:
            self.Algorithm: Algorithm = _default_algorithms()[algorithm]  # type: ignore[index, unused-ignore]
        except (KeyError, TypeError):
            raise PyJWKError(
                f"Unable to find an algorithm for key: {_describe(self._jwk_data)}",
            ) from None

        try:
            self.key: Any = self.Algorithm.from_jwk(self._jwk_data)
        except (TypeError, ValueError) as error:
            raise InvalidKeyError(f"Unable to construct key from JWK: {error}") from error

    @staticmethod
    def from_dict(obj: JWKDict, algorithm: str | None = None) -> PyJWK:
        """Creates a :class:`PyJWK` object from a JSON-like dictionary.

        :param obj: The JWK data, as a dictionary
        :type obj: dict[str, typing.Any]
        :param algorithm: The key algorithm. If not specified, the key's ``alg`` will be used.
        :type algorithm: str or None
        :rtype: PyJWK
        """
        return PyJWK(obj, algorithm)

    @staticmethod
    def from_json(data: str, algorithm: str | None = None) -> PyJWK:
        """Create a :class:`PyJWK` object from a JSON string.
        Implicitly calls :meth:`PyJWK.from_dict()`.

        :param str data: The JWK data, as a JSON string.
        :param algorithm:  The key algorithm.  If not specific, the key's ``alg`` will be used.
        :type algorithm: str or None
        :raises json.JSONDecodeError: if ``data`` is not JSON.
        :rtype: PyJWK
        """
        obj = json.loads(data)
        return PyJWK.from_dict(obj, algorithm)

    @property
    def key_type(self) -> str | None:
        """The `kty` property from the JWK.

        :rtype: str or None
        """
        return self._jwk_data.get("kty", None)

    @property
    def key_id(self) -> str | None:
        """The `kid` property from the JWK.

        :rtype: str or None
        """
        return self._jwk_data.get("kid", None)

    @property
    def public_key_use(self) -> str | None:
        """The `use` property from the JWK.

        :rtype: str or None
        """
        return self._jwk_data.get("use", None)

    def thumbprint(self, hash: str = "SHA-256") -> str:
        """The RFC 7638 thumbprint of this key (Base64url, no padding); see :func:`jwk_thumbprint`."""
        return jwk_thumbprint(self._jwk_data, hash)


class PyJWKSet:
    """A JWK Set (RFC 7517 section 5): the usable keys of a ``{"keys": [...]}`` document.

    Members that are not objects, and keys that cannot be used (unknown
    ``kty``/``crv``/``alg``, bad parameters), are skipped, as PyJWT does.
    """

    def __init__(self, keys: list[JWKDict]) -> None:
        """Build the set from a list of JWK dicts.

        :raises PyJWKSetError: if ``keys`` is empty, not a list, or holds no usable key.
        """
        self.keys: list[PyJWK] = []

        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any keys")

        if not isinstance(keys, list):
            raise PyJWKSetError("Invalid JWK Set value")

        for key in keys:
            if not isinstance(key, dict):
                # skip members that aren't JWK objects
                continue
            try:
                self.keys.append(PyJWK(key))
            except PyJWTError as error:
                if isinstance(error, MissingCryptographyError):
                    raise error
                # skip unusable keys
                continue

        if len(self.keys) == 0:
            raise PyJWKSetError("The JWK Set did not contain any usable keys. Perhaps 'cryptography' is not installed?")

    @staticmethod
    def from_dict(obj: dict[str, Any]) -> PyJWKSet:
        """Build the set from a decoded ``{"keys": [...]}`` document.

        :raises PyJWKSetError: if ``obj`` is not a dict or holds no usable key.
        """
        if not isinstance(obj, dict):
            raise PyJWKSetError("Invalid JWK Set value")
        keys = obj.get("keys", [])
        return PyJWKSet(keys)

    @staticmethod
    def from_json(data: str) -> PyJWKSet:
        """Build the set from ``{"keys": [...]}`` JSON text.

        :raises json.JSONDecodeError: if ``data`` is not JSON.
        :raises PyJWKSetError: if ``data`` is not a JSON object or holds no usable key.
        """
        obj = json.loads(data)
        return PyJWKSet.from_dict(obj)

    def __getitem__(self, kid: str) -> PyJWK:
        """The first key whose ``kid`` equals ``kid``.

        :raises KeyError: if there is none.
        """
        for key in self.keys:
            if key.key_id == kid:
                return key
        raise KeyError(f"keyset has no key for kid: {printable(kid)}")

    def __iter__(self) -> Iterator[PyJWK]:
        """Iterate over the usable keys."""
        return iter(self.keys)


class PyJWTSetWithTimestamp:
    """A :class:`PyJWKSet` and the monotonic time it was stored (PyJWT's JWKS cache entry)."""

    def __init__(self, jwk_set: PyJWKSet):
        self.jwk_set = jwk_set
        self.timestamp = time.monotonic()

    def get_jwk_set(self) -> PyJWKSet:
        """The stored set."""
        return self.jwk_set

    def get_timestamp(self) -> float:
        """When the set was stored (``time.monotonic()``)."""
        return self.timestamp
