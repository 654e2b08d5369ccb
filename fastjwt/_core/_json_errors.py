"""The one exception class shared by both JSON codec twins (``_json_c`` and ``_json_py``)."""

from __future__ import annotations

__all__ = ["JSONError"]


class JSONError(ValueError):
    """Raised by :func:`fastjwt._json.loads` for input that is not strict JSON.

    The message is one of a fixed set and never echoes more than a few bytes of input:
    ``duplicate member name``, ``non-finite number``, ``nesting too deep``, ``invalid UTF-8``,
    ``number too large`` or ``invalid JSON at byte N``.
    """
