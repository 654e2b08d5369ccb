"""Build the compiled core of fastjwt.

Every ``.pyx`` under ``fastjwt/`` becomes an extension module (``fastjwt/_core/_core_c.pyx`` is
``fastjwt._core._core_c``); ``.pxi`` fragments are included by the module beside them. Knobs (environment):

* ``FASTJWT_NO_EXTENSIONS=1``: build nothing (pure-Python install).
* ``FASTJWT_DEBUG_BUILD=1``: ``-O0 -g3`` and Cython line tracing.
* ``FASTJWT_SANITIZE=1``: AddressSanitizer + UndefinedBehaviorSanitizer.
"""

from __future__ import annotations

import glob
import os
import sys

from setuptools import Extension, setup

NO_EXTENSIONS = bool(os.environ.get("FASTJWT_NO_EXTENSIONS")) or sys.implementation.name != "cpython"
DEBUG = bool(os.environ.get("FASTJWT_DEBUG_BUILD"))
SANITIZE = bool(os.environ.get("FASTJWT_SANITIZE"))


def extensions() -> list[Extension]:
    from Cython.Build import cythonize

    compile_args: list[str] = []
    link_args: list[str] = []
    macros: list[tuple[str, str | None]] = []
    directives = {"language_level": "3", "embedsignature": True}
    if sys.platform != "win32":
        compile_args += ["-O0", "-g3"] if (DEBUG or SANITIZE) else ["-O3", "-g0"]
        if SANITIZE:
            flags = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"]
            compile_args += flags
            link_args += flags
    if DEBUG:
        directives["linetrace"] = True
        macros.append(("CYTHON_TRACE_NOGIL", "1"))
    modules = [
        Extension(
            os.path.splitext(path)[0].replace(os.sep, "."),
            [path],
            extra_compile_args=compile_args,
            extra_link_args=link_args,
            define_macros=macros,
        )
        for path in sorted(glob.glob(os.path.join("fastjwt", "**", "*.pyx"), recursive=True))
    ]
    return cythonize(modules, compiler_directives=directives, annotate=False)


setup(ext_modules=[] if NO_EXTENSIONS else extensions())
