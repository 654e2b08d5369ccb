"""Signing keys from a JWKS endpoint, for asyncio services: :class:`AsyncPyJWKClient`.

It keeps the rules of :class:`fastjwt.PyJWKClient` (same parameters, caching, cooldown, failure
backoff, stale keys, ``Cache-Control``, size cap, no redirects, stable key objects, ``kid`` handling);
its lookups are coroutines and nothing it does blocks the event loop. The default transport is
urllib in a worker thread (:func:`asyncio.to_thread`), so no extra dependency is needed. A custom
``fetcher`` may be a coroutine function (awaited, cut off after ``timeout``) or a plain function
(run in a worker thread); see :data:`fastjwt.jwks_client.Fetcher`.

Concurrent lookups on one event loop share one fetch. A caller that is cancelled while waiting does
not cancel the fetch the other callers wait for.

``fastjwt.Verifier(client, algorithms=[...])`` accepts this client; decode with
``await verifier.adecode(token)``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from ssl import SSLContext
from typing import Any

from ._jwks.base import _JWKSClientBase
from ._jwks.index import _KeyIndex
from ._jwks.policy import _EXPIRED, _ON_REQUEST, _UNKNOWN_KID, Clock
from ._jwks.transport import DEFAULT_MAX_RESPONSE_BYTES, Fetcher, FetchResult
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import PyJWKClientError, PyJWKSetError

__all__ = ["AsyncPyJWKClient", "AsyncFetcher"]

#: A coroutine transport: ``await fetcher(url, headers, timeout)`` gives a :data:`FetchResult`.
AsyncFetcher = Callable[[str, Mapping[str, str], float], Awaitable[FetchResult]]

_Outcome = tuple[_KeyIndex | None, BaseException | None]


def _awaitable_fetcher(fetcher: Any) -> bool:
    if inspect.iscoroutinefunction(fetcher):
        return True
    call = getattr(fetcher, "__call__", None)  # noqa: B004 (an object whose __call__ is async def)
    return inspect.iscoroutinefunction(call)


class AsyncPyJWKClient(_JWKSClientBase):
    """Signing keys from a JWKS endpoint, cached, with coroutine lookups.

    Takes :class:`fastjwt.PyJWKClient`'s parameters; ``fetcher`` may also be an :data:`AsyncFetcher`.
    :meth:`get_signing_key`, :meth:`get_signing_key_from_jwt`, :meth:`get_signing_keys`,
    :meth:`get_jwk_set` and :meth:`fetch_data` are coroutines.

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
        fetcher: Fetcher | AsyncFetcher | None = None,
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
        self._fetch_task: asyncio.Task[_Outcome] | None = None

    async def fetch_data(self) -> Any:
        """Request the set now, cache it (when caching) and return the JWKS document as a dict.

        :raises PyJWKClientConnectionError: the request failed (network, TLS, timeout, a status other
            than 2xx, a redirect).
        :raises PyJWKClientError: the body is too large, not JSON, or not a JSON object.
        :raises PyJWKSetError: the document holds no usable key.
        """
        headers = self._request_headers()
        fetcher = self.fetcher
        try:
            if fetcher is None:
                result = await asyncio.to_thread(self._fetch_with_urllib, self.uri, headers, self.timeout)
            elif _awaitable_fetcher(fetcher):
                result = await asyncio.wait_for(fetcher(self.uri, headers, self.timeout), self.timeout)
            else:
                result = await asyncio.to_thread(fetcher, self.uri, headers, self.timeout)
        except PyJWKClientError:
            raise
        except Exception as error:  # whatever the transport raises, its timeout included
            raise self._transport_error(error) from error
        return self._accept(result)

    async def _fetch_now(self) -> _Outcome:
        index: _KeyIndex | None = None
        error: BaseException | None = None
        try:
            index = self._index_returned(await self.fetch_data())
        except (PyJWKClientError, PyJWKSetError) as failure:
            error = failure
        finally:
            self._note_outcome(index, error)
        return index, error

    async def _refresh(self, reason: str) -> _KeyIndex:
        """Fetch the set for ``reason`` unless it can be answered without; one task serves the whole loop."""
        loop = asyncio.get_running_loop()
        task = self._fetch_task
        leader = task is None or task.done() or task.get_loop() is not loop
        if leader:
            answer = self._answer_without_fetch(reason)
            if answer is not None:
                return answer
            task = self._fetch_task = loop.create_task(self._fetch_now())
        assert task is not None
        try:
            index, error = await asyncio.shield(task)  # a cancelled caller leaves the fetch running
        finally:
            if leader and task.done() and self._fetch_task is task:
                self._fetch_task = None
        return self._settle(reason, index, error, leader)

    async def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The key set: the cached one while fresh, otherwise fetched.

        :param refresh: fetch even if the cached set is fresh.
        """
        if not refresh:
            index = self._fresh_index()
            if index is not None:
                return index.jwk_set
        return (await self._refresh(_ON_REQUEST if refresh else _EXPIRED)).jwk_set

    async def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """The keys of the set that have a ``kid`` and a ``use`` of ``"sig"`` or none.

        :raises PyJWKClientError: the set has no such key.
        """
        return self._listed_signing_keys(await self.get_jwk_set(refresh))

    async def get_signing_key(self, kid: str | None) -> PyJWK:
        """The key that verifies tokens carrying ``kid``; the rules of :meth:`fastjwt.PyJWKClient.get_signing_key`.

        :raises PyJWKClientError: no key matches, or ``kid`` is not a string.
        :raises PyJWKClientConnectionError: the set was needed and could not be fetched.
        """
        key, index = self._cached_key(kid)
        if key is not None:
            return key
        if index is None:
            index = await self._refresh(_EXPIRED)
            key = self._found(index, kid)
            if key is not None:
                return key
        if self._may_refetch_for(kid):
            index = await self._refresh(_UNKNOWN_KID)
            key = self._found(index, kid)
            if key is not None:
                return key
        raise self._not_found(kid, index)

    async def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """The key for a token, chosen by the ``kid`` in its header (the signature is not checked here).

        :raises DecodeError: the token is malformed.
        :raises InvalidTokenError: its ``kid`` is not a string.
        """
        return await self.get_signing_key(self._kid_of_token(token))
