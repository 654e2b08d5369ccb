# cython: language_level=3, embedsignature=True, boundscheck=True, wraparound=False, cdivision=True
"""Compiled core of fastjwt: the per-token hot path.

The twin of ``fastjwt/_core_py.py``: same names, behaviour, exceptions and messages (tests run both and compare).
Raw buffers are read through explicit lengths; every index is checked against the length it came with.
"""

cimport cython

import math
import datetime as _datetime
from datetime import timedelta
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
from ._text import printable
from ._json_c cimport loads_buffer
from .exceptions import (
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
from .warnings import InsecureKeyLengthWarning

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

cdef const char* _ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
cdef signed char _DECODE[256]
# The decoder reads four characters per step: each table holds a character's six bits already shifted to its place
# in the 24-bit group, and _BAD (above bit 23) for a character outside the alphabet, so one OR of four lookups gives
# the three bytes and one test finds any bad character.
cdef enum:
    _BAD = 0x1000000
cdef uint32_t _SHIFTED[4][256]
# The encoder writes two characters per lookup: the pair of alphabet characters for each 12-bit value.
cdef unsigned char _PAIRS[4096][2]


cdef void _init_tables() noexcept:
    cdef int i, k
    for i in range(256):
        _DECODE[i] = -1
        for k in range(4):
            _SHIFTED[k][i] = _BAD
    for i in range(64):
        _DECODE[<unsigned char>_ALPHABET[i]] = i
        for k in range(4):
            _SHIFTED[k][<unsigned char>_ALPHABET[i]] = (<uint32_t>i) << (18 - 6 * k)
    for i in range(4096):
        _PAIRS[i][0] = _ALPHABET[i >> 6]
        _PAIRS[i][1] = _ALPHABET[i & 63]


_init_tables()


cdef inline int _given(object value, str name) except -1:
    """Typed arguments of the entry points may not be None (Cython would let None through as the typed object)."""
    if value is None:
        raise TypeError(f"{name} must not be None")
    return 0


# ---------------------------------------------------------------------------------------------------------------------
# Base64url


cdef bytes _encode(const unsigned char* src, Py_ssize_t n):
    cdef Py_ssize_t out_len = (n // 3) * 4 + (0 if n % 3 == 0 else (n % 3) + 1)
    cdef bytes out = PyBytes_FromStringAndSize(NULL, out_len)
    cdef unsigned char* dst = <unsigned char*>PyBytes_AS_STRING(out)
    cdef Py_ssize_t i = 0, j = 0
    cdef unsigned int v
    while i + 3 <= n:
        v = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2]
        memcpy(dst + j, _PAIRS[v >> 12], 2)
        memcpy(dst + j + 2, _PAIRS[v & 0xFFF], 2)
        i += 3
        j += 4
    if n - i == 1:
        v = src[i] << 16
        dst[j] = _ALPHABET[(v >> 18) & 63]
        dst[j + 1] = _ALPHABET[(v >> 12) & 63]
    elif n - i == 2:
        v = (src[i] << 16) | (src[i + 1] << 8)
        dst[j] = _ALPHABET[(v >> 18) & 63]
        dst[j + 1] = _ALPHABET[(v >> 12) & 63]
        dst[j + 2] = _ALPHABET[(v >> 6) & 63]
    return out


cdef Py_ssize_t _decoded_length(const unsigned char* src, Py_ssize_t* n, bint allow_padding) noexcept:
    """The decoded size of ``*n`` characters at ``src`` (``*n`` loses any allowed padding), or -1 if impossible."""
    cdef Py_ssize_t pad = 0
    cdef Py_ssize_t length = n[0]
    if allow_padding and length > 0 and src[length - 1] == b'=':
        if length % 4:
            return -1
        while pad < length and src[length - 1 - pad] == b'=':
            pad += 1
        if pad > 2:
            return -1
        length -= pad
        n[0] = length
    cdef Py_ssize_t rem = length % 4
    if rem == 1:
        return -1
    return (length // 4) * 3 + (rem - 1 if rem else 0)


cdef bint _decode_into(const unsigned char* src, Py_ssize_t n, unsigned char* dst, Py_ssize_t out_len) noexcept:
    """Strict decode of ``n`` characters (no padding) into the ``out_len`` bytes at ``dst``; False on any bad input."""
    cdef Py_ssize_t rem = n % 4
    cdef Py_ssize_t i = fastjwt_b64url_decode_blocks(src, n, dst, out_len)  # long runs of valid blocks, 32 at a time
    cdef Py_ssize_t j = (i // 4) * 3
    cdef int a, b, c
    cdef uint32_t group
    while i + 4 <= n:
        group = (_SHIFTED[0][src[i]] | _SHIFTED[1][src[i + 1]] | _SHIFTED[2][src[i + 2]]
                 | _SHIFTED[3][src[i + 3]])
        if group & _BAD:
            return False
        dst[j] = <unsigned char>(group >> 16)
        dst[j + 1] = <unsigned char>(group >> 8)
        dst[j + 2] = <unsigned char>group
        i += 4
        j += 3
    if rem == 2:
        a = _DECODE[src[i]]
        b = _DECODE[src[i + 1]]
        if (a | b) < 0 or (b & 15):
            return False
        dst[j] = <unsigned char>((a << 2) | (b >> 4))
    elif rem == 3:
        a = _DECODE[src[i]]
        b = _DECODE[src[i + 1]]
        c = _DECODE[src[i + 2]]
        if (a | b | c) < 0 or (c & 3):
            return False
        dst[j] = <unsigned char>((a << 2) | (b >> 4))
        dst[j + 1] = <unsigned char>(((b & 15) << 4) | (c >> 2))
    return True


cdef object _decode(const unsigned char* src, Py_ssize_t n, str name, bint allow_padding):
    """Strict decode of ``n`` bytes at ``src`` into a new bytes object; None on any failure (the caller raises)."""
    cdef Py_ssize_t out_len = _decoded_length(src, &n, allow_padding)
    if out_len < 0:
        return None
    cdef bytes out = PyBytes_FromStringAndSize(NULL, out_len)
    if not _decode_into(src, n, <unsigned char*>PyBytes_AS_STRING(out), out_len):
        return None
    return out


cdef inline object _decode_or_raise(const unsigned char* src, Py_ssize_t n, str name, bint allow_padding):
    result = _decode(src, n, name, allow_padding)
    if result is None:
        raise DecodeError(f"Invalid {name} padding")
    return result


def b64url_encode(data) -> bytes:
    """Base64url without padding (RFC 7515 section 2)."""
    cdef const unsigned char[::1] view
    if isinstance(data, bytes):
        return _encode(<const unsigned char*>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    view = memoryview(data).cast("B")
    if view.shape[0] == 0:
        return b""
    return _encode(&view[0], view.shape[0])


def b64url_decode(data, str name="base64url", bint allow_padding=False) -> bytes:
    """Strict Base64url decode: URL-safe alphabet only, no whitespace, unused trailing bits zero.

    Padding is refused unless ``allow_padding``, and then only the exactly right amount. Every failure raises
    ``DecodeError("Invalid <name> padding")`` (PyJWT's message for the same failures).
    """
    if isinstance(data, str):
        if not (<str>data).isascii():
            raise DecodeError(f"Invalid {name} padding")
        data = (<str>data).encode("ascii")
    elif not isinstance(data, bytes):
        data = bytes(data)
    return _decode_or_raise(<const unsigned char*>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data), name,
                            allow_padding)


# ---------------------------------------------------------------------------------------------------------------------
# Prepared keys


cdef bint _equal_ct(bytes a, bytes b):
    """Constant-time comparison (the length is not secret)."""
    cdef Py_ssize_t n = PyBytes_GET_SIZE(a)
    if n != PyBytes_GET_SIZE(b):
        return False
    cdef const unsigned char* x = <const unsigned char*>PyBytes_AS_STRING(a)
    cdef const unsigned char* y = <const unsigned char*>PyBytes_AS_STRING(b)
    cdef unsigned char diff = 0
    cdef Py_ssize_t i
    for i in range(n):
        diff |= x[i] ^ y[i]
    return diff == 0


cdef class PreparedKey:
    """A key made ready once for one algorithm: ``sign(msg)`` and ``verify(msg, sig)`` with no per-call parsing."""

    cdef public str alg
    cdef public object key
    cdef public object key_length_msg

    cpdef bytes sign(self, bytes msg):
        """The signature of ``msg`` (``InvalidKeyError`` for a key that cannot sign)."""
        raise InvalidKeyError("this key cannot sign")

    cpdef bint verify(self, bytes msg, bytes sig) except -1:
        """Whether ``sig`` is a valid signature of ``msg`` by this key."""
        return False

    def __repr__(self):
        return f"<{type(self).__name__} {self.alg}>"


cdef class HMACKey(PreparedKey):
    """HMAC with a keyed context that is copied per message (the key schedule runs once)."""

    cdef object _copy_keyed  # the keyed context's bound ``copy`` (looked up once, not per message)

    def __init__(self, str alg, bytes secret, hash_algorithm, key_length_msg):
        self.alg = alg
        self.key = None
        self.key_length_msg = key_length_msg
        self._copy_keyed = crypto_hmac.HMAC(secret, hash_algorithm).copy

    cpdef bytes sign(self, bytes msg):
        _given(msg, "msg")
        h = self._copy_keyed()
        h.update(msg)
        return h.finalize()

    cpdef bint verify(self, bytes msg, bytes sig) except -1:
        _given(msg, "msg")
        _given(sig, "sig")
        h = self._copy_keyed()
        h.update(msg)
        return _equal_ct(h.finalize(), sig)


cdef class RSAKey(PreparedKey):
    """RSASSA-PKCS1-v1_5 or RSASSA-PSS (salt length = hash length, as PyJWT)."""

    cdef object _private, _public_verify, _padding, _hash

    def __init__(self, str alg, key, hash_algorithm, bint pss, key_length_msg):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._hash = hash_algorithm
        if pss:
            self._padding = padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=hash_algorithm.digest_size)
        else:
            self._padding = padding.PKCS1v15()
        self._private = key if hasattr(key, "private_numbers") else None
        self._public_verify = (key.public_key() if self._private is not None else key).verify

    cpdef bytes sign(self, bytes msg):
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        return self._private.sign(msg, self._padding, self._hash)

    cpdef bint verify(self, bytes msg, bytes sig) except -1:
        _given(msg, "msg")
        _given(sig, "sig")
        try:
            self._public_verify(sig, msg, self._padding, self._hash)
        except InvalidSignature:
            return False
        return True


cdef bytes _der_integer(const unsigned char* p, Py_ssize_t n):
    """DER INTEGER (tag, length, big-endian minimal two's complement) of an unsigned value; n <= 66."""
    cdef Py_ssize_t i = 0
    while i < n - 1 and p[i] == 0:
        i += 1
    cdef Py_ssize_t body = n - i
    cdef bint pad = (p[i] & 0x80) != 0
    cdef Py_ssize_t total = body + (1 if pad else 0)
    cdef bytes out = PyBytes_FromStringAndSize(NULL, 2 + total)
    cdef unsigned char* o = <unsigned char*>PyBytes_AS_STRING(out)
    o[0] = 0x02
    o[1] = <unsigned char>total
    if pad:
        o[2] = 0
        memcpy(o + 3, p + i, body)
    else:
        memcpy(o + 2, p + i, body)
    return out


def raw_to_der(bytes sig not None, Py_ssize_t size):
    """Raw ``r || s`` (each ``size`` bytes) to a DER ECDSA signature; None when the length is not exactly 2*size."""
    if PyBytes_GET_SIZE(sig) != 2 * size or size <= 0 or size > 66:
        return None
    cdef const unsigned char* p = <const unsigned char*>PyBytes_AS_STRING(sig)
    cdef bytes r = _der_integer(p, size)
    cdef bytes s = _der_integer(p + size, size)
    cdef Py_ssize_t content = PyBytes_GET_SIZE(r) + PyBytes_GET_SIZE(s)
    if content < 128:
        return bytes((0x30, content)) + r + s
    return bytes((0x30, 0x81, content)) + r + s


cdef class ECKey(PreparedKey):
    """ECDSA with JWS's raw fixed-size ``r || s`` signatures (RFC 7518 section 3.4)."""

    cdef object _private, _public_verify, _ecdsa
    cdef Py_ssize_t _size

    def __init__(self, str alg, key, hash_algorithm, key_length_msg):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._ecdsa = ECDSA(hash_algorithm)
        self._size = (key.curve.key_size + 7) // 8
        self._private = key if hasattr(key, "private_numbers") else None
        self._public_verify = (key.public_key() if self._private is not None else key).verify

    cpdef bytes sign(self, bytes msg):
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        r, s = decode_dss_signature(self._private.sign(msg, self._ecdsa))
        return r.to_bytes(self._size, "big") + s.to_bytes(self._size, "big")

    cpdef bint verify(self, bytes msg, bytes sig) except -1:
        _given(msg, "msg")
        _given(sig, "sig")
        der = raw_to_der(sig, self._size)
        if der is None:
            return False
        try:
            self._public_verify(der, msg, self._ecdsa)
        except InvalidSignature:
            return False
        return True


cdef class EdKey(PreparedKey):
    """EdDSA (Ed25519 or Ed448)."""

    cdef object _private, _public_verify

    def __init__(self, str alg, key, key_length_msg):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._private = key if hasattr(key, "private_bytes_raw") else None
        self._public_verify = (key.public_key() if self._private is not None else key).verify

    cpdef bytes sign(self, bytes msg):
        _given(msg, "msg")
        if self._private is None:
            raise InvalidKeyError("A public key cannot sign")
        return self._private.sign(msg)

    cpdef bint verify(self, bytes msg, bytes sig) except -1:
        _given(msg, "msg")
        _given(sig, "sig")
        try:
            self._public_verify(sig, msg)
        except InvalidSignature:
            return False
        return True


cdef class AlgorithmKey(PreparedKey):
    """Any other (registered or subclassed) ``Algorithm``: delegates to its ``sign``/``verify``."""

    cdef object _algorithm

    def __init__(self, str alg, algorithm, key, key_length_msg):
        self.alg = alg
        self.key = key
        self.key_length_msg = key_length_msg
        self._algorithm = algorithm

    cpdef bytes sign(self, bytes msg):
        _given(msg, "msg")
        return self._algorithm.sign(msg, self.key)

    cpdef bint verify(self, bytes msg, bytes sig) except -1:
        _given(msg, "msg")
        _given(sig, "sig")
        return bool(self._algorithm.verify(msg, self.key, sig))


# ---------------------------------------------------------------------------------------------------------------------
# Claims


cdef object _as_int(object value):
    """A time claim as PyJWT reads it (``int(value)``), but only from a JSON number: None for anything else."""
    if type(value) is int:
        return value
    if type(value) is float:
        if not math.isfinite(value):
            return None
        return int(value)
    return None


def seconds(value, str name):
    """A duration in seconds from a number or ``timedelta``; a non-finite value is refused (``ValueError``)."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or a timedelta")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite")
    return result


# The clock. PyJWT reads the time as ``datetime.now(tz=timezone.utc)`` in ``jwt.api_jwt``; test suites freeze it with
# freezegun (which swaps ``api_jwt.datetime`` and ``time.time``), time-machine (which patches ``time.time`` and
# ``datetime.now`` inside the interpreter) or ``mock.patch("jwt.api_jwt.datetime")``. Both cores read it the same
# way so that all three work: through ``fastjwt.api_jwt``'s ``datetime`` when something replaced it, else through
# whatever ``time.time`` is now.

cdef object _REAL_DATETIME = _datetime.datetime
cdef object _UTC = _datetime.timezone.utc
cdef dict _TIME_NAMESPACE = time.__dict__  # where freezegun puts its time.time; looked up per read
cdef dict _clock_namespace = None


def set_clock_namespace(dict namespace not None):
    """Read the time through ``namespace["datetime"]``: ``fastjwt.api_jwt`` hands in its globals at import."""
    global _clock_namespace
    _clock_namespace = namespace


cpdef double wall_clock() except? -1.0:
    """Seconds since the epoch, following freezegun, time-machine and a patched ``fastjwt.api_jwt.datetime``."""
    cdef dict namespace = _clock_namespace
    if namespace is not None:
        datetime_class = namespace.get("datetime", _REAL_DATETIME)
        if datetime_class is not _REAL_DATETIME:
            return float(datetime_class.now(tz=_UTC).timestamp())
    # Called through the object, not the C API: time-machine swaps the C function behind time.time in place.
    return float(_TIME_NAMESPACE["time"]())


cdef object _MISSING = object()


cdef enum:
    _NOT_A_NUMBER = 2
    SCRATCH_SIZE = 1024  # payload bytes decoded on the stack (a typical claims set is a few hundred)


cdef int _compare_time(object value, double bound) except -2:
    """Compare ``int(value)`` with ``bound`` as PyJWT does (-1, 0, 1), or _NOT_A_NUMBER for non-numbers.

    Integers that a double holds exactly, and finite floats (truncated as ``int()`` does), compare in C; anything
    else (integers beyond 2**53) falls back to Python's exact int/float comparison.
    """
    cdef double d
    cdef long long i
    cdef int overflow = 0
    if type(value) is int:
        i = PyLong_AsLongLongAndOverflow(value, &overflow)
        if overflow == 0 and -9007199254740992 <= i <= 9007199254740992:
            d = <double>i
        else:
            return 1 if value > bound else (0 if value == bound else -1)
    elif type(value) is float:
        d = value
        if not isfinite(d):
            return _NOT_A_NUMBER
        d = trunc(d)
    else:
        return _NOT_A_NUMBER
    return 1 if d > bound else (0 if d == bound else -1)


@cython.final
cdef class ClaimRules:
    """The registered-claim checks of one decode configuration, prepared once (PyJWT's ``_validate_claims``)."""

    cdef public tuple require
    cdef public bint verify_exp, verify_nbf, verify_iat, verify_aud, verify_iss, verify_sub, verify_jti, strict_aud
    cdef public object audience, issuer, subject, max_age, clock
    cdef public double leeway

    def __init__(self, options, audience=None, issuer=None, subject=None, leeway=0, max_age=None, clock=None):
        from collections.abc import Iterable

        self.require = tuple(options.get("require") or ())
        self.verify_exp = bool(options.get("verify_exp", True))
        self.verify_nbf = bool(options.get("verify_nbf", True))
        self.verify_iat = bool(options.get("verify_iat", True))
        self.verify_aud = bool(options.get("verify_aud", True))
        self.verify_iss = bool(options.get("verify_iss", True))
        self.verify_sub = bool(options.get("verify_sub", True))
        self.verify_jti = bool(options.get("verify_jti", True))
        self.strict_aud = bool(options.get("strict_aud", False))
        if audience is not None and not isinstance(audience, (str, Iterable)):
            raise TypeError("audience must be a string, iterable or None")
        if audience is not None and not isinstance(audience, str):
            audience = list(audience)
        self.audience = audience
        self.issuer = issuer
        self.subject = subject
        self.leeway = seconds(leeway, "leeway")
        self.max_age = None if max_age is None else seconds(max_age, "max_age")
        self.clock = clock

    cpdef double now(self) except? -1.0:
        """The current time in seconds since the epoch: the injected clock if any, else :func:`wall_clock`."""
        if self.clock is None:
            return wall_clock()
        return float(self.clock())

    cpdef check(self, dict payload, double now):
        """Raise the PyJWT exception for the first claim that fails, in PyJWT's order."""
        _given(payload, "payload")
        cdef double leeway = self.leeway
        cdef int order
        for claim in self.require:
            if payload.get(claim) is None:
                raise MissingRequiredClaimError(claim)
        # Each claim is held by a local (a strong reference) for as long as it is used.
        if self.verify_iat:
            value = payload.get("iat", _MISSING)
            if value is not _MISSING:
                order = _compare_time(value, now + leeway)
                if order == _NOT_A_NUMBER:
                    raise InvalidIssuedAtError("Issued At claim (iat) must be an integer.")
                if order > 0:
                    raise ImmatureSignatureError("The token is not yet valid (iat)")
        if self.verify_nbf:
            value = payload.get("nbf", _MISSING)
            if value is not _MISSING:
                order = _compare_time(value, now + leeway)
                if order == _NOT_A_NUMBER:
                    raise DecodeError("Not Before claim (nbf) must be an integer.")
                if order > 0:
                    raise ImmatureSignatureError("The token is not yet valid (nbf)")
        if self.verify_exp:
            value = payload.get("exp", _MISSING)
            if value is not _MISSING:
                order = _compare_time(value, now - leeway)
                if order == _NOT_A_NUMBER:
                    raise DecodeError("Expiration Time claim (exp) must be an integer.")
                if order <= 0:
                    raise ExpiredSignatureError("Signature has expired")
        if self.max_age is not None:
            self._check_max_age(payload, now)
        if self.verify_iss and self.issuer is not None:
            self._check_iss(payload)
        if self.verify_aud:
            self._check_aud(payload)
        if self.verify_sub:
            value = payload.get("sub", _MISSING)
            if value is not _MISSING:
                if not isinstance(value, str):
                    raise InvalidSubjectError("Subject must be a string")
                if self.subject is not None and value != self.subject:
                    raise InvalidSubjectError("Invalid subject")
        if self.verify_jti:
            value = payload.get("jti", _MISSING)
            if value is not _MISSING and not isinstance(value, str):
                raise InvalidJTIError("JWT ID must be a string")

    cdef _check_max_age(self, dict payload, double now):
        value = payload.get("iat", _MISSING)
        if value is _MISSING:
            raise MissingRequiredClaimError("iat")
        # now - iat > max_age + leeway, written as a comparison so that an iat of any size compares exactly
        cdef int order = _compare_time(value, now - (self.max_age + self.leeway))
        if order == _NOT_A_NUMBER:
            raise InvalidIssuedAtError("Issued At claim (iat) must be an integer.")
        if order < 0:
            raise ExpiredSignatureError("Signature has expired (max_age)")

    cdef _check_iss(self, dict payload):
        iss = payload.get("iss", _MISSING)
        if iss is _MISSING:
            raise MissingRequiredClaimError("iss")
        if not isinstance(iss, str):
            raise InvalidIssuerError("Payload Issuer (iss) must be a string")
        issuer = self.issuer
        if isinstance(issuer, str):
            if iss != issuer:
                raise InvalidIssuerError("Invalid issuer")
            return
        try:
            listed = iss in issuer
        except TypeError:
            raise InvalidIssuerError('Issuer param must be "str" or "Container[str]"') from None
        if not listed:
            raise InvalidIssuerError("Invalid issuer")

    cdef _check_aud(self, dict payload):
        audience = self.audience
        claim = payload.get("aud")
        if audience is None:
            if claim:
                raise InvalidAudienceError("Invalid audience")
            return
        if not claim:
            raise MissingRequiredClaimError("aud")
        if self.strict_aud:
            if not isinstance(audience, str):
                raise InvalidAudienceError("Invalid audience (strict)")
            if not isinstance(claim, str):
                raise InvalidAudienceError("Invalid claim format in token (strict)")
            if audience != claim:
                raise InvalidAudienceError("Audience doesn't match (strict)")
            return
        if isinstance(claim, str):
            if isinstance(audience, str):
                if claim != audience:
                    raise InvalidAudienceError("Audience doesn't match")
                return
            claim = [claim]
        if not isinstance(claim, list) or any(not isinstance(c, str) for c in claim):
            raise InvalidAudienceError("Invalid claim format in token")
        wanted = [audience] if isinstance(audience, str) else audience
        for aud in wanted:
            if aud in claim:
                return
        raise InvalidAudienceError("Audience doesn't match")


# ---------------------------------------------------------------------------------------------------------------------
# Headers


cdef class DecodeLimits:
    """Size and depth bounds for untrusted tokens (documented defaults, configurable)."""

    cdef public Py_ssize_t max_token_length, max_header_length
    cdef public int max_depth
    cdef public bint allow_padding

    def __init__(self, max_token_length=MAX_TOKEN_LENGTH, max_header_length=MAX_HEADER_LENGTH,
                 max_depth=MAX_JSON_DEPTH, allow_padding=False):
        depth = int(max_depth)
        if not 1 <= depth <= MAX_JSON_DEPTH_LIMIT:
            raise ValueError(f"the JSON depth limit must be between 1 and {MAX_JSON_DEPTH_LIMIT}")
        self.max_token_length = int(max_token_length)
        self.max_header_length = int(max_header_length)
        self.max_depth = depth
        self.allow_padding = bool(allow_padding)


cdef object _copy_value(object value):
    """A parsed JSON value that shares no list or dict with ``value`` (nesting is bounded by the parse depth)."""
    cdef type kind = type(value)
    if kind is dict:
        return _copy_object(<dict>value)
    if kind is list:
        return [_copy_value(item) for item in <list>value]
    return value


cdef dict _copy_object(dict source):
    cdef dict copy = PyDict_Copy(source)
    for name, value in source.items():
        kind = type(value)
        if kind is dict or kind is list:
            copy[name] = _copy_value(value)
    return copy


def copy_json(value):
    """A copy of a parsed JSON value whose lists and dicts are all new: what callers get of any cached value."""
    return _copy_value(value)


cdef Py_ssize_t _footprint(object value, Py_ssize_t limit) except -1:
    """The bytes ``value`` and everything it holds take (``sys.getsizeof`` summed); stops counting past ``limit``."""
    cdef Py_ssize_t total = _sizeof(value)
    cdef type kind = type(value)
    if kind is dict:
        for name, item in (<dict>value).items():
            if total > limit:
                break
            total += _sizeof(name) + _footprint(item, limit - total)
    elif kind is list:
        for item in <list>value:
            if total > limit:
                break
            total += _footprint(item, limit - total)
    return total


def footprint(value, Py_ssize_t limit=sys.maxsize):
    """The memory a parsed JSON value holds, in bytes, as the caches count it (``limit``: stop counting past it)."""
    return _footprint(value, limit)


@cython.final
@cython.freelist(4)
cdef class _HeaderEntry:
    """A parsed header and the limits it was parsed under (it is never served to a stricter caller)."""

    cdef dict header
    cdef int max_depth
    cdef bint allow_padding
    cdef Py_ssize_t cost


@cython.final
cdef class HeaderCache:
    """Parsed header segments of verified tokens, keyed by the exact segment bytes.

    Bounded in entries (``maxsize``) and in the bytes the parsed headers take (``max_bytes``); the oldest entry goes
    first. Only a decoder that has verified a token's signature stores its header, so unauthenticated input never
    stays here. An entry is served only to callers whose limits are at least as loose as those it was parsed under.
    Cached dicts are never handed out: callers that expose a header hand out :func:`copy_json` of it.
    """

    cdef dict _entries
    cdef public Py_ssize_t maxsize, max_bytes
    cdef Py_ssize_t _bytes

    def __init__(self, Py_ssize_t maxsize=HEADER_CACHE_SIZE, Py_ssize_t max_bytes=HEADER_CACHE_BYTES):
        self._entries = {}
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self._bytes = 0

    cpdef dict get(self, bytes segment, DecodeLimits limits):
        """The cached header of ``segment`` if it was parsed under limits no looser than ``limits``, else None."""
        _given(segment, "segment")
        _given(limits, "limits")
        entry = self._entries.get(segment)
        if entry is None:
            return None
        cdef _HeaderEntry found = <_HeaderEntry>entry
        if found.max_depth > limits.max_depth or (found.allow_padding and not limits.allow_padding):
            return None
        return found.header

    cpdef store(self, bytes segment, dict header, DecodeLimits limits):
        """Keep ``header`` (parsed from ``segment`` under ``limits``) unless it is larger than an entry may be."""
        _given(segment, "segment")
        _given(header, "header")
        _given(limits, "limits")
        if self.maxsize <= 0:
            return
        cdef Py_ssize_t budget = min(self.max_bytes, <Py_ssize_t>HEADER_ENTRY_MAX_BYTES)
        cdef Py_ssize_t cost = PyBytes_GET_SIZE(segment) + _footprint(header, budget)
        if cost > budget:
            return
        cdef _HeaderEntry entry = _HeaderEntry.__new__(_HeaderEntry)
        entry.header = header
        entry.max_depth = limits.max_depth
        entry.allow_padding = limits.allow_padding
        entry.cost = cost
        cdef dict entries = self._entries
        self._forget(segment)
        while entries and (len(entries) >= self.maxsize or self._bytes + cost > self.max_bytes):
            self._forget(next(iter(entries)))
        entries[segment] = entry
        self._bytes += cost

    cdef _forget(self, segment):
        old = self._entries.pop(segment, None)
        if old is not None:
            self._bytes -= (<_HeaderEntry>old).cost

    cpdef dict parse(self, bytes segment, DecodeLimits limits):
        """The header dict of ``segment``: cached or parsed (never stored here). Do not mutate it."""
        _given(segment, "segment")
        _given(limits, "limits")
        header = self.get(segment, limits)
        if header is None:
            header = parse_header(segment, limits.max_depth, limits.allow_padding)
        return header

    def clear(self):
        """Forget every entry."""
        self._entries.clear()
        self._bytes = 0

    @property
    def bytes_used(self):
        """The bytes the cached headers take, as counted against ``max_bytes``."""
        return self._bytes

    def __len__(self):
        return len(self._entries)


cpdef dict parse_header(bytes segment, int max_depth, bint allow_padding):
    """Decode and parse one header segment; it must be a JSON object."""
    _given(segment, "segment")
    data = _decode_or_raise(<const unsigned char*>PyBytes_AS_STRING(segment), PyBytes_GET_SIZE(segment), "header",
                            allow_padding)
    try:
        header = loads_buffer(<const unsigned char*>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data), max_depth)
    except _JSONError as exc:
        raise DecodeError(f"Invalid header string: {exc}") from None
    if type(header) is not dict:
        raise DecodeError("Invalid header string: must be a json object")
    return header


cpdef validate_header(dict header, supported_crit):
    """PyJWT's ``_validate_headers`` on decode: ``kid`` must be a string; ``crit`` must be understood."""
    _given(header, "header")
    if "kid" in header and not isinstance(header["kid"], str):
        raise InvalidTokenError("Key ID header parameter must be a string")
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or len(crit) == 0:
            raise InvalidTokenError("Invalid 'crit' header: must be a non-empty list")
        for ext in crit:
            if not isinstance(ext, str):
                raise InvalidTokenError("Invalid 'crit' header: values must be strings")
            if ext not in supported_crit:
                raise InvalidTokenError(f"Unsupported critical extension: {printable(ext)}")
            if ext not in header:
                raise InvalidTokenError(f"Critical extension '{ext}' is missing from headers")


# ---------------------------------------------------------------------------------------------------------------------
# Pipelines


DEFAULT_LIMITS = DecodeLimits()
cdef HeaderCache _HEADER_CACHE = HeaderCache()


cdef inline object _exact_token(object token):
    """A ``str`` or ``bytes`` subclass as a plain ``str``/``bytes`` of the same characters; anything else unchanged.

    PyJWT accepts subclasses. Copying them first means no method of the subclass (``__hash__``, ``__eq__``,
    ``encode``) ever runs inside the pipeline or the caches.
    """
    if type(token) is str or type(token) is bytes:
        return token
    if isinstance(token, str):
        return PyUnicode_FromObject(token)
    if isinstance(token, bytes):
        return PyBytes_FromStringAndSize(PyBytes_AS_STRING(token), PyBytes_GET_SIZE(token))
    return token


cpdef bytes token_bytes(token, DecodeLimits limits):
    """The token as ASCII bytes, or DecodeError (wrong type, too long, non-ASCII)."""
    _given(limits, "limits")
    token = _exact_token(token)
    if type(token) is str:
        if len(<str>token) > limits.max_token_length:
            raise DecodeError("Token is too long")
        if not (<str>token).isascii():
            raise DecodeError("Invalid token: non-ASCII characters")
        return (<str>token).encode("ascii")
    if type(token) is bytes:
        if PyBytes_GET_SIZE(token) > limits.max_token_length:
            raise DecodeError("Token is too long")
        return token
    raise DecodeError(f"Invalid token type. Token must be a {bytes}")


cdef class _HeaderPlan:
    """What one header segment decided for one Decoder, kept so the next token with the same segment skips it all.

    The segment was parsed, validated (``kid``, ``crit``, ``typ``), its ``alg`` allowed and, for a fixed key, the key
    prepared. A service's tokens share one header, so nearly every token matches the Decoder's last plan, which is
    compared byte for byte. Plans are immutable once made, so threads can share them.
    """

    cdef bytes segment
    cdef dict header
    cdef str alg
    cdef object key  # the PreparedKey, or None when the key is resolved per token (key sets, key sources)
    cdef Py_ssize_t cost  # the bytes the header takes, counted once for the verified-token cache


@cython.no_gc
@cython.freelist(8)
cdef class _Loaded:
    """One token split and decoded, and what its verification found (key, time of the claim checks)."""

    cdef bytes payload, signing_input, signature, header_segment
    cdef dict header
    cdef _HeaderPlan plan
    cdef bint header_parsed  # parsed for this token (neither the plan's nor a cached header)
    # the decoded payload: in ``payload``, or (no bytes object needed) in the caller's scratch buffer
    cdef const unsigned char* payload_data
    cdef Py_ssize_t payload_len
    cdef object key
    cdef double now


cdef _Loaded _load(token, DecodeLimits limits, HeaderCache header_cache, _HeaderPlan plan,
                   unsigned char* scratch=NULL, Py_ssize_t scratch_size=0):
    cdef bytes data
    cdef const unsigned char* p
    cdef Py_ssize_t n
    if type(token) is str and PyUnicode_IS_COMPACT_ASCII(token):
        # An ASCII str stores its characters as bytes: read them in place (the caller holds the token).
        n = PyUnicode_GET_LENGTH(token)
        if n > limits.max_token_length:
            raise DecodeError("Token is too long")
        p = <const unsigned char*>PyUnicode_DATA(token)
    else:
        data = token_bytes(token, limits)
        p = <const unsigned char*>PyBytes_AS_STRING(data)
        n = PyBytes_GET_SIZE(data)
    cdef const unsigned char* dot = <const unsigned char*>memchr(p, b'.', n)
    if dot == NULL:
        raise DecodeError("Not enough segments")
    cdef Py_ssize_t first = dot - p
    cdef Py_ssize_t last = first
    while True:
        dot = <const unsigned char*>memchr(p + last + 1, b'.', n - last - 1)
        if dot == NULL:
            break
        last = dot - p
    if last == first:
        raise DecodeError("Not enough segments")
    cdef _Loaded out = _Loaded.__new__(_Loaded)
    if (plan is not None and PyBytes_GET_SIZE(plan.segment) == first
            and memcmp(PyBytes_AS_STRING(plan.segment), p, first) == 0):
        out.plan = plan
        out.header = plan.header
        out.header_segment = plan.segment
    else:
        if first > limits.max_header_length:
            raise DecodeError("Invalid header string: header is too long")
        out.header_segment = PyBytes_FromStringAndSize(<const char*>p, first)
        if header_cache is not None:
            out.header = header_cache.get(out.header_segment, limits)
        if out.header is None:
            out.header = parse_header(out.header_segment, limits.max_depth, limits.allow_padding)
            out.header_parsed = True
    out.signing_input = PyBytes_FromStringAndSize(<const char*>p, last)
    cdef const unsigned char* segment = p + first + 1
    cdef Py_ssize_t segment_len = last - first - 1
    cdef Py_ssize_t payload_len
    if out.plan is None and out.header.get("b64", True) is False:
        if segment_len > 0:
            raise DecodeError("Payload segment must be empty when 'b64' is false.")
        out.payload = b""
        out.payload_len = 0
    else:
        payload_len = _decoded_length(segment, &segment_len, limits.allow_padding)
        if payload_len < 0:
            raise DecodeError("Invalid payload padding")
        if scratch != NULL and payload_len <= scratch_size:
            out.payload_data = scratch
        else:
            out.payload = PyBytes_FromStringAndSize(NULL, payload_len)
            out.payload_data = <const unsigned char*>PyBytes_AS_STRING(out.payload)
        if not _decode_into(segment, segment_len, <unsigned char*>out.payload_data, payload_len):
            raise DecodeError("Invalid payload padding")
        out.payload_len = payload_len
    out.signature = _decode_or_raise(p + last + 1, n - last - 1, "crypto", limits.allow_padding)
    return out


def load_token(token, DecodeLimits limits not None=DEFAULT_LIMITS, HeaderCache header_cache=_HEADER_CACHE):
    """Split and decode a compact JWS: ``(payload, signing_input, header, signature, header_segment)``.

    Nothing is verified and nothing is cached; the header is the caller's own (a cached one is copied).
    ``payload`` is ``b""`` when the header says ``b64: false`` (the payload is detached and its segment must be
    empty).
    """
    cdef _Loaded loaded = _load(_exact_token(token), limits, header_cache, None)
    header = loaded.header if loaded.header_parsed else _copy_object(loaded.header)
    return loaded.payload, loaded.signing_input, header, loaded.signature, loaded.header_segment


cpdef str check_algorithm(dict header, allowed):
    """The header's ``alg`` if the caller allows it, else InvalidAlgorithmError (PyJWT's messages)."""
    _given(header, "header")
    alg = header.get("alg", _MISSING)
    if alg is _MISSING:
        raise InvalidAlgorithmError("Algorithm not specified")
    if not alg or type(alg) is not str or (allowed is not None and alg not in allowed):
        raise InvalidAlgorithmError("The specified alg value is not allowed")
    return alg


cpdef dict parse_payload(bytes payload, int max_depth):
    """The claims object of a verified payload (PyJWT's ``_decode_payload``)."""
    _given(payload, "payload")
    return _claims_from(<const unsigned char*>PyBytes_AS_STRING(payload), PyBytes_GET_SIZE(payload), max_depth)


cdef dict _claims_from(const unsigned char* data, Py_ssize_t n, int max_depth):
    try:
        claims = loads_buffer(data, n, max_depth)
    except _JSONError as exc:
        raise DecodeError(f"Invalid payload string: {exc}") from None
    if type(claims) is not dict:
        raise DecodeError("Invalid payload string: must be a json object")
    return claims


def warn_or_raise_key_length(str message, bint enforce):
    """PyJWT's policy for short keys: a warning, or InvalidKeyError with ``enforce_minimum_key_length``."""
    if enforce:
        raise InvalidKeyError(message)
    warnings.warn(message, InsecureKeyLengthWarning, stacklevel=4)


cpdef verify_signature(PreparedKey key, bytes signing_input, bytes signature,
                       bint enforce_minimum_key_length):
    """Check one signature with a prepared key; the key-length policy first, as PyJWT does."""
    _given(key, "key")
    _given(signing_input, "signing_input")
    _given(signature, "signature")
    if key.key_length_msg is not None:
        warn_or_raise_key_length(key.key_length_msg, enforce_minimum_key_length)
    if not key.verify(signing_input, signature):
        raise InvalidSignatureError("Signature verification failed")


@cython.final
@cython.freelist(8)
cdef class _CacheEntry:
    """One verified-token cache entry. Built whole before it is stored and never changed after.

    A verified token keeps its claims (a private copy no caller ever sees), header, signature and key; a failed one
    (the error cache) keeps only the exception's class and arguments: no traceback, so no caller's frame.
    """

    cdef dict claims, header
    cdef bytes signature
    cdef bint immutable  # every claim is a str, number, bool or None: a shallow copy is a whole copy
    cdef object key, alg
    cdef object error_class
    cdef tuple error_args
    cdef double expires, not_before
    cdef Py_ssize_t cost


cdef bint _all_immutable(dict claims):
    # PyDict_Next hands out borrowed references: only type checks run on them, no Python code.
    cdef Py_ssize_t pos = 0
    cdef PyObject* k
    cdef PyObject* v
    while PyDict_Next(claims, &pos, &k, &v):
        t = type(<object>v)
        if not (t is str or t is int or t is float or t is bool or v == <PyObject*>None):
            return False
    return True


cdef double _seconds_of(object value, double otherwise):
    """A time claim (already checked to be a JSON number) as a double: huge integers become +/-inf, never an error."""
    number = _as_int(value)
    if number is None:
        return otherwise
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


cdef str _normalise_typ(str typ):
    typ = typ.lower()
    return typ[12:] if typ.startswith("application/") else typ


cdef class Decoder:
    """One decode configuration, prepared once: the whole verify-and-decode pipeline in one call.

    :param prepare: ``prepare(alg) -> PreparedKey`` for a fixed key (results are kept per algorithm), or None.
    :param resolve: ``resolve(header, alg) -> PreparedKey`` for key sets and key sources (kid lookup), or None.
    :param allowed: the algorithms the caller allows (None: any the key supports, PyJWK-bound callers).
    :param rules: the claim checks, or None to return the raw payload bytes (the JWS layer).
    :param cache_size: verified-token cache entries (0: no cache); ``cache_ttl``/``error_cache_ttl`` in seconds.
    :param cache_max_bytes: the verified-token cache's bound in bytes (tokens, claims and headers, as measured).

    Every call returns objects the caller owns: claims and headers, nested lists and dicts included, are new for
    each call, from the cache or not.
    """

    cdef object _prepare, _resolve, _allowed, _supported_crit, _typ
    cdef dict _prepared, _cache
    cdef _HeaderPlan _plan
    cdef bint _verify
    cdef DecodeLimits _limits
    cdef Py_ssize_t _cache_bytes
    cdef public ClaimRules rules
    cdef public bint enforce_minimum_key_length
    cdef public HeaderCache header_cache
    cdef public Py_ssize_t cache_size, cache_max_bytes
    cdef public double cache_ttl, error_cache_ttl

    def __init__(self, prepare, resolve, allowed, ClaimRules rules, *, verify_signature=True,
                 enforce_minimum_key_length=False, supported_crit=frozenset({"b64"}), typ=None,
                 DecodeLimits limits not None=DEFAULT_LIMITS, HeaderCache header_cache=_HEADER_CACHE, cache_size=0,
                 cache_ttl=600.0, error_cache_ttl=0.0, cache_max_bytes=TOKEN_CACHE_BYTES):
        self._prepare = prepare
        self._resolve = resolve
        self._prepared = {}
        self._allowed = allowed
        self.rules = rules
        self._verify = bool(verify_signature)
        self.enforce_minimum_key_length = bool(enforce_minimum_key_length)
        self._supported_crit = frozenset(supported_crit)
        self._typ = None if typ is None else _normalise_typ(typ)
        self._limits = limits
        self.header_cache = header_cache
        self.cache_size = int(cache_size)
        self.cache_max_bytes = int(cache_max_bytes)
        self.cache_ttl = float(cache_ttl)
        self.error_cache_ttl = float(error_cache_ttl)
        self._cache = {}
        self._cache_bytes = 0

    # The settings a header plan depends on: changing one forgets the plan.

    @property
    def limits(self):
        """The size and depth bounds tokens are read under."""
        return self._limits

    @limits.setter
    def limits(self, DecodeLimits value not None):
        self._limits = value
        self._plan = None

    @property
    def allowed(self):
        """The algorithms the caller allows (None: any the key supports)."""
        return self._allowed

    @allowed.setter
    def allowed(self, value):
        self._allowed = value
        self._plan = None

    @property
    def supported_crit(self):
        """The ``crit`` header extensions this decoder understands."""
        return self._supported_crit

    @supported_crit.setter
    def supported_crit(self, value):
        self._supported_crit = frozenset(value)
        self._plan = None

    @property
    def typ(self):
        """The required ``typ`` header (normalised), or None."""
        return self._typ

    @typ.setter
    def typ(self, value):
        self._typ = None if value is None else _normalise_typ(value)
        self._plan = None

    @property
    def verify(self):
        """Whether signatures are checked."""
        return self._verify

    @verify.setter
    def verify(self, value):
        self._verify = bool(value)
        self._plan = None

    def decode(self, token, detached_payload=None):
        """The verified claims (a fresh dict), or the payload bytes when built without claim rules."""
        return self._run(token, detached_payload, False)

    def decode_token(self, token):
        """``decode(token)`` with nothing else: the one-argument form a Verifier binds (the cheapest call)."""
        return self._run(token, None, False)

    def decode_complete(self, token, detached_payload=None):
        """``{"payload": ..., "header": ..., "signature": ...}`` as PyJWT's ``decode_complete`` returns it."""
        return self._run(token, detached_payload, True)

    def clear_cache(self):
        """Drop every verified-token cache entry."""
        self._cache.clear()
        self._cache_bytes = 0

    @property
    def cache_len(self):
        """The number of verified-token cache entries."""
        return len(self._cache)

    @property
    def cache_bytes(self):
        """The bytes the verified-token cache's entries take, as counted against ``cache_max_bytes``."""
        return self._cache_bytes

    cdef object _run(self, token, detached_payload, bint complete):
        token = _exact_token(token)
        cdef ClaimRules rules = self.rules
        cdef bint cached = self.cache_size > 0 and detached_payload is None and rules is not None
        if cached and (type(token) is str or type(token) is bytes):
            # A strong reference: the clock, the resolver or another thread may evict the entry while it is used.
            entry = self._cache.get(token)
            if entry is not None:
                result = self._hit(token, <_CacheEntry>entry, complete)
                if result is not None:
                    return result
        # A payload that fits is decoded on the stack when no bytes object of it is needed (claim rules parse it and
        # nothing keeps it); the buffer outlives every use of it, all within this call.
        cdef unsigned char scratch[SCRATCH_SIZE]
        cdef bint use_scratch = rules is not None and detached_payload is None
        cdef _Loaded loaded = _load(token, self._limits, self.header_cache, self._plan,
                                    scratch if use_scratch else NULL, SCRATCH_SIZE)
        # The try block (and the thread-state bookkeeping it costs) only when failures are cached.
        if cached and self.error_cache_ttl > 0:
            try:
                claims = self._verified(loaded, detached_payload)
            except InvalidTokenError as exc:
                if type(token) is str or type(token) is bytes:
                    self._store_error(token, exc)
                raise
        else:
            claims = self._verified(loaded, detached_payload)
        if cached:
            self._store(token, <dict>claims, loaded)
        if complete:
            return {"payload": claims, "header": _copy_object(loaded.header), "signature": loaded.signature}
        return claims

    cdef object _verified(self, _Loaded loaded, detached_payload):
        """Signature, then payload, then claims: the claims dict (or the payload bytes without claim rules)."""
        cdef ClaimRules rules = self.rules
        loaded.key = self._check(loaded, detached_payload)
        if detached_payload is not None:
            return detached_payload if rules is None else parse_payload(detached_payload, self._limits.max_depth)
        if rules is None:
            return loaded.payload
        claims = _claims_from(loaded.payload_data, loaded.payload_len, self._limits.max_depth)
        loaded.now = rules.now()
        rules.check(claims, loaded.now)
        return claims

    cdef object _check(self, _Loaded loaded, detached_payload):
        cdef dict header = loaded.header
        cdef bytes signing_input = loaded.signing_input
        cdef _HeaderPlan plan = loaded.plan
        if plan is not None and detached_payload is None:
            key = plan.key if plan.key is not None else self._resolve(header, plan.alg)
            verify_signature(key, signing_input, loaded.signature, self.enforce_minimum_key_length)
            return key
        if len(header) > 1 or "alg" not in header:
            validate_header(header, self._supported_crit)
        if self._typ is not None:
            typ = header.get("typ")
            if not isinstance(typ, str) or _normalise_typ(typ) != self._typ:
                raise InvalidTokenError("Invalid token type (typ)")
        b64 = header.get("b64", True)
        if detached_payload is not None and b64 is not False:
            raise DecodeError(
                'It is only valid to pass "detached_payload" when the protected header has "b64" set to false.'
            )
        if b64 is False:
            crit = header.get("crit") or []
            if not isinstance(crit, list) or "b64" not in crit:
                raise InvalidTokenError("The 'b64' header parameter requires 'b64' to be listed in 'crit'.")
            if detached_payload is None:
                raise DecodeError(
                    'It is required that you pass in a value for the "detached_payload" argument to decode a '
                    "message having the b64 header set to false."
                )
            signing_input = signing_input[: signing_input.rfind(b".")] + b"." + detached_payload
        if not self._verify:
            return None
        alg = check_algorithm(header, self._allowed)
        if self._resolve is not None:
            key = self._resolve(header, alg)
        else:
            key = self._prepared.get(alg)
            if key is None:
                key = self._prepare(alg)
                if len(self._prepared) < 64:
                    self._prepared[alg] = key
        verify_signature(key, signing_input, loaded.signature, self.enforce_minimum_key_length)
        # Only now, the signature good, may the header outlive this call: as this decoder's plan and in the cache.
        if b64 is not False:
            self._remember_header(loaded, header, alg, key)
        return key

    cdef _remember_header(self, _Loaded loaded, dict header, str alg, key):
        cdef Py_ssize_t cost = PyBytes_GET_SIZE(loaded.header_segment) + _footprint(header, HEADER_ENTRY_MAX_BYTES)
        if cost > HEADER_ENTRY_MAX_BYTES:
            return
        cdef _HeaderPlan plan = _HeaderPlan.__new__(_HeaderPlan)
        plan.segment = loaded.header_segment
        plan.header = header
        plan.alg = alg
        plan.key = key if self._resolve is None else None
        plan.cost = cost
        loaded.plan = plan
        self._plan = plan
        if loaded.header_parsed and self.header_cache is not None:
            self.header_cache.store(loaded.header_segment, header, self._limits)

    # -- verified-token cache -----------------------------------------------------------------------------------------

    cdef _store(self, token, dict claims, _Loaded loaded):
        cdef Py_ssize_t budget = self.cache_max_bytes // 8  # no one entry may take more than an eighth
        cdef Py_ssize_t cost = _sizeof(token) + PyBytes_GET_SIZE(loaded.signature)
        cost += loaded.plan.cost if loaded.plan is not None else _footprint(loaded.header, budget)
        if cost > budget:
            return
        cost += _footprint(claims, budget - cost)
        if cost > budget:
            return
        cdef _CacheEntry entry = _CacheEntry.__new__(_CacheEntry)
        entry.immutable = _all_immutable(claims)
        entry.claims = PyDict_Copy(claims) if entry.immutable else _copy_object(claims)
        entry.header = loaded.header
        entry.signature = loaded.signature
        entry.key = loaded.key
        entry.alg = loaded.header.get("alg")
        cdef ClaimRules rules = self.rules
        entry.expires = min(loaded.now + self.cache_ttl, _seconds_of(claims.get("exp"), math.inf) + rules.leeway)
        entry.not_before = _seconds_of(claims.get("nbf"), -math.inf) - rules.leeway
        entry.cost = cost
        self._insert(token, entry)

    cdef _store_error(self, token, exc):
        cdef Py_ssize_t size = len(token)
        if size > ERROR_CACHE_MAX_TOKEN_LENGTH:
            return
        cdef _CacheEntry entry = _CacheEntry.__new__(_CacheEntry)
        entry.error_class = type(exc)
        entry.error_args = tuple(exc.args)
        entry.cost = _sizeof(token) + _sizeof(entry.error_args)
        for arg in entry.error_args:
            entry.cost += _sizeof(arg)
        entry.expires = self.rules.now() + self.error_cache_ttl
        self._insert(token, entry)

    cdef _insert(self, token, _CacheEntry entry):
        cdef dict cache = self._cache
        if entry.cost > self.cache_max_bytes:
            return
        self._evict(token)
        while cache and (len(cache) >= self.cache_size or self._cache_bytes + entry.cost > self.cache_max_bytes):
            self._evict(next(iter(cache)))
        cache[token] = entry
        self._cache_bytes += entry.cost

    cdef _evict(self, token):
        old = self._cache.pop(token, None)
        if old is not None:
            self._cache_bytes -= (<_CacheEntry>old).cost

    cdef _evict_entry(self, token, _CacheEntry entry):
        """Drop ``token``'s entry if it is still ``entry`` (another thread may have stored a newer one)."""
        if self._cache.get(token) is entry:
            self._evict(token)

    cdef object _hit(self, token, _CacheEntry entry, bint complete):
        cdef ClaimRules rules = self.rules
        cdef double now = rules.now()
        if entry.error_class is not None:
            if now < entry.expires:
                raise entry.error_class(*entry.error_args)
            self._evict_entry(token, entry)
            return None
        if now >= entry.expires or now < entry.not_before:
            self._evict_entry(token, entry)
            return None
        if self._resolve is not None and self._verify:
            try:
                current = self._resolve(entry.header, entry.alg)
            except Exception:
                current = None
            if current is not entry.key:
                self._evict_entry(token, entry)
                return None
        try:
            rules.check(entry.claims, now)
        except Exception:
            self._evict_entry(token, entry)
            raise
        claims = PyDict_Copy(entry.claims) if entry.immutable else _copy_object(entry.claims)
        if complete:
            return {"payload": claims, "header": _copy_object(entry.header), "signature": entry.signature}
        return claims


_TIME_CLAIMS = ("exp", "iat", "nbf")


cpdef bytes encode_claims(payload, json_encoder):
    """PyJWT's payload preparation: dict only, datetimes in time claims to ints, ``iss`` a string; then JSON."""
    if not isinstance(payload, dict):
        raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
    cdef bint copied = False
    for claim in _TIME_CLAIMS:
        value = (<dict>payload).get(claim)
        if value is not None and hasattr(value, "utctimetuple"):
            import calendar

            if not copied:
                payload = dict(payload)
                copied = True
            payload[claim] = calendar.timegm(value.utctimetuple())
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise TypeError("Issuer (iss) must be a string.")
    return _dumps(payload, cls=json_encoder)


cpdef str sign_compact(bytes header_segment, bytes payload, PreparedKey key,
                       bint detached):
    """Assemble ``header.payload.signature`` (payload segment empty when detached) as str."""
    _given(header_segment, "header_segment")
    _given(payload, "payload")
    _given(key, "key")
    cdef bytes payload_segment = payload if detached else _encode(
        <const unsigned char*>PyBytes_AS_STRING(payload), PyBytes_GET_SIZE(payload))
    cdef bytes signing_input = header_segment + b"." + payload_segment
    cdef bytes sig = key.sign(signing_input)
    cdef bytes signature = _encode(<const unsigned char*>PyBytes_AS_STRING(sig), PyBytes_GET_SIZE(sig))
    if detached:
        return (header_segment + b".." + signature).decode("ascii")
    return (signing_input + b"." + signature).decode("ascii")


cpdef tuple drop_in_key(key, algorithms, audience, issuer, subject, leeway):
    """The decoder-cache key of a drop-in ``decode`` call without options (TypeError if an argument is unhashable)."""
    cdef tuple result = (
        key if type(key) is str or type(key) is bytes else id(key),
        tuple(algorithms) if type(algorithms) is list else algorithms,
        tuple(audience) if type(audience) is list else audience,
        tuple(issuer) if type(issuer) is list else issuer,
        subject,
        leeway,
    )
    hash(result)
    return result


cdef object _drop_in_owner = None
# The last plain drop-in call that found its Decoder: (key, algorithms, audience, issuer, subject, leeway, entry), the
# sequences as drop_in_key normalises them. A service calls decode with the same arguments every time, so comparing
# them with the last call's skips building and hashing the decoder-cache key. Replaced whole (one tuple), so threads
# never see half of one; forgotten whenever the owner's decoder cache is cleared.
cdef tuple _last_drop_in = None


# The last drop-in encode that could be reused: (key, algorithm, sort_headers, header_typ, header_segment, prepared).
cdef tuple _last_drop_in_encode = None
#: ``algorithm``'s default in ``encode``: HS256, or a PyJWK's own algorithm (``None`` means ``none``, as in PyJWT).
ALGORITHM_UNSET = object()


def bind_drop_in(owner):
    """Make ``owner`` (a ``PyJWT``) the object behind :func:`drop_in_decode` and :func:`drop_in_encode`."""
    global _drop_in_owner
    _drop_in_owner = owner
    forget_drop_in()


def forget_drop_in():
    """Forget the last drop-in calls (the owner's algorithms changed, or prepared keys were cleared)."""
    global _last_drop_in, _last_drop_in_encode
    _last_drop_in = None
    _last_drop_in_encode = None


def drop_in_encode(payload, key, algorithm=ALGORITHM_UNSET, headers=None, json_encoder=None, sort_headers=True):
    """``fastjwt.encode``: PyJWT's ``encode`` signature; a repeat of the last plain call reuses its header and key.

    A plain call (no extra headers, no JSON encoder, a secret or key that needs no warning) made again with the same
    key, algorithm and header sorting skips the header build and the key lookup: it costs what a ``Signer`` costs.
    Anything else goes to the bound ``PyJWT`` object's ``encode``.
    """
    global _last_drop_in_encode
    cdef tuple last = _last_drop_in_encode
    owner = _drop_in_owner
    if headers is None and json_encoder is None and last is not None:
        last_key = last[0]
        if ((last_key is key or ((type(key) is str or type(key) is bytes) and type(last_key) is type(key)
                                 and last_key == key))
                and (last[1] is algorithm or (type(algorithm) is str and last[1] == algorithm))
                and bool(last[2]) == bool(sort_headers) and last[3] is owner._jws.header_typ):
            return sign_compact(last[4], encode_claims(payload, None), <PreparedKey>last[5], False)
    token = owner.encode(payload, key, algorithm, headers, json_encoder, sort_headers)
    if headers is None and json_encoder is None and (type(key) is str or type(key) is bytes) and (
            algorithm is ALGORITHM_UNSET or type(algorithm) is str):
        try:
            _remember_encode(owner, key, algorithm, sort_headers)
        except Exception:  # the memo is an optimisation: whatever stops it, the next call takes the full path
            _last_drop_in_encode = None
    return token


cdef _remember_encode(owner, key, algorithm, sort_headers):
    """Keep what the call just made succeeded with, for the next identical call (never for a key that warns)."""
    global _last_drop_in_encode
    from . import _keys

    jws = owner._jws
    alg = "HS256" if algorithm is ALGORITHM_UNSET else algorithm
    prepared = _keys.prepare(alg, jws.get_algorithm_by_name(alg), key)
    if prepared.key_length_msg is not None:
        return
    header_segment = jws._header_segment(alg, None, None, False, sort_headers)
    _last_drop_in_encode = (key, algorithm, bool(sort_headers), jws.header_typ, header_segment, prepared)


cdef inline bint _same_normalised(object stored, object given) except -1:
    """``stored == (tuple(given) if given is a list else given)``, without building the tuple."""
    cdef Py_ssize_t i, n
    if stored is given:
        return True
    if type(given) is list:
        if type(stored) is not tuple:
            return False
        n = len(<list>given)
        if n != len(<tuple>stored):
            return False
        for i in range(n):
            if not ((<tuple>stored)[i] is (<list>given)[i] or (<tuple>stored)[i] == (<list>given)[i]):
                return False
        return True
    return type(stored) is not tuple and stored == given


cdef inline bint _same_call(tuple last, key, algorithms, audience, issuer, subject, leeway) except -1:
    cdef object last_key = last[0]
    if not (last_key is key or ((type(key) is str or type(key) is bytes) and type(last_key) is type(key)
                                and last_key == key)):
        return False
    return (_same_normalised(last[1], algorithms) and _same_normalised(last[2], audience)
            and _same_normalised(last[3], issuer) and (last[4] is subject or last[4] == subject)
            and (last[5] is leeway or last[5] == leeway))


def drop_in_decode(jwt, key="", algorithms=None, options=None, verify=None, detached_payload=None,
                   audience=None, subject=None, issuer=None, leeway=0, **kwargs):
    """``fastjwt.decode``: PyJWT's ``decode`` signature; a repeated plain call goes straight to its cached Decoder.

    Anything else (options, detached payloads, deprecated arguments, a first call) is handed to the bound
    ``PyJWT`` object's ``decode``, which prepares and caches the Decoder.
    """
    global _last_drop_in
    cdef tuple entry
    cdef tuple cache_key
    cdef tuple last = _last_drop_in
    owner = _drop_in_owner
    if not kwargs and options is None and verify is None and detached_payload is None:
        if last is not None:
            try:
                same = _same_call(last, key, algorithms, audience, issuer, subject, leeway)
            except Exception:  # an argument whose == raises: the dict lookup below decides
                same = False
            if same:
                return (<Decoder>(<tuple>last[6])[1])._run(jwt, None, False)
        cache_key = (
            key if type(key) is str or type(key) is bytes else id(key),
            tuple(algorithms) if type(algorithms) is list else algorithms,
            tuple(audience) if type(audience) is list else audience,
            tuple(issuer) if type(issuer) is list else issuer,
            subject,
            leeway,
        )
        try:
            found = owner._jws._decoders.get(cache_key)
        except TypeError:  # a part is unhashable: the full path decides
            found = None
        if found is not None:
            entry = <tuple>found
            if entry[0] is key or type(key) is str or type(key) is bytes:
                _last_drop_in = (key,) + cache_key[1:] + (entry,)
                return (<Decoder>entry[1])._run(jwt, None, False)
    return owner.decode(jwt, key, algorithms, options, verify, detached_payload, audience, subject, issuer, leeway,
                        **kwargs)

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
