"""Type stubs for the compiled per-token core ``fastjwt._core_c``.

The compiled module and its pure-Python twin ``fastjwt._core_py`` export the same names with the same signatures
and the same behaviour, so the twin's annotations are the compiled module's types. tests/test_packaging.py checks
that the two export the same names and that every public function and method takes the same parameters.
"""

from ._core_py import *  # noqa: F403
from ._core_py import __all__ as __all__
