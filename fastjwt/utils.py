# adapted from PyJWT (MIT)
"""Byte, integer and Base64url helpers, with PyJWT's names and signatures.

Differences from PyJWT
----------------------
* :func:`base64url_decode` is strict. PyJWT's silently drops characters outside
  the alphabet and accepts the standard alphabet (``+``/``/``), so several
  strings decode to the same bytes. Here only the URL-safe alphabet is accepted,
  padding is optional but must be exactly right when present, and the unused low
  bits of the last character must be zero. Anything else raises
  :class:`binascii.Error` (the exception PyJWT raises for bad padding).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurve

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

_B64URL_ALPHABET = re.compile(rb"[A-Za-z0-9_-]*")


def force_bytes(value: bytes | str) -> bytes:
    """Return ``value`` as bytes: a ``str`` is UTF-8 encoded, ``bytes`` pass through.

    :raises TypeError: for any other type.
    """
    if isinstance(value, str):
        return value.encode("utf-8")
    elif isinstance(value, bytes):
        return value
    else:
        raise TypeError("Expected a string or bytes value")


def base64url_decode(input: bytes | str) -> bytes:
    """Decode strict Base64url (RFC 4648 section 5).

    Accepts the URL-safe alphabet only, with no padding or exactly the right
    padding; the unused low bits of the last character must be zero, so each
    byte string has exactly one unpadded encoding.

    :raises binascii.Error: on any other input.
    :raises TypeError: if ``input`` is neither ``str`` nor ``bytes``.
    """
    data = force_bytes(input)
    body = data.rstrip(b"=")
    pad = len(data) - len(body)
    rem = len(body) % 4
    if rem == 1:
        raise binascii.Error("Invalid base64url string: impossible length")
    if pad and (rem == 0 or pad != 4 - rem):
        raise binascii.Error("Invalid base64url string: incorrect padding")
    if not _B64URL_ALPHABET.fullmatch(body):
        raise binascii.Error("Invalid base64url string: character outside the URL-safe alphabet")
    decoded = base64.urlsafe_b64decode(body + b"=" * ((4 - rem) % 4))
    # A non-zero unused bit changes the last character but not the bytes:
    # re-encoding exposes it.
    if rem and base64.urlsafe_b64encode(decoded).rstrip(b"=") != body:
        raise binascii.Error("Invalid base64url string: non-zero trailing bits")
    return decoded


def base64url_encode(input: bytes) -> bytes:
    """Encode ``input`` as Base64url without padding."""
    return base64.urlsafe_b64encode(input).replace(b"=", b"")


def to_base64url_uint(val: int, *, bit_length: int | None = None) -> bytes:
    """Encode a non-negative integer as big-endian Base64url (JWK ``n``, ``e``, ...).

    :param bit_length: pad the big-endian bytes to this many bits (EC coordinates).
    :raises ValueError: if ``val`` is negative.
    """
    if val < 0:
        raise ValueError("Must be a positive integer")

    int_bytes = bytes_from_int(val, bit_length=bit_length)

    if len(int_bytes) == 0:
        int_bytes = b"\x00"

    return base64url_encode(int_bytes)


def from_base64url_uint(val: bytes | str) -> int:
    """Decode a big-endian Base64url unsigned integer.

    :raises binascii.Error: if ``val`` is not strict Base64url.
    """
    data = base64url_decode(force_bytes(val))
    return int.from_bytes(data, byteorder="big")


def number_to_bytes(num: int, num_bytes: int) -> bytes:
    """Big-endian bytes of ``num``, left-padded with zeros to ``num_bytes``."""
    padded_hex = "%0*x" % (2 * num_bytes, num)  # noqa: UP031 (as PyJWT)
    return binascii.a2b_hex(padded_hex.encode("ascii"))


def bytes_to_number(string: bytes) -> int:
    """The unsigned big-endian integer that ``string`` encodes."""
    return int(binascii.b2a_hex(string), 16)


def bytes_from_int(val: int, *, bit_length: int | None = None) -> bytes:
    """Big-endian bytes of ``val``: the minimum length, or ``ceil(bit_length / 8)``."""
    if bit_length is None:
        bit_length = val.bit_length()
    byte_length = (bit_length + 7) // 8

    return val.to_bytes(byte_length, "big", signed=False)


def der_to_raw_signature(der_sig: bytes, curve: EllipticCurve) -> bytes:
    """Convert a DER ECDSA signature to JWS's raw ``r || s`` for ``curve``."""
    num_bits = curve.key_size
    num_bytes = (num_bits + 7) // 8

    r, s = decode_dss_signature(der_sig)

    return number_to_bytes(r, num_bytes) + number_to_bytes(s, num_bytes)


def raw_to_der_signature(raw_sig: bytes, curve: EllipticCurve) -> bytes:
    """Convert a raw ``r || s`` ECDSA signature to DER.

    :raises ValueError: unless ``raw_sig`` is exactly ``2 * ceil(curve bits / 8)`` bytes.
    """
    num_bits = curve.key_size
    num_bytes = (num_bits + 7) // 8

    if len(raw_sig) != 2 * num_bytes:
        raise ValueError("Invalid signature")

    r = bytes_to_number(raw_sig[:num_bytes])
    s = bytes_to_number(raw_sig[num_bytes:])

    return bytes(encode_dss_signature(r, s))


# Based on https://github.com/hynek/pem/blob/7ad94db26b0bc21d10953f5dbad3acfdfacf57aa/src/pem/_core.py#L224-L252
_PEMS = {
    b"CERTIFICATE",
    b"TRUSTED CERTIFICATE",
    b"PRIVATE KEY",
    b"PUBLIC KEY",
    b"ENCRYPTED PRIVATE KEY",
    b"OPENSSH PRIVATE KEY",
    b"DSA PRIVATE KEY",
    b"RSA PRIVATE KEY",
    b"RSA PUBLIC KEY",
    b"EC PRIVATE KEY",
    b"DH PARAMETERS",
    b"NEW CERTIFICATE REQUEST",
    b"CERTIFICATE REQUEST",
    b"SSH2 PUBLIC KEY",
    b"SSH2 ENCRYPTED PRIVATE KEY",
    b"X509 CRL",
}

# Accept PEM formatting variants that the cryptography loader accepts, while
# retaining the explicit asymmetric-key marker check.
_PEM_MARKER_RE = re.compile(b"(?=(----[- ](BEGIN|END) (" + b"|".join(_PEMS) + b")[- ]----))")


def is_pem_format(key: bytes) -> bool:
    """True if ``key`` holds a BEGIN/END pair of a known PEM label (PyJWT's test)."""
    begin_markers: dict[bytes, int] = {}
    for marker in _PEM_MARKER_RE.finditer(key):
        marker_type, label = marker.group(2), marker.group(3)
        if marker_type == b"BEGIN":
            begin_markers[label] = marker.start(1) + len(marker.group(1))
        elif label in begin_markers and begin_markers[label] < marker.start(1):
            return True
    return False


# Based on https://github.com/pyca/cryptography/blob/bcb70852d577b3f490f015378c75cba74986297b/src/cryptography/hazmat/primitives/serialization/ssh.py#L40-L46
_SSH_KEY_FORMATS = (
    b"ssh-ed25519",
    b"ssh-rsa",
    b"ssh-dss",
    b"ecdsa-sha2-nistp256",
    b"ecdsa-sha2-nistp384",
    b"ecdsa-sha2-nistp521",
)


def is_ssh_key(key: bytes) -> bool:
    """True if ``key`` starts with an OpenSSH public key type name (PyJWT's test)."""
    return key.startswith(_SSH_KEY_FORMATS)
