"""Durations and time claims in words: ``--exp``/``--leeway`` durations, and ``iat``/``nbf``/``exp`` described."""

from __future__ import annotations

import argparse
import math
import re
from datetime import datetime, timezone
from typing import Any

from ._output import CLIError, _shown

_DURATION = re.compile(r"^\s*(-?\d+)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> int:
    """Seconds in ``30s``, ``15m``, ``1h``, ``2d``, ``1w`` or a bare number of seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise CLIError(f"invalid duration {_shown(repr(text))} (use e.g. 30s, 15m, 1h, 2d)")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _human(seconds: float) -> str:
    seconds = int(abs(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds or not parts:
        parts.append(f"{seconds}s")
    return " ".join(parts[:2])


_OUT_OF_RANGE = "out of range"


def _utc(ts: float) -> str:
    try:
        return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return _OUT_OF_RANGE


def _finite(value: Any) -> float | None:
    """``value`` as a float when it is a finite JSON number (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def describe_time(claim: str, value: Any, now: float) -> str:
    """One line for a time claim: UTC date plus how it relates to ``now``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{claim}: {_shown(repr(value))} (not a number)"
    if _finite(value) is None or _utc(value) == _OUT_OF_RANGE:
        return f"{claim}: {_shown(value)} (out of range)"
    delta = value - now
    if claim == "exp":
        rel = f"expires in {_human(delta)}" if delta > 0 else f"expired {_human(delta)} ago"
    elif claim == "nbf":
        rel = f"valid in {_human(delta)}" if delta > 0 else f"valid since {_human(delta)} ago"
    else:
        rel = f"in {_human(delta)} (in the future)" if delta > 0 else f"{_human(delta)} ago"
    return f"{claim}: {value} = {_utc(value)} ({rel})"


def _leeway(args: argparse.Namespace) -> int:
    leeway = parse_duration(args.leeway) if args.leeway else 0
    if leeway < 0:
        raise CLIError("--leeway must not be negative")
    return leeway
