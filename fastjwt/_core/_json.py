"""The strict JSON codec of the hot path: the compiled ``_json_c`` or its pure-Python twin ``_json_py``.

Callers import only this module. ``FASTJWT_NO_EXTENSIONS`` (read once, in ``_compat``) selects the
twin; when ``FASTJWT_REQUIRE_EXTENSION`` is set a missing compiled module is an error instead of a
silent fallback.
"""

from __future__ import annotations

import os

from .._compat import NO_EXTENSIONS
from ._json_errors import JSONError

if NO_EXTENSIONS:
    from ._json_py import dumps, loads
else:
    try:
        from ._json_c import dumps, loads
    except ImportError:
        if os.environ.get("FASTJWT_REQUIRE_EXTENSION"):
            raise
        from ._json_py import dumps, loads

__all__ = ["JSONError", "dumps", "loads"]
