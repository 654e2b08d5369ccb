"""The one switch that decides whether the compiled core is used.

``FASTJWT_NO_EXTENSIONS=1`` (any non-empty value) forces the pure-Python twin;
interpreters other than CPython always use it. Every module that has a compiled
fast path imports :data:`NO_EXTENSIONS` from here and nowhere else.
"""

from __future__ import annotations

import os
import platform

NO_EXTENSIONS: bool = bool(os.environ.get("FASTJWT_NO_EXTENSIONS")) or (
    platform.python_implementation() != "CPython"
)

__all__ = ["NO_EXTENSIONS"]
