# Headers: decode limits, copies and footprints of parsed values, the header cache and header checks.
# Included by _core_c.pyx (one compiled module: calls between fragments are plain C calls).


cdef class DecodeLimits:
    """Size and depth bounds for untrusted tokens (documented defaults, configurable)."""

    cdef public Py_ssize_t max_token_length, max_header_length
    cdef public int max_depth
    cdef public bint allow_padding

    def __init__(self, max_token_length=MAX_TOKEN_LENGTH, max_header_length=MAX_HEADER_LENGTH,
                 max_depth=MAX_JSON_DEPTH, allow_padding=False):
        depth = operator.index(max_depth)  # an int: not a float or a numeric string
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
    """The header members that are checked before any key is looked up: ``kid`` and ``crit`` (RFC 7515 4.1.11)."""
    _given(header, "header")
    kid = header.get("kid", _MISSING)
    if kid is not _MISSING and not isinstance(kid, str):
        raise InvalidTokenError("Key ID header parameter must be a string")
    crit = header.get("crit", _MISSING)
    if crit is _MISSING:
        return
    if not isinstance(crit, list) or not crit:
        raise InvalidTokenError("Invalid 'crit' header: must be a non-empty list")
    # The first entry with a problem names it (the messages are PyJWT's, which users match on). The list is the
    # token's own parse, so iterating it runs no code of anyone else's.
    for name in <list>crit:
        problem = _crit_problem(name, header, supported_crit)
        if problem is not None:
            raise InvalidTokenError(problem)


cdef str _crit_problem(name, dict header, supported_crit):
    """What is wrong with one ``crit`` entry: not a name, not understood here, or not in the header; else None."""
    if not isinstance(name, str):
        return "Invalid 'crit' header: values must be strings"
    if name not in supported_crit:
        return f"Unsupported critical extension: {printable(name)}"
    if name not in header:
        return f"Critical extension '{printable(name)}' is missing from headers"
    return None
