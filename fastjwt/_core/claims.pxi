# Claims: the clock both cores share and the registered-claim checks (ClaimRules).
# Included by _core_c.pyx (one compiled module: calls between fragments are plain C calls).


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


cdef dict _plain_claims(claims):
    """A mapping of claims as a plain dict, read through its own ``__iter__`` and ``__getitem__``."""
    _given(claims, "claims")
    return {name: claims[name] for name in claims}


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

    cpdef check(self, claims, double now):
        """Raise the PyJWT exception for the first claim that fails, in PyJWT's order.

        ``claims`` is a dict, or any mapping (a ``_decode_payload`` hook may return one): a mapping is read through
        its own ``__iter__`` and ``__getitem__`` into a plain dict first, the same on both cores.
        """
        cdef dict payload = claims if type(claims) is dict else _plain_claims(claims)
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
