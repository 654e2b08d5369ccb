# The JSON reader: byte classes, UTF-8 checks, strings, member names, numbers and the iterative parser.
# Included by _json_c.pyx.


# Byte classes for the string scanner: 0 plain ASCII, 1 quote/backslash, 2 control, 3 non-ASCII.
cdef unsigned char _STR_CLASS[256]
cdef int _i
for _i in range(256):
    _STR_CLASS[_i] = 2 if _i < 0x20 else (3 if _i >= 0x80 else 0)
_STR_CLASS[0x22] = 1
_STR_CLASS[0x5C] = 1

cdef uint64_t _ONES = 0x0101010101010101
cdef uint64_t _HIGHS = 0x8080808080808080


cdef inline bint _special_byte_in(uint64_t w) noexcept nogil:
    """Whether any byte of ``w`` is ``"``, ``\\``, below 0x20 or above 0x7F (exact for any, not which)."""
    cdef uint64_t quote = w ^ (<uint64_t>0x22 * _ONES)
    cdef uint64_t backslash = w ^ (<uint64_t>0x5C * _ONES)
    cdef uint64_t found = ((quote - _ONES) & ~quote) | ((backslash - _ONES) & ~backslash) | (w - <uint64_t>0x20 * _ONES) | w
    return (found & _HIGHS) != 0


cdef inline bint _has_byte(uint64_t w, unsigned char b) noexcept nogil:
    """Whether any byte of ``w`` equals ``b`` (exact for any, not which)."""
    cdef uint64_t x = w ^ (<uint64_t>b * _ONES)
    return ((x - _ONES) & ~x & _HIGHS) != 0


cdef inline bint _is_ws(unsigned char c) noexcept nogil:
    return c == 0x20 or c == 0x0A or c == 0x0D or c == 0x09

cdef inline bint _is_digit(unsigned char c) noexcept nogil:
    return 0x30 <= c <= 0x39

cdef inline int _hex_value(unsigned char c) noexcept nogil:
    if 0x30 <= c <= 0x39:
        return c - 0x30
    if 0x61 <= c <= 0x66:
        return c - 0x61 + 10
    if 0x41 <= c <= 0x46:
        return c - 0x41 + 10
    return -1


cdef inline Py_ssize_t _utf8_char(const unsigned char* p, Py_ssize_t avail, uint32_t* out) noexcept nogil:
    """Decode one strict UTF-8 sequence (no overlongs, surrogates, > U+10FFFF); 0 if invalid."""
    cdef unsigned char c0 = p[0]
    cdef unsigned char lo = 0x80
    cdef unsigned char hi = 0xBF
    if c0 < 0x80:
        out[0] = c0
        return 1
    if c0 < 0xC2:
        return 0
    if c0 < 0xE0:
        if avail < 2 or not (0x80 <= p[1] <= 0xBF):
            return 0
        out[0] = ((c0 & 0x1F) << 6) | (p[1] & 0x3F)
        return 2
    if c0 < 0xF0:
        if c0 == 0xE0:
            lo = 0xA0
        elif c0 == 0xED:
            hi = 0x9F
        if avail < 3 or not (lo <= p[1] <= hi) or not (0x80 <= p[2] <= 0xBF):
            return 0
        out[0] = ((c0 & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)
        return 3
    if c0 < 0xF5:
        if c0 == 0xF0:
            lo = 0x90
        elif c0 == 0xF4:
            hi = 0x8F
        if (avail < 4 or not (lo <= p[1] <= hi) or not (0x80 <= p[2] <= 0xBF)
                or not (0x80 <= p[3] <= 0xBF)):
            return 0
        out[0] = ((c0 & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F)
        return 4
    return 0


cdef bint _valid_utf8(const unsigned char* buf, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t step
    cdef uint32_t ch
    if n >= 3 and buf[0] == 0xEF and buf[1] == 0xBB and buf[2] == 0xBF:
        return False
    while i < n:
        if buf[i] < 0x80:
            i += 1
            continue
        step = _utf8_char(buf + i, n - i, &ch)
        if step == 0:
            return False
        i += step
    return True


cdef struct Reader:
    const unsigned char* buf
    Py_ssize_t n
    Py_ssize_t pos


cdef int _fail(Reader* r, str message) except -1:
    # The pure twin decodes the whole input before parsing: invalid UTF-8 outranks everything.
    if message is not _BAD_UTF8 and not _valid_utf8(r.buf, r.n):
        message = _BAD_UTF8
    raise JSONError(message)


cdef int _syntax(Reader* r, Py_ssize_t at) except -1:
    return _fail(r, f"invalid JSON at byte {at}")


cdef inline void _skip_ws(Reader* r) noexcept nogil:
    cdef Py_ssize_t pos = r.pos
    while pos < r.n and _is_ws(r.buf[pos]):
        pos += 1
    r.pos = pos


cdef object _literal(Reader* r, const char* word, Py_ssize_t length, object value):
    cdef Py_ssize_t i
    for i in range(length):
        if r.pos + i >= r.n or r.buf[r.pos + i] != <unsigned char>word[i]:
            _syntax(r, r.pos + i)
    r.pos += length
    return value


cdef inline bint _matches(Reader* r, Py_ssize_t at, const char* word, Py_ssize_t length) noexcept nogil:
    return at + length <= r.n and memcmp(r.buf + at, word, length) == 0


cdef Py_ssize_t _low_surrogate_at(Reader* r, Py_ssize_t at, Py_ssize_t end) noexcept nogil:
    """The low surrogate escaped as \\uXXXX at ``at``, or -1."""
    cdef Py_ssize_t value = 0
    cdef Py_ssize_t j
    cdef int digit
    if at + 6 > end or r.buf[at] != 0x5C or r.buf[at + 1] != 0x75:
        return -1
    for j in range(at + 2, at + 6):
        digit = _hex_value(r.buf[j])
        if digit < 0:
            return -1
        value = value * 16 + digit
    return value if 0xDC00 <= value <= 0xDFFF else -1


cdef object _decode_escaped(Reader* r, Py_ssize_t start, Py_ssize_t end):
    """Decode string content buf[start:end] holding escapes; errors in document order."""
    cdef uint32_t stack_out[STR_STACK_BUF]
    cdef uint32_t* out = stack_out
    cdef Py_ssize_t count = 0
    cdef Py_ssize_t i = start
    cdef Py_ssize_t j, step, low
    cdef uint32_t code = 0
    cdef int digit
    cdef unsigned char c, e
    if end - start > STR_STACK_BUF:
        out = <uint32_t*>PyMem_Malloc((end - start) * sizeof(uint32_t))
        if out == NULL:
            raise MemoryError()
    try:
        while i < end:
            c = r.buf[i]
            if c == 0x5C:
                i += 1
                if i >= end:
                    _syntax(r, i)
                e = r.buf[i]
                if e == 0x22 or e == 0x5C or e == 0x2F:
                    code = e
                elif e == 0x62:
                    code = 0x08
                elif e == 0x66:
                    code = 0x0C
                elif e == 0x6E:
                    code = 0x0A
                elif e == 0x72:
                    code = 0x0D
                elif e == 0x74:
                    code = 0x09
                elif e == 0x75:
                    code = 0
                    for j in range(i + 1, i + 5):
                        digit = _hex_value(r.buf[j]) if j < end else -1
                        if digit < 0:
                            _syntax(r, j)
                        code = code * 16 + digit
                    i += 4
                    if 0xD800 <= code <= 0xDBFF:
                        low = _low_surrogate_at(r, i + 1, end)
                        if low >= 0:
                            code = 0x10000 + ((code - 0xD800) << 10) + (<uint32_t>low - 0xDC00)
                            i += 6
                else:
                    _syntax(r, i)
                out[count] = code
                count += 1
                i += 1
            elif c < 0x20:
                _syntax(r, i)
            elif c < 0x80:
                out[count] = c
                count += 1
                i += 1
            else:
                step = _utf8_char(r.buf + i, end - i, &code)
                if step == 0:
                    _fail(r, _BAD_UTF8)
                out[count] = code
                count += 1
                i += step
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, count)
    finally:
        if out != stack_out:
            PyMem_Free(out)


cdef object _string(Reader* r):
    """Parse the string whose opening quote is at r.pos."""
    cdef const unsigned char* buf = r.buf
    cdef Py_ssize_t n = r.n
    cdef Py_ssize_t start = r.pos + 1
    cdef Py_ssize_t i = start
    cdef bint escaped = False
    cdef bint ascii = True
    cdef unsigned char cls
    cdef object text
    cdef uint64_t word
    # Eight bytes at a time while none is a quote, a backslash, a control character or non-ASCII (the usual case:
    # claim values are plain ASCII); the first such byte, or the tail, goes to the byte-by-byte scanner below.
    while i + 8 <= n:
        memcpy(&word, buf + i, 8)
        if _special_byte_in(word):
            break
        i += 8
    while i < n:
        cls = _STR_CLASS[buf[i]]
        if cls == 0:
            i += 1
        elif cls == 1:
            if buf[i] == 0x22:
                break
            escaped = True
            i += 2
        elif cls == 2:
            if not escaped:
                _syntax(r, i)
            i += 1
        else:
            ascii = False
            i += 1
    if i >= n:
        if escaped:
            _decode_escaped(r, start, n)
        _syntax(r, n)
    if escaped:
        text = _decode_escaped(r, start, i)
    elif ascii:
        text = PyUnicode_New(i - start, 127)
        memcpy(PyUnicode_DATA(text), buf + start, i - start)
    else:
        try:
            text = PyUnicode_DecodeUTF8(<const char*>buf + start, i - start, NULL)
        except UnicodeDecodeError:
            _fail(r, _BAD_UTF8)
    r.pos = i + 1
    return text


# Member names repeat across a service's tokens ("sub", "exp", ...): a small direct-mapped
# cache of the str objects for short plain-ASCII names skips building and hashing them again.
# Entries are compared byte for byte, so a hit is always the exact name.
cdef enum:
    KEY_CACHE_SIZE = 512
    KEY_CACHE_MAX_LEN = 32

cdef PyObject* _key_cache[KEY_CACHE_SIZE]


cdef object _cached_name(const unsigned char* text, Py_ssize_t length):
    cdef size_t slot = <size_t>length * 0x9E3779B1u
    cdef Py_ssize_t i
    cdef PyObject* entry
    cdef object name
    for i in range(length):
        slot = (slot ^ text[i]) * 0x01000193u
    slot = (slot >> 7) % KEY_CACHE_SIZE
    entry = _key_cache[slot]
    if (entry != NULL and PyUnicode_GET_LENGTH(<object>entry) == length
            and memcmp(PyUnicode_DATA(<object>entry), text, length) == 0):
        return <object>entry
    name = PyUnicode_New(length, 127)
    memcpy(PyUnicode_DATA(name), text, length)
    hash(name)  # computed once here, reused by every dict insert of this name
    # Re-read the slot: the allocation above may have run the GC, finalizers, and a nested loads.
    entry = _key_cache[slot]
    Py_INCREF(name)
    _key_cache[slot] = <PyObject*>name
    Py_XDECREF(entry)
    return name


# JOSE's registered names are three letters. The parser hands out the interpreter's interned str for them: the same
# objects as the string constants the core looks claims up with, so those dict lookups compare pointers, not bytes.
cdef tuple _JOSE_NAMES = tuple(sys.intern(name) for name in (
    "exp", "iat", "nbf", "iss", "aud", "sub", "jti", "alg", "typ", "kid", "cty", "b64", "jku", "jwk", "x5u", "x5c",
    "x5t",
))
cdef enum:
    N_JOSE_NAMES = 17
cdef uint32_t _jose_codes[N_JOSE_NAMES]
cdef PyObject* _jose_objects[N_JOSE_NAMES]
for _i in range(N_JOSE_NAMES):
    _jose_objects[_i] = <PyObject*>_JOSE_NAMES[_i]
    _jose_codes[_i] = (<uint32_t>ord(_JOSE_NAMES[_i][0]) | (<uint32_t>ord(_JOSE_NAMES[_i][1]) << 8)
                       | (<uint32_t>ord(_JOSE_NAMES[_i][2]) << 16))


cdef inline PyObject* _jose_name(const unsigned char* text) noexcept:
    """The interned str of a registered three-letter name at ``text``, or NULL."""
    cdef uint32_t code = text[0] | (<uint32_t>text[1] << 8) | (<uint32_t>text[2] << 16)
    cdef int k
    for k in range(N_JOSE_NAMES):
        if _jose_codes[k] == code:
            return _jose_objects[k]
    return NULL


cdef object _key(Reader* r):
    """Parse ``"name"`` ws ``:`` at r.pos (whitespace before it already skipped)."""
    cdef object name = None
    cdef const unsigned char* buf = r.buf
    cdef Py_ssize_t start = r.pos + 1
    cdef Py_ssize_t i = start
    if r.pos >= r.n or buf[r.pos] != 0x22:
        _syntax(r, r.pos)
    while i < r.n and i - start <= KEY_CACHE_MAX_LEN and _STR_CLASS[buf[i]] == 0:
        i += 1
    cdef PyObject* registered
    if i < r.n and buf[i] == 0x22 and i - start <= KEY_CACHE_MAX_LEN:
        registered = _jose_name(buf + start) if i - start == 3 else NULL
        name = <object>registered if registered != NULL else _cached_name(buf + start, i - start)
        r.pos = i + 1
    else:
        name = _string(r)
    _skip_ws(r)
    if r.pos >= r.n or r.buf[r.pos] != 0x3A:
        _syntax(r, r.pos)
    r.pos += 1
    return name


cdef object _big_int(Reader* r, Py_ssize_t start, Py_ssize_t end):
    cdef char* text = <char*>PyMem_Malloc(end - start + 1)
    if text == NULL:
        raise MemoryError()
    try:
        memcpy(text, r.buf + start, end - start)
        text[end - start] = 0
        try:
            return PyLong_FromString(text, NULL, 10)
        except ValueError:  # sys.set_int_max_str_digits() set lower than ours
            _fail(r, _TOO_LARGE)
    finally:
        PyMem_Free(text)


cdef object _float(Reader* r, Py_ssize_t start, Py_ssize_t end):
    cdef char stack_text[NUM_STACK_BUF]
    cdef char* text = stack_text
    cdef double value
    if end - start >= NUM_STACK_BUF:
        text = <char*>PyMem_Malloc(end - start + 1)
        if text == NULL:
            raise MemoryError()
    try:
        memcpy(text, r.buf + start, end - start)
        text[end - start] = 0
        # The same correctly rounded conversion float() uses; overflow gives +-inf, no error.
        value = PyOS_string_to_double(text, NULL, NULL)
    finally:
        if text != stack_text:
            PyMem_Free(text)
    if isinf(value):
        _fail(r, _NON_FINITE)
    return PyFloat_FromDouble(value)


cdef object _number(Reader* r):
    cdef const unsigned char* buf = r.buf
    cdef Py_ssize_t n = r.n
    cdef Py_ssize_t start = r.pos
    cdef Py_ssize_t pos = start
    cdef Py_ssize_t digits_start, digits
    cdef bint negative = False
    cdef bint is_float = False
    cdef long long acc = 0
    if buf[pos] == 0x2D:
        negative = True
        pos += 1
        if pos < n and buf[pos] == 0x49:
            if _matches(r, pos, "Infinity", 8):
                _fail(r, _NON_FINITE)
            _syntax(r, pos)
    if pos >= n:
        _syntax(r, pos)
    digits_start = pos
    if buf[pos] == 0x30:
        pos += 1
    elif 0x31 <= buf[pos] <= 0x39:
        pos += 1
        while pos < n and _is_digit(buf[pos]):
            pos += 1
    else:
        _syntax(r, pos)
    digits = pos - digits_start
    if pos < n and buf[pos] == 0x2E:
        pos += 1
        if pos >= n or not _is_digit(buf[pos]):
            _syntax(r, pos)
        while pos < n and _is_digit(buf[pos]):
            pos += 1
        is_float = True
    if pos < n and (buf[pos] == 0x65 or buf[pos] == 0x45):
        pos += 1
        if pos < n and (buf[pos] == 0x2B or buf[pos] == 0x2D):
            pos += 1
        if pos >= n or not _is_digit(buf[pos]):
            _syntax(r, pos)
        while pos < n and _is_digit(buf[pos]):
            pos += 1
        is_float = True
    r.pos = pos
    if is_float:
        return _float(r, start, pos)
    if digits <= SMALL_INT_DIGITS:
        for pos in range(digits_start, digits_start + digits):
            acc = acc * 10 + (buf[pos] - 0x30)
        return PyLong_FromLongLong(-acc if negative else acc)
    if digits > MAX_INT_DIGITS:
        _fail(r, _TOO_LARGE)
    return _big_int(r, start, digits_start + digits)


cdef object _parse(Reader* r, Py_ssize_t max_depth):
    cdef const unsigned char* buf = r.buf
    cdef Py_ssize_t n = r.n
    # The innermost open container and its pending member name live in locals; outer ones
    # are pushed on `outer` (created only for nested documents).
    cdef object container = None
    cdef object key = None
    cdef bint is_object = False
    cdef list outer = None
    cdef Py_ssize_t depth = 0
    cdef Py_ssize_t size
    cdef unsigned char c
    cdef object value
    while True:
        _skip_ws(r)
        if r.pos >= n:
            _syntax(r, r.pos)
        c = buf[r.pos]
        if c == 0x22:
            value = _string(r)
        elif c == 0x7B or c == 0x5B:
            if depth >= max_depth:
                _fail(r, _TOO_DEEP)
            r.pos += 1
            _skip_ws(r)
            if r.pos < n and buf[r.pos] == c + 2:  # "}" is "{" + 2, "]" is "[" + 2
                r.pos += 1
                value = {} if c == 0x7B else []
            else:
                if depth > 0:
                    if outer is None:
                        outer = []
                    outer.append(container)
                    outer.append(key)
                depth += 1
                if c == 0x7B:
                    key = _key(r)
                    # the top-level object (a JWT's claims: typically 6 to 10 members) starts at its likely size,
                    # skipping the resize a new dict makes at its sixth member; nested objects start small
                    container = _dict_presized(TOP_LEVEL_MEMBERS) if depth == 1 else {}
                    is_object = True
                else:
                    key = None
                    container = []
                    is_object = False
                continue
        elif c == 0x2D or _is_digit(c):
            value = _number(r)
        elif c == 0x74:
            value = _literal(r, "true", 4, True)
        elif c == 0x66:
            value = _literal(r, "false", 5, False)
        elif c == 0x6E:
            value = _literal(r, "null", 4, None)
        elif (c == 0x4E and _matches(r, r.pos, "NaN", 3)) or (c == 0x49 and _matches(r, r.pos, "Infinity", 8)):
            _fail(r, _NON_FINITE)
        else:
            _syntax(r, r.pos)
        # A value is complete: attach it to its container, closing containers as they end.
        while True:
            if depth == 0:
                _skip_ws(r)
                if r.pos != n:
                    _syntax(r, r.pos)
                return value
            if is_object:
                size = PyDict_Size(container)
                PyDict_SetItem(container, key, value)
                if PyDict_Size(container) == size:
                    _fail(r, _DUPLICATE)
            else:
                PyList_Append(container, value)
            _skip_ws(r)
            if r.pos >= n:
                _syntax(r, r.pos)
            c = buf[r.pos]
            if c == 0x2C:
                r.pos += 1
                if is_object:
                    _skip_ws(r)
                    key = _key(r)
                break
            if c == (0x7D if is_object else 0x5D):
                r.pos += 1
                value = container
                depth -= 1
                if depth > 0:
                    key = outer.pop()
                    container = outer.pop()
                    is_object = type(container) is dict
                continue
            _syntax(r, r.pos)
