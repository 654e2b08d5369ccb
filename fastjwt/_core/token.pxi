# Tokens: splitting and decoding a compact JWS, the algorithm allow-list, payload parsing, signature checks.
# Included by _core_c.pyx (one compiled module: calls between fragments are plain C calls).


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
    cdef DecodeLimits limits  # the limits this token was read under
    cdef unsigned long generation  # the decoder's settings generation when this call began
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
    out.limits = limits
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
