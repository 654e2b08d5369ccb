"""Decode limits, copies and footprints of parsed values, the header cache and header checks (``headers.pxi``)."""

from __future__ import annotations

import operator
import sys
import threading
from typing import Any

from .._text import printable
from ..exceptions import (
    DecodeError,
    InvalidTokenError,
)
from . import _json
from ._b64_py import b64url_decode
from ._common_py import (
    _MISSING,
    HEADER_CACHE_BYTES,
    HEADER_CACHE_SIZE,
    HEADER_ENTRY_MAX_BYTES,
    MAX_HEADER_LENGTH,
    MAX_JSON_DEPTH,
    MAX_JSON_DEPTH_LIMIT,
    MAX_TOKEN_LENGTH,
    _given,
)


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
        depth = operator.index(max_depth)  # an int: not a float or a numeric string
        if not 1 <= depth <= MAX_JSON_DEPTH_LIMIT:
            raise ValueError(f"the JSON depth limit must be between 1 and {MAX_JSON_DEPTH_LIMIT}")
        self.max_token_length = int(max_token_length)
        self.max_header_length = int(max_header_length)
        self.max_depth = depth
        self.allow_padding = bool(allow_padding)


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

    __slots__ = ("_entries", "maxsize", "max_bytes", "_bytes", "_lock")

    def __init__(self, maxsize: int = HEADER_CACHE_SIZE, max_bytes: int = HEADER_CACHE_BYTES) -> None:
        self._entries: dict[bytes, _HeaderEntry] = {}
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self._bytes = 0
        # The compiled twin runs each change under the GIL without a Python-level switch; here threads can switch
        # between any two bytecodes, so every change (and its byte count) runs under one lock.
        self._lock = threading.Lock()

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
        with self._lock:
            self._forget(segment)
            while entries and (len(entries) >= self.maxsize or self._bytes + cost > self.max_bytes):
                self._forget(next(iter(entries)))
            entries[segment] = _HeaderEntry(header, limits.max_depth, limits.allow_padding, cost)
            self._bytes += cost

    def _forget(self, segment: bytes) -> None:  # under self._lock
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
        with self._lock:
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
    """The header members that are checked before any key is looked up: ``kid`` and ``crit`` (RFC 7515 4.1.11)."""
    _given(header, "header")
    kid = header.get("kid", _MISSING)
    if kid is not _MISSING and not isinstance(kid, str):
        raise InvalidTokenError("Key ID header parameter must be a string")
    crit = header.get("crit", _MISSING)
    if crit is _MISSING:
        return
    if not isinstance(crit, list) or not crit:
        raise InvalidTokenError("Invalid 'crit' header: must be a non-empty list")
    # The first entry with a problem names it (the messages are PyJWT's, which users match on).
    problems = (_crit_problem(name, header, supported_crit) for name in crit)
    problem = next((found for found in problems if found is not None), None)
    if problem is not None:
        raise InvalidTokenError(problem)


def _crit_problem(name: Any, header: dict[str, Any], supported_crit: frozenset[str] | set[str]) -> str | None:
    """What is wrong with one ``crit`` entry: not a name, not understood here, or not in the header; else None."""
    if not isinstance(name, str):
        return "Invalid 'crit' header: values must be strings"
    if name not in supported_crit:
        return f"Unsupported critical extension: {printable(name)}"
    if name not in header:
        return f"Critical extension '{printable(name)}' is missing from headers"
    return None
