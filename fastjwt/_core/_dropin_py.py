"""Encoding and the drop-in entry points ``fastjwt.encode``/``fastjwt.decode`` (twin of ``dropin.pxi``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import _json
from ._b64_py import b64url_encode
from ._common_py import _given
from ._prepared_py import PreparedKey

_TIME_CLAIMS = ("exp", "iat", "nbf")


def encode_claims(payload: Any, json_encoder: Any) -> bytes:
    """PyJWT's payload preparation: dict only, datetimes in time claims to ints, ``iss`` a string; then JSON."""
    if not isinstance(payload, dict):
        raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
    for claim in _TIME_CLAIMS:
        value = payload.get(claim)
        if isinstance(value, datetime):
            payload = dict(payload)
            break
    else:
        value = None
    if value is not None:
        import calendar

        for claim in _TIME_CLAIMS:
            value = payload.get(claim)
            if isinstance(value, datetime):
                payload[claim] = calendar.timegm(value.utctimetuple())
    if "iss" in payload and not isinstance(payload["iss"], str):
        raise TypeError("Issuer (iss) must be a string.")
    return _json.dumps(payload, cls=json_encoder)


def sign_compact(header_segment: bytes, payload: bytes, key: PreparedKey, detached: bool) -> str:
    """Assemble ``header.payload.signature`` (payload segment empty when detached) as str."""
    _given(header_segment, "header_segment")
    _given(payload, "payload")
    _given(key, "key")
    payload_segment = payload if detached else b64url_encode(payload)
    signing_input = header_segment + b"." + payload_segment
    signature = b64url_encode(key.sign(signing_input))
    if detached:
        return (header_segment + b".." + signature).decode("ascii")
    return (signing_input + b"." + signature).decode("ascii")


def drop_in_key(key: Any, algorithms: Any, audience: Any, issuer: Any, subject: Any, leeway: Any) -> tuple[Any, ...]:
    """The decoder-cache key of a drop-in ``decode`` call without options (TypeError if an argument is unhashable)."""
    result = (
        key if type(key) is str or type(key) is bytes else id(key),
        tuple(algorithms) if type(algorithms) is list else algorithms,
        tuple(audience) if type(audience) is list else audience,
        tuple(issuer) if type(issuer) is list else issuer,
        subject,
        leeway,
    )
    hash(result)
    return result


_drop_in_owner: Any = None


def bind_drop_in(owner: Any) -> None:
    """Make ``owner`` (a ``PyJWT``) the object behind :func:`drop_in_decode`."""
    global _drop_in_owner
    _drop_in_owner = owner


#: ``algorithm``'s default in ``encode``: HS256, or a PyJWK's own algorithm (``None`` means ``none``, as in PyJWT).
ALGORITHM_UNSET: Any = object()


def forget_drop_in() -> None:
    """Forget the last drop-in calls (the owner's algorithms changed); the twin keeps no such memo."""


def drop_in_encode(
    payload: Any,
    key: Any,
    algorithm: Any = ALGORITHM_UNSET,
    headers: Any = None,
    json_encoder: Any = None,
    sort_headers: bool = True,
) -> str:
    """``fastjwt.encode``: PyJWT's ``encode`` signature, handed to the bound ``PyJWT`` object's ``encode``."""
    return _drop_in_owner.encode(payload, key, algorithm, headers, json_encoder, sort_headers)  # type: ignore[no-any-return]


def drop_in_decode(
    jwt: Any,
    key: Any = "",
    algorithms: Any = None,
    options: Any = None,
    verify: Any = None,
    detached_payload: Any = None,
    audience: Any = None,
    subject: Any = None,
    issuer: Any = None,
    leeway: Any = 0,
    **kwargs: Any,
) -> Any:
    """``fastjwt.decode``: PyJWT's ``decode`` signature; a repeated plain call goes straight to its cached Decoder.

    Anything else (options, detached payloads, deprecated arguments, a first call) is handed to the bound
    ``PyJWT`` object's ``decode``, which prepares and caches the Decoder.
    """
    owner = _drop_in_owner
    if not kwargs and options is None and verify is None and detached_payload is None:
        try:
            entry = owner._jws._decoders.get(drop_in_key(key, algorithms, audience, issuer, subject, leeway))
        except TypeError:
            entry = None
        if entry is not None and (entry[0] is key or type(key) is str or type(key) is bytes):
            return entry[1].decode(jwt)
    return owner.decode(
        jwt, key, algorithms, options, verify, detached_payload, audience, subject, issuer, leeway, **kwargs
    )
