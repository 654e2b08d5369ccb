"""fastjwt's key layer: every key form in, the core's prepared keys out, JWKs both ways, thumbprints.

One module per key family, each with the same verbs: ``accept`` (load and check a key from any form the family
takes), ``check_length``, ``from_jwk``, ``to_jwk``, ``sign``, ``verify`` and ``prepare`` (build the compiled core's
prepared key): :mod:`.hmac`, :mod:`.rsa` (PKCS#1 v1.5 and PSS), :mod:`.ec`, :mod:`.okp`. :mod:`._forms` recognises
and reads PEM, DER, OpenSSH, certificates and JWK text; :mod:`.jwk` holds JWK and key-set objects and thumbprints;
:mod:`.registry` says what each ``alg`` means.

:func:`prepare` is what the token paths call: loading an RSA private key from PEM costs tens of milliseconds, and
callers pass the same PEM string on every ``encode``, so prepared keys are remembered (a bounded cache) under the
exact key text for ``str``/``bytes`` keys and under the object's identity for key objects (holding a reference, so
the identity cannot be reused while the entry lives), per algorithm object.

This package imports only the ground floor, the core chooser and ``cryptography``; the PyJWT-named modules above it
(``algorithms``, ``api_jwk``) are built on it, never the other way round.
"""

from __future__ import annotations

import threading
from typing import Any

from .. import _core
from ..exceptions import InvalidKeyError
from . import ec, hmac, okp, registry, rsa
from .jwk import JWK, JWKSet, thumbprint

__all__ = [
    "JWK",
    "JWKSet",
    "PREPARED_KEY_CACHE_SIZE",
    "build",
    "clear",
    "load",
    "prepare",
    "thumbprint",
    "to_jwk",
]

PREPARED_KEY_CACHE_SIZE = 256

_cache: dict[tuple[int, str, Any], tuple[Any, Any, _core.PreparedKey]] = {}
_lock = threading.Lock()


def _native(alg: str, algorithm: Any, key: Any) -> _core.PreparedKey | None:
    """The family module's prepared key when ``algorithm`` is a plain face of a family, else None."""
    family = registry.family_of(algorithm)
    if family == registry.HMAC:
        return hmac.prepare(alg, key, algorithm.hash_alg)
    if family in (registry.RSA, registry.RSA_PSS):
        return rsa.prepare(alg, key, algorithm.hash_alg, family == registry.RSA_PSS)
    if family == registry.EC:
        return ec.prepare(alg, key, algorithm.hash_alg, algorithm.expected_curve)
    if family == registry.OKP:
        return okp.prepare(alg, key)
    return None


def build(alg: str, algorithm: Any, key: Any) -> _core.PreparedKey:
    """Prepare ``key`` for the token ``alg`` with the algorithm object ``algorithm`` (no cache).

    Faces of a family (``fastjwt.algorithms``' own classes) go straight to the family module; any other algorithm
    object, a user's subclass included, is asked for its ``prepare_key`` and ``check_key_length`` and signs and
    verifies through its own methods.
    """
    prepared = _native(alg, algorithm, key)
    if prepared is not None:
        return prepared
    material = algorithm.prepare_key(key)
    check = getattr(algorithm, "check_key_length", None)
    return _core.AlgorithmKey(alg, algorithm, material, check(material) if check is not None else None)


def prepare(alg: str, algorithm: Any, key: Any) -> _core.PreparedKey:
    """The remembered prepared key for ``(algorithm, alg, key)``; built with :func:`build` on a miss."""
    text_key = isinstance(key, (str, bytes))
    cache_key = (id(algorithm), alg, key if text_key else id(key))
    entry = _cache.get(cache_key)
    if entry is not None and entry[0] is algorithm and (text_key or entry[1] is key):
        return entry[2]
    prepared = build(alg, algorithm, key)
    with _lock:
        if len(_cache) >= PREPARED_KEY_CACHE_SIZE:
            try:
                del _cache[next(iter(_cache))]
            except (StopIteration, KeyError):
                pass
        _cache[cache_key] = (algorithm, key, prepared)
    return prepared


def clear() -> None:
    """Forget every remembered prepared key (and the core's memo of the last drop-in calls, which holds some)."""
    with _lock:
        _cache.clear()
    _core.forget_drop_in()


def load(alg: str, key: Any) -> Any:
    """``key`` loaded and checked for the standard ``alg``: the secret bytes or the ``cryptography`` key object.

    :raises NotImplementedError: ``alg`` is not one fastjwt implements (or is ``none``, which takes no key).
    :raises InvalidKeyError: the key does not suit ``alg``.
    """
    scheme = registry.STANDARD.get(alg)
    family = scheme.family if scheme is not None else None
    if family == registry.HMAC:
        return hmac.accept(key)
    if family in (registry.RSA, registry.RSA_PSS):
        return rsa.accept(key)
    if family == registry.EC:
        return ec.accept(key, scheme.curve)  # type: ignore[union-attr]
    if family == registry.OKP:
        return okp.accept(key)
    raise NotImplementedError("Algorithm not supported")


def to_jwk(key: Any) -> dict[str, Any]:
    """``key`` (an HMAC secret or a ``cryptography`` key object) as a JWK dict of the family its type says.

    :raises InvalidKeyError: not a key of a family fastjwt signs with.
    """
    if isinstance(key, (str, bytes)):
        return hmac.to_jwk(key)
    if isinstance(key, rsa.KEY_TYPES):
        return rsa.to_jwk(key)
    if isinstance(key, ec.KEY_TYPES):
        return ec.to_jwk(key)
    if isinstance(key, okp.KEY_TYPES):
        return okp.to_jwk(key)
    raise InvalidKeyError("Not a public or private key")
