# The JSON writer: a growable buffer (on the caller's stack first) and the exact-type fast path of dumps.
# Included by _json_c.pyx.


cdef object _ABSENT = object()  # what dict.get gives for a member that went away while writing

cdef enum:
    WRITER_STACK_BUF = 512

cdef struct Writer:
    char* buf
    Py_ssize_t length
    Py_ssize_t capacity
    bint on_heap


cdef int _reserve(Writer* w, Py_ssize_t extra) except -1:
    cdef Py_ssize_t capacity = w.capacity
    cdef char* grown
    if w.length + extra <= capacity:
        return 0
    while capacity < w.length + extra:
        capacity *= 2
    if w.on_heap:
        grown = <char*>PyMem_Realloc(w.buf, capacity)
        if grown == NULL:
            raise MemoryError()
    else:  # leaving the caller's stack buffer
        grown = <char*>PyMem_Malloc(capacity)
        if grown == NULL:
            raise MemoryError()
        memcpy(grown, w.buf, w.length)
        w.on_heap = True
    w.buf = grown
    w.capacity = capacity
    return 0


cdef inline int _write(Writer* w, const char* data, Py_ssize_t size) except -1:
    _reserve(w, size)
    memcpy(w.buf + w.length, data, size)
    w.length += size
    return 0


cdef inline int _write_char(Writer* w, char c) except -1:
    _reserve(w, 1)
    w.buf[w.length] = c
    w.length += 1
    return 0


cdef const char* _HEXDIGITS = "0123456789abcdef"


cdef inline Py_ssize_t _escape_unit(char* out, unsigned int c) noexcept nogil:
    out[0] = b'\\'
    out[1] = b'u'
    out[2] = _HEXDIGITS[(c >> 12) & 0xF]
    out[3] = _HEXDIGITS[(c >> 8) & 0xF]
    out[4] = _HEXDIGITS[(c >> 4) & 0xF]
    out[5] = _HEXDIGITS[c & 0xF]
    return 6


cdef int _write_str(Writer* w, str s) except -1:
    """json's ensure_ascii encoding (c_encode_basestring_ascii)."""
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(s)
    cdef int kind = PyUnicode_KIND(s)
    cdef void* data = PyUnicode_DATA(s)
    cdef Py_ssize_t i
    cdef uint32_t c
    cdef char* out
    # Worst case: 12 bytes per code point (a surrogate pair of \\uXXXX) plus the quotes.
    _reserve(w, (12 if kind == PyUnicode_4BYTE_KIND else 6) * length + 2)
    out = w.buf + w.length
    out[0] = b'"'
    out += 1
    cdef uint64_t word
    if PyUnicode_IS_ASCII(s):
        i = 0
        # eight characters at a time while none needs escaping (quote, backslash, control, DEL)
        while i + 8 <= length:
            memcpy(&word, <const unsigned char*>data + i, 8)
            if _special_byte_in(word) or _has_byte(word, 0x7F):
                break
            memcpy(out, &word, 8)
            out += 8
            i += 8
        while i < length:
            c = (<const unsigned char*>data)[i]
            if _STR_CLASS[c] == 0 and c != 0x7F:
                out[0] = <char>c
                out += 1
                i += 1
                continue
            break
        if i == length:
            out[0] = b'"'
            w.length = out + 1 - w.buf
            return 0
        data = <void*>(<const unsigned char*>data + i)
        length -= i
    for i in range(length):
        c = PyUnicode_READ(kind, data, i)
        if 0x20 <= c < 0x7F and c != 0x22 and c != 0x5C:
            out[0] = <char>c
            out += 1
        elif c == 0x22:
            out[0] = b'\\'
            out[1] = b'"'
            out += 2
        elif c == 0x5C:
            out[0] = b'\\'
            out[1] = b'\\'
            out += 2
        elif c == 0x0A:
            out[0] = b'\\'
            out[1] = b'n'
            out += 2
        elif c == 0x0D:
            out[0] = b'\\'
            out[1] = b'r'
            out += 2
        elif c == 0x09:
            out[0] = b'\\'
            out[1] = b't'
            out += 2
        elif c == 0x08:
            out[0] = b'\\'
            out[1] = b'b'
            out += 2
        elif c == 0x0C:
            out[0] = b'\\'
            out[1] = b'f'
            out += 2
        elif c >= 0x10000:
            c -= 0x10000
            out += _escape_unit(out, 0xD800 | ((c >> 10) & 0x3FF))
            out += _escape_unit(out, 0xDC00 | (c & 0x3FF))
        else:
            out += _escape_unit(out, c)
    out[0] = b'"'
    out += 1
    w.length = out - w.buf
    return 0


cdef int _write_int(Writer* w, object obj) except -1:
    """Write an exact int; return 1 if json.dumps must handle it (too many digits)."""
    cdef int overflow = 0
    cdef long long value = PyLong_AsLongLongAndOverflow(obj, &overflow)
    cdef unsigned long long magnitude
    cdef char digits[24]
    cdef Py_ssize_t i = 24
    cdef bytes text
    if overflow == 0:
        if value < 0:
            magnitude = <unsigned long long>(-(value + 1)) + 1
        else:
            magnitude = <unsigned long long>value
        while True:
            i -= 1
            digits[i] = <char>(0x30 + magnitude % 10)
            magnitude //= 10
            if magnitude == 0:
                break
        if value < 0:
            i -= 1
            digits[i] = b'-'
        return _write(w, digits + i, 24 - i)
    try:
        text = int.__repr__(obj).encode("ascii")
    except ValueError:  # more digits than sys.get_int_max_str_digits(): json.dumps raises it
        return 1
    return _write(w, PyBytes_AS_STRING(text), PyBytes_GET_SIZE(text))


cdef int _write_float(Writer* w, double value) except -1:
    cdef char* text
    cdef Py_ssize_t size = 0
    if isnan(value) or isinf(value):
        return 1  # refused: json.dumps (allow_nan=False) raises its ValueError
    # float.__repr__: shortest repr that round-trips, ".0" added to integral values.
    text = PyOS_double_to_string(value, b'r', 0, Py_DTSF_ADD_DOT_0, NULL)
    try:
        while text[size] != 0:
            size += 1
        _write(w, text, size)
    finally:
        PyMem_Free(text)
    return 0


cdef int _dump(Writer* w, object obj, int depth, bint sort_keys) except -1:
    """Append obj; return 1 as soon as something needs json.dumps (the caller starts over)."""
    cdef type t = type(obj)
    cdef Py_ssize_t i, size
    cdef Py_ssize_t position = 0
    cdef PyObject* key_ptr
    cdef PyObject* value_ptr
    cdef list keys
    cdef object key, value
    if t is str:
        return _write_str(w, <str>obj)
    if obj is None:
        return _write(w, "null", 4)
    if obj is True:
        return _write(w, "true", 4)
    if obj is False:
        return _write(w, "false", 5)
    if t is int:
        return _write_int(w, obj)
    if t is float:
        return _write_float(w, PyFloat_AS_DOUBLE(obj))
    if depth >= DUMPS_MAX_DEPTH:
        return 1
    if t is dict:
        size = PyDict_Size(obj)
        if size == 0:
            return _write(w, "{}", 2)
        _write_char(w, b'{')
        if sort_keys:
            keys = PyDict_Keys(obj)
            # Building the list may run the collector, and a finalizer may change the dict: then json.dumps decides.
            # Past this check ``keys`` is this call's own list: its size is fixed.
            if PyList_GET_SIZE(keys) != size:
                return 1
            for i in range(size):
                if type(<object>PyList_GET_ITEM(keys, i)) is not str:
                    return 1
            PyList_Sort(keys)
            for i in range(size):
                key = <object>PyList_GET_ITEM(keys, i)
                if i:
                    _write_char(w, b',')
                _write_str(w, <str>key)
                _write_char(w, b':')
                value = (<dict>obj).get(key, _ABSENT)
                if value is _ABSENT or _dump(w, value, depth + 1, sort_keys) or PyDict_Size(obj) != size:
                    return 1
        else:
            i = 0
            while PyDict_Next(obj, &position, &key_ptr, &value_ptr):
                # Strong references before anything that allocates: a collection could run a finalizer that
                # changes this dict. If it does change size, json.dumps starts over (and raises as it does).
                key = <object>key_ptr
                value = <object>value_ptr
                if type(key) is not str:
                    return 1
                if i:
                    _write_char(w, b',')
                i += 1
                _write_str(w, <str>key)
                _write_char(w, b':')
                if _dump(w, value, depth + 1, sort_keys) or PyDict_Size(obj) != size:
                    return 1
        return _write_char(w, b'}')
    if t is list:
        _write_char(w, b'[')
        i = 0
        while i < PyList_GET_SIZE(obj):  # re-read: the list is the caller's and may change under a finalizer
            if i:
                _write_char(w, b',')
            value = <object>PyList_GET_ITEM(obj, i)
            if _dump(w, value, depth + 1, sort_keys):
                return 1
            i += 1
        return _write_char(w, b']')
    if t is tuple:
        size = PyTuple_GET_SIZE(obj)
        _write_char(w, b'[')
        for i in range(size):
            if i:
                _write_char(w, b',')
            if _dump(w, <object>PyTuple_GET_ITEM(obj, i), depth + 1, sort_keys):
                return 1
        return _write_char(w, b']')
    return 1
