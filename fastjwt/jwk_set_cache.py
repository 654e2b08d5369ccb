"""Where a JWKS client keeps the last key set it fetched: :class:`JWKSetCache`.

One entry, holding an already parsed :class:`~fastjwt.PyJWKSet`, the time it was stored and the time it
stops being fresh. The public surface is the one PyJWT code uses (``JWKSetCache(lifespan)``,
``put``, ``get``, ``is_expired``, ``jwk_set_with_timestamp`` with ``get_jwk_set()`` and
``get_timestamp()``); the rest serves fastjwt's client: a lifetime per entry (from ``Cache-Control``),
read access to an expired entry for a bounded stale period, and an injectable clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .api_jwk import PyJWKSet
from .exceptions import PyJWKSetError

__all__ = ["CachedJWKSet", "JWKSetCache"]

Clock = Callable[[], float]


def _monotonic_now() -> float:
    # looked up at each call, so a test that patches time.monotonic moves this clock too
    return time.monotonic()


class CachedJWKSet:
    """One stored key set and its times, in seconds of the cache's clock.

    :ivar jwk_set: the parsed set.
    :ivar timestamp: when it was stored.
    :ivar expires_at: when it stops being fresh (``inf`` for a negative lifespan: never).
    """

    __slots__ = ("jwk_set", "timestamp", "expires_at")

    def __init__(self, jwk_set: PyJWKSet, lifespan: float, *, stored_at: float | None = None) -> None:
        self.jwk_set = jwk_set
        self.timestamp = _monotonic_now() if stored_at is None else stored_at
        self.expires_at = float("inf") if lifespan <= -1 else self.timestamp + lifespan

    def get_jwk_set(self) -> PyJWKSet:
        """The stored set."""
        return self.jwk_set

    def get_timestamp(self) -> float:
        """When the set was stored."""
        return self.timestamp


def _as_key_set(value: Any) -> PyJWKSet:
    if isinstance(value, PyJWKSet):
        return value
    if isinstance(value, dict):
        return PyJWKSet.from_dict(value)  # a JWKS document: parsed once, here
    raise PyJWKSetError("Invalid JWK Set value")


class JWKSetCache:
    """Keeps the most recent key set for ``lifespan`` seconds.

    :param lifespan: seconds an entry stays fresh unless :meth:`put` is given another lifetime;
        ``-1`` keeps entries forever.
    :param clock: a monotonic time source in seconds (``time.monotonic`` when ``None``).
    """

    def __init__(self, lifespan: float, *, clock: Clock | None = None) -> None:
        self.lifespan = lifespan
        self.jwk_set_with_timestamp: CachedJWKSet | None = None
        self._clock: Clock = clock if clock is not None else _monotonic_now

    def put(self, jwk_set: PyJWKSet | dict[str, Any] | None, lifespan: float | None = None) -> None:
        """Store ``jwk_set`` (a ``PyJWKSet`` or a JWKS document, parsed here); ``None`` empties the cache.

        :param lifespan: this entry's lifetime in seconds; the cache's ``lifespan`` when ``None``.
        :raises PyJWKSetError: for any other value, or a document without usable keys.
        """
        if jwk_set is None:
            self.jwk_set_with_timestamp = None
            return
        entry_lifespan = self.lifespan if lifespan is None else lifespan
        self.jwk_set_with_timestamp = CachedJWKSet(_as_key_set(jwk_set), entry_lifespan, stored_at=self._clock())

    def get(self) -> PyJWKSet | None:
        """The stored set while it is fresh; ``None`` once it expired or when nothing is stored."""
        return self.get_stale(0.0)

    def get_stale(self, max_stale: float) -> PyJWKSet | None:
        """The stored set unless it expired more than ``max_stale`` seconds ago."""
        entry = self.jwk_set_with_timestamp
        if entry is not None and self._clock() <= entry.expires_at + max_stale:
            return entry.jwk_set
        return None

    def is_expired(self) -> bool:
        """True when a set is stored and is no longer fresh (an empty cache is not expired)."""
        entry = self.jwk_set_with_timestamp
        return entry is not None and self._clock() > entry.expires_at
