"""``fastjwt decode``: a token read from the command line or stdin and shown without verifying anything."""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
import time
from typing import Any

from ._output import EXIT_OK, CLIError, _dump
from ._times import describe_time


def _read_token(arg: str) -> str:
    token = sys.stdin.read() if arg == "-" else arg
    token = token.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise CLIError("no token given")
    return token


def _unverified_parts(token: str) -> tuple[dict[str, Any], Any]:
    """Header and payload without any check but well-formedness (lenient on Base64 padding, for diagnosis)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise CLIError(f"not a JWT: expected 3 dot-separated segments, found {len(parts)}")
    decoded = []
    for name, segment in zip(("header", "payload"), parts[:2], strict=False):
        try:
            raw = base64.urlsafe_b64decode(segment.replace("+", "-").replace("/", "_") + "=" * (-len(segment) % 4))
            decoded.append(json.loads(raw))
        except (binascii.Error, ValueError) as exc:
            raise CLIError(f"the {name} segment is not Base64url-encoded JSON") from exc
    header, payload = decoded
    if not isinstance(header, dict):
        raise CLIError("the header is not a JSON object")
    return header, payload


def cmd_decode(args: argparse.Namespace) -> int:
    """Print header and payload without verifying anything."""
    token = _read_token(args.token)
    header, payload = _unverified_parts(token)
    out = sys.stdout
    out.write("NOT VERIFIED: the signature and claims were not checked\n")
    out.write("Header:\n" + _dump(header) + "\nPayload:\n" + _dump(payload) + "\n")
    if isinstance(payload, dict):
        now = time.time()
        lines = [describe_time(c, payload[c], now) for c in ("iat", "nbf", "exp") if c in payload]
        if lines:
            out.write("Times:\n" + "".join(f"  {line}\n" for line in lines))
    return EXIT_OK
