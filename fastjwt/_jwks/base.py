"""The base class of both JWKS clients: parameters, parsing and caching fetched sets, when to fetch, lookups."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from ssl import SSLContext
from typing import Any

from .._text import printable
from ..api_jwk import PyJWK, PyJWKSet
from ..exceptions import (
    MissingCryptographyError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
    PyJWTError,
)
from ..jwk_set_cache import JWKSetCache
from .index import _key_set_of, _KeyIndex, _KeyLRU, _signs
from .policy import _EXPIRED, _ON_REQUEST, _UNKNOWN_KID, MIN_CACHE_SECONDS, Clock, _FetchBackoff, max_age
from .transport import DEFAULT_MAX_RESPONSE_BYTES, FetchResult, too_large, urllib_fetch
from .uri import check_uri, describe_failure, redact_uri

logger = logging.getLogger("fastjwt.jwks")


def _user_agent() -> str:
    try:
        from .. import __version__
    except ImportError:  # a partially initialised package
        __version__ = "0"
    return f"fastjwt/{__version__}"


class _JWKSClientBase:
    """State and rules shared by :class:`~fastjwt.PyJWKClient` and :class:`~fastjwt.jwks_async.AsyncPyJWKClient`.

    Everything here runs without waiting on the network; the subclasses decide how to fetch
    (a thread and a lock, or a task per event loop).
    """

    #: Seconds without fetches after the first failed fetch; each further consecutive failure doubles it.
    failure_backoff_base: float = 1.0
    #: The longest pause between fetches while they keep failing.
    failure_backoff_max: float = 60.0

    def __init__(
        self,
        uri: str,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: dict[str, Any] | None = None,
        timeout: float = 30,
        ssl_context: SSLContext | None = None,
        cooldown_duration: float = 30,
        *,
        fetcher: Callable[..., Any] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        stale_if_error: float = 3600,
        honor_cache_control: bool = True,
        clock: Clock | None = None,
    ) -> None:
        check_uri(uri)
        if cooldown_duration < 0:
            raise PyJWKClientError(
                f'Cooldown duration must be greater than or equal to 0, the input is "{cooldown_duration}"'
            )
        if not math.isfinite(cooldown_duration):
            raise PyJWKClientError(f'Cooldown duration must be finite, the input is "{cooldown_duration}"')
        if cache_jwk_set and lifespan <= 0:
            raise PyJWKClientError(f'Lifespan must be greater than 0, the input is "{lifespan}"')
        if type(max_response_bytes) is not int or max_response_bytes <= 0:
            raise PyJWKClientError("max_response_bytes must be a positive integer")
        if not (math.isfinite(stale_if_error) and stale_if_error >= 0):
            raise PyJWKClientError("stale_if_error must be a finite number of seconds >= 0")
        if clock is not None and not callable(clock):
            raise PyJWKClientError("clock must be a callable returning monotonic seconds")

        self.uri = uri
        self.headers = {} if headers is None else headers
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.cooldown_duration = cooldown_duration
        self.lifespan = lifespan
        self.fetcher = fetcher
        self.max_response_bytes = max_response_bytes
        self.stale_if_error = float(stale_if_error)
        self.honor_cache_control = honor_cache_control
        self._clock = clock
        #: when the last fetch succeeded (the unknown-kid cooldown runs from it); PyJWT's name
        self._last_successful_fetch: float | None = None
        self._backoff = _FetchBackoff()
        self._index: _KeyIndex | None = None
        self._last_fetched: tuple[Any, _KeyIndex] | None = None  # payload fetch_data returned, its index
        self.jwk_set_cache: JWKSetCache | None = JWKSetCache(lifespan, clock=clock) if cache_jwk_set else None
        # with a set cache, keys live in the cached set's index and expire with it
        self._key_lru = (
            _KeyLRU(max_cached_keys, lifespan if lifespan > 0 else 300, self._now)
            if cache_keys and not cache_jwk_set
            else None
        )

    def _now(self) -> float:
        clock = self._clock
        return time.monotonic() if clock is None else clock()

    # -- fetching ---------------------------------------------------------------------------------

    def _request_headers(self) -> dict[str, str]:
        check_uri(self.uri)  # uri is a writable attribute: checked before every request
        headers = {str(name): str(value) for name, value in self.headers.items()}
        if all(name.lower() != "user-agent" for name in headers):
            headers["User-Agent"] = _user_agent()
        return headers

    def _fetch_with_urllib(self, url: str, headers: Mapping[str, str], timeout: float) -> FetchResult:
        return urllib_fetch(url, headers, timeout, self.max_response_bytes, self.ssl_context)

    def _transport_error(self, error: BaseException) -> PyJWKClientConnectionError:
        close = getattr(error, "close", None)  # an HTTPError holds the response open
        if callable(close):
            try:
                close()
            except Exception:  # closing is a courtesy; the error below is what matters
                pass
        return PyJWKClientConnectionError(
            f'Fail to fetch data from the url, err: "{describe_failure(error, self.uri)}"'
        )

    def _accept(self, result: Any) -> Any:
        """Turn what a transport returned into the cached, indexed set; return the JWKS payload."""
        body, response_headers = self._unpack(result)
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as error:  # bad JSON or UTF-8, int digit limits, deep nesting
            raise PyJWKClientError("The JWKS endpoint did not return valid JSON") from error
        payload = self._require_object(payload)
        index = self._index_payload(payload)
        self._install(index, self._lifetime_from(response_headers))
        self._last_fetched = (payload, index)
        self._last_successful_fetch = self._now()
        return payload

    def _unpack(self, result: Any) -> tuple[bytes, Mapping[str, str]]:
        body, response_headers = result if isinstance(result, tuple) and len(result) == 2 else (result, {})
        if isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        if not isinstance(body, bytes) or not isinstance(response_headers, Mapping):
            raise PyJWKClientError("The JWKS fetcher must return bytes or (bytes, headers)")
        if len(body) > self.max_response_bytes:
            raise too_large(self.max_response_bytes)
        return body, response_headers

    def _lifetime_from(self, response_headers: Mapping[str, str]) -> float | None:
        """The set's lifetime when ``Cache-Control`` shortens it; ``None`` keeps ``lifespan``."""
        if not self.honor_cache_control:
            return None
        seconds = max_age(response_headers)
        if seconds is None:
            return None
        ceiling = float(self.lifespan)
        return min(ceiling, max(seconds, min(MIN_CACHE_SECONDS, ceiling)))

    @staticmethod
    def _require_object(payload: Any) -> dict[str, Any]:
        if isinstance(payload, dict):
            return payload
        raise PyJWKClientError("The JWKS endpoint did not return a JSON object")

    def _index_returned(self, payload: Any) -> _KeyIndex:
        """The index of what ``fetch_data`` returned (a subclass may have changed it: then cache that)."""
        fetched = self._last_fetched
        if fetched is not None and fetched[0] is payload:
            return fetched[1]
        index = self._index_payload(payload)
        self._install(index, None)
        return index

    def _index_payload(self, payload: Any) -> _KeyIndex:
        """Parse a JWKS payload, reusing the parsed key of every JWK seen in the current set."""
        if isinstance(payload, PyJWKSet):
            return _KeyIndex(payload)
        entries = self._require_object(payload).get("keys", [])
        if not entries:
            raise PyJWKSetError("The JWK Set did not contain any keys")
        if not isinstance(entries, list):
            raise PyJWKSetError("Invalid JWK Set value")
        known = self._index.parsed if self._index is not None else {}
        parsed: dict[str, PyJWK] = {}
        keys: list[PyJWK] = []
        for entry in entries:
            key = self._parse_entry(entry, parsed, known)
            if key is not None:
                keys.append(key)
        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any usable keys. Perhaps 'cryptography' is not installed?")
        return _KeyIndex(_key_set_of(keys), parsed)

    @staticmethod
    def _parse_entry(entry: Any, parsed: dict[str, PyJWK], known: dict[str, PyJWK]) -> PyJWK | None:
        if not isinstance(entry, dict):
            return None  # not a JWK object: ignored, like a key of an unknown type
        try:
            canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
        key = parsed.get(canonical) or known.get(canonical)
        if key is None:
            try:
                key = PyJWK(entry)
            except MissingCryptographyError:
                raise
            except PyJWTError:
                return None  # unknown kty, alg or crv: the rest of the set stays usable
        parsed[canonical] = key
        return key

    # -- what is cached ---------------------------------------------------------------------------

    def _install(self, index: _KeyIndex, lifetime: float | None) -> None:
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(index.jwk_set, lifetime)
        self._index = index

    def _index_for(self, jwk_set: PyJWKSet) -> _KeyIndex:
        index = self._index
        if index is None or index.jwk_set is not jwk_set:  # e.g. a set put in the cache from outside
            index = _KeyIndex(jwk_set, index.parsed if index is not None else None)
            self._index = index
        return index

    def _fresh_index(self) -> _KeyIndex | None:
        cache = self.jwk_set_cache
        jwk_set = cache.get() if cache is not None else None
        return self._index_for(jwk_set) if jwk_set is not None else None

    def _stale_index(self) -> _KeyIndex | None:
        cache = self.jwk_set_cache
        if cache is None or self.stale_if_error <= 0:
            return None
        jwk_set = cache.get_stale(self.stale_if_error)
        return self._index_for(jwk_set) if jwk_set is not None else None

    def _cooling_down(self, now: float) -> bool:
        """Whether an unknown ``kid`` must wait: a fetch succeeded less than ``cooldown_duration`` ago."""
        last = self._last_successful_fetch
        if self.jwk_set_cache is None or last is None:
            return False  # PyJWT applies the cooldown only with the set cache on
        return now < last + self.cooldown_duration

    def _answer_without_fetch(self, reason: str) -> _KeyIndex | None:
        """The set to answer ``reason`` with instead of fetching, or ``None`` when a fetch should start.

        :raises PyJWKClientError: (or the class of the last failure) when failures have paused
            fetching and there is no set that may still be served.
        """
        now = self._now()
        if reason == _UNKNOWN_KID:
            current = self._index
            if current is not None and (self._cooling_down(now) or self._backoff.holds(now)):
                return current
        elif reason == _EXPIRED:
            fresh = self._fresh_index()
            if fresh is not None:
                return fresh  # someone else refreshed meanwhile
        if reason != _ON_REQUEST and self._backoff.holds(now):
            stale = self._stale_index()
            if stale is not None:
                return stale
            raise self._backoff.paused_error(now)
        return None

    def _note_outcome(self, index: _KeyIndex | None, error: BaseException | None) -> None:
        if error is not None:
            self._backoff.failed(error, self._now(), self.failure_backoff_base, self.failure_backoff_max)
        elif index is not None:
            self._backoff.succeeded()

    def _settle(self, reason: str, index: _KeyIndex | None, error: BaseException | None, leader: bool) -> _KeyIndex:
        """What a refresh gives its caller once the fetch is over."""
        if error is not None:
            stale = self._stale_index() if reason == _EXPIRED else None
            if stale is None:
                raise error
            if leader:  # one warning per failed fetch, not per waiting caller
                self._warn_stale(error)
            return stale
        if index is None:  # the fetching thread or task ended by something other than a fetch error
            raise PyJWKClientConnectionError("The JWKS fetch did not complete")
        return index

    def _warn_stale(self, error: BaseException) -> None:
        entry = self.jwk_set_cache.jwk_set_with_timestamp if self.jwk_set_cache is not None else None
        age = self._now() - entry.timestamp if entry is not None else 0.0
        logger.warning(
            "JWKS refresh from %s failed (%s); serving the keys fetched %.0f s ago "
            "(stale keys are served for at most %.0f s past their expiry)",
            redact_uri(self.uri),
            printable(error, limit=300),
            age,
            self.stale_if_error,
        )

    # -- lookups ----------------------------------------------------------------------------------

    @staticmethod
    def _check_kid(kid: Any) -> None:
        if kid is not None and not isinstance(kid, str):
            raise PyJWKClientError(f"The kid must be a string, not {type(kid).__name__}")

    def _cached_key(self, kid: Any) -> tuple[PyJWK | None, _KeyIndex | None]:
        """A key for ``kid`` found without fetching, and the fresh index searched (if any)."""
        cache = self.jwk_set_cache
        if cache is not None and type(kid) is str:  # the common case, kept short
            entry = cache.jwk_set_with_timestamp
            index = self._index
            if entry is not None and index is not None and index.jwk_set is entry.jwk_set:
                clock = self._clock
                if (time.monotonic() if clock is None else clock()) <= entry.expires_at:
                    key = index.by_kid.get(kid)
                    if key is not None:
                        return key, index
        self._check_kid(kid)
        index = self._fresh_index()
        key = index.find(kid) if index is not None else None
        if key is None and self._key_lru is not None:
            key = self._key_lru.get(kid)
        return key, index

    def _found(self, index: _KeyIndex, kid: str | None) -> PyJWK | None:
        key = index.find(kid)
        if key is not None and self._key_lru is not None:
            self._key_lru.put(kid, key)
        return key

    def _may_refetch_for(self, kid: str | None) -> bool:
        """Whether a ``kid`` missing from the current set justifies a refetch now."""
        return kid is not None and not self._cooling_down(self._now())

    def _not_found(self, kid: str | None, index: _KeyIndex | None) -> PyJWKClientError:
        if kid is not None:
            return PyJWKClientError(f'Unable to find a signing key that matches: "{printable(kid)}"')
        count = len(index.signing) if index is not None else 0
        return PyJWKClientError(f"The token has no kid and the JWKS holds {count} signing keys: cannot choose one")

    @staticmethod
    def _listed_signing_keys(jwk_set: PyJWKSet) -> list[PyJWK]:
        keys = [key for key in jwk_set.keys if key.key_id and _signs(key)]
        if keys:
            return keys
        raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")

    @staticmethod
    def match_kid(signing_keys: list[PyJWK], kid: str) -> PyJWK | None:
        """The first of ``signing_keys`` whose ``kid`` equals ``kid``, or ``None``.

        Kept for code written against PyJWT; the client's own lookups use an index built per set.
        """
        return next((key for key in signing_keys if key.key_id == kid), None)

    @staticmethod
    def _kid_of_token(token: str | bytes) -> Any:
        from ..api_jwt import decode_complete

        # the whole token is decoded (signature unchecked), so a malformed payload fails here, before any fetch
        return decode_complete(token, options={"verify_signature": False})["header"].get("kid")
