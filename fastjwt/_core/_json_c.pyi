"""Type stubs for the compiled strict JSON codec (twin of ``fastjwt._json_py``)."""

import json
from typing import Any

from ._json_errors import JSONError as JSONError

__all__ = ["JSONError", "dumps", "loads"]

def loads(data: bytes | bytearray | memoryview, max_depth: int = 64) -> Any:
    """Parse strict RFC 8259 JSON from UTF-8 ``data``; raise JSONError if it is not."""

def dumps(obj: Any, *, sort_keys: bool = False, cls: type[json.JSONEncoder] | None = None) -> bytes:
    """Serialize ``obj`` exactly as ``json.dumps(obj, separators=(",", ":"), ...)`` does, as UTF-8."""
