"""Splitting and decoding a compact JWS, the allow-list, payload parsing, signature checks (twin of ``token.pxi``)."""

from __future__ import annotations

from typing import Any

from ..exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
)
from . import _json
from ._b64_py import b64url_decode
from ._common_py import _given
from ._headers_py import DecodeLimits, HeaderCache, _copy_object, parse_header
from ._prepared_py import PreparedKey

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

    from ..warnings import InsecureKeyLengthWarning

    warnings.warn(message, InsecureKeyLengthWarning, stacklevel=4)
