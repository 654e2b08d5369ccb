# Encoding and the drop-in memos: claims to JSON, compact assembly, fastjwt.encode and fastjwt.decode.
# Included by _core_c.pyx (one compiled module: calls between fragments are plain C calls).


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
            claims_json = encode_claims(payload, None)  # may run the payload's own Python code
            if _last_drop_in_encode is last:  # and that code may have unregistered the algorithm: then start over
                return sign_compact(last[4], claims_json, <PreparedKey>last[5], False)
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
    from .. import _keys

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
