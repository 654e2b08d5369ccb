"""The clock both cores share and the registered-claim checks (twin of ``claims.pxi``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ..exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
)
from ._common_py import _given


def _as_int(value: Any) -> int | None:
    """A time claim as PyJWT reads it (``int(value)``), but only from a JSON number: None for anything else."""
    if type(value) is int:
        return value
    if type(value) is float:
        if value != value or value in (math.inf, -math.inf):
            return None
        return int(value)
    return None


# The clock: see the comment above ``wall_clock`` in _core_c.pyx. Read through ``fastjwt.api_jwt``'s ``datetime``
# when something replaced it (freezegun, mock.patch), else through whatever ``time.time`` is now (time-machine).
_REAL_DATETIME = datetime
_clock_namespace: dict[str, Any] | None = None


def set_clock_namespace(namespace: dict[str, Any]) -> None:
    """Read the time through ``namespace["datetime"]``: ``fastjwt.api_jwt`` hands in its globals at import."""
    global _clock_namespace
    _given(namespace, "namespace")
    _clock_namespace = namespace


def wall_clock() -> float:
    """Seconds since the epoch, following freezegun, time-machine and a patched ``fastjwt.api_jwt.datetime``."""
    namespace = _clock_namespace
    datetime_class = _REAL_DATETIME if namespace is None else namespace.get("datetime", _REAL_DATETIME)
    if datetime_class is _REAL_DATETIME:
        return float(time.time())
    return float(datetime_class.now(tz=timezone.utc).timestamp())


def _plain_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """A mapping of claims as a plain dict, read through its own ``__iter__`` and ``__getitem__``."""
    _given(claims, "claims")
    return {name: claims[name] for name in claims}


class ClaimRules:
    """The registered-claim checks of one decode configuration, prepared once (PyJWT's ``_validate_claims``)."""

    __slots__ = (
        "require",
        "verify_exp",
        "verify_nbf",
        "verify_iat",
        "verify_aud",
        "verify_iss",
        "verify_sub",
        "verify_jti",
        "strict_aud",
        "audience",
        "issuer",
        "subject",
        "leeway",
        "max_age",
        "clock",
    )

    def __init__(
        self,
        options: dict[str, Any],
        audience: Any = None,
        issuer: Any = None,
        subject: Any = None,
        leeway: Any = 0,
        max_age: Any = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.require = tuple(options.get("require") or ())
        self.verify_exp = bool(options.get("verify_exp", True))
        self.verify_nbf = bool(options.get("verify_nbf", True))
        self.verify_iat = bool(options.get("verify_iat", True))
        self.verify_aud = bool(options.get("verify_aud", True))
        self.verify_iss = bool(options.get("verify_iss", True))
        self.verify_sub = bool(options.get("verify_sub", True))
        self.verify_jti = bool(options.get("verify_jti", True))
        self.strict_aud = bool(options.get("strict_aud", False))
        if audience is not None and not isinstance(audience, (str, Iterable)):
            raise TypeError("audience must be a string, iterable or None")
        if audience is not None and not isinstance(audience, str):
            audience = list(audience)
        self.audience = audience
        self.issuer = issuer
        self.subject = subject
        self.leeway = seconds(leeway, "leeway")
        self.max_age = None if max_age is None else seconds(max_age, "max_age")
        self.clock = clock

    def now(self) -> float:
        """The current time in seconds since the epoch: the injected clock if any, else :func:`wall_clock`."""
        return wall_clock() if self.clock is None else float(self.clock())

    def check(self, claims: Mapping[str, Any], now: float) -> None:
        """Raise the PyJWT exception for the first claim that fails, in PyJWT's order.

        ``claims`` is a dict, or any mapping (a ``_decode_payload`` hook may return one): a mapping is read through
        its own ``__iter__`` and ``__getitem__`` into a plain dict first, the same on both cores.
        """
        payload = claims if type(claims) is dict else _plain_claims(claims)
        for claim in self.require:
            if payload.get(claim) is None:
                raise MissingRequiredClaimError(claim)
        leeway = self.leeway
        if self.verify_iat and "iat" in payload:
            iat = _as_int(payload["iat"])
            if iat is None:
                raise InvalidIssuedAtError("Issued At claim (iat) must be an integer.")
            if iat > now + leeway:
                raise ImmatureSignatureError("The token is not yet valid (iat)")
        if self.verify_nbf and "nbf" in payload:
            nbf = _as_int(payload["nbf"])
            if nbf is None:
                raise DecodeError("Not Before claim (nbf) must be an integer.")
            if nbf > now + leeway:
                raise ImmatureSignatureError("The token is not yet valid (nbf)")
        if self.verify_exp and "exp" in payload:
            exp = _as_int(payload["exp"])
            if exp is None:
                raise DecodeError("Expiration Time claim (exp) must be an integer.")
            if exp <= now - leeway:
                raise ExpiredSignatureError("Signature has expired")
        if self.max_age is not None:
            self._check_max_age(payload, now)
        if self.verify_iss and self.issuer is not None:
            self._check_iss(payload)
        if self.verify_aud:
            self._check_aud(payload)
        if self.verify_sub and "sub" in payload:
            sub = payload["sub"]
            if not isinstance(sub, str):
                raise InvalidSubjectError("Subject must be a string")
            if self.subject is not None and sub != self.subject:
                raise InvalidSubjectError("Invalid subject")
        if self.verify_jti and "jti" in payload and not isinstance(payload["jti"], str):
            raise InvalidJTIError("JWT ID must be a string")

    def _check_max_age(self, payload: dict[str, Any], now: float) -> None:
        if "iat" not in payload:
            raise MissingRequiredClaimError("iat")
        iat = _as_int(payload["iat"])
        if iat is None:
            raise InvalidIssuedAtError("Issued At claim (iat) must be an integer.")
        # now - iat > max_age + leeway, written as a comparison so that an iat of any size compares exactly
        if iat < now - (self.max_age + self.leeway):  # type: ignore[operator]
            raise ExpiredSignatureError("Signature has expired (max_age)")

    def _check_iss(self, payload: dict[str, Any]) -> None:
        if "iss" not in payload:
            raise MissingRequiredClaimError("iss")
        iss = payload["iss"]
        if not isinstance(iss, str):
            raise InvalidIssuerError("Payload Issuer (iss) must be a string")
        issuer = self.issuer
        if isinstance(issuer, str):
            if iss != issuer:
                raise InvalidIssuerError("Invalid issuer")
            return
        try:
            found = iss in issuer
        except TypeError:
            raise InvalidIssuerError('Issuer param must be "str" or "Container[str]"') from None
        if not found:
            raise InvalidIssuerError("Invalid issuer")

    def _check_aud(self, payload: dict[str, Any]) -> None:
        audience = self.audience
        claim = payload.get("aud")
        if audience is None:
            if claim:
                raise InvalidAudienceError("Invalid audience")
            return
        if not claim:
            raise MissingRequiredClaimError("aud")
        if self.strict_aud:
            if not isinstance(audience, str):
                raise InvalidAudienceError("Invalid audience (strict)")
            if not isinstance(claim, str):
                raise InvalidAudienceError("Invalid claim format in token (strict)")
            if audience != claim:
                raise InvalidAudienceError("Audience doesn't match (strict)")
            return
        if isinstance(claim, str):
            claim = [claim]
        if not isinstance(claim, list) or any(not isinstance(c, str) for c in claim):
            raise InvalidAudienceError("Invalid claim format in token")
        wanted = [audience] if isinstance(audience, str) else audience
        if all(aud not in claim for aud in wanted):
            raise InvalidAudienceError("Audience doesn't match")


def seconds(value: Any, name: str) -> float:
    """A duration in seconds from a number or ``timedelta``; a non-finite value is refused (``ValueError``)."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or a timedelta")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite")
    return result
