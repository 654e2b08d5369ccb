"""The Decoder: one prepared decode configuration and its verified-token cache (twin of ``decoder.pxi``)."""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..exceptions import (
    DecodeError,
    InvalidTokenError,
)
from ._claims_py import ClaimRules, _as_int
from ._common_py import ERROR_CACHE_MAX_TOKEN_LENGTH, TOKEN_CACHE_BYTES
from ._headers_py import DecodeLimits, HeaderCache, _copy_object, footprint, validate_header
from ._prepared_py import PreparedKey
from ._token_py import (
    _HEADER_CACHE,
    DEFAULT_LIMITS,
    _exact_token,
    _load,
    check_algorithm,
    parse_payload,
    verify_signature,
)


class _CacheEntry:
    """One verified-token cache entry. Built whole before it is stored and never changed after.

    A verified token keeps its claims (a private copy no caller ever sees), header, signature and key; a failed one
    (the error cache) keeps only the exception's class and arguments: no traceback, so no caller's frame.
    """

    __slots__ = (
        "claims",
        "immutable",
        "header",
        "signature",
        "key",
        "alg",
        "expires",
        "not_before",
        "error_class",
        "error_args",
        "cost",
    )

    # annotations only (no values), so the slots stay plain slots
    claims: dict[str, Any]
    immutable: bool
    header: dict[str, Any]
    signature: bytes
    key: PreparedKey | None
    alg: Any  # the header's "alg", already checked by check_algorithm
    expires: float
    not_before: float
    error_class: type[BaseException] | None
    error_args: tuple[Any, ...]
    cost: int

    def __init__(self) -> None:
        self.error_class = None


def _all_immutable(claims: dict[str, Any]) -> bool:
    for value in claims.values():  # noqa: SIM110 (mirrors the .pyx loop; no generator on the hot path)
        if type(value) not in (str, int, float, bool, type(None)):
            return False
    return True


def _seconds_of(value: Any, otherwise: float) -> float:
    """A time claim (already checked to be a JSON number) as a float: huge integers become +/-inf, never an error."""
    number = _as_int(value)
    if number is None:
        return otherwise
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


class Decoder:
    """One decode configuration, prepared once: the whole verify-and-decode pipeline in one call.

    :param prepare: ``prepare(alg) -> PreparedKey`` for a fixed key (results are kept per algorithm), or None.
    :param resolve: ``resolve(header, alg) -> PreparedKey`` for key sets and key sources (kid lookup), or None.
    :param allowed: the algorithms the caller allows (None: any the key supports, PyJWK-bound callers).
    :param rules: the claim checks, or None to return the raw payload bytes (the JWS layer).
    :param cache_size: verified-token cache entries (0: no cache); ``cache_ttl``/``error_cache_ttl`` in seconds.
    :param cache_max_bytes: the verified-token cache's bound in bytes (tokens, claims and headers, as measured).

    Every call returns objects the caller owns: claims and headers, nested lists and dicts included, are new for
    each call, from the cache or not.
    """

    def __init__(
        self,
        prepare: Callable[[str], PreparedKey] | None,
        resolve: Callable[[dict[str, Any], str], PreparedKey] | None,
        allowed: frozenset[str] | None,
        rules: ClaimRules | None,
        *,
        verify_signature: bool = True,
        enforce_minimum_key_length: bool = False,
        supported_crit: frozenset[str] = frozenset({"b64"}),
        typ: str | None = None,
        limits: DecodeLimits = DEFAULT_LIMITS,
        header_cache: HeaderCache | None = _HEADER_CACHE,
        cache_size: int = 0,
        cache_ttl: float = 600.0,
        error_cache_ttl: float = 0.0,
        cache_max_bytes: int = TOKEN_CACHE_BYTES,
    ) -> None:
        self._prepare = prepare
        self._resolve = resolve
        self._prepared: dict[str, PreparedKey] = {}
        self.allowed = allowed
        self.rules = rules
        self.verify = bool(verify_signature)
        self.enforce_minimum_key_length = bool(enforce_minimum_key_length)
        self.supported_crit = frozenset(supported_crit)
        self.typ = None if typ is None else _normalise_typ(typ)
        self.limits = limits
        self.header_cache = header_cache
        self.cache_size = int(cache_size)
        self.cache_max_bytes = int(cache_max_bytes)
        self.cache_ttl = float(cache_ttl)
        self.error_cache_ttl = float(error_cache_ttl)
        self._cache: dict[Any, _CacheEntry] = {}
        self._cache_bytes = 0
        # Every change to the verified-token cache (and its byte count) runs under this lock: in pure Python,
        # threads can switch between any two bytecodes of an eviction.
        self._lock = threading.Lock()

    @property
    def limits(self) -> DecodeLimits:
        """The size and depth bounds tokens are read under."""
        return self._limits

    @limits.setter
    def limits(self, value: DecodeLimits) -> None:
        if not isinstance(value, DecodeLimits):
            raise TypeError(f"Argument 'value' has incorrect type (expected DecodeLimits, got {type(value).__name__})")
        self._limits = value

    # -- public -------------------------------------------------------------------------------------------------------

    def decode(self, token: Any, detached_payload: bytes | None = None) -> Any:
        """The verified claims (a fresh dict), or the payload bytes when built without claim rules."""
        return self._run(token, detached_payload, False)

    def decode_token(self, token: Any) -> Any:
        """``decode(token)`` with nothing else: the one-argument form a Verifier binds (the cheapest call)."""
        return self._run(token, None, False)

    def decode_complete(self, token: Any, detached_payload: bytes | None = None) -> dict[str, Any]:
        """``{"payload": ..., "header": ..., "signature": ...}`` as PyJWT's ``decode_complete`` returns it."""
        return self._run(token, detached_payload, True)  # type: ignore[no-any-return]

    def clear_cache(self) -> None:
        """Drop every verified-token cache entry."""
        with self._lock:
            self._cache.clear()
            self._cache_bytes = 0

    @property
    def cache_len(self) -> int:
        """The number of verified-token cache entries."""
        return len(self._cache)

    @property
    def cache_bytes(self) -> int:
        """The bytes the verified-token cache's entries take, as counted against ``cache_max_bytes``."""
        return self._cache_bytes

    # -- pipeline -----------------------------------------------------------------------------------------------------

    def _run(self, token: Any, detached_payload: bytes | None, complete: bool) -> Any:
        token = _exact_token(token)
        rules = self.rules
        cached = self.cache_size > 0 and detached_payload is None and rules is not None
        if cached and type(token) in (str, bytes):
            entry = self._cache.get(token)
            if entry is not None:
                result = self._hit(token, entry, complete)
                if result is not None:
                    return result
        limits = self.limits  # this call's limits, whatever a setter does meanwhile
        payload, signing_input, header, signature, segment, parsed = _load(token, limits, self.header_cache)
        now = 0.0
        try:
            key = self._check(header, signing_input, signature, detached_payload)
            if key is not None and parsed and self.header_cache is not None and header.get("b64", True) is not False:
                # the signature is good: only now may the header outlive this call
                self.header_cache.store(segment, header, limits)
            if detached_payload is not None:
                payload = detached_payload
            if rules is None:
                claims: Any = payload
            else:
                claims = parse_payload(payload, limits.max_depth)
                now = rules.now()
                rules.check(claims, now)
        except InvalidTokenError as exc:
            if cached and self.error_cache_ttl > 0 and type(token) in (str, bytes):
                self._store_error(token, exc)
            raise
        if cached:
            self._store(token, claims, header, signature, key, now)
        if complete:
            return {"payload": claims, "header": _copy_object(header), "signature": signature}
        return claims

    def _check(
        self,
        header: dict[str, Any],
        signing_input: bytes,
        signature: bytes,
        detached_payload: bytes | None,
    ) -> PreparedKey | None:
        validate_header(header, self.supported_crit)
        if self.typ is not None:
            typ = header.get("typ")
            if not isinstance(typ, str) or _normalise_typ(typ) != self.typ:
                raise InvalidTokenError("Invalid token type (typ)")
        b64 = header.get("b64", True)
        if detached_payload is not None and b64 is not False:
            raise DecodeError(
                'It is only valid to pass "detached_payload" when the protected header has "b64" set to false.'
            )
        if b64 is False:
            crit = header.get("crit") or []
            if not isinstance(crit, list) or "b64" not in crit:
                raise InvalidTokenError("The 'b64' header parameter requires 'b64' to be listed in 'crit'.")
            if detached_payload is None:
                raise DecodeError(
                    'It is required that you pass in a value for the "detached_payload" argument to decode a '
                    "message having the b64 header set to false."
                )
            signing_input = signing_input[: signing_input.rfind(b".")] + b"." + detached_payload
        if not self.verify:
            return None
        alg = check_algorithm(header, self.allowed)
        key: PreparedKey | None
        if self._resolve is not None:
            key = self._resolve(header, alg)
        else:
            key = self._prepared.get(alg)
            if key is None:
                key = self._prepare(alg)  # type: ignore[misc]
                if len(self._prepared) < 64:
                    self._prepared[alg] = key
        verify_signature(key, signing_input, signature, self.enforce_minimum_key_length)  # type: ignore[arg-type]
        return key

    # -- verified-token cache -----------------------------------------------------------------------------------------

    def _store(
        self,
        token: Any,
        claims: dict[str, Any],
        header: dict[str, Any],
        signature: bytes,
        key: PreparedKey | None,
        now: float,
    ) -> None:
        budget = self.cache_max_bytes // 8  # no one entry may take more than an eighth
        cost = sys.getsizeof(token) + len(signature) + footprint(header, budget)
        if cost > budget:
            return
        cost += footprint(claims, budget - cost)
        if cost > budget:
            return
        rules: ClaimRules = self.rules  # type: ignore[assignment]
        entry = _CacheEntry()
        entry.immutable = _all_immutable(claims)
        entry.claims = dict(claims) if entry.immutable else _copy_object(claims)
        entry.header = header
        entry.signature = signature
        entry.key = key
        entry.alg = header.get("alg")
        entry.expires = min(now + self.cache_ttl, _seconds_of(claims.get("exp"), math.inf) + rules.leeway)
        entry.not_before = _seconds_of(claims.get("nbf"), -math.inf) - rules.leeway
        entry.cost = cost
        self._insert(token, entry)

    def _store_error(self, token: Any, exc: BaseException) -> None:
        if len(token) > ERROR_CACHE_MAX_TOKEN_LENGTH:
            return
        entry = _CacheEntry()
        entry.error_class = type(exc)
        entry.error_args = tuple(exc.args)
        entry.cost = sys.getsizeof(token) + sys.getsizeof(entry.error_args)
        for arg in entry.error_args:
            entry.cost += sys.getsizeof(arg)
        entry.expires = self.rules.now() + self.error_cache_ttl  # type: ignore[union-attr]
        self._insert(token, entry)

    def _insert(self, token: Any, entry: _CacheEntry) -> None:
        cache = self._cache
        if entry.cost > self.cache_max_bytes:
            return
        with self._lock:
            self._evict(token)
            while cache and (len(cache) >= self.cache_size or self._cache_bytes + entry.cost > self.cache_max_bytes):
                self._evict(next(iter(cache)))
            cache[token] = entry
            self._cache_bytes += entry.cost

    def _evict(self, token: Any) -> None:  # under self._lock
        old = self._cache.pop(token, None)
        if old is not None:
            self._cache_bytes -= old.cost

    def _evict_entry(self, token: Any, entry: _CacheEntry) -> None:
        """Drop ``token``'s entry if it is still ``entry`` (another thread may have stored a newer one)."""
        with self._lock:
            if self._cache.get(token) is entry:
                self._evict(token)

    def _hit(self, token: Any, entry: _CacheEntry, complete: bool) -> Any:
        rules: ClaimRules = self.rules  # type: ignore[assignment]
        now = rules.now()
        if entry.error_class is not None:
            if now < entry.expires:
                raise entry.error_class(*entry.error_args)
            self._evict_entry(token, entry)
            return None
        if now >= entry.expires or now < entry.not_before:
            self._evict_entry(token, entry)
            return None
        if self._resolve is not None and self.verify:
            try:
                current = self._resolve(entry.header, entry.alg)
            except Exception:
                current = None
            if current is not entry.key:
                self._evict_entry(token, entry)
                return None
        try:
            rules.check(entry.claims, now)
        except Exception:
            self._evict_entry(token, entry)
            raise
        claims = dict(entry.claims) if entry.immutable else _copy_object(entry.claims)
        if complete:
            return {"payload": claims, "header": _copy_object(entry.header), "signature": entry.signature}
        return claims


def _normalise_typ(typ: str) -> str:
    """RFC 8725 3.11 / RFC 7515 4.1.9: media types compare case-insensitively, ``application/`` may be omitted."""
    typ = typ.lower()
    return typ[12:] if typ.startswith("application/") else typ
