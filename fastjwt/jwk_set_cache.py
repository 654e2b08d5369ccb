"""The JWK Set cache behind :class:`fastjwt.PyJWKClient`.

Adapted from PyJWT (MIT). Same ``JWKSetCache(lifespan)`` with ``put``/``get``/``is_expired``,
plus what the client needs beyond PyJWT: a per-entry lifespan (from ``Cache-Control:
max-age``) and read access to an expired entry for a bounded stale period.
"""

from __future__ import annotations

import time
from typing import Any

from .api_jwk import PyJWKSet
from .exceptions import PyJWKSetError

__all__ = ["JWKSetCache", "CachedJWKSet"]


class CachedJWKSet:
    """A parsed JWK Set with the monotonic time it was stored and the time it expires."""

    __slots__ = ("jwk_set", "timestamp", "expires_at")

    def __init__(self, jwk_set: PyJWKSet, lifespan: float) -> None:
        self.jwk_set = jwk_set
        self.timestamp = time.monotonic()
        self.expires_at = self.timestamp + lifespan if lifespan > -1 else float("inf")

    def get_jwk_set(self) -> PyJWKSet:
        """The cached set (PyJWT's ``PyJWTSetWithTimestamp`` API)."""
        return self.jwk_set

    def get_timestamp(self) -> float:
        """When the set was stored, on the :func:`time.monotonic` clock."""
        return self.timestamp


class JWKSetCache:
    """Holds one parsed JWK Set for ``lifespan`` seconds (``-1``: forever).

    :param lifespan: default time to live of a stored set, in seconds.
    """

    def __init__(self, lifespan: float) -> None:
        self.jwk_set_with_timestamp: CachedJWKSet | None = None
        self.lifespan = lifespan

    def put(self, jwk_set: PyJWKSet | dict[str, Any] | None, lifespan: float | None = None) -> None:
        """Cache *jwk_set*, or clear the cache when it is ``None``.

        A JWKS payload dict is parsed first, so reads never parse keys again.

        :param lifespan: time to live of this entry; the cache's ``lifespan`` when ``None``.
        :raises PyJWKSetError: if *jwk_set* is neither a ``PyJWKSet`` nor a JWKS payload with
            usable keys.
        """
        if jwk_set is None:
            self.jwk_set_with_timestamp = None
            return
        if not isinstance(jwk_set, PyJWKSet):
            if not isinstance(jwk_set, dict):
                raise PyJWKSetError("Invalid JWK Set value")
            jwk_set = PyJWKSet.from_dict(jwk_set)
        self.jwk_set_with_timestamp = CachedJWKSet(
            jwk_set, self.lifespan if lifespan is None else lifespan
        )

    def get(self) -> PyJWKSet | None:
        """The cached set, or ``None`` when empty or expired."""
        entry = self.jwk_set_with_timestamp
        if entry is None or time.monotonic() > entry.expires_at:
            return None
        return entry.jwk_set

    def get_stale(self, max_stale: float) -> PyJWKSet | None:
        """The cached set if it expired at most ``max_stale`` seconds ago (or is still fresh)."""
        entry = self.jwk_set_with_timestamp
        if entry is None or time.monotonic() > entry.expires_at + max_stale:
            return None
        return entry.jwk_set

    def is_expired(self) -> bool:
        """Whether a set is stored and its lifespan has passed."""
        entry = self.jwk_set_with_timestamp
        return entry is not None and time.monotonic() > entry.expires_at
