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
* **Transport** (:mod:`fastjwt._jwks.transport`): ``http``/``https`` only, no credentials in the URI, no
  redirects, a total ``timeout``, a size cap (``max_response_bytes``), or your own ``fetcher``.

``fastjwt.Verifier(client, algorithms=[...])`` takes a client as its key: it asks
:meth:`PyJWKClient.get_signing_key` for each token's ``kid``.
"""

from __future__ import annotations

import threading
import time as time  # PyJWT's tests patch jwks_client.time.monotonic: the clients read time.monotonic at each call
from ssl import SSLContext
from typing import Any

# The client's machinery is in fastjwt._jwks. A name imported "as" itself is a re-export: this module held it before
# the split, and code and tests import or patch it here.
from ._jwks.base import _JWKSClientBase
from ._jwks.base import _user_agent as _user_agent
from ._jwks.base import logger as logger
from ._jwks.index import _key_set_of as _key_set_of
from ._jwks.index import _KeyIndex
from ._jwks.index import _KeyLRU as _KeyLRU
from ._jwks.index import _signs as _signs
from ._jwks.index import _thumbprint_or_none as _thumbprint_or_none
from ._jwks.policy import _EXPIRED, _ON_REQUEST, _UNKNOWN_KID, Clock
from ._jwks.policy import MIN_CACHE_SECONDS as MIN_CACHE_SECONDS
from ._jwks.policy import _FetchBackoff as _FetchBackoff
from ._jwks.policy import _public_class as _public_class
from ._jwks.policy import max_age as _max_age  # noqa: F401 (tests import it from here under this name)
from ._jwks.transport import DEFAULT_MAX_RESPONSE_BYTES, Fetcher, FetchResult
from ._jwks.transport import _NoRedirectHandler as _NoRedirectHandler  # PyJWT's tests import it from here
from ._jwks.transport import too_large as too_large
from ._jwks.transport import urllib_fetch as urllib_fetch
from ._jwks.uri import check_uri as check_uri
from ._jwks.uri import describe_failure as describe_failure
from ._jwks.uri import redact_uri as redact_uri
from ._text import printable as printable
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import MissingCryptographyError as MissingCryptographyError
from .exceptions import PyJWKClientConnectionError as PyJWKClientConnectionError
from .exceptions import PyJWKClientError, PyJWKSetError
from .exceptions import PyJWTError as PyJWTError
from .jwk_set_cache import JWKSetCache as JWKSetCache

__all__ = ["PyJWKClient", "Fetcher", "FetchResult", "DEFAULT_MAX_RESPONSE_BYTES"]


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
