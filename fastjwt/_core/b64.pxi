# Base64url: the alphabet tables, encode, and the strict decode into a caller's buffer.
# Included by _core_c.pyx (one compiled module: calls between fragments are plain C calls).


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
