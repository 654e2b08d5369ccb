"""The per-token core: the compiled ``_core_c`` when available, else its pure-Python twin ``_core_py``.

Callers import from here only. ``HAS_EXTENSION`` says which one is in use. With ``FASTJWT_REQUIRE_EXTENSION`` set,
a missing compiled module is an error rather than a silent fallback (the test run of the compiled path sets it).
"""

from __future__ import annotations

import os

from .._compat import NO_EXTENSIONS

HAS_EXTENSION = False
if not NO_EXTENSIONS:
    try:
        from ._core_c import *  # noqa: F403
        from ._core_c import __all__

        HAS_EXTENSION = True
    except ImportError:
        if os.environ.get("FASTJWT_REQUIRE_EXTENSION"):
            raise
if not HAS_EXTENSION:
    from ._core_py import *  # noqa: F403
    from ._core_py import __all__  # noqa: F401
