# cython: language_level=3, embedsignature=True, boundscheck=True, wraparound=False, cdivision=True
"""Compiled core of fastjwt: the per-token hot path.

The twin of ``fastjwt/_core_py.py``: same names, behaviour, exceptions and messages (tests run both and compare).
Raw buffers are read through explicit lengths; every index is checked against the length it came with.
"""

cimport cython

import math
import datetime as _datetime
from datetime import timedelta
import operator
import sys
import time
import warnings

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.dict cimport PyDict_Copy, PyDict_Next
from cpython.object cimport PyObject
from cpython.long cimport PyLong_AsLongLongAndOverflow
from libc.math cimport isfinite, trunc
from libc.stdint cimport uint32_t
from libc.string cimport memchr, memcmp, memcpy

cdef extern from "_b64_simd.h":
    Py_ssize_t fastjwt_b64url_decode_blocks(const unsigned char* src, Py_ssize_t n, unsigned char* dst,
                                            Py_ssize_t out_len) noexcept

cdef extern from "Python.h":
    object PyUnicode_FromObject(object o)
    bint PyUnicode_IS_COMPACT_ASCII(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from . import _json
from .._text import printable
from ._json_c cimport loads_buffer
from ..exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
)
from ..warnings import InsecureKeyLengthWarning

cdef object _JSONError = _json.JSONError
cdef object _dumps = _json.dumps
cdef object _sizeof = sys.getsizeof

MAX_TOKEN_LENGTH = 1 << 20
MAX_HEADER_LENGTH = 16 << 10
MAX_JSON_DEPTH = 64
#: The deepest nesting a caller may configure: copies of parsed values recurse this deep at most.
MAX_JSON_DEPTH_LIMIT = 256
HEADER_CACHE_SIZE = 512
HEADER_CACHE_BYTES = 512 << 10
#: The largest parsed header (its measured size) a header cache or a decoder's header plan keeps.
HEADER_ENTRY_MAX_BYTES = 16 << 10
TOKEN_CACHE_BYTES = 8 << 20
#: The longest token whose failure the error cache remembers.
ERROR_CACHE_MAX_TOKEN_LENGTH = 8 << 10

cdef inline int _given(object value, str name) except -1:
    """Typed arguments of the entry points may not be None (Cython would let None through as the typed object)."""
    if value is None:
        raise TypeError(f"{name} must not be None")
    return 0




include "b64.pxi"
include "prepared.pxi"
include "claims.pxi"
include "headers.pxi"
include "token.pxi"
include "decoder.pxi"
include "dropin.pxi"


__all__ = [
    "ALGORITHM_UNSET",
    "ERROR_CACHE_MAX_TOKEN_LENGTH",
    "HEADER_CACHE_BYTES",
    "HEADER_ENTRY_MAX_BYTES",
    "MAX_JSON_DEPTH_LIMIT",
    "TOKEN_CACHE_BYTES",
    "copy_json",
    "footprint",
    "set_clock_namespace",
    "wall_clock",
    "bind_drop_in",
    "drop_in_decode",
    "drop_in_encode",
    "forget_drop_in",
    "drop_in_key",
    "DEFAULT_LIMITS",
    "Decoder",
    "HEADER_CACHE_SIZE",
    "MAX_HEADER_LENGTH",
    "MAX_JSON_DEPTH",
    "MAX_TOKEN_LENGTH",
    "AlgorithmKey",
    "ClaimRules",
    "DecodeLimits",
    "ECKey",
    "EdKey",
    "HMACKey",
    "HeaderCache",
    "PreparedKey",
    "RSAKey",
    "b64url_decode",
    "b64url_encode",
    "check_algorithm",
    "encode_claims",
    "load_token",
    "parse_header",
    "parse_payload",
    "raw_to_der",
    "seconds",
    "sign_compact",
    "token_bytes",
    "validate_header",
    "verify_signature",
    "warn_or_raise_key_length",
]
