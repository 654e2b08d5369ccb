"""Fetch signing keys from a JWKS endpoint: :class:`PyJWKClient`.

Adapted from PyJWT (MIT). Same constructor parameters, methods and exceptions as PyJWT 2.15.1's
``jwt.PyJWKClient``, plus what a service under load needs:

* **Single flight.** One fetch at a time; concurrent callers that need the JWKS wait for the
  fetch in progress and share its result (no thundering herd at cold start).
* **Unknown ``kid`` refetch at most once per cooldown**, however many requests carry it.
* **Stale while error.** When a refresh fails, the last good set keeps being served for at most
  ``stale_if_error`` seconds past its expiry (logged on the ``fastjwt.jwks`` logger); after that
  the fetch error is raised. Failed refreshes are retried at most once per
  ``max(cooldown_duration, 1)`` seconds while stale keys are served.
* **``Cache-Control: max-age`` honoured**: a set expires after ``min(lifespan, max-age)``
  seconds (``no-cache``/``no-store`` count as ``max-age=0``; at least 5 seconds either way).
* **Signing keys expire with the set.** ``cache_keys`` never keeps a key longer than the set
  that published it (PyJWT's per-key LRU never expires, so a revoked key lived forever).
* **Parsed keys are kept.** A key whose JWK is unchanged across refreshes is the *same*
  :class:`~fastjwt.PyJWK` object, so verifiers caching on key identity stay warm.
* **``kid`` edge cases.** ``get_signing_key(None)`` returns the only signing key of a set that
  has exactly one; a key published without ``kid`` is found by its RFC 7638 thumbprint; a
  non-string ``kid`` raises :class:`~fastjwt.exceptions.PyJWKClientError`.
* **Transport.** ``http``/``https`` only, redirects never followed, a ``fastjwt/<version>``
  User-Agent (unless ``headers`` names one), a response size cap (``max_response_bytes``, 1 MiB
  by default, refused from ``Content-Length`` before reading), and a pluggable ``fetcher``
  (see :data:`Fetcher`) for proxies or an existing HTTP client.

A client is a *key source*: ``fastjwt.Verifier(client, algorithms=[...])`` calls
:meth:`PyJWKClient.get_signing_key` with the token's ``kid``.
"""

from __future__ import annotations

import json
import logging
import math
import socket
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Mapping
from ssl import SSLContext
from typing import Any, Union
from urllib.error import HTTPError
from urllib.parse import urlparse

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

#: A transport: ``fetcher(url, headers, timeout) -> body`` or ``-> (body, response_headers)``.
#: It must raise on a non-2xx status and must not follow redirects to another origin it does not
#: trust. Any exception it raises becomes :class:`PyJWKClientConnectionError`. The client still
#: applies ``max_response_bytes`` to the body it returns (a fetcher that can should stop reading
#: early itself). ``ssl_context`` is not used with a custom fetcher.
Fetcher = Callable[[str, Mapping[str, str], float], FetchResult]

#: The default ``max_response_bytes``: 1 MiB (real JWKS documents are a few kilobytes).
DEFAULT_MAX_RESPONSE_BYTES = 1 << 20
_MIN_TTL = 5.0  # floor for Cache-Control lifetimes, so "no-cache" cannot turn every request into a fetch
_MAX_KID_IN_MESSAGE = 128
_monotonic = time.monotonic


def _user_agent() -> str:
    try:
        from . import __version__ as version
    except ImportError:
        try:
            from importlib.metadata import version as dist_version

            version = dist_version("fastjwt")
        except Exception:  # not installed: running from a source tree
            version = "0"
    return f"fastjwt/{version}"


def _kid_for_message(kid: str) -> str:
    return kid if len(kid) <= _MAX_KID_IN_MESSAGE else kid[:_MAX_KID_IN_MESSAGE] + "..."


def _canonical(jwk: Mapping[str, Any]) -> str:
    return json.dumps(jwk, sort_keys=True, separators=(",", ":"))


def _max_age(headers: Mapping[str, str]) -> float | None:
    """Lifetime in seconds from ``Cache-Control``, or ``None`` when it says nothing usable."""
    value = None
    for name, v in headers.items():
        if name.lower() == "cache-control":
            value = v
            break
    if not value:
        return None
    result: float | None = None
    for directive in value.split(","):
        name, _, arg = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-cache", "no-store"):
            return 0.0
        if name == "max-age":
            arg = arg.strip().strip('"')
            if arg.isdigit():
                result = float(int(arg[:12]))  # bounded: a 10^1000 age must not cost anything
    return result


class _NoRedirectHandler(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


class _Watchdog:
    """Shuts a request's sockets down at its deadline, which wakes a read blocked on them."""

    def __init__(self, timeout: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(float(timeout), 0.0), self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            self._shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed, or detached by the TLS wrapper (its SSLSocket is watched too)


def _watched(http_class: Any, watchdog: _Watchdog) -> Any:
    """``http_class`` (an ``http.client`` connection class) with its sockets under ``watchdog``."""

    class WatchedConnection(http_class):  # type: ignore[misc]
        _create_connection: Callable[..., socket.socket]  # set per instance by http.client

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            create: Callable[..., socket.socket] = self._create_connection

            def create_and_watch(*a: Any, **kw: Any) -> socket.socket:
                sock = create(*a, **kw)
                watchdog.watch(sock)  # covers the TLS handshake too
                return sock

            self._create_connection = create_and_watch

        def connect(self) -> None:
            super().connect()
            watchdog.watch(self.sock)  # the SSLSocket that replaced the raw one

    return WatchedConnection


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        return super().do_open(_watched(http_class, self._watchdog), req, **kwargs)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog, context: SSLContext | None) -> None:
        super().__init__(context=context)
        self._watchdog = watchdog

    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        return super().do_open(_watched(http_class, self._watchdog), req, **kwargs)


class _KeyIndex:
    """Lookups over one parsed JWK Set: by ``kid``, by thumbprint (keys without ``kid``)."""

    __slots__ = ("jwk_set", "signing_keys", "by_kid", "by_thumbprint", "by_jwk")

    def __init__(self, jwk_set: PyJWKSet, sources: dict[str, PyJWK] | None = None) -> None:
        self.jwk_set = jwk_set
        self.signing_keys = [k for k in jwk_set.keys if k.public_key_use in ("sig", None)]
        self.by_kid: dict[str, PyJWK] = {}
        self.by_thumbprint: dict[str, PyJWK] = {}
        for key in self.signing_keys:
            kid = key.key_id
            if kid is None:
                try:
                    self.by_thumbprint.setdefault(key.thumbprint(), key)
                except (PyJWTError, ValueError, TypeError, KeyError):
                    pass  # no thumbprint for this key type: usable only as the single key
            elif isinstance(kid, str):
                self.by_kid.setdefault(kid, key)  # first match wins, as PyJWT's match_kid
        # canonical JWK JSON -> parsed key, so an unchanged key keeps its identity on refresh
        self.by_jwk: dict[str, PyJWK] = sources if sources is not None else {}

    def lookup(self, kid: str | None) -> PyJWK | None:
        if kid is None:
            return self.signing_keys[0] if len(self.signing_keys) == 1 else None
        key = self.by_kid.get(kid)
        if key is None:
            key = self.by_thumbprint.get(kid)
        return key


class _KeyLRU:
    """PyJWT's ``cache_keys`` LRU, with entries that expire after ``lifespan`` seconds."""

    def __init__(self, maxsize: int, lifespan: float) -> None:
        self.maxsize = max(0, int(maxsize))
        self.lifespan = lifespan
        self._items: OrderedDict[str | None, tuple[PyJWK, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kid: str | None) -> PyJWK | None:
        with self._lock:
            item = self._items.get(kid)
            if item is None:
                return None
            if time.monotonic() > item[1]:
                del self._items[kid]
                return None
            self._items.move_to_end(kid)
            return item[0]

    def put(self, kid: str | None, key: PyJWK) -> None:
        if self.maxsize == 0:
            return
        with self._lock:
            self._items[kid] = (key, time.monotonic() + self.lifespan)
            self._items.move_to_end(kid)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)


class _JWKSClientBase:
    """Configuration, transport, parsing and key lookup shared by the sync and async clients."""

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
    ) -> None:
        if headers is None:
            headers = {}
        self._check_scheme(uri)
        self.uri = uri
        self.headers = headers
        self.timeout = timeout
        self.ssl_context = ssl_context
        if cooldown_duration < 0:
            raise PyJWKClientError(
                "Cooldown duration must be greater than or equal to 0, "
                f'the input is "{cooldown_duration}"'
            )
        if not math.isfinite(cooldown_duration):
            raise PyJWKClientError(
                f'Cooldown duration must be finite, the input is "{cooldown_duration}"'
            )
        self.cooldown_duration = cooldown_duration
        if not (isinstance(max_response_bytes, int) and max_response_bytes > 0):
            raise PyJWKClientError("max_response_bytes must be a positive integer")
        if not (stale_if_error >= 0 and math.isfinite(stale_if_error)):
            raise PyJWKClientError("stale_if_error must be a finite number of seconds >= 0")
        self.fetcher = fetcher
        self.max_response_bytes = max_response_bytes
        self.stale_if_error = float(stale_if_error)
        self.honor_cache_control = honor_cache_control
        self.lifespan = lifespan
        self._last_successful_fetch: float | None = None
        self._last_failed_fetch: float | None = None
        self._index: _KeyIndex | None = None
        self._last_payload: tuple[Any, _KeyIndex] | None = None

        self.jwk_set_cache: JWKSetCache | None
        if cache_jwk_set:
            if lifespan <= 0:
                raise PyJWKClientError(f'Lifespan must be greater than 0, the input is "{lifespan}"')
            self.jwk_set_cache = JWKSetCache(lifespan)
        else:
            self.jwk_set_cache = None
        # With the set cache on, the set's own index is the key cache (and expires with it).
        self._key_lru = _KeyLRU(max_cached_keys, lifespan if lifespan > 0 else 300) if (
            cache_keys and not cache_jwk_set
        ) else None

    # -- transport -------------------------------------------------------------------------

    @staticmethod
    def _check_scheme(uri: Any) -> None:
        # urllib also opens file://, ftp:// and data: URIs; a URI influenced by an attacker (a
        # `jku` header) must not read local files or reach other schemes. Checked again before
        # each fetch because ``uri`` is a public, writable attribute.
        scheme = urlparse(uri).scheme.lower() if isinstance(uri, str) else ""
        if scheme not in ("http", "https"):
            raise PyJWKClientError(
                f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported."
            )

    def _request_headers(self) -> dict[str, str]:
        self._check_scheme(self.uri)
        headers = {str(k): str(v) for k, v in self.headers.items()}
        if not any(k.lower() == "user-agent" for k in headers):
            headers["User-Agent"] = _user_agent()
        return headers

    def _urllib_fetch(self, url: str, headers: Mapping[str, str], timeout: float) -> FetchResult:
        """The default transport: urllib, no redirects, the size cap applied while reading.

        ``timeout`` bounds each socket operation and, through a watchdog that shuts the
        connection down, the whole request: a server that drips bytes cannot hold it longer.
        """
        cap = self.max_response_bytes
        request = urllib.request.Request(url=url, headers=dict(headers))
        watchdog = _Watchdog(timeout)
        handlers: list[Any] = [
            _NoRedirectHandler(),
            _WatchedHTTPHandler(watchdog),
            _WatchedHTTPSHandler(watchdog, context=self.ssl_context),
        ]
        opener = urllib.request.build_opener(*handlers)
        deadline = time.monotonic() + timeout
        watchdog.start()
        try:
            with opener.open(request, timeout=timeout) as response:
                length = response.headers.get("Content-Length")
                if length is not None and length.strip().isdigit() and int(length.strip()[:20]) > cap:
                    raise _ResponseTooLarge(cap)
                body = bytearray()
                while True:
                    if time.monotonic() > deadline:
                        raise TimeoutError("the JWKS request took longer than the timeout")
                    chunk = response.read1(min(65536, cap + 1 - len(body)))  # read1: never waits to fill
                    if not chunk:
                        break
                    body += chunk
                    if len(body) > cap:
                        raise _ResponseTooLarge(cap)
                if watchdog.fired:  # the end of the body may be the watchdog's shutdown
                    raise TimeoutError("the JWKS request took longer than the timeout")
                return bytes(body), dict(response.headers.items())
        except PyJWKClientError:
            raise
        except Exception as error:
            if watchdog.fired:
                raise TimeoutError("the JWKS request took longer than the timeout") from error
            raise
        finally:
            watchdog.cancel()

    @staticmethod
    def _connection_error(error: BaseException) -> PyJWKClientConnectionError:
        if isinstance(error, HTTPError):
            error.close()
        detail = str(error) or type(error).__name__  # a bare TimeoutError has no message
        return PyJWKClientConnectionError(f'Fail to fetch data from the url, err: "{detail}"')

    def _split_result(self, result: Any) -> tuple[bytes, Mapping[str, str]]:
        if isinstance(result, tuple) and len(result) == 2:
            body, headers = result
        else:
            body, headers = result, {}
        if isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        if not isinstance(body, bytes) or not isinstance(headers, Mapping):
            raise PyJWKClientError("The JWKS fetcher must return bytes or (bytes, headers)")
        if len(body) > self.max_response_bytes:
            raise _ResponseTooLarge(self.max_response_bytes)
        return body, headers

    def _parse_response(self, body: bytes, headers: Mapping[str, str]) -> tuple[dict[str, Any], float | None]:
        """The JWKS payload and its lifetime from ``Cache-Control`` (``None``: the default)."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as error:  # JSONDecodeError, bad UTF-8, int limits
            raise PyJWKClientError("The JWKS endpoint did not return valid JSON") from error
        data = self._as_jwk_set_payload(data)
        ttl: float | None = None
        if self.honor_cache_control:
            max_age = _max_age(headers)
            if max_age is not None:
                lifespan = float(self.lifespan)
                ttl = min(lifespan, max(max_age, min(_MIN_TTL, lifespan)))
        return data, ttl

    def _accept(self, result: Any) -> Any:
        """Check, parse, index and cache what a transport returned; the JWKS payload dict."""
        body, response_headers = self._split_result(result)
        data, ttl = self._parse_response(body, response_headers)
        index = self._build_index(data)
        self._install(index, ttl)
        self._last_payload = (data, index)
        self._last_successful_fetch = time.monotonic()
        return data

    def _index_of_fetched(self, data: Any) -> _KeyIndex:
        last = self._last_payload
        if last is not None and last[0] is data:
            return last[1]
        # fetch_data was overridden and returned its own value: index and cache that
        index = self._build_index(data)
        self._install(index, None)
        return index

    @staticmethod
    def _as_jwk_set_payload(data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
        return data

    # -- parsing and indexing ---------------------------------------------------------------

    def _build_index(self, data: Any) -> _KeyIndex:
        """Parse a payload (or take a parsed set), reusing the key objects of unchanged JWKs."""
        if isinstance(data, PyJWKSet):
            return _KeyIndex(data)
        data = self._as_jwk_set_payload(data)
        keys = data.get("keys", [])
        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any keys")
        if not isinstance(keys, list):
            raise PyJWKSetError("Invalid JWK Set value")
        previous = self._index.by_jwk if self._index is not None else {}
        sources: dict[str, PyJWK] = {}
        parsed: list[PyJWK] = []
        for jwk in keys:
            if not isinstance(jwk, dict):
                continue  # skip members that are not JWK objects, as PyJWT does
            try:
                canonical = _canonical(jwk)
            except (TypeError, ValueError):
                continue
            key = sources.get(canonical) or previous.get(canonical)
            if key is None:
                try:
                    key = PyJWK(jwk)
                except MissingCryptographyError:
                    raise
                except PyJWTError:
                    continue  # unusable key (unknown kty/alg/crv): skipped, as PyJWT does
            sources[canonical] = key
            parsed.append(key)
        if not parsed:
            raise PyJWKSetError(
                "The JWK Set did not contain any usable keys. Perhaps 'cryptography' is not installed?"
            )
        return _KeyIndex(_make_set(parsed), sources)

    def _install(self, index: _KeyIndex, ttl: float | None) -> None:
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(index.jwk_set, ttl)
        self._index = index

    def _fresh_index(self) -> _KeyIndex | None:
        """The cached index if the set cache holds a set that has not expired."""
        cache = self.jwk_set_cache
        if cache is None:
            return None
        jwk_set = cache.get()
        if jwk_set is None:
            return None
        return self._index_of(jwk_set)

    def _index_of(self, jwk_set: PyJWKSet) -> _KeyIndex:
        index = self._index
        if index is None or index.jwk_set is not jwk_set:
            index = _KeyIndex(jwk_set, index.by_jwk if index is not None else None)
            self._index = index
        return index

    def _stale_index(self) -> _KeyIndex | None:
        cache = self.jwk_set_cache
        if cache is None or self.stale_if_error <= 0:
            return None
        jwk_set = cache.get_stale(self.stale_if_error)
        return self._index_of(jwk_set) if jwk_set is not None else None

    def _cooling_down(self) -> bool:
        return (
            self.jwk_set_cache is not None
            and self._last_successful_fetch is not None
            and time.monotonic() - self._last_successful_fetch < self.cooldown_duration
        )

    def _in_error_backoff(self) -> bool:
        failed = self._last_failed_fetch
        return failed is not None and time.monotonic() - failed < max(self.cooldown_duration, 1.0)

    def _log_stale(self, error: BaseException) -> None:
        entry = self.jwk_set_cache.jwk_set_with_timestamp if self.jwk_set_cache else None
        age = time.monotonic() - entry.timestamp if entry is not None else 0.0
        logger.warning(
            "JWKS refresh from %s failed (%s); serving the keys fetched %.0f s ago "
            "(stale keys are served for at most %.0f s past their expiry)",
            self.uri,
            error,
            age,
            self.stale_if_error,
        )

    @staticmethod
    def _check_kid(kid: Any) -> None:
        if kid is not None and not isinstance(kid, str):
            raise PyJWKClientError(f"The kid must be a string, not {type(kid).__name__}")

    def _not_found(self, kid: str | None, index: _KeyIndex | None) -> PyJWKClientError:
        if kid is None:
            count = len(index.signing_keys) if index is not None else 0
            return PyJWKClientError(
                f"The token has no kid and the JWKS holds {count} signing keys: cannot choose one"
            )
        return PyJWKClientError(
            f'Unable to find a signing key that matches: "{_kid_for_message(kid)}"'
        )

    @staticmethod
    def _get_signing_keys_from_jwk_set(jwk_set: PyJWKSet) -> list[PyJWK]:
        signing_keys = [
            key for key in jwk_set.keys if key.public_key_use in ["sig", None] and key.key_id
        ]
        if not signing_keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return signing_keys

    @staticmethod
    def match_kid(signing_keys: list[PyJWK], kid: str) -> PyJWK | None:
        """Find a key in *signing_keys* whose ``kid`` is *kid*.

        :param signing_keys: the keys to search.
        :param kid: the key ID to match.
        :returns: the first matching key, or ``None``.
        """
        for key in signing_keys:
            if key.key_id == kid:
                return key
        return None


class _ResponseTooLarge(PyJWKClientError):
    def __init__(self, cap: int) -> None:
        super().__init__(f"The JWKS response is larger than max_response_bytes ({cap} bytes)")


def _make_set(keys: list[PyJWK]) -> PyJWKSet:
    # PyJWKSet's constructor parses JWK dicts; here the keys are already parsed (and some are
    # reused objects), so build the set around them.
    jwk_set = PyJWKSet.__new__(PyJWKSet)
    jwk_set.keys = keys
    return jwk_set


class PyJWKClient(_JWKSClientBase):
    """A client for retrieving signing keys from a JWKS endpoint (thread-safe).

    Two caches, as in PyJWT: the JWK Set (``cache_jwk_set``, for ``lifespan`` seconds or the
    response's ``Cache-Control: max-age`` if shorter) and signing keys by ``kid``
    (``cache_keys``; with the set cache on, keys are looked up in the cached set and expire
    with it). An unknown ``kid`` forces one refetch unless a fetch succeeded less than
    ``cooldown_duration`` seconds ago (``0`` disables the cooldown; it is bypassed when
    ``cache_jwk_set`` is ``False``).

    :param uri: the URL of the JWKS endpoint (``http`` or ``https``).
    :param cache_keys: enable the signing key cache.
    :param max_cached_keys: size of the signing key cache (used when ``cache_jwk_set`` is off).
    :param cache_jwk_set: enable the JWK Set cache.
    :param lifespan: seconds before the cached JWK Set expires (> 0).
    :param headers: extra HTTP request headers (a ``User-Agent`` here replaces fastjwt's).
    :param timeout: seconds allowed for the request and for reading the response.
    :param ssl_context: SSL context for ``https`` (default transport only).
    :param cooldown_duration: minimum seconds between forced refreshes for unknown ``kid``.
    :param fetcher: a custom transport, see :data:`Fetcher`; ``None`` uses urllib.
    :param max_response_bytes: largest JWKS response accepted (default 1 MiB).
    :param stale_if_error: seconds past expiry that the last good set keeps being served
        while refreshes fail (``0``: never serve stale keys).
    :param honor_cache_control: shorten the set's lifetime to the response's ``max-age``.
    :raises PyJWKClientError: on a non-http(s) URI or an invalid parameter.
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
        )
        self._cond = threading.Condition(threading.Lock())
        self._inflight = False
        self._generation = 0
        self._outcome: tuple[_KeyIndex | None, BaseException | None] = (None, None)

    def fetch_data(self) -> Any:
        """Fetch the JWK Set from the endpoint, cache it (when caching) and return the JSON dict.

        :raises PyJWKClientConnectionError: if the request fails (network, timeout, non-2xx
            status, redirect).
        :raises PyJWKClientError: if the response is too large, not JSON, or not a JSON object.
        :raises PyJWKSetError: if the set holds no usable keys.
        """
        headers = self._request_headers()
        try:
            if self.fetcher is None:
                result = self._urllib_fetch(self.uri, headers, self.timeout)
            else:
                result = self.fetcher(self.uri, headers, self.timeout)
        except PyJWKClientError:
            raise
        except Exception as error:  # any transport's failure: network, HTTP status, timeout
            raise self._connection_error(error) from error
        return self._accept(result)

    def _fetch_index(self) -> _KeyIndex:
        return self._index_of_fetched(self.fetch_data())

    def _refresh(self, mode: str) -> _KeyIndex:
        """Fetch the set once for everyone who needs it now (single flight).

        ``mode`` is ``"expired"`` (no fresh set: a failure falls back to stale keys for at most
        ``stale_if_error`` seconds), ``"unknown_kid"`` (skipped, returning the current set, if a
        fetch succeeded within the cooldown or failed within the error backoff) or
        ``"explicit"`` (``refresh=True``: always fetches). Callers arriving while a fetch is in
        flight wait for it and share its outcome.
        """
        with self._cond:
            leader = not self._inflight
            if leader:
                current = self._index
                if mode == "unknown_kid":
                    if current is not None and (self._cooling_down() or self._in_error_backoff()):
                        return current
                elif mode == "expired":
                    fresh = self._fresh_index()
                    if fresh is not None:
                        return fresh  # another thread refreshed while this one was on its way
                    if self._in_error_backoff():
                        stale = self._stale_index()
                        if stale is not None:
                            return stale
                self._inflight = True
            else:
                generation = self._generation
                while self._inflight and generation == self._generation:
                    self._cond.wait()
                index, error = self._outcome
        if leader:
            index = error = None
            try:
                index = self._fetch_index()
            except (PyJWKClientError, PyJWKSetError) as exc:
                error = exc
            finally:
                with self._cond:
                    self._inflight = False
                    self._generation += 1
                    self._outcome = (index, error)
                    self._last_failed_fetch = time.monotonic() if error is not None else None
                    self._cond.notify_all()
        if error is not None:
            if mode == "expired":
                stale = self._stale_index()
                if stale is not None:
                    if leader:
                        self._log_stale(error)
                    return stale
            raise error
        if index is None:  # the leading thread died of something other than a fetch error
            raise PyJWKClientConnectionError("The JWKS fetch did not complete")
        return index

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """Return the JWK Set, from the cache when it is fresh.

        :param refresh: fetch from the endpoint even if the cache is fresh.
        :raises PyJWKClientConnectionError: if a needed fetch fails and no stale set may be used.
        """
        if not refresh:
            index = self._fresh_index()
            if index is not None:
                return index.jwk_set
        return self._refresh("explicit" if refresh else "expired").jwk_set

    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """All signing keys of the set: ``use`` is ``"sig"`` or absent, and a ``kid`` is present.

        :param refresh: fetch from the endpoint even if the cache is fresh.
        :raises PyJWKClientError: if there is no such key.
        """
        return self._get_signing_keys_from_jwk_set(self.get_jwk_set(refresh))

    def get_signing_key(self, kid: str | None) -> PyJWK:
        """Return the signing key for *kid*, refetching the set once (per cooldown) if unknown.

        ``kid`` may be ``None`` (a token without ``kid``): the set's only signing key is
        returned if it has exactly one. A ``kid`` also matches the RFC 7638 thumbprint of a
        key published without ``kid``.

        :param kid: the token's ``kid`` header.
        :raises PyJWKClientError: if no key matches, or *kid* is not a string.
        :raises PyJWKClientConnectionError: if the endpoint cannot be reached when needed.
        """
        # Fast path, inlined: a fresh cached set that has the kid.
        cache = self.jwk_set_cache
        if cache is not None and isinstance(kid, str):
            entry = cache.jwk_set_with_timestamp
            index = self._index
            if (
                entry is not None
                and index is not None
                and index.jwk_set is entry.jwk_set
                and _monotonic() <= entry.expires_at
            ):
                key = index.by_kid.get(kid)
                if key is not None:
                    return key
        self._check_kid(kid)
        index = self._fresh_index()
        if index is not None:
            key = index.lookup(kid)
            if key is not None:
                return key
        lru = self._key_lru
        if lru is not None:
            key = lru.get(kid)
            if key is not None:
                return key
        if index is None:
            index = self._refresh("expired")
            key = index.lookup(kid)
            if key is not None:
                if lru is not None:
                    lru.put(kid, key)
                return key
        if kid is None:
            raise self._not_found(kid, index)
        if self.jwk_set_cache is None or not self._cooling_down():
            index = self._refresh("unknown_kid")
            key = index.lookup(kid)
            if key is not None:
                if lru is not None:
                    lru.put(kid, key)
                return key
        raise self._not_found(kid, index)

    def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """Return the signing key for a JWT, chosen by the ``kid`` of its (unverified) header.

        :raises DecodeError: if the token is malformed.
        :raises InvalidTokenError: if its ``kid`` is not a string.
        """
        from .api_jws import get_unverified_header

        header = get_unverified_header(token)
        return self.get_signing_key(header.get("kid"))
