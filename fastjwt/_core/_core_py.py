"""Pure-Python twin of the compiled core (``fastjwt/_core/_core_c.pyx``): the names it exports, gathered.

Same names, same behaviour, same exceptions and messages as the compiled module; the test suite runs against both
and a differential fuzzer checks them against each other. Keep the two in step: a change here is a change there.

What lives in the core is the per-token hot path:

* strict Base64url codecs (:func:`b64url_encode`, :func:`b64url_decode`);
* prepared keys (:class:`HMACKey`, :class:`RSAKey`, :class:`ECKey`, :class:`EdKey`, :class:`AlgorithmKey`): a
  ``cryptography`` key wrapped once, with ``sign(msg)`` and ``verify(msg, sig)``;
* :class:`ClaimRules`: the registered-claim checks, prepared once from the caller's options;
* :class:`HeaderCache`: parsed header segments, bounded;
* :func:`load_token`, :func:`decode_token` and :func:`encode_token`: the whole decode and encode pipelines.
"""

from __future__ import annotations

from ._b64_py import b64url_decode, b64url_encode
from ._claims_py import ClaimRules, seconds, set_clock_namespace, wall_clock
from ._common_py import (
    ERROR_CACHE_MAX_TOKEN_LENGTH,
    HEADER_CACHE_BYTES,
    HEADER_CACHE_SIZE,
    HEADER_ENTRY_MAX_BYTES,
    MAX_HEADER_LENGTH,
    MAX_JSON_DEPTH,
    MAX_JSON_DEPTH_LIMIT,
    MAX_TOKEN_LENGTH,
    TOKEN_CACHE_BYTES,
)
from ._decoder_py import Decoder
from ._dropin_py import (
    ALGORITHM_UNSET,
    bind_drop_in,
    drop_in_decode,
    drop_in_encode,
    drop_in_key,
    encode_claims,
    forget_drop_in,
    sign_compact,
)
from ._headers_py import DecodeLimits, HeaderCache, copy_json, footprint, parse_header, validate_header
from ._prepared_py import AlgorithmKey, ECKey, EdKey, HMACKey, PreparedKey, RSAKey, raw_to_der
from ._token_py import (
    DEFAULT_LIMITS,
    check_algorithm,
    load_token,
    parse_payload,
    token_bytes,
    verify_signature,
    warn_or_raise_key_length,
)

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
