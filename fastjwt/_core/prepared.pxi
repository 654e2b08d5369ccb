# Prepared keys: one cryptography key made ready once per algorithm, sign(msg) and verify(msg, sig).
# Included by _core_c.pyx (one compiled module: calls between fragments are plain C calls).


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
