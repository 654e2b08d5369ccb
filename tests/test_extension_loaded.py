"""The environment switches pick the core the test run intends (``make test`` runs both paths)."""

from __future__ import annotations

import os

import fastjwt
from fastjwt import _core


def test_required_extension_is_in_use() -> None:
    if os.environ.get("FASTJWT_REQUIRE_EXTENSION"):
        assert fastjwt.HAS_EXTENSION is True
        assert _core.Decoder.__module__ == "fastjwt._core._core_c"
    else:
        assert fastjwt.HAS_EXTENSION is (_core.Decoder.__module__ == "fastjwt._core._core_c")


def test_no_extensions_switch_selects_pure_python() -> None:
    if os.environ.get("FASTJWT_NO_EXTENSIONS"):
        assert fastjwt.HAS_EXTENSION is False
        assert _core.Decoder.__module__ == "fastjwt._core._decoder_py"
    else:
        assert isinstance(fastjwt.HAS_EXTENSION, bool)
