# cython: language_level=3, embedsignature=True, boundscheck=False, wraparound=False, cdivision=True
"""Compiled strict JSON codec of the hot path; ``_json_py.py`` is its pure-Python twin.

loads: one pass over the bytes, iterative (an explicit stack, so hostile nesting cannot
overflow the C stack), every buffer access checked against the length. Errors are raised in
document order; invalid UTF-8 anywhere outranks every other error (the twin decodes first).
dumps: exact-type fast path writing json.dumps' bytes; anything else goes to json.dumps itself.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_Keys, PyDict_Next, PyDict_SetItem, PyDict_Size
from cpython.float cimport PyFloat_AS_DOUBLE, PyFloat_FromDouble
from cpython.list cimport PyList_Append, PyList_GET_ITEM, PyList_GET_SIZE, PyList_Sort
from cpython.long cimport PyLong_AsLongLongAndOverflow, PyLong_FromLongLong, PyLong_FromString
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.math cimport isinf, isnan
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcmp, memcpy

import json as _json_module
import sys

from ._json_errors import JSONError

cdef extern from *:
    """
    #if defined(PYPY_VERSION) || PY_VERSION_HEX >= 0x030E0000
    #define fastjwt_dict_presized(n) PyDict_New()
    #else
    #define fastjwt_dict_presized(n) _PyDict_NewPresized(n)
    #endif
    """
    dict _dict_presized "fastjwt_dict_presized" (Py_ssize_t n)

cdef extern from "Python.h":
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void* PyUnicode_DATA(object o)
    int PyUnicode_KIND(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    bint PyUnicode_IS_ASCII(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index)
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    object PyUnicode_DecodeUTF8(const char* s, Py_ssize_t size, const char* errors)
    double PyOS_string_to_double(const char* s, char** endptr, PyObject* overflow_exception) except? -1.0
    char* PyOS_double_to_string(double val, char format_code, int precision, int flags, int* ptype) except NULL
    int Py_DTSF_ADD_DOT_0
    int PyUnicode_4BYTE_KIND

__all__ = ["JSONError", "dumps", "loads"]

cdef enum:
    TOP_LEVEL_MEMBERS = 10
    MAX_INT_DIGITS = 4300
    # Fast-path integers: up to 18 digits fit a signed 64-bit accumulator.
    SMALL_INT_DIGITS = 18
    # Nesting bound of the dumps fast path; deeper (or circular) values go to json.dumps.
    DUMPS_MAX_DEPTH = 200
    NUM_STACK_BUF = 64
    STR_STACK_BUF = 128

cdef str _DUPLICATE = "duplicate member name"
cdef str _NON_FINITE = "non-finite number"
cdef str _TOO_DEEP = "nesting too deep"
cdef str _BAD_UTF8 = "invalid UTF-8"
cdef str _TOO_LARGE = "number too large"


include "json_reader.pxi"
include "json_writer.pxi"


# ---------------------------------------------------------------------------------------------
# Entry points


cdef object loads_buffer(const unsigned char* buf, Py_ssize_t n, Py_ssize_t max_depth):
    """``loads`` of the ``n`` bytes at ``buf``, for the compiled core (declared in ``_json_c.pxd``).

    The caller keeps the buffer alive for the call; every read is bounded by ``n``.
    """
    cdef Reader r
    r.buf = buf
    r.n = n
    r.pos = 0
    return _parse(&r, max_depth)


def loads(data, Py_ssize_t max_depth=64):
    """Parse strict RFC 8259 JSON from UTF-8 ``data``; raise JSONError if it is not.

    ``data`` is bytes (bytearray and memoryview are copied); ``max_depth`` bounds the nesting
    of arrays and objects (``{}`` has depth 1).
    """
    cdef bytes raw
    cdef Reader r
    if type(data) is bytes:
        raw = <bytes>data
    elif isinstance(data, bytes):
        raw = bytes(data)
    elif isinstance(data, (bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise TypeError(
            f"loads() argument must be bytes, bytearray or memoryview, not {type(data).__name__}"
        )
    r.buf = <const unsigned char*>PyBytes_AS_STRING(raw)
    r.n = PyBytes_GET_SIZE(raw)
    r.pos = 0
    return _parse(&r, max_depth)


def _json_dumps(obj, sort_keys, cls):
    # NaN and Infinity are not JSON (RFC 8259 section 6), and fastjwt's own decoder refuses them: never write them.
    return _json_module.dumps(obj, separators=(",", ":"), sort_keys=sort_keys, cls=cls, allow_nan=False).encode(
        "utf-8")


def dumps(obj, *, sort_keys=False, cls=None):
    """Serialize ``obj`` exactly as ``json.dumps(obj, separators=(",", ":"), ...)`` does, as UTF-8.

    Exact dict (str keys), list, tuple, str, int, float, bool and None are written here;
    anything else, or a ``cls``, makes json.dumps do the whole value (same bytes, same errors).
    """
    cdef char stack_buf[WRITER_STACK_BUF]
    cdef Writer w
    cdef int status
    if cls is not None:
        return _json_dumps(obj, sort_keys, cls)
    w.buf = stack_buf
    w.capacity = WRITER_STACK_BUF
    w.length = 0
    w.on_heap = False
    try:
        status = _dump(&w, obj, 0, bool(sort_keys))
        if status == 0:
            return PyBytes_FromStringAndSize(w.buf, w.length)
    finally:
        if w.on_heap:
            PyMem_Free(w.buf)
    return _json_dumps(obj, sort_keys, cls)
