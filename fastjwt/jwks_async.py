"""Fetch signing keys from a JWKS endpoint in asyncio services: :class:`AsyncPyJWKClient`.

The same behaviour as :class:`fastjwt.PyJWKClient` (parameters, caching, single flight,
unknown-``kid`` cooldown, stale-while-error, ``Cache-Control``, size cap, no redirects, stable key
identity, ``kid`` edge cases) with ``async`` methods and no extra dependency: the default
transport runs urllib in a worker thread (:func:`asyncio.to_thread`), so the event loop never
blocks on the network. A custom ``fetcher`` may be an ``async def`` (awaited, bounded by
``timeout``) or a plain function (run in a worker thread); see :data:`fastjwt.jwks_client.Fetcher`.

Single flight is per event loop: callers on one loop share one fetch. A waiting caller that is
cancelled does not cancel the fetch the others wait for.

``fastjwt.Verifier(client, algorithms=[...])`` accepts an async client: use ``await
verifier.adecode(token)``.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Mapping
from ssl import SSLContext
from typing import Any

from .api_jwk import PyJWK, PyJWKSet
from .exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError
from .jwks_client import DEFAULT_MAX_RESPONSE_BYTES, Fetcher, FetchResult, _JWKSClientBase, _KeyIndex

__all__ = ["AsyncPyJWKClient", "AsyncFetcher"]

#: An async transport: ``await fetcher(url, headers, timeout) -> body | (body, headers)``.
AsyncFetcher = Callable[[str, Mapping[str, str], float], Awaitable[FetchResult]]

_monotonic = time.monotonic
_Outcome = tuple[_KeyIndex | None, BaseException | None]


def _is_async(fetcher: Any) -> bool:
    return inspect.iscoroutinefunction(fetcher) or inspect.iscoroutinefunction(
        getattr(fetcher, "__call__", None)  # noqa: B004 (the method itself, not a callable test)
    )


class AsyncPyJWKClient(_JWKSClientBase):
    """An asyncio client for retrieving signing keys from a JWKS endpoint.

    Parameters are :class:`fastjwt.PyJWKClient`'s; ``fetcher`` may also be an
    :data:`AsyncFetcher`. Methods are coroutines: :meth:`get_signing_key`,
    :meth:`get_signing_key_from_jwt`, :meth:`get_signing_keys`, :meth:`get_jwk_set`,
    :meth:`fetch_data`.

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
        fetcher: Fetcher | AsyncFetcher | None = None,
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
        self._inflight: asyncio.Task[_Outcome] | None = None

    async def fetch_data(self) -> Any:
        """Fetch the JWK Set from the endpoint, cache it (when caching) and return the JSON dict.

        :raises PyJWKClientConnectionError: if the request fails (network, timeout, non-2xx
            status, redirect).
        :raises PyJWKClientError: if the response is too large, not JSON, or not a JSON object.
        :raises PyJWKSetError: if the set holds no usable keys.
        """
        headers = self._request_headers()
        fetcher = self.fetcher
        try:
            if fetcher is None:
                result = await asyncio.to_thread(self._urllib_fetch, self.uri, headers, self.timeout)
            elif _is_async(fetcher):
                result = await asyncio.wait_for(fetcher(self.uri, headers, self.timeout), self.timeout)
            else:
                result = await asyncio.to_thread(fetcher, self.uri, headers, self.timeout)
        except PyJWKClientError:
            raise
        except Exception as error:  # any transport's failure: network, HTTP status, timeout
            raise self._connection_error(error) from error
        return self._accept(result)

    async def _fetch_outcome(self) -> _Outcome:
        index: _KeyIndex | None = None
        error: BaseException | None = None
        try:
            index = self._index_of_fetched(await self.fetch_data())
        except (PyJWKClientError, PyJWKSetError) as exc:
            error = exc
        finally:
            self._last_failed_fetch = time.monotonic() if index is None else None
        return index, error

    async def _refresh(self, mode: str) -> _KeyIndex:
        """Fetch the set once for every caller on this loop that needs it now (single flight).

        ``mode`` as in :meth:`fastjwt.PyJWKClient._refresh`: ``"expired"``, ``"unknown_kid"``
        or ``"explicit"``.
        """
        loop = asyncio.get_running_loop()
        task = self._inflight
        if task is not None and (task.done() or task.get_loop() is not loop):
            task = None
        leader = task is None
        if task is None:
            current = self._index
            if mode == "unknown_kid":
                if current is not None and (self._cooling_down() or self._in_error_backoff()):
                    return current
            elif mode == "expired":
                fresh = self._fresh_index()
                if fresh is not None:
                    return fresh
                if self._in_error_backoff():
                    stale = self._stale_index()
                    if stale is not None:
                        return stale
            task = loop.create_task(self._fetch_outcome())
            self._inflight = task
        try:
            index, error = await asyncio.shield(task)
        finally:
            if leader and task.done() and self._inflight is task:
                self._inflight = None
        if error is not None:
            if mode == "expired":
                stale = self._stale_index()
                if stale is not None:
                    if leader:
                        self._log_stale(error)
                    return stale
            raise error
        if index is None:
            raise PyJWKClientConnectionError("The JWKS fetch did not complete")
        return index

    async def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """Return the JWK Set, from the cache when it is fresh.

        :param refresh: fetch from the endpoint even if the cache is fresh.
        """
        if not refresh:
            index = self._fresh_index()
            if index is not None:
                return index.jwk_set
        return (await self._refresh("explicit" if refresh else "expired")).jwk_set

    async def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """All signing keys of the set: ``use`` is ``"sig"`` or absent, and a ``kid`` is present.

        :raises PyJWKClientError: if there is no such key.
        """
        return self._get_signing_keys_from_jwk_set(await self.get_jwk_set(refresh))

    async def get_signing_key(self, kid: str | None) -> PyJWK:
        """Return the signing key for *kid*; see :meth:`fastjwt.PyJWKClient.get_signing_key`.

        :raises PyJWKClientError: if no key matches, or *kid* is not a string.
        :raises PyJWKClientConnectionError: if the endpoint cannot be reached when needed.
        """
        cache = self.jwk_set_cache
        if cache is not None and isinstance(kid, str):  # fast path: a fresh cached set has the kid
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
            index = await self._refresh("expired")
            key = index.lookup(kid)
            if key is not None:
                if lru is not None:
                    lru.put(kid, key)
                return key
        if kid is None:
            raise self._not_found(kid, index)
        if self.jwk_set_cache is None or not self._cooling_down():
            index = await self._refresh("unknown_kid")
            key = index.lookup(kid)
            if key is not None:
                if lru is not None:
                    lru.put(kid, key)
                return key
        raise self._not_found(kid, index)

    async def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """Return the signing key for a JWT, chosen by the ``kid`` of its (unverified) header.

        :raises DecodeError: if the token is malformed.
        :raises InvalidTokenError: if its ``kid`` is not a string.
        """
        from .api_jws import get_unverified_header

        header = get_unverified_header(token)
        return await self.get_signing_key(header.get("kid"))
