"""PyJWT's JWK objects (``jwt.api_jwk``): :class:`PyJWK`, :class:`PyJWKSet`, :class:`PyJWTSetWithTimestamp`.

They are the key layer's :class:`~fastjwt._keys.jwk.JWK` and :class:`~fastjwt._keys.jwk.JWKSet` with PyJWT's
``Algorithm`` attribute added: a ``PyJWK`` parses its key once, when built, so using it per token costs nothing.
:func:`jwk_thumbprint` (RFC 7638) is fastjwt's addition. The names PyJWT's module imports (exceptions,
``has_crypto``...) are importable from here too.

Where fastjwt differs from PyJWT 2.15.1
---------------------------------------
* Base64url members are decoded strictly: a member PyJWT would read leniently makes the key unusable
  (``InvalidKeyError``), and ``PyJWKSet`` skips it.
* An ``oct`` JWK without ``k`` raises ``InvalidKeyError`` (PyJWT: ``KeyError``), and a JWK whose ``alg`` is
  ``none`` raises ``PyJWKError`` (PyJWT: ``NotImplementedError``); both failed a whole ``PyJWKSet`` in PyJWT, and are
  skipped here like any other unusable key.
* Messages name a JWK by ``kty``, ``kid``, ``alg``, ``use`` and ``crv`` only; PyJWT prints the whole JWK, private
  members included.
* ``PyJWK`` of something that is not a dict raises ``InvalidKeyError``, ``PyJWKSet.from_dict``/``from_json`` of a
  document that is not an object raise ``PyJWKSetError`` (PyJWT: ``AttributeError`` for both).
"""

from __future__ import annotations

import time

from ._keys import jwk as _jwk
from .algorithms import Algorithm, get_default_algorithms
from .algorithms import has_crypto as has_crypto
from .algorithms import requires_cryptography as requires_cryptography
from .exceptions import InvalidKeyError as InvalidKeyError
from .exceptions import MissingCryptographyError as MissingCryptographyError
from .exceptions import PyJWKError as PyJWKError
from .exceptions import PyJWKSetError as PyJWKSetError
from .exceptions import PyJWTError as PyJWTError
from .types import JWKDict

__all__ = ["PyJWK", "PyJWKSet", "PyJWTSetWithTimestamp", "jwk_thumbprint"]

#: The RFC 7638 thumbprint of a JWK dict (see :func:`fastjwt._keys.jwk.thumbprint`).
jwk_thumbprint = _jwk.thumbprint

# One algorithm object per alg, shared by every PyJWK: they hold no per-key state, and prepared keys are remembered
# per algorithm object, so sharing lets PyJWKs of one key share the prepared key too.
_SHARED_ALGORITHMS: dict[str, Algorithm] = get_default_algorithms()


class PyJWK(_jwk.JWK):
    """A `JSON Web Key <https://www.rfc-editor.org/rfc/rfc7517>`_ with its loaded key and its algorithm object.

    :param jwk_data: the JWK as a dict.
    :param algorithm: the ``alg`` to use the key with; when not given, the JWK's own ``alg``, else the default for
        its ``kty`` and ``crv`` (RSA: RS256, oct: HS256, EC: by curve, OKP Ed25519: EdDSA).
    :raises InvalidKeyError: not a dict, no usable ``kty``/``crv``, or no usable key in it.
    :raises PyJWKError: the ``alg`` is not one fastjwt implements, or is ``none``.

    :ivar key: the loaded key: a ``cryptography`` key object, or the secret bytes of an ``oct`` key.
    :ivar algorithm_name: the ``alg`` the key is used with.
    :ivar Algorithm: the :class:`~fastjwt.algorithms.Algorithm` object for ``algorithm_name``.
    """

    def __init__(self, jwk_data: JWKDict, algorithm: str | None = None) -> None:
        super().__init__(jwk_data, algorithm)
        self.Algorithm: Algorithm = _SHARED_ALGORITHMS[self.algorithm_name]


class PyJWKSet(_jwk.JWKSet[PyJWK]):
    """A JWK Set: the :class:`PyJWK` of every usable key in it, in document order.

    Unusable members are skipped (see :class:`fastjwt._keys.jwk.JWKSet`).

    :param keys: the set's ``keys`` array.
    :raises PyJWKSetError: ``keys`` is empty or not a list, or none of its keys is usable.
    """

    key_class = PyJWK


class PyJWTSetWithTimestamp:
    """A :class:`PyJWKSet` and the moment it was stored (``time.monotonic()``): a JWKS cache entry."""

    def __init__(self, jwk_set: PyJWKSet) -> None:
        self.jwk_set = jwk_set
        self.timestamp = time.monotonic()

    def get_jwk_set(self) -> PyJWKSet:
        """The stored set."""
        return self.jwk_set

    def get_timestamp(self) -> float:
        """When the set was stored, on the ``time.monotonic()`` clock."""
        return self.timestamp
