"""Pure-Python twin of the compiled core (``fastjwt/_core_c.pyx``).

Same names, same behaviour, same exceptions and messages as the compiled module; the test suite runs against both
and a differential fuzzer checks them against each other. Keep the two in step: a change here is a change there.

What lives in the core is the per-token hot path:

* strict Base64url codecs (:func:`b64url_encode`, :func:`b64url_decode`);
* prepared keys (:class:`HMACKey`, :class:`RSAKey`, :class:`ECKey`, :class:`EdKey`, :class:`AlgorithmKey`): a
  ``cryptography`` key wrapped once, with ``sign(msg)`` and ``verify(msg, sig)``;
* :class:`ClaimRules`: the registered-claim checks, prepared once from the caller's options;
* :class:`HeaderCache`: parsed header segments, bounded;
* :func:`load_token`, :func:`decode_token` and :func:`encode_token`: the whole decode and encode pipelines.
"""

from __future__ import annotations

import base64
import hmac as _stdlib_hmac
import math
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from . import _json
from ._text import printable
from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
)

# Documented limits (README "Limits"); every one is configurable per Verifier / PyJWS instance.
MAX_TOKEN_LENGTH = 1 << 20
MAX_HEADER_LENGTH = 16 << 10
MAX_JSON_DEPTH = 64
#: The deepest nesting a caller may configure: copies of parsed values recurse this deep at most.
MAX_JSON_DEPTH_LIMIT = 256
HEADER_CACHE_SIZE = 512
HEADER_CACHE_BYTES = 512 << 10
#: The largest parsed header (its measured size) a header cache keeps.
HEADER_ENTRY_MAX_BYTES = 16 << 10
TOKEN_CACHE_BYTES = 8 << 20
#: The longest token whose failure the error cache remembers.
ERROR_CACHE_MAX_TOKEN_LENGTH = 8 << 10

_MISSING: Any = object()


def _given(value: Any, name: str) -> None:
    """Typed arguments of the entry points may not be None (the compiled twin checks the same)."""
    if value is None:
        raise TypeError(f"{name} must not be None")


_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64_VALUES = {c: i for i, c in enumerate(_B64_ALPHABET)}


# --------------------------------------------------------------------------------------------------------------------
# Base64url


def b64url_encode(data: bytes) -> bytes:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64url_decode(data: bytes | str, name: str = "base64url", allow_padding: bool = False) -> bytes:
    """Strict Base64url decode: URL-safe alphabet only, no whitespace, unused trailing bits zero.

    Padding is refused unless ``allow_padding``, and then only the exactly right amount. Every failure raises
    ``DecodeError("Invalid <name> padding")`` (PyJWT's message for the same failures).
    """
    if isinstance(data, str):
        if not data.isascii():
            raise DecodeError(f"Invalid {name} padding")
        data = data.encode("ascii")
    elif not isinstance(data, bytes):
        data = bytes(data)
    if allow_padding and data.endswith(b"="):
        stripped = data.rstrip(b"=")
        if len(data) % 4 or len(data) - len(stripped) > 2:
            raise DecodeError(f"Invalid {name} padding")
        data = stripped
    length = len(data)
    if length % 4 == 1 or data.translate(None, _B64_ALPHABET):
        raise DecodeError(f"Invalid {name} padding")
    remainder = length % 4
    if remainder:
        last = _B64_VALUES[data[-1]]
        if last & (0x0F if remainder == 2 else 0x03):
            raise DecodeError(f"Invalid {name} padding")
        data += b"=" * (4 - remainder)
    return base64.urlsafe_b64decode(data)


# --------------------------------------------------------------------------------------------------------------------
# Prepared keys


class PreparedKey:
    """A key made ready once for one algorithm: ``sign(msg)`` and ``verify(msg, sig)`` with no per-call parsing."""

    __slots__ = ("alg", "key", "key_length_msg")

    alg: Any  # the header's "alg", already checked by check_algorithm
    key: Any
    key_length_msg: str | None

    def sign(self, msg: bytes) -> bytes:  # pragma: no cover - overridden
        raise InvalidKeyError("this key cannot sign")

    def verify(self, msg: bytes, sig: bytes) -> bool:  # pragma: no cover - overridden
        return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.alg}>"


class HMACKey(PreparedKey):
    """HMAC with a keyed context that is copied per message (the key schedule runs once)."""

    __slots__ = ("_keyed",)

    def __init__(self, alg: str, secret: bytes, hash_algorithm: hashes.HashAlgorithm, key_length_msg: str | None):
        self.alg = alg
        self.key = None  # the secret is kept only inside the keyed context
        self.key_length_msg = key_length_msg
        self._keyed = crypto_hmac.HMAC(secret, hash_algorithm)

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        h = self._keyed.copy()
        h.update(msg)
        return h.finalize()

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        h = self._keyed.copy()
        h.update(msg)
        return _stdlib_hmac.compare_digest(h.finalize(), sig)


class RSAKey(PreparedKey):
    """RSASSA-PKCS1-v1_5 or RSASSA-PSS (salt length = hash length, as PyJWT)."""

    __slots__ = ("_private", "_public", "_padding", "_hash")

    def __init__(self, alg: str, key: Any, hash_algorithm: hashes.HashAlgorithm, pss: bool, key_length_msg: str | None):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._hash = hash_algorithm
        self._padding = (
            padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=hash_algorithm.digest_size)
            if pss
            else padding.PKCS1v15()
        )
        self._private = key if hasattr(key, "private_numbers") else None
        self._public = key.public_key() if self._private is not None else key

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        return cast(bytes, self._private.sign(msg, self._padding, self._hash))

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        try:
            self._public.verify(sig, msg, self._padding, self._hash)
        except InvalidSignature:
            return False
        return True


def raw_to_der(sig: bytes, size: int) -> bytes | None:
    """Raw ``r || s`` (each ``size`` bytes) to a DER ECDSA signature; None when the length is not exactly 2*size."""
    _given(sig, "sig")
    if len(sig) != 2 * size or size <= 0 or size > 66:
        return None
    return encode_dss_signature(int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big"))


class ECKey(PreparedKey):
    """ECDSA with JWS's raw fixed-size ``r || s`` signatures (RFC 7518 section 3.4)."""

    __slots__ = ("_private", "_public", "_ecdsa", "_size")

    def __init__(self, alg: str, key: Any, hash_algorithm: hashes.HashAlgorithm, key_length_msg: str | None):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._ecdsa = ECDSA(hash_algorithm)
        self._size = (key.curve.key_size + 7) // 8
        self._private = key if hasattr(key, "private_numbers") else None
        self._public = key.public_key() if self._private is not None else key

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        r, s = decode_dss_signature(self._private.sign(msg, self._ecdsa))
        return r.to_bytes(self._size, "big") + s.to_bytes(self._size, "big")

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        der = raw_to_der(sig, self._size)
        if der is None:
            return False
        try:
            self._public.verify(der, msg, self._ecdsa)
        except InvalidSignature:
            return False
        return True


class EdKey(PreparedKey):
    """EdDSA (Ed25519 or Ed448)."""

    __slots__ = ("_private", "_public")

    def __init__(self, alg: str, key: Any, key_length_msg: str | None):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._private = key if hasattr(key, "private_bytes_raw") else None
        self._public = key.public_key() if self._private is not None else key

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        return cast(bytes, self._private.sign(msg))

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        try:
            self._public.verify(sig, msg)
        except InvalidSignature:
            return False
        return True


class AlgorithmKey(PreparedKey):
    """Any other (registered or subclassed) ``Algorithm``: delegates to its ``sign``/``verify``."""

    __slots__ = ("_algorithm",)

    def __init__(self, alg: str, algorithm: Any, key: Any, key_length_msg: str | None):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._algorithm = algorithm

    def sign(self, msg: bytes) -> bytes:
        _given(msg, "msg")
        return cast(bytes, self._algorithm.sign(msg, self.key))

    def verify(self, msg: bytes, sig: bytes) -> bool:
        _given(msg, "msg")
        _given(sig, "sig")
        return bool(self._algorithm.verify(msg, self.key, sig))


# --------------------------------------------------------------------------------------------------------------------
# Claims


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

    def check(self, payload: dict[str, Any], now: float) -> None:
        """Raise the PyJWT exception for the first claim that fails, in PyJWT's order."""
        _given(payload, "payload")
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


# --------------------------------------------------------------------------------------------------------------------
# Headers


def copy_json(value: Any) -> Any:
    """A copy of a parsed JSON value whose lists and dicts are all new: what callers get of any cached value."""
    kind = type(value)
    if kind is dict:
        return _copy_object(value)
    if kind is list:
        return [copy_json(item) for item in value]
    return value


def _copy_object(source: dict[str, Any]) -> dict[str, Any]:
    copy = dict(source)
    for name, value in source.items():
        kind = type(value)
        if kind is dict or kind is list:
            copy[name] = copy_json(value)
    return copy


def footprint(value: Any, limit: int = sys.maxsize) -> int:
    """The memory a parsed JSON value holds, in bytes, as the caches count it (``limit``: stop counting past it)."""
    total = sys.getsizeof(value)
    kind = type(value)
    if kind is dict:
        for name, item in value.items():
            if total > limit:
                break
            total += sys.getsizeof(name) + footprint(item, limit - total)
    elif kind is list:
        for item in value:
            if total > limit:
                break
            total += footprint(item, limit - total)
    return total


class _HeaderEntry:
    """A parsed header and the limits it was parsed under (it is never served to a stricter caller)."""

    __slots__ = ("header", "max_depth", "allow_padding", "cost")

    def __init__(self, header: dict[str, Any], max_depth: int, allow_padding: bool, cost: int) -> None:
        self.header = header
        self.max_depth = max_depth
        self.allow_padding = allow_padding
        self.cost = cost


class HeaderCache:
    """Parsed header segments of verified tokens, keyed by the exact segment bytes.

    Bounded in entries (``maxsize``) and in the bytes the parsed headers take (``max_bytes``); the oldest entry goes
    first. Only a decoder that has verified a token's signature stores its header, so unauthenticated input never
    stays here. An entry is served only to callers whose limits are at least as loose as those it was parsed under.
    Cached dicts are never handed out: callers that expose a header hand out :func:`copy_json` of it.
    """

    __slots__ = ("_entries", "maxsize", "max_bytes", "_bytes")

    def __init__(self, maxsize: int = HEADER_CACHE_SIZE, max_bytes: int = HEADER_CACHE_BYTES) -> None:
        self._entries: dict[bytes, _HeaderEntry] = {}
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self._bytes = 0

    def get(self, segment: bytes, limits: DecodeLimits) -> dict[str, Any] | None:
        """The cached header of ``segment`` if it was parsed under limits no looser than ``limits``, else None."""
        _given(segment, "segment")
        _given(limits, "limits")
        entry = self._entries.get(segment)
        if entry is None:
            return None
        if entry.max_depth > limits.max_depth or (entry.allow_padding and not limits.allow_padding):
            return None
        return entry.header

    def store(self, segment: bytes, header: dict[str, Any], limits: DecodeLimits) -> None:
        """Keep ``header`` (parsed from ``segment`` under ``limits``) unless it is larger than an entry may be."""
        _given(segment, "segment")
        _given(header, "header")
        _given(limits, "limits")
        if self.maxsize <= 0:
            return
        budget = min(self.max_bytes, HEADER_ENTRY_MAX_BYTES)
        cost = len(segment) + footprint(header, budget)
        if cost > budget:
            return
        entries = self._entries
        self._forget(segment)
        while entries and (len(entries) >= self.maxsize or self._bytes + cost > self.max_bytes):
            self._forget(next(iter(entries)))
        entries[segment] = _HeaderEntry(header, limits.max_depth, limits.allow_padding, cost)
        self._bytes += cost

    def _forget(self, segment: bytes) -> None:
        old = self._entries.pop(segment, None)
        if old is not None:
            self._bytes -= old.cost

    def parse(self, segment: bytes, limits: DecodeLimits) -> dict[str, Any]:
        """The header dict of ``segment``: cached or parsed (never stored here). Do not mutate it."""
        header = self.get(segment, limits)
        if header is None:
            header = parse_header(segment, limits.max_depth, limits.allow_padding)
        return header

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self._bytes = 0

    @property
    def bytes_used(self) -> int:
        """The bytes the cached headers take, as counted against ``max_bytes``."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


def parse_header(segment: bytes, max_depth: int, allow_padding: bool) -> dict[str, Any]:
    """Decode and parse one header segment; it must be a JSON object."""
    _given(segment, "segment")
    data = b64url_decode(segment, "header", allow_padding)
    try:
        header = _json.loads(data, max_depth)
    except _json.JSONError as exc:
        raise DecodeError(f"Invalid header string: {exc}") from None
    if type(header) is not dict:
        raise DecodeError("Invalid header string: must be a json object")
    return header


def validate_header(header: dict[str, Any], supported_crit: frozenset[str] | set[str]) -> None:
    """PyJWT's ``_validate_headers`` on decode: ``kid`` must be a string; ``crit`` must be understood."""
    _given(header, "header")
    if "kid" in header and not isinstance(header["kid"], str):
        raise InvalidTokenError("Key ID header parameter must be a string")
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or len(crit) == 0:
            raise InvalidTokenError("Invalid 'crit' header: must be a non-empty list")
        for ext in crit:
            if not isinstance(ext, str):
                raise InvalidTokenError("Invalid 'crit' header: values must be strings")
            if ext not in supported_crit:
                raise InvalidTokenError(f"Unsupported critical extension: {printable(ext)}")
            if ext not in header:
                raise InvalidTokenError(f"Critical extension '{ext}' is missing from headers")


# --------------------------------------------------------------------------------------------------------------------
# Pipelines


class DecodeLimits:
    """Size and depth bounds for untrusted tokens (documented defaults, configurable)."""

    __slots__ = ("max_token_length", "max_header_length", "max_depth", "allow_padding")

    def __init__(
        self,
        max_token_length: int = MAX_TOKEN_LENGTH,
        max_header_length: int = MAX_HEADER_LENGTH,
        max_depth: int = MAX_JSON_DEPTH,
        allow_padding: bool = False,
    ) -> None:
        depth = int(max_depth)
        if not 1 <= depth <= MAX_JSON_DEPTH_LIMIT:
            raise ValueError(f"the JSON depth limit must be between 1 and {MAX_JSON_DEPTH_LIMIT}")
        self.max_token_length = int(max_token_length)
        self.max_header_length = int(max_header_length)
        self.max_depth = depth
        self.allow_padding = bool(allow_padding)


DEFAULT_LIMITS = DecodeLimits()
_HEADER_CACHE = HeaderCache()


def _exact_token(token: Any) -> Any:
    """A ``str`` or ``bytes`` subclass as a plain ``str``/``bytes`` of the same characters; anything else unchanged.

    PyJWT accepts subclasses. Copying them first means no method of the subclass (``__hash__``, ``__eq__``,
    ``encode``) ever runs inside the pipeline or the caches.
    """
    kind = type(token)
    if kind is str or kind is bytes:
        return token
    if isinstance(token, str):
        return str.__str__(token)
    if isinstance(token, bytes):
        return bytes(memoryview(token))
    return token


def token_bytes(token: Any, limits: DecodeLimits) -> bytes:
    """The token as ASCII bytes, or DecodeError (wrong type, too long, non-ASCII)."""
    _given(limits, "limits")
    token = _exact_token(token)
    if type(token) is str:
        if len(token) > limits.max_token_length:
            raise DecodeError("Token is too long")
        if not token.isascii():
            raise DecodeError("Invalid token: non-ASCII characters")
        return token.encode("ascii")
    if type(token) is bytes:
        if len(token) > limits.max_token_length:
            raise DecodeError("Token is too long")
        return token
    raise DecodeError(f"Invalid token type. Token must be a {bytes}")


def _load(
    token: Any, limits: DecodeLimits, header_cache: HeaderCache | None
) -> tuple[bytes, bytes, dict[str, Any], bytes, bytes, bool]:
    """``load_token``'s work, plus whether the header was parsed for this token (not taken from the cache)."""
    data = token_bytes(token, limits)
    first = data.find(b".")
    last = data.rfind(b".")
    if first < 0 or first == last:
        raise DecodeError("Not enough segments")
    header_segment = data[:first]
    if len(header_segment) > limits.max_header_length:
        raise DecodeError("Invalid header string: header is too long")
    signing_input = data[:last]
    header = None if header_cache is None else header_cache.get(header_segment, limits)
    parsed = header is None
    if header is None:
        header = parse_header(header_segment, limits.max_depth, limits.allow_padding)
    payload_segment = data[first + 1 : last]
    if header.get("b64", True) is False:
        if payload_segment:
            raise DecodeError("Payload segment must be empty when 'b64' is false.")
        payload = b""
    else:
        payload = b64url_decode(payload_segment, "payload", limits.allow_padding)
    signature = b64url_decode(data[last + 1 :], "crypto", limits.allow_padding)
    return payload, signing_input, header, signature, header_segment, parsed


def load_token(
    token: Any, limits: DecodeLimits = DEFAULT_LIMITS, header_cache: HeaderCache | None = _HEADER_CACHE
) -> tuple[bytes, bytes, dict[str, Any], bytes, bytes]:
    """Split and decode a compact JWS: ``(payload, signing_input, header, signature, header_segment)``.

    Nothing is verified and nothing is cached; the header is the caller's own (a cached one is copied).
    ``payload`` is ``b""`` when the header says ``b64: false`` (the payload is detached and its segment must be
    empty).
    """
    _given(limits, "limits")
    payload, signing_input, header, signature, header_segment, parsed = _load(token, limits, header_cache)
    return payload, signing_input, header if parsed else _copy_object(header), signature, header_segment


def check_algorithm(header: dict[str, Any], allowed: frozenset[str] | None) -> str:
    """The header's ``alg`` if the caller allows it, else InvalidAlgorithmError (PyJWT's messages)."""
    _given(header, "header")
    if "alg" not in header:
        raise InvalidAlgorithmError("Algorithm not specified")
    alg = header["alg"]
    if not alg or type(alg) is not str or (allowed is not None and alg not in allowed):
        raise InvalidAlgorithmError("The specified alg value is not allowed")
    return alg


def parse_payload(payload: bytes, max_depth: int) -> dict[str, Any]:
    """The claims object of a verified payload (PyJWT's ``_decode_payload``)."""
    _given(payload, "payload")
    try:
        claims = _json.loads(payload, max_depth)
    except _json.JSONError as exc:
        raise DecodeError(f"Invalid payload string: {exc}") from None
    if type(claims) is not dict:
        raise DecodeError("Invalid payload string: must be a json object")
    return claims


def verify_signature(
    key: PreparedKey, signing_input: bytes, signature: bytes, enforce_minimum_key_length: bool
) -> None:
    """Check one signature with a prepared key; the key-length policy first, as PyJWT does."""
    _given(key, "key")
    _given(signing_input, "signing_input")
    _given(signature, "signature")
    if key.key_length_msg is not None:
        warn_or_raise_key_length(key.key_length_msg, enforce_minimum_key_length)
    if not key.verify(signing_input, signature):
        raise InvalidSignatureError("Signature verification failed")


def warn_or_raise_key_length(message: str, enforce: bool) -> None:
    """PyJWT's policy for short keys: a warning, or InvalidKeyError with ``enforce_minimum_key_length``."""
    if enforce:
        raise InvalidKeyError(message)
    import warnings

    from .warnings import InsecureKeyLengthWarning

    warnings.warn(message, InsecureKeyLengthWarning, stacklevel=4)


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
        payload, signing_input, header, signature, segment, parsed = _load(token, self.limits, self.header_cache)
        now = 0.0
        try:
            key = self._check(header, signing_input, signature, detached_payload)
            if key is not None and parsed and self.header_cache is not None and header.get("b64", True) is not False:
                # the signature is good: only now may the header outlive this call
                self.header_cache.store(segment, header, self.limits)
            if detached_payload is not None:
                payload = detached_payload
            if rules is None:
                claims: Any = payload
            else:
                claims = parse_payload(payload, self.limits.max_depth)
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
        self._evict(token)
        while cache and (len(cache) >= self.cache_size or self._cache_bytes + entry.cost > self.cache_max_bytes):
            self._evict(next(iter(cache)))
        cache[token] = entry
        self._cache_bytes += entry.cost

    def _evict(self, token: Any) -> None:
        old = self._cache.pop(token, None)
        if old is not None:
            self._cache_bytes -= old.cost

    def _evict_entry(self, token: Any, entry: _CacheEntry) -> None:
        """Drop ``token``'s entry if it is still ``entry`` (another thread may have stored a newer one)."""
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


_TIME_CLAIMS = ("exp", "iat", "nbf")


def encode_claims(payload: Any, json_encoder: Any) -> bytes:
    """PyJWT's payload preparation: dict only, datetimes in time claims to ints, ``iss`` a string; then JSON."""
    if not isinstance(payload, dict):
        raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
    for claim in _TIME_CLAIMS:
        value = payload.get(claim)
        if isinstance(value, datetime):
            payload = dict(payload)
            break
    else:
        value = None
    if value is not None:
        import calendar

        for claim in _TIME_CLAIMS:
            value = payload.get(claim)
            if isinstance(value, datetime):
                payload[claim] = calendar.timegm(value.utctimetuple())
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise TypeError("Issuer (iss) must be a string.")
    return _json.dumps(payload, cls=json_encoder)


def sign_compact(header_segment: bytes, payload: bytes, key: PreparedKey, detached: bool) -> str:
    """Assemble ``header.payload.signature`` (payload segment empty when detached) as str."""
    _given(header_segment, "header_segment")
    _given(payload, "payload")
    _given(key, "key")
    payload_segment = payload if detached else b64url_encode(payload)
    signing_input = header_segment + b"." + payload_segment
    signature = b64url_encode(key.sign(signing_input))
    if detached:
        return (header_segment + b".." + signature).decode("ascii")
    return (signing_input + b"." + signature).decode("ascii")


def drop_in_key(key: Any, algorithms: Any, audience: Any, issuer: Any, subject: Any, leeway: Any) -> tuple[Any, ...]:
    """The decoder-cache key of a drop-in ``decode`` call without options (TypeError if an argument is unhashable)."""
    result = (
        key if type(key) is str or type(key) is bytes else id(key),
        tuple(algorithms) if type(algorithms) is list else algorithms,
        tuple(audience) if type(audience) is list else audience,
        tuple(issuer) if type(issuer) is list else issuer,
        subject,
        leeway,
    )
    hash(result)
    return result


_drop_in_owner: Any = None


def bind_drop_in(owner: Any) -> None:
    """Make ``owner`` (a ``PyJWT``) the object behind :func:`drop_in_decode`."""
    global _drop_in_owner
    _drop_in_owner = owner


#: ``algorithm``'s default in ``encode``: HS256, or a PyJWK's own algorithm (``None`` means ``none``, as in PyJWT).
ALGORITHM_UNSET: Any = object()


def forget_drop_in() -> None:
    """Forget the last drop-in calls (the owner's algorithms changed); the twin keeps no such memo."""


def drop_in_encode(
    payload: Any,
    key: Any,
    algorithm: Any = ALGORITHM_UNSET,
    headers: Any = None,
    json_encoder: Any = None,
    sort_headers: bool = True,
) -> str:
    """``fastjwt.encode``: PyJWT's ``encode`` signature, handed to the bound ``PyJWT`` object's ``encode``."""
    return _drop_in_owner.encode(payload, key, algorithm, headers, json_encoder, sort_headers)  # type: ignore[no-any-return]


def drop_in_decode(
    jwt: Any,
    key: Any = "",
    algorithms: Any = None,
    options: Any = None,
    verify: Any = None,
    detached_payload: Any = None,
    audience: Any = None,
    subject: Any = None,
    issuer: Any = None,
    leeway: Any = 0,
    **kwargs: Any,
) -> Any:
    """``fastjwt.decode``: PyJWT's ``decode`` signature; a repeated plain call goes straight to its cached Decoder.

    Anything else (options, detached payloads, deprecated arguments, a first call) is handed to the bound
    ``PyJWT`` object's ``decode``, which prepares and caches the Decoder.
    """
    owner = _drop_in_owner
    if not kwargs and options is None and verify is None and detached_payload is None:
        try:
            entry = owner._jws._decoders.get(drop_in_key(key, algorithms, audience, issuer, subject, leeway))
        except TypeError:
            entry = None
        if entry is not None and (entry[0] is key or type(key) is str or type(key) is bytes):
            return entry[1].decode(jwt)
    return owner.decode(
        jwt, key, algorithms, options, verify, detached_payload, audience, subject, issuer, leeway, **kwargs
    )


__all__ = [
    "ALGORITHM_UNSET",
    "ERROR_CACHE_MAX_TOKEN_LENGTH",
    "HEADER_CACHE_BYTES",
    "HEADER_ENTRY_MAX_BYTES",
    "MAX_JSON_DEPTH_LIMIT",
    "TOKEN_CACHE_BYTES",
    "copy_json",
    "footprint",
    "set_clock_namespace",
    "wall_clock",
    "bind_drop_in",
    "drop_in_decode",
    "drop_in_encode",
    "forget_drop_in",
    "drop_in_key",
    "DEFAULT_LIMITS",
    "Decoder",
    "HEADER_CACHE_SIZE",
    "MAX_HEADER_LENGTH",
    "MAX_JSON_DEPTH",
    "MAX_TOKEN_LENGTH",
    "AlgorithmKey",
    "ClaimRules",
    "DecodeLimits",
    "ECKey",
    "EdKey",
    "HMACKey",
    "HeaderCache",
    "PreparedKey",
    "RSAKey",
    "b64url_decode",
    "b64url_encode",
    "check_algorithm",
    "encode_claims",
    "load_token",
    "parse_header",
    "parse_payload",
    "raw_to_der",
    "seconds",
    "sign_compact",
    "token_bytes",
    "validate_header",
    "verify_signature",
    "warn_or_raise_key_length",
]
