"""PyJWT's helper functions (``jwt.utils``): bytes and integers in Base64url, ECDSA signature forms, key sniffing.

Each is a thin name over the key layer, which uses the same code for JWKs and signatures.

Where fastjwt differs from PyJWT 2.15.1: :func:`base64url_decode` is strict. PyJWT's skips characters outside the
alphabet, takes ``+`` and ``/``, and ignores the spare bits of the last character, so many strings decode to the same
bytes; here only the URL-safe alphabet is taken, padding may be absent or exactly right, and the spare bits must be
zero. Anything else raises :class:`binascii.Error`, as PyJWT does for the inputs it cannot decode.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurve

from ._keys import _codec, _forms
from ._keys import ec as _ec

__all__ = [
    "base64url_decode",
    "base64url_encode",
    "bytes_from_int",
    "bytes_to_number",
    "der_to_raw_signature",
    "force_bytes",
    "from_base64url_uint",
    "is_pem_format",
    "is_ssh_key",
    "number_to_bytes",
    "raw_to_der_signature",
    "to_base64url_uint",
]


def force_bytes(value: bytes | str) -> bytes:
    """``value`` as bytes: a ``str`` is UTF-8 encoded, ``bytes`` pass as they are.

    :raises TypeError: any other type.
    """
    return _codec.text_bytes(value)


def base64url_decode(input: bytes | str) -> bytes:
    """The bytes that strict Base64url text spells (see the module notes).

    :raises binascii.Error: not the one canonical spelling of some bytes.
    :raises TypeError: neither ``str`` nor ``bytes``.
    """
    return _codec.decode(input)


def base64url_encode(input: bytes) -> bytes:
    """Base64url of ``input`` without padding."""
    return _codec.encode(input)


def to_base64url_uint(val: int, *, bit_length: int | None = None) -> bytes:
    """Base64url of a non-negative integer's big-endian bytes, as JWK members ``n``, ``e``, ``x``... hold it.

    :param bit_length: pad to the bytes this many bits need (EC coordinates are padded to the curve size).
    :raises ValueError: ``val`` is negative.
    """
    return _codec.encode_uint(val, bit_length)


def from_base64url_uint(val: bytes | str) -> int:
    """The non-negative integer whose big-endian bytes strict Base64url ``val`` spells.

    :raises binascii.Error: not strict Base64url.
    """
    return _codec.decode_uint(val)


def number_to_bytes(num: int, num_bytes: int) -> bytes:
    """Big-endian bytes of ``num``, zero-padded on the left to ``num_bytes`` (more when ``num`` needs more)."""
    return num.to_bytes(max(num_bytes, (num.bit_length() + 7) // 8), "big")


def bytes_to_number(string: bytes) -> int:
    """The unsigned integer that big-endian ``string`` holds."""
    return int.from_bytes(string, "big")


def bytes_from_int(val: int, *, bit_length: int | None = None) -> bytes:
    """Big-endian bytes of ``val``: as few as it needs, or the bytes ``bit_length`` bits need."""
    return _codec.uint_bytes(val, bit_length)


def der_to_raw_signature(der_sig: bytes, curve: EllipticCurve) -> bytes:
    """A DER ECDSA signature as JWS's raw ``r || s``, each padded to ``curve``'s byte size."""
    return _ec.raw_signature(der_sig, curve)


def raw_to_der_signature(raw_sig: bytes, curve: EllipticCurve) -> bytes:
    """A raw ``r || s`` ECDSA signature as DER.

    :raises ValueError: ``raw_sig`` is not exactly twice ``curve``'s byte size.
    """
    return _ec.der_signature(raw_sig, curve)


def is_pem_format(key: bytes) -> bool:
    """True when ``key`` holds a BEGIN line of a known PEM label and, after it, the matching END line."""
    return _forms.has_pem_pair(key)


def is_ssh_key(key: bytes) -> bool:
    """True when ``key`` starts with the type of an OpenSSH public key (``ssh-rsa``, ``ecdsa-sha2-nistp256``...)."""
    return key.startswith(_forms.OPENSSH_KEY_TYPES)
