"""Prepared keys: turn (algorithm, user key) into a core ``PreparedKey`` once, and remember it.

Loading an RSA private key from PEM costs ~28 ms, and PyJWT pays it on every ``encode(payload, pem, "RS256")``.
Here the prepared key is cached (bounded LRU) under the exact key value for str/bytes keys, and under the object's
identity (holding a reference, so the identity cannot be reused) for key objects, which ``cryptography`` does not
make hashable. The cache is keyed per ``Algorithm`` object, so a re-registered algorithm never sees stale keys.
"""

from __future__ import annotations

import threading
from typing import Any

from . import _core
from .algorithms import (
    Algorithm,
    ECAlgorithm,
    HMACAlgorithm,
    OKPAlgorithm,
    RSAAlgorithm,
    RSAPSSAlgorithm,
)

PREPARED_KEY_CACHE_SIZE = 256

_cache: dict[tuple[int, str, Any], tuple[Algorithm, Any, _core.PreparedKey]] = {}
_lock = threading.Lock()


def build(alg: str, algorithm: Algorithm, key: Any) -> _core.PreparedKey:
    """Prepare ``key`` for ``algorithm`` (no caching): validation and parsing as PyJWT's ``prepare_key``."""
    material = algorithm.prepare_key(key)
    key_length_msg = algorithm.check_key_length(material) if hasattr(algorithm, "check_key_length") else None
    kind = type(algorithm)
    # exact type checks on purpose (subclasses go to AlgorithmKey); the isinstance is for type checkers
    if kind is HMACAlgorithm and isinstance(algorithm, HMACAlgorithm):
        hash_algorithm = _HMAC_HASHES[algorithm.hash_alg().name]
        return _core.HMACKey(alg, material, hash_algorithm(), key_length_msg)
    if (kind is RSAAlgorithm or kind is RSAPSSAlgorithm) and isinstance(algorithm, RSAAlgorithm):
        return _core.RSAKey(alg, material, algorithm.hash_alg(), kind is RSAPSSAlgorithm, key_length_msg)
    if kind is ECAlgorithm and isinstance(algorithm, ECAlgorithm):
        return _core.ECKey(alg, material, algorithm.hash_alg(), key_length_msg)
    if kind is OKPAlgorithm:
        return _core.EdKey(alg, material, key_length_msg)
    return _core.AlgorithmKey(alg, algorithm, material, key_length_msg)


def prepare(alg: str, algorithm: Algorithm, key: Any) -> _core.PreparedKey:
    """The cached prepared key for ``(algorithm, key)``; builds it on a miss."""
    if isinstance(key, (str, bytes)):
        cache_key: tuple[int, str, Any] = (id(algorithm), alg, key)
    else:
        cache_key = (id(algorithm), alg, id(key))
    entry = _cache.get(cache_key)
    if entry is not None and entry[0] is algorithm and (entry[1] is key or isinstance(key, (str, bytes))):
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
    """Forget every cached prepared key."""
    with _lock:
        _cache.clear()
    _core.forget_drop_in()


def _hmac_hashes() -> dict[str, Any]:
    from cryptography.hazmat.primitives import hashes

    return {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


_HMAC_HASHES = _hmac_hashes()
