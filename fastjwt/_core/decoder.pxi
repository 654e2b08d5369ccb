# Decoder: one prepared decode configuration, its header plan and its verified-token cache.
# Included by _core_c.pyx (one compiled module: calls between fragments are plain C calls).


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
    # Bumped by every setter a plan depends on: a call that began under older settings never installs its plan.
    cdef unsigned long _generation
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
        self._forget_plan()

    @property
    def allowed(self):
        """The algorithms the caller allows (None: any the key supports)."""
        return self._allowed

    @allowed.setter
    def allowed(self, value):
        self._allowed = value
        self._forget_plan()

    @property
    def supported_crit(self):
        """The ``crit`` header extensions this decoder understands."""
        return self._supported_crit

    @supported_crit.setter
    def supported_crit(self, value):
        self._supported_crit = frozenset(value)
        self._forget_plan()

    @property
    def typ(self):
        """The required ``typ`` header (normalised), or None."""
        return self._typ

    @typ.setter
    def typ(self, value):
        self._typ = None if value is None else _normalise_typ(value)
        self._forget_plan()

    @property
    def verify(self):
        """Whether signatures are checked."""
        return self._verify

    @verify.setter
    def verify(self, value):
        self._verify = bool(value)
        self._forget_plan()

    cdef _forget_plan(self):
        self._generation += 1
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
        cdef unsigned long generation = self._generation
        cdef _Loaded loaded = _load(token, self._limits, self.header_cache, self._plan,
                                    scratch if use_scratch else NULL, SCRATCH_SIZE)
        loaded.generation = generation
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
            return detached_payload if rules is None else parse_payload(detached_payload, loaded.limits.max_depth)
        if rules is None:
            return loaded.payload
        claims = _claims_from(loaded.payload_data, loaded.payload_len, loaded.limits.max_depth)
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
        plan.cost = cost - PyBytes_GET_SIZE(loaded.header_segment)  # the header alone, as the twin counts it
        loaded.plan = plan
        if self._generation == loaded.generation:  # else a setting changed since this call began: no plan
            self._plan = plan
        if loaded.header_parsed and self.header_cache is not None:
            self.header_cache.store(loaded.header_segment, header, loaded.limits)

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
