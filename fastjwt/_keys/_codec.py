"""How JWK members carry bytes and integers: strict Base64url text, big-endian unsigned integers (RFC 7518 6).

Decoding is strict for the same reason token segments are: one key must have one spelling. Only the URL-safe
alphabet, padding absent or exactly right, and zero unused bits in the last character are accepted; anything else
raises :class:`binascii.Error`, the error Python's own Base64 functions raise.
"""

from __future__ import annotations

import binascii
from typing import Any

from .. import _core
from ..exceptions import DecodeError

__all__ = [
    "as_bytes",
    "decode",
    "decode_uint",
    "encode",
    "encode_text",
    "encode_uint",
    "encode_uint_text",
    "text_bytes",
    "uint_bytes",
]


def text_bytes(value: str | bytes) -> bytes:
    """``value`` as bytes: UTF-8 for ``str``, unchanged for ``bytes``; any other type is a ``TypeError``."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError("Expected a string or bytes value")


def as_bytes(value: Any) -> Any:
    """A ``bytearray`` or ``memoryview`` as ``bytes`` (the prepared keys take bytes only); anything else unchanged."""
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def decode(value: str | bytes) -> bytes:
    """The bytes that strict Base64url ``value`` spells.

    :raises binascii.Error: not the canonical Base64url spelling of any bytes.
    :raises TypeError: ``value`` is neither ``str`` nor ``bytes``.
    """
    try:
        return _core.b64url_decode(text_bytes(value), "base64url", True)
    except DecodeError:
        raise binascii.Error("Invalid base64url: URL-safe alphabet, exact padding and zero spare bits only") from None


def encode(data: bytes) -> bytes:
    """Base64url of ``data`` without padding."""
    return _core.b64url_encode(data)


def encode_text(data: bytes) -> str:
    """Base64url of ``data`` without padding, as text (how JSON carries it)."""
    return _core.b64url_encode(data).decode("ascii")


def uint_bytes(value: int, bit_length: int | None = None) -> bytes:
    """Big-endian bytes of a non-negative integer: as few as it needs, or enough for ``bit_length`` bits."""
    bits = value.bit_length() if bit_length is None else bit_length
    return value.to_bytes((bits + 7) // 8, "big")


def encode_uint(value: int, bit_length: int | None = None) -> bytes:
    """Base64url of a non-negative integer's big-endian bytes (zero is one zero byte, ``AA``).

    :raises ValueError: ``value`` is negative.
    """
    if value < 0:
        raise ValueError("Must be a positive integer")
    return encode(uint_bytes(value, bit_length) or b"\x00")


def encode_uint_text(value: int, bit_length: int | None = None) -> str:
    """:func:`encode_uint` as text (how a JWK member holds it)."""
    return encode_uint(value, bit_length).decode("ascii")


def decode_uint(value: str | bytes) -> int:
    """The non-negative integer whose big-endian bytes strict Base64url ``value`` spells."""
    return int.from_bytes(decode(value), "big")
