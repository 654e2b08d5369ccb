"""PyJWT-compatible JWT layer (``jwt.api_jwt``): claims on top of JWS, same names, options and exceptions.

``PyJWT._encode_payload`` and ``PyJWT._decode_payload`` remain overridable hooks (projects subclass them to swap
the JSON library or compress payloads); when a subclass overrides one, that call takes PyJWT's step-by-step path so
the hook runs, otherwise the whole decode is one call into the core.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Container, Iterable, Sequence
from datetime import datetime, timedelta, timezone  # noqa: F401 (timezone: the names PyJWT has here)
from typing import TYPE_CHECKING, Any, cast

from . import _core
from .api_jwk import PyJWK
from .api_jws import _ALGORITHM_UNSET, PyJWS, _jws_global_obj, _warn_kwargs, allowed_set
from .exceptions import DecodeError

if TYPE_CHECKING:
    from typing import TypeAlias

    from .algorithms import AllowedPrivateKeys, AllowedPublicKeys
    from .types import FullOptions, Options, SigOptions

    AllowedPrivateKeyTypes: TypeAlias = AllowedPrivateKeys | PyJWK | str | bytes
    AllowedPublicKeyTypes: TypeAlias = AllowedPublicKeys | PyJWK | str | bytes

def _hashable(value: Any) -> Any:
    """A hashable stand-in for an argument that keys the decoder cache (lists become tuples)."""
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(value))
    if isinstance(value, (set, frozenset)):
        return (frozenset, frozenset(value))
    return value


class PyJWT:
    """JSON Web Tokens: JWS plus registered-claim validation (PyJWT's ``PyJWT``)."""

    def __init__(self, options: Options | None = None) -> None:
        self.options: FullOptions = self._get_default_options()
        if options is not None:
            self.options = self._merge_options(options)
        self._jws = PyJWS(options=self._get_sig_options())

    @staticmethod
    def _get_default_options() -> FullOptions:
        return {
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

    def _get_sig_options(self) -> SigOptions:
        return {
            "verify_signature": self.options["verify_signature"],
            "enforce_minimum_key_length": self.options.get("enforce_minimum_key_length", False),
        }

    def _merge_options(self, options: Options | None = None) -> FullOptions:
        if options is None:
            return self.options
        merged_options = cast("Options", dict(options))
        if not merged_options.get("verify_signature", True):
            for name in ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss", "verify_sub",
                         "verify_jti"):
                merged_options[name] = merged_options.get(name, False)  # type: ignore[typeddict-item]
        return {**self.options, **merged_options}

    # -- encode -------------------------------------------------------------------------------------------------------

    def encode(
        self,
        payload: dict[str, Any],
        key: AllowedPrivateKeyTypes,
        algorithm: str | None = _ALGORITHM_UNSET,
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
    ) -> str:
        """Sign ``payload`` (a dict of claims) and return the compact token.

        Datetimes in ``exp``, ``iat`` and ``nbf`` become epoch seconds; ``iss`` must be a string; NaN and Infinity
        are refused (``ValueError``) rather than written.

        :param payload: the claims
        :param key: the signing key: a secret, PEM text, a ``cryptography`` key or a ``PyJWK``
        :param algorithm: the ``alg`` to sign with (HS256 when omitted; a ``PyJWK``'s own algorithm for a PyJWK);
            an ``alg`` in ``headers`` takes precedence
        :param headers: extra header members, such as ``{"kid": ...}``
        :param json_encoder: a ``json.JSONEncoder`` subclass for claims and headers
        :param sort_headers: write header members in sorted order
        :returns: the token as ``str``
        :raises TypeError: when ``payload`` is not a dict
        """
        if type(self)._encode_payload is PyJWT._encode_payload:
            json_payload = _core.encode_claims(payload, json_encoder)
        else:
            if not isinstance(payload, dict):
                raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
            json_payload = self._encode_payload(
                _prepared_claims(payload), headers=headers, json_encoder=json_encoder
            )
        return self._jws.encode(json_payload, key, algorithm, headers, json_encoder, sort_headers=sort_headers)

    def _encode_payload(
        self,
        payload: dict[str, Any],
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
    ) -> bytes:
        """The bytes that get signed for ``payload``: a hook subclasses override to use another JSON library."""
        return json.dumps(payload, separators=(",", ":"), cls=json_encoder).encode("utf-8")

    # -- decode -------------------------------------------------------------------------------------------------------

    def decode_complete(
        self,
        jwt: str | bytes,
        key: AllowedPublicKeyTypes = "",
        algorithms: Sequence[str] | None = None,
        options: Options | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: str | Iterable[str] | None = None,
        issuer: str | Container[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """:meth:`decode`, returning the whole token: ``{"header": ..., "payload": ..., "signature": ...}``.

        The header and payload are the caller's own objects. Parameters are those of :meth:`decode`.
        """
        if kwargs:
            _warn_kwargs("decode_complete", kwargs)
        return self._decode(  # type: ignore[no-any-return]
            jwt, key, algorithms, options, verify, detached_payload, audience, issuer, subject, leeway, True
        )

    def decode(
        self,
        jwt: str | bytes,
        key: AllowedPublicKeyTypes = "",
        algorithms: Sequence[str] | None = None,
        options: Options | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: str | Iterable[str] | None = None,
        subject: str | None = None,
        issuer: str | Container[str] | None = None,
        leeway: float | timedelta = 0,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Check the token's signature and registered claims; return its claims as a new dict.

        :param jwt: the compact token (``str`` or ``bytes``)
        :param key: what verifies the signature: a secret, PEM text, a ``cryptography`` key or a ``PyJWK``
        :param algorithms: the algorithms you accept, written in your code (never taken from the token)
        :param options: switches for the checks (:class:`fastjwt.types.Options`): ``verify_exp``, ``require``, ...
        :param audience: the ``aud`` you expect (a string, or several)
        :param subject: the ``sub`` you expect
        :param issuer: the ``iss`` you expect: compared whole, or looked up in a container of strings
        :param leeway: allowed clock skew for ``exp``, ``nbf`` and ``iat``, in seconds or as a ``timedelta``
        :returns: the claims
        """
        if not kwargs and options is None and verify is None and detached_payload is None:
            # The common drop-in call: one tuple, one dict lookup, one call into the core.
            try:
                cache_key: Any = _core.drop_in_key(key, algorithms, audience, issuer, subject, leeway)
                entry = self._jws._decoders.get(cache_key)
            except TypeError:
                entry = None
                cache_key = None
            if entry is not None and (entry[0] is key or type(key) is str or type(key) is bytes):
                return entry[1].decode(jwt)  # type: ignore[no-any-return]
            if cache_key is not None and algorithms and not self._hooks_overridden():
                decoder = self._decoder(key, algorithms, None, True, audience, issuer, subject, leeway)
                self._jws._remember(cache_key, key, decoder)
                return decoder.decode(jwt)  # type: ignore[no-any-return]
        if kwargs:
            _warn_kwargs("decode", kwargs)
        return cast(
            "dict[str, Any]",
            self._decode(jwt, key, algorithms, options, verify, detached_payload, audience, issuer, subject, leeway,
                         False),
        )

    def _decode(
        self,
        jwt: Any,
        key: Any,
        algorithms: Any,
        options: Any,
        verify: bool | None,
        detached_payload: bytes | None,
        audience: Any,
        issuer: Any,
        subject: Any,
        leeway: Any,
        complete: bool,
    ) -> Any:
        verify_signature = True if options is None else options.get("verify_signature", True)
        if verify is not None and verify != verify_signature:
            warnings.warn(
                "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer. "
                "The equivalent is setting `verify_signature` to False in the `options` dictionary. "
                "This invocation has a mismatch between the kwarg and the option entry.",
                category=DeprecationWarning,
                stacklevel=3,
            )
        if verify_signature and not algorithms and not isinstance(key, PyJWK):
            raise DecodeError(
                'It is required that you pass in a value for the "algorithms" argument when calling decode().'
            )
        if self._hooks_overridden():
            return self._decode_with_hooks(jwt, key, algorithms, options, verify_signature, detached_payload,
                                           audience, issuer, subject, leeway, complete)
        decoder = self._decoder(key, algorithms, options, verify_signature, audience, issuer, subject, leeway)
        if complete:
            return decoder.decode_complete(jwt, detached_payload)
        return decoder.decode(jwt, detached_payload)

    def _hooks_overridden(self) -> bool:
        """True when a subclass overrides a payload or claims hook, so decoding must call it."""
        cls = type(self)
        return cls._decode_payload is not PyJWT._decode_payload or cls._validate_claims is not PyJWT._validate_claims

    def _decoder(self, key: Any, algorithms: Any, options: Any, verify_signature: bool, audience: Any, issuer: Any,
                 subject: Any, leeway: Any) -> _core.Decoder:
        """A prepared decoder for this call's configuration; cached while the configuration repeats."""
        jws = self._jws
        try:
            if options is None:
                options_key: Any = None
            else:
                options_key = tuple((name, _hashable(value)) for name, value in sorted(options.items()))
            cache_key = (
                key if isinstance(key, (str, bytes)) else id(key),
                _hashable(algorithms),
                options_key,
                verify_signature,
                _hashable(audience),
                _hashable(issuer),
                subject,
                leeway,
            )
            hash(cache_key)
        except TypeError:
            cache_key = None
        if cache_key is not None:
            entry = jws._decoders.get(cache_key)
            if entry is not None and (entry[0] is key or isinstance(key, (str, bytes))):
                return entry[1]
        merged = self._merge_options(options)
        rules = _core.ClaimRules(cast("dict[str, Any]", merged), audience, issuer, subject, leeway)
        allowed = allowed_set(algorithms)
        if allowed is None and isinstance(key, PyJWK):
            allowed = frozenset((key.algorithm_name,))
        decoder = jws._build_decoder(key, allowed, rules, verify_signature,
                                     bool(merged.get("enforce_minimum_key_length", False)))
        if cache_key is not None:
            jws._remember(cache_key, key, decoder)
        return decoder

    def _decode_with_hooks(self, jwt: Any, key: Any, algorithms: Any, options: Any, verify_signature: bool,
                           detached_payload: bytes | None, audience: Any, issuer: Any, subject: Any, leeway: Any,
                           complete: bool) -> Any:
        merged = self._merge_options(options)
        sig_options: SigOptions = {
            "verify_signature": verify_signature,
            "enforce_minimum_key_length": merged.get("enforce_minimum_key_length", False),
        }
        decoded = self._jws.decode_complete(jwt, key=key, algorithms=algorithms, options=sig_options,
                                            detached_payload=detached_payload)
        payload = self._decode_payload(decoded)
        self._validate_claims(payload, merged, audience=audience, issuer=issuer, leeway=leeway, subject=subject)
        decoded["payload"] = payload
        return decoded if complete else payload

    def _decode_payload(self, decoded: dict[str, Any]) -> dict[str, Any]:
        """The claims of a verified JWS (``decoded["payload"]`` is bytes): a hook subclasses override."""
        return _core.parse_payload(decoded["payload"], self._jws.limits.max_depth)

    def _validate_claims(
        self,
        payload: dict[str, Any],
        options: FullOptions,
        audience: Iterable[str] | str | None = None,
        issuer: Container[str] | str | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
    ) -> None:
        rules = _core.ClaimRules(cast("dict[str, Any]", options), audience, issuer, subject, leeway)
        rules.check(payload, rules.now())

    # PyJWT's single-claim helpers. fastjwt checks all claims in one pass of the core's ClaimRules; these run that
    # pass with every other check switched off, for code and tests that call them directly.

    def _validate_required_claims(self, payload: dict[str, Any], claims: Iterable[str]) -> None:
        _only_check(None, require=list(claims)).check(payload, 0.0)

    def _validate_sub(self, payload: dict[str, Any], subject: str | None = None) -> None:
        _only_check("verify_sub", subject=subject).check(payload, 0.0)

    def _validate_jti(self, payload: dict[str, Any]) -> None:
        _only_check("verify_jti").check(payload, 0.0)

    def _validate_iat(self, payload: dict[str, Any], now: float, leeway: float) -> None:
        _only_check("verify_iat", leeway=leeway).check(payload, now)

    def _validate_nbf(self, payload: dict[str, Any], now: float, leeway: float) -> None:
        _only_check("verify_nbf", leeway=leeway).check(payload, now)

    def _validate_exp(self, payload: dict[str, Any], now: float, leeway: float) -> None:
        _only_check("verify_exp", leeway=leeway).check(payload, now)

    def _validate_aud(
        self, payload: dict[str, Any], audience: str | Iterable[str] | None, *, strict: bool = False
    ) -> None:
        _only_check("verify_aud", audience=audience, strict_aud=strict).check(payload, 0.0)

    def _validate_iss(self, payload: dict[str, Any], issuer: Container[str] | str | None) -> None:
        _only_check("verify_iss", issuer=issuer).check(payload, 0.0)


_CLAIM_SWITCHES = ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss", "verify_sub", "verify_jti")


def _only_check(
    switch: str | None,
    *,
    require: list[str] | None = None,
    strict_aud: bool = False,
    audience: Any = None,
    issuer: Any = None,
    subject: Any = None,
    leeway: Any = 0,
) -> Any:
    """Claim rules that run one check (``switch``), or only the required-claims check when it is None."""
    options: dict[str, Any] = {name: name == switch for name in _CLAIM_SWITCHES}
    options["require"] = require or []
    options["strict_aud"] = strict_aud
    return _core.ClaimRules(options, audience, issuer, subject, leeway)


def _prepared_claims(payload: dict[str, Any]) -> dict[str, Any]:
    """PyJWT's payload preparation before ``_encode_payload``: datetimes to ints, ``iss`` must be a string."""
    from calendar import timegm

    payload = payload.copy()
    for time_claim in ("exp", "iat", "nbf"):
        if isinstance(payload.get(time_claim), datetime):
            payload[time_claim] = timegm(payload[time_claim].utctimetuple())
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise TypeError("Issuer (iss) must be a string.")
    return payload


_jwt_global_obj = PyJWT()
_jwt_global_obj._jws = _jws_global_obj
decode_complete = _jwt_global_obj.decode_complete
# The module-level encode and decode are compiled entry points with PyJWT's signatures: a repeated plain call reaches
# its prepared header and key (encode) or its cached Decoder (decode) without a Python frame.
_core.bind_drop_in(_jwt_global_obj)
# Claims are checked against the time read through this module's ``datetime`` (as PyJWT reads it in jwt.api_jwt),
# so freezegun, time-machine and mock.patch("fastjwt.api_jwt.datetime") move fastjwt's clock as they move PyJWT's.
_core.set_clock_namespace(globals())
if TYPE_CHECKING:
    encode = _jwt_global_obj.encode  # PyJWT's exact signatures for type checkers
    decode = _jwt_global_obj.decode
else:
    encode = _core.drop_in_encode
    decode = _core.drop_in_decode
