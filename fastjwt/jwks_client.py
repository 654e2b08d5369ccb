"""Signing keys from a JWKS endpoint, for threaded code: :class:`PyJWKClient`.

The constructor, methods, attributes and exceptions are those of PyJWT 2.15.1's ``jwt.PyJWKClient``
(code written for it, and its tests' patches of ``urllib.request.build_opener`` and ``time.monotonic``,
keep working). How the client behaves under load and failure is fastjwt's own:

* **One fetch at a time.** Callers that need the set while a fetch is running wait for it and share
  its result, so a cold start under 100 concurrent requests is one request to the endpoint.
* **Unknown ``kid``: one refetch per ``cooldown_duration``**, however many tokens carry it.
* **Failures back off.** After a failed fetch no fetch is made for ``failure_backoff_base`` seconds
  (1 s), doubling with each further consecutive failure up to ``failure_backoff_max`` (60 s); lookups
  in between fail at once with the class of the last failure. A success resets the pause.
* **Stale while error.** While fetches fail, the last good set is still served for up to
  ``stale_if_error`` seconds past its expiry (one warning per failed fetch on the ``fastjwt.jwks``
  logger, the URI shown without query values).
* **``Cache-Control: max-age``** shortens a set's lifetime (never below 5 s, never above ``lifespan``).
* **Keys expire with their set**, including those kept by ``cache_keys``, so a revoked key goes away.
* **Stable keys.** A JWK unchanged across refreshes stays the same :class:`~fastjwt.PyJWK` object.
* **``kid`` edge cases.** ``None`` selects the only signing key of a one-key set; a key published
  without ``kid`` is found by its RFC 7638 thumbprint; a non-string ``kid`` is refused. A ``kid``
  shown in a message is escaped and cut (:func:`fastjwt._text.printable`).
* **Transport** (:mod:`fastjwt._jwks_http`): ``http``/``https`` only, no credentials in the URI, no
  redirects, a total ``timeout``, a size cap (``max_response_bytes``), or your own ``fetcher``.

``fastjwt.Verifier(client, algorithms=[...])`` takes a client as its key: it asks
:meth:`PyJWKClient.get_signing_key` for each token's ``kid``.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from ssl import SSLContext
from typing import Any, Union

from ._jwks_http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    MIN_CACHE_SECONDS,
    check_uri,
    describe_failure,
    redact_uri,
    too_large,
    urllib_fetch,
)
from ._jwks_http import _NoRedirectHandler as _NoRedirectHandler  # PyJWT's tests import it from here
from ._jwks_http import max_age as _max_age
from ._text import printable
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import (
    MissingCryptographyError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
    PyJWTError,
)
from .jwk_set_cache import JWKSetCache

__all__ = ["PyJWKClient", "Fetcher", "FetchResult", "DEFAULT_MAX_RESPONSE_BYTES"]

logger = logging.getLogger("fastjwt.jwks")

#: What a fetcher returns: the body, or the body and the response headers (for ``Cache-Control``).
FetchResult = Union[bytes, tuple[bytes, Mapping[str, str]]]  # noqa: UP007 (public alias: stays a typing.Union)

#: A transport to use instead of urllib: ``fetcher(url, headers, timeout)`` returning a
#: :data:`FetchResult`. It should raise for any status other than 2xx, refuse redirects it cannot
#: vouch for, and stop reading past the size it is willing to hold; the client checks
#: ``max_response_bytes`` again on what it returns. Its exceptions become
#: :class:`~fastjwt.exceptions.PyJWKClientConnectionError` (a :class:`~fastjwt.exceptions.PyJWKClientError`
#: it raises passes through). ``ssl_context`` is for urllib only.
Fetcher = Callable[[str, Mapping[str, str], float], FetchResult]

#: A monotonic time source in seconds.
Clock = Callable[[], float]

# Why a caller wants the set refetched; it decides what may be answered without a fetch.
_EXPIRED = "expired"  # no fresh set is cached
_UNKNOWN_KID = "unknown kid"  # the current set lacks the token's kid
_ON_REQUEST = "on request"  # get_jwk_set(refresh=True)


def _user_agent() -> str:
    try:
        from . import __version__
    except ImportError:  # a partially initialised package
        __version__ = "0"
    return f"fastjwt/{__version__}"


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


def _public_class(error: BaseException) -> type[PyJWTError]:
    """The exception class a lookup raises while fetches are paused after ``error``."""
    for public in (PyJWKClientConnectionError, PyJWKSetError, PyJWKClientError):
        if isinstance(error, public):
            return public
    return PyJWKClientConnectionError


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


class _FetchBackoff:
    """Consecutive failed fetches, and when the next fetch is allowed."""

    __slots__ = ("failures", "pause", "resume_at", "last_error")

    def __init__(self) -> None:
        self.failures = 0
        self.pause = 0.0
        self.resume_at = 0.0
        self.last_error: BaseException | None = None

    def failed(self, error: BaseException, now: float, base: float, ceiling: float) -> None:
        self.failures += 1
        doubled = max(float(base), 0.0) * 2.0 ** min(self.failures - 1, 64)
        self.pause = min(doubled, max(float(ceiling), 0.0))
        self.resume_at = now + self.pause
        self.last_error = error

    def succeeded(self) -> None:
        self.failures = 0
        self.last_error = None

    def holds(self, now: float) -> bool:
        """Whether fetching is paused at ``now``."""
        return self.failures > 0 and now < self.resume_at

    def paused_error(self, now: float) -> PyJWTError:
        error = self.last_error
        fetches = "fetch" if self.failures == 1 else "fetches"
        note = (
            f"JWKS fetches paused for {self.pause:g} s after {self.failures} failed {fetches}; "
            f"next attempt in {max(self.resume_at - now, 0.0):.1f} s"
        )
        if error is None:
            return PyJWKClientConnectionError(note)
        return _public_class(error)(f"{error} ({note})")


class _JWKSClientBase:
    """State and rules shared by :class:`PyJWKClient` and :class:`~fastjwt.jwks_async.AsyncPyJWKClient`.

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
        seconds = _max_age(response_headers)
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
        from .api_jwt import decode_complete

        # the whole token is decoded (signature unchecked), so a malformed payload fails here, before any fetch
        return decode_complete(token, options={"verify_signature": False})["header"].get("kid")


class PyJWKClient(_JWKSClientBase):
    """Signing keys from a JWKS endpoint, cached, for any number of threads.

    The set is cached for ``lifespan`` seconds (or the response's shorter ``Cache-Control: max-age``);
    a ``kid`` missing from it triggers one refetch, then no other for ``cooldown_duration`` seconds
    (``0``: no cooldown; without the set cache there is none either). Failed fetches pause further
    fetches (:attr:`failure_backoff_base`, doubling up to :attr:`failure_backoff_max`).

    :param uri: the endpoint, ``http`` or ``https``, without credentials.
    :param cache_keys: also keep looked-up keys by ``kid``; with the set cache on, they are the set's
        own keys and expire with it.
    :param max_cached_keys: how many keys ``cache_keys`` keeps when the set cache is off.
    :param cache_jwk_set: cache the key set.
    :param lifespan: seconds a fetched set is fresh (> 0).
    :param headers: request headers to send (a ``User-Agent`` here replaces ``fastjwt/<version>``).
    :param timeout: seconds the whole request may take, reading the body included.
    :param ssl_context: the TLS context for ``https`` with the default transport.
    :param cooldown_duration: seconds after a successful fetch before an unknown ``kid`` may refetch.
    :param fetcher: a transport replacing urllib, see :data:`Fetcher`.
    :param max_response_bytes: the largest body accepted (1 MiB by default).
    :param stale_if_error: seconds past expiry that the last good set is still served while fetches
        fail (``0``: never).
    :param honor_cache_control: let ``Cache-Control`` shorten the set's lifetime.
    :param clock: a monotonic time source in seconds (``time.monotonic`` when ``None``); for tests.
    :raises PyJWKClientError: for a URI or parameter the client cannot work with.
    """

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
        fetcher: Fetcher | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        stale_if_error: float = 3600,
        honor_cache_control: bool = True,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            uri,
            cache_keys,
            max_cached_keys,
            cache_jwk_set,
            lifespan,
            headers,
            timeout,
            ssl_context,
            cooldown_duration,
            fetcher=fetcher,
            max_response_bytes=max_response_bytes,
            stale_if_error=stale_if_error,
            honor_cache_control=honor_cache_control,
            clock=clock,
        )
        self._turn = threading.Condition(threading.Lock())
        self._fetching = False
        self._fetches_done = 0
        self._outcome: tuple[_KeyIndex | None, BaseException | None] = (None, None)

    def fetch_data(self) -> Any:
        """Request the set now, cache it (when caching) and return the JWKS document as a dict.

        Called for every fetch the client makes; a subclass may override it to change the document
        (what it returns is what gets cached). Not held back by the failure backoff.

        :raises PyJWKClientConnectionError: the request failed (network, TLS, timeout, a status other
            than 2xx, a redirect).
        :raises PyJWKClientError: the body is too large, not JSON, or not a JSON object.
        :raises PyJWKSetError: the document holds no usable key.
        """
        headers = self._request_headers()
        try:
            if self.fetcher is None:
                result = self._fetch_with_urllib(self.uri, headers, self.timeout)
            else:
                result = self.fetcher(self.uri, headers, self.timeout)
        except PyJWKClientError:
            raise
        except Exception as error:  # whatever the transport raises
            raise self._transport_error(error) from error
        return self._accept(result)

    def _fetch_now(self) -> tuple[_KeyIndex | None, BaseException | None]:
        try:
            return self._index_returned(self.fetch_data()), None
        except (PyJWKClientError, PyJWKSetError) as error:
            return None, error

    def _refresh(self, reason: str) -> _KeyIndex:
        """Fetch the set for ``reason`` unless it can be answered without; one fetch serves all waiting."""
        with self._turn:
            leader = not self._fetching
            if leader:
                answer = self._answer_without_fetch(reason)
                if answer is not None:
                    return answer
                self._fetching = True
            else:
                round_waited = self._fetches_done
                while self._fetching and self._fetches_done == round_waited:
                    self._turn.wait()
                index, error = self._outcome
        if leader:
            index, error = None, None
            try:
                index, error = self._fetch_now()
            finally:
                with self._turn:
                    self._note_outcome(index, error)
                    self._outcome = (index, error)
                    self._fetching = False
                    self._fetches_done += 1
                    self._turn.notify_all()
        return self._settle(reason, index, error, leader)

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The key set: the cached one while fresh, otherwise fetched.

        :param refresh: fetch even if the cached set is fresh.
        :raises PyJWKClientConnectionError: a fetch was needed and failed (or failures paused fetching),
            with no stale set allowed.
        """
        if not refresh:
            index = self._fresh_index()
            if index is not None:
                return index.jwk_set
        return self._refresh(_ON_REQUEST if refresh else _EXPIRED).jwk_set

    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """The keys of the set that have a ``kid`` and a ``use`` of ``"sig"`` or none.

        :param refresh: fetch even if the cached set is fresh.
        :raises PyJWKClientError: the set has no such key.
        """
        return self._listed_signing_keys(self.get_jwk_set(refresh))

    def get_signing_key(self, kid: str | None) -> PyJWK:
        """The key that verifies tokens carrying ``kid``.

        A ``kid`` missing from a fresh set refetches it once (then not again for ``cooldown_duration``).
        ``None`` (a token without ``kid``) selects the set's only signing key; a ``kid`` also matches
        the RFC 7638 thumbprint of a key published without one.

        :raises PyJWKClientError: no key matches, or ``kid`` is not a string.
        :raises PyJWKClientConnectionError: the set was needed and could not be fetched.
        """
        key, index = self._cached_key(kid)
        if key is not None:
            return key
        if index is None:
            index = self._refresh(_EXPIRED)
            key = self._found(index, kid)
            if key is not None:
                return key
        if self._may_refetch_for(kid):
            index = self._refresh(_UNKNOWN_KID)
            key = self._found(index, kid)
            if key is not None:
                return key
        raise self._not_found(kid, index)

    def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """The key for a token, chosen by the ``kid`` in its header (the signature is not checked here).

        :raises DecodeError: the token is malformed.
        :raises InvalidTokenError: its ``kid`` is not a string.
        """
        return self.get_signing_key(self._kid_of_token(token))
