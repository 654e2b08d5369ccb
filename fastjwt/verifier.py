"""Prepared verification: :class:`Verifier` checks tokens with a fixed key and policy, at core speed.

Everything that does not depend on the token (key parsing, option merging, the allow-list, the claim rules) is done
once in the constructor; ``decode(token)`` is then one call into the compiled core. A ``Verifier`` is safe to share
between threads.

Verified-token cache (``cache=True`` for 1000 entries, or an int): a token this verifier has already accepted is
served from the cache: a lookup plus the claim checks, no signature check. Semantics:

* keyed on the whole token string within this verifier: two different tokens never share an entry;
* every hit re-runs the claim checks against the current time (``exp`` with leeway, ``nbf``, ``iat``, ``max_age``,
  ``aud``/``iss``/``sub``), and an entry is dropped once past ``exp`` + leeway or ``cache_ttl`` seconds after it was
  stored, whether or not the token has ``iat``;
* bounded in entries and in bytes (``cache_max_bytes``): the oldest entry is evicted first;
* failures are not cached unless ``error_cache_ttl`` > 0, and then only token failures, never key-fetch failures;
  every TTL runs on the verifier's clock (``now=`` when given);
* with a key set or key source, an entry is dropped when the token's key is no longer the one the source returns
  (the key was rotated out);
* each call returns new objects, nested lists and dicts included: one caller's mutation never reaches another
  caller's result.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Container, Iterable, Sequence
from datetime import timedelta
from typing import Any

from . import _core, _keys
from .api_jwk import PyJWK, PyJWKSet
from .api_jws import _jws_global_obj, allowed_set
from .exceptions import InvalidAlgorithmError, InvalidTokenError, PyJWKSetError, PyJWTError
from .types import Options

DEFAULT_CACHE_SIZE = 1000
_SUPPORTED_CRIT = frozenset({"b64"})


class Verifier:
    """Verify and decode tokens with one key (or key set) and one policy, prepared once.

    :param key: the verification key: a secret, PEM/SSH/certificate text, a ``cryptography`` key, a ``PyJWK``, a
        ``PyJWKSet`` (the token's ``kid`` picks the key) or a key source: any object with
        ``get_signing_key(kid) -> PyJWK`` such as :class:`fastjwt.PyJWKClient`.
    :param algorithms: the allowed algorithms; never derive them from the token.
    :param audience: expected ``aud`` (str or iterable of str).
    :param issuer: expected ``iss`` (str, exact match; or a container of str).
    :param subject: expected ``sub``.
    :param leeway: clock skew allowance in seconds or a ``timedelta``.
    :param options: PyJWT's decode options (``verify_exp``, ``require``, ``strict_aud``, ...).
    :param cache: the verified-token cache: ``True`` for 1000 entries, an int for that many, None/False for none.
    :param cache_ttl: the longest time in seconds an entry is served.
    :param error_cache_ttl: remember token failures this many seconds (0: never). Only tokens of at most
        8 KiB are remembered, as the exception's class and arguments (no traceback).
    :param cache_max_bytes: the verified-token cache's bound in bytes (8 MiB by default): tokens, claims and
        headers as ``sys.getsizeof`` counts them; the oldest entries go first, and no one entry may take more than
        an eighth of it.
    :param typ: required ``typ`` header (RFC 8725 3.11), e.g. ``"at+jwt"``; compared case-insensitively with an
        optional ``application/`` prefix.
    :param max_age: reject tokens whose ``iat`` is older than this (seconds or ``timedelta``); requires ``iat``.
    :param now: a clock: a callable returning the current time in seconds since the epoch (tests, replay).
    :param allowed_crit: header extensions the caller understands, besides ``b64``.
    :param max_token_length: longest accepted token in bytes.
    :param max_header_length: longest accepted header segment in bytes.
    :param max_json_depth: deepest accepted JSON nesting in header and payload.
    :param allow_b64_padding: accept ``=`` padding on segments (AWS ALB tokens); off by default.
    """

    def __init__(
        self,
        key: Any,
        algorithms: Sequence[str],
        *,
        audience: str | Iterable[str] | None = None,
        issuer: str | Container[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        options: Options | None = None,
        cache: bool | int | None = None,
        cache_ttl: float = 600,
        error_cache_ttl: float = 0,
        cache_max_bytes: int = _core.TOKEN_CACHE_BYTES,
        typ: str | None = None,
        max_age: float | timedelta | None = None,
        now: Callable[[], float] | None = None,
        allowed_crit: Iterable[str] = (),
        max_token_length: int = _core.MAX_TOKEN_LENGTH,
        max_header_length: int = _core.MAX_HEADER_LENGTH,
        max_json_depth: int = _core.MAX_JSON_DEPTH,
        allow_b64_padding: bool = False,
    ) -> None:
        allowed = allowed_set(algorithms)
        if not allowed:
            raise ValueError("algorithms must name at least one algorithm")
        merged: dict[str, Any] = {
            "verify_signature": True,
            "verify_exp": True,
            "verify_nbf": True,
            "verify_iat": True,
            "verify_aud": True,
            "verify_iss": True,
            "verify_sub": True,
            "verify_jti": True,
            "require": [],
            "strict_aud": False,
            "enforce_minimum_key_length": False,
        }
        if options:
            if not options.get("verify_signature", True):
                raise ValueError("a Verifier always verifies signatures; use fastjwt.decode for unverified reads")
            merged.update(options)
        self.algorithms = allowed
        self.key = key
        # the algorithms registered with fastjwt.register_algorithm at construction time, defaults included
        self._registry = dict(_jws_global_obj._algorithms)
        rules = _core.ClaimRules(merged, audience, issuer, subject, leeway, max_age, now)
        if cache is True:
            cache_size = DEFAULT_CACHE_SIZE
        elif not cache:
            cache_size = 0
        else:
            cache_size = int(cache)
            if cache_size < 0:
                raise ValueError("cache must be a non-negative size")
        if int(cache_max_bytes) < 0:
            raise ValueError("cache_max_bytes must be a non-negative size")
        limits = _core.DecodeLimits(
            max_token_length=max_token_length,
            max_header_length=max_header_length,
            max_depth=max_json_depth,
            allow_padding=allow_b64_padding,
        )
        prepare: Callable[[str], _core.PreparedKey] | None = None
        resolve: Callable[[dict[str, Any], str], _core.PreparedKey] | None = None
        self._async_source = False
        if isinstance(key, PyJWKSet):
            resolve = self._resolve_from_set
        elif _is_key_source(key):
            self._async_source = inspect.iscoroutinefunction(key.get_signing_key)
            resolve = self._resolve_from_source
        else:
            prepare = self._prepare
            for alg in allowed:  # fail early on a key that fits none of the allowed algorithms
                if alg in self._registry or isinstance(key, PyJWK):
                    try:
                        self._prepare(alg)
                    except PyJWTError:
                        continue
        self._decoder = _core.Decoder(
            prepare,
            resolve,
            allowed,
            rules,
            verify_signature=True,
            enforce_minimum_key_length=bool(merged.get("enforce_minimum_key_length", False)),
            supported_crit=_SUPPORTED_CRIT | frozenset(allowed_crit),
            typ=typ,
            limits=limits,
            header_cache=_core.HeaderCache(),
            cache_size=cache_size,
            cache_ttl=cache_ttl,
            error_cache_ttl=error_cache_ttl,
            cache_max_bytes=cache_max_bytes,
        )
        self.decode = self._decoder.decode_token  # type: ignore[method-assign]
        self.decode_complete = self._decoder.decode_complete  # type: ignore[method-assign]

    # -- decoding -----------------------------------------------------------------------------------------------------

    def decode(self, token: str | bytes) -> dict[str, Any]:
        """Verify ``token`` and return its claims (a new dict on every call)."""
        return self._decoder.decode(token)  # type: ignore[no-any-return]  # pragma: no cover - rebound in __init__

    def decode_complete(self, token: str | bytes) -> dict[str, Any]:
        """Verify ``token`` and return ``{"header": ..., "payload": ..., "signature": ...}``."""
        return self._decoder.decode_complete(token)  # pragma: no cover - rebound in __init__

    async def adecode(self, token: str | bytes) -> dict[str, Any]:
        """``decode`` for asyncio services: the event loop never waits on a key source.

        Everything that needs no key (the token's form, the header, ``crit``, ``typ``, the algorithm allow-list) is
        checked first, on the loop, so a refused token never reaches the key source. Then an async key source (e.g.
        :class:`fastjwt.AsyncPyJWKClient`) is awaited, and a synchronous one (e.g. :class:`fastjwt.PyJWKClient`,
        which may block on the network) is called in a worker thread. A fixed key or a ``PyJWKSet`` needs no I/O
        and is decoded on the loop.
        """
        probe = self._keyless_probe
        if probe is None:
            return self._decoder.decode(token)  # type: ignore[no-any-return]
        kid = _keyless_checks(probe, token)
        if self._async_source:
            jwk = await self.key.get_signing_key(kid)
            return _SyncView(jwk).decode_with(self, token)
        return await asyncio.to_thread(self._decoder.decode, token)

    def clear_cache(self) -> None:
        """Drop every verified-token cache entry."""
        self._decoder.clear_cache()

    @property
    def cache_len(self) -> int:
        """How many tokens the verified-token cache holds."""
        return self._decoder.cache_len

    # -- key resolution -----------------------------------------------------------------------------------------------

    def _prepare(self, alg: str) -> _core.PreparedKey:
        key = self.key
        if isinstance(key, PyJWK):
            if alg != key.algorithm_name:
                raise InvalidAlgorithmError(
                    f"Token algorithm {alg!r} does not match the key's algorithm {key.algorithm_name!r}"
                )
            return _keys.prepare(alg, key.Algorithm, key.key)
        algorithm = self._registry.get(alg)
        if algorithm is None:
            raise InvalidAlgorithmError("Algorithm not supported")
        return _keys.prepare(alg, algorithm, key)

    def _resolve_jwk(self, jwk: PyJWK, alg: str) -> _core.PreparedKey:
        if alg != jwk.algorithm_name:
            raise InvalidAlgorithmError(
                f"Token algorithm {alg!r} does not match the key's algorithm {jwk.algorithm_name!r}"
            )
        return _keys.prepare(alg, jwk.Algorithm, jwk.key)

    def _resolve_from_set(self, header: dict[str, Any], alg: str) -> _core.PreparedKey:
        keys: PyJWKSet = self.key
        kid = header.get("kid")
        if kid is None:
            usable = [k for k in keys.keys if k.algorithm_name == alg] or list(keys.keys)
            if len(usable) != 1:
                raise InvalidTokenError("Token has no 'kid' and the key set has more than one usable key")
            return self._resolve_jwk(usable[0], alg)
        try:
            jwk = keys[kid]
        except KeyError:
            raise InvalidTokenError(f"Unable to find a signing key that matches: {kid[:64]!r}") from None
        except PyJWKSetError as exc:
            raise InvalidTokenError(str(exc)) from None
        return self._resolve_jwk(jwk, alg)

    def _resolve_from_source(self, header: dict[str, Any], alg: str) -> _core.PreparedKey:
        if self._async_source:
            raise TypeError("this Verifier has an async key source: use 'await verifier.adecode(token)'")
        jwk = self.key.get_signing_key(header.get("kid"))
        return self._resolve_jwk(jwk, alg)

    # -- async key sources: the keyless checks first ------------------------------------------------------------------

    @functools.cached_property
    def _keyless_probe(self) -> _core.Decoder | None:
        """A decoder that runs every check needing no key, then stops at the key lookup; None without a key source."""
        if _is_key_source(self.key):
            source = self._decoder
            probe = _core.Decoder(
                None,
                _stop_at_key_lookup,
                source.allowed,
                None,
                verify_signature=True,
                supported_crit=source.supported_crit,
                limits=source.limits,
                header_cache=source.header_cache,
            )
            probe.typ = source.typ
            return probe
        return None


def _is_key_source(key: Any) -> bool:
    """Whether ``key`` is looked up per token (``get_signing_key(kid)``, possibly over the network)."""
    return not isinstance(key, (str, bytes, PyJWK, PyJWKSet)) and hasattr(key, "get_signing_key")


def _keyless_checks(probe: _core.Decoder, token: str | bytes) -> str | None:
    """Refuse ``token`` if a check that needs no key fails; else return its ``kid`` (the key to look up)."""
    try:
        probe.decode(token)
    except _KeyLookup as lookup:
        return lookup.kid
    raise AssertionError("the keyless probe returned without asking for a key")  # pragma: no cover


class _KeyLookup(Exception):
    """Raised by the probe decoder's key resolver: the token passed every keyless check and needs its key."""

    def __init__(self, kid: str | None) -> None:
        super().__init__(kid)
        self.kid = kid


def _stop_at_key_lookup(header: dict[str, Any], alg: str) -> _core.PreparedKey:
    raise _KeyLookup(header.get("kid"))


class _SyncView:
    """Verify one token against a key already fetched from an async source (no cache: keys may rotate)."""

    __slots__ = ("jwk",)

    def __init__(self, jwk: PyJWK) -> None:
        self.jwk = jwk

    def decode_with(self, verifier: Verifier, token: str | bytes) -> dict[str, Any]:
        source = verifier._decoder
        decoder = _core.Decoder(
            None,
            lambda header, alg: verifier._resolve_jwk(self.jwk, alg),
            source.allowed,
            source.rules,
            verify_signature=True,
            enforce_minimum_key_length=source.enforce_minimum_key_length,
            supported_crit=source.supported_crit,
            typ=None,
            limits=source.limits,
            header_cache=source.header_cache,
        )
        decoder.typ = source.typ
        return decoder.decode(token)  # type: ignore[no-any-return]
