"""Base64url, strict (twin of ``b64.pxi``)."""

from __future__ import annotations

import base64

from ..exceptions import (
    DecodeError,
)

_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64_VALUES = {c: i for i, c in enumerate(_B64_ALPHABET)}


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
