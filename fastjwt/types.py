"""Type names of the public API: a JWK as a dict, a hashlib constructor, and the ``options`` dicts of decoding.

The option dicts are ``TypedDict``s with PyJWT's keys, so a type checker catches a misspelt option. ``Options`` and
``SigOptions`` are partial (pass only what you change); ``FullOptions`` is the complete set after defaults are applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

__all__ = ["FullOptions", "HashlibHash", "JWKDict", "Options", "SigOptions"]

#: A JSON Web Key (RFC 7517) as decoded JSON: member name to value.
JWKDict = dict[str, Any]

#: A hash constructor from :mod:`hashlib` (``hashlib.sha256``), as the HMAC algorithms take it.
HashlibHash = Callable[..., Any]


class SigOptions(TypedDict, total=False):
    """What :class:`~fastjwt.api_jws.PyJWS` lets a caller switch: the signature layer has no claims to check.

    ``verify_signature`` (default ``True``): check the signature; ``False`` reads the token unverified.
    ``enforce_minimum_key_length`` (default ``False``): a key shorter than recommended raises
    :class:`~fastjwt.exceptions.InvalidKeyError` instead of warning with
    :class:`~fastjwt.warnings.InsecureKeyLengthWarning`.
    """

    verify_signature: bool
    enforce_minimum_key_length: bool


class Options(TypedDict, total=False):
    """What :func:`fastjwt.decode` and :func:`fastjwt.decode_complete` let a caller switch.

    Every ``verify_*`` flag defaults to the value of ``verify_signature`` (itself ``True``). The time and string
    claims (``exp``, ``nbf``, ``iat``, ``sub``, ``jti``) are checked only when the token carries them: list the ones
    that must be present in ``require``.

    * ``verify_signature``: check the signature.
    * ``require``: claim names that must be present (presence only; their values are checked by the flags below).
    * ``verify_aud``: ``aud`` must name one of the expected audiences.
    * ``strict_aud``: ``aud`` must be a single string equal to the one expected audience.
    * ``verify_exp``: ``exp`` must lie in the future.
    * ``verify_nbf``: ``nbf`` must lie in the past.
    * ``verify_iat``: ``iat`` must be a number.
    * ``verify_iss``: ``iss`` must be the expected issuer.
    * ``verify_sub``: ``sub`` must be a string, and the expected subject when one is given.
    * ``verify_jti``: ``jti`` must be a string.
    * ``enforce_minimum_key_length``: a short key raises instead of warning.
    """

    verify_signature: bool
    require: list[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool


class FullOptions(TypedDict):
    """:class:`Options` with every key present: what decoding works from once the defaults are filled in."""

    verify_signature: bool
    require: list[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool
