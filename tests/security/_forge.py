"""Helpers that build hostile tokens by hand (no fastjwt code involved in the forging)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def b64(data: bytes) -> str:
    """Canonical unpadded Base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def seg(obj: Any) -> str:
    """A JSON value as a Base64url segment."""
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def token(header: Any, payload: Any, signature: bytes = b"") -> str:
    """A compact JWS with the given header, payload and raw signature bytes."""
    return f"{seg(header)}.{seg(payload)}.{b64(signature)}"


def hs_token(header: dict[str, Any], payload: Any, secret: bytes, digest: str = "sha256") -> str:
    """An HMAC-signed token with an arbitrary header (e.g. forged with a public key as secret)."""
    signing_input = f"{seg(header)}.{seg(payload)}"
    sig = hmac.new(secret, signing_input.encode(), getattr(hashlib, digest)).digest()
    return f"{signing_input}.{b64(sig)}"


def hs_raw(header_seg: str, payload_seg: str, secret: bytes) -> str:
    """An HS256 token over raw segments (for non-canonical or non-JSON segments)."""
    signing_input = f"{header_seg}.{payload_seg}"
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(sig)}"


SECRET = b"k" * 32
