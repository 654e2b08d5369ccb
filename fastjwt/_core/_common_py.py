"""Constants and argument checks shared by the pure-Python twin's modules (``_core_c.pyx``'s preamble)."""

from __future__ import annotations

from typing import Any

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
