"""A fetched key set indexed for lookups by ``kid`` (or thumbprint), and the per-``kid`` cache used without a
set cache."""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..api_jwk import PyJWK, PyJWKSet
from ..exceptions import PyJWTError
from .policy import Clock


def _signs(key: PyJWK) -> bool:
    """Whether a key may verify signatures: its ``use`` is ``"sig"`` or not stated."""
    use = key.public_key_use
    return use is None or use == "sig"


def _thumbprint_or_none(key: PyJWK) -> str | None:
    try:
        return key.thumbprint()
    except (PyJWTError, ValueError, TypeError, KeyError):
        return None  # a key type without an RFC 7638 thumbprint


def _key_set_of(keys: list[PyJWK]) -> PyJWKSet:
    # PyJWKSet's constructor parses JWK dicts; these keys are parsed already (some are reused objects)
    key_set = PyJWKSet.__new__(PyJWKSet)
    key_set.keys = keys
    return key_set


class _KeyIndex:
    """One key set, indexed for lookups by ``kid`` and, for keys published without one, by thumbprint."""

    __slots__ = ("jwk_set", "signing", "by_kid", "by_thumbprint", "parsed")

    def __init__(self, jwk_set: PyJWKSet, parsed: dict[str, PyJWK] | None = None) -> None:
        self.jwk_set = jwk_set
        self.signing = [key for key in jwk_set.keys if _signs(key)]
        self.by_kid: dict[str, PyJWK] = {}
        self.by_thumbprint: dict[str, PyJWK] = {}
        for key in self.signing:
            kid = key.key_id
            if isinstance(kid, str):
                self.by_kid.setdefault(kid, key)  # a repeated kid: the first key published wins
            elif kid is None:
                thumbprint = _thumbprint_or_none(key)
                if thumbprint is not None:
                    self.by_thumbprint.setdefault(thumbprint, key)
        #: canonical JWK JSON -> its parsed key, so a refresh can reuse unchanged keys
        self.parsed: dict[str, PyJWK] = parsed if parsed is not None else {}

    def find(self, kid: str | None) -> PyJWK | None:
        if kid is None:
            return self.signing[0] if len(self.signing) == 1 else None
        key = self.by_kid.get(kid)
        return key if key is not None else self.by_thumbprint.get(kid)


class _KeyLRU:
    """``cache_keys`` without a set cache: recently used keys by ``kid``, each kept ``lifespan`` seconds."""

    def __init__(self, capacity: int, lifespan: float, clock: Clock) -> None:
        self._capacity = max(0, int(capacity))
        self._lifespan = lifespan
        self._clock = clock
        self._entries: OrderedDict[str | None, tuple[float, PyJWK]] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, kid: str | None) -> PyJWK | None:
        with self._guard:
            entry = self._entries.get(kid)
            if entry is None:
                return None
            if self._clock() > entry[0]:
                del self._entries[kid]
                return None
            self._entries.move_to_end(kid)
            return entry[1]

    def put(self, kid: str | None, key: PyJWK) -> None:
        if not self._capacity:
            return
        with self._guard:
            self._entries[kid] = (self._clock() + self._lifespan, key)
            self._entries.move_to_end(kid)
            if len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
