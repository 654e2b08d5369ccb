"""Every error fastjwt raises on purpose, under one root: :class:`PyJWTError`.

The class names and the tree are PyJWT's, so ``except jwt.InvalidTokenError`` written for PyJWT catches the same
failures here. In short: a token that is refused is an :class:`InvalidTokenError` (a token that cannot even be read is
a :class:`DecodeError`), a key the caller passed that cannot be used is an :class:`InvalidKeyError`, and the
JWK / JWK Set / JWKS-client failures each have a branch of their own.
"""

from __future__ import annotations

__all__ = [
    "PyJWTError",
    "InvalidTokenError",
    "DecodeError",
    "InvalidSignatureError",
    "ExpiredSignatureError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidIssuedAtError",
    "ImmatureSignatureError",
    "InvalidKeyError",
    "InvalidAlgorithmError",
    "MissingRequiredClaimError",
    "PyJWKError",
    "MissingCryptographyError",
    "PyJWKSetError",
    "PyJWKClientError",
    "PyJWKClientConnectionError",
    "InvalidSubjectError",
    "InvalidJTIError",
]


class PyJWTError(Exception):
    """The root of the tree: catch this to catch every failure fastjwt reports."""


class InvalidTokenError(PyJWTError):
    """The token was refused: its form, signature, algorithm or one of its claims did not pass."""


class DecodeError(InvalidTokenError):
    """The token could not be read: wrong number of segments, bad Base64url, bad JSON, or no usable ``alg``."""


class InvalidSignatureError(DecodeError):
    """The signature does not verify with the caller's key."""


class ExpiredSignatureError(InvalidTokenError):
    """The ``exp`` claim is in the past (after the allowed leeway)."""


class InvalidAudienceError(InvalidTokenError):
    """The ``aud`` claim is missing when an audience is expected, malformed, or names none of the expected ones."""


class InvalidIssuerError(InvalidTokenError):
    """The ``iss`` claim is missing when an issuer is expected, or is not the expected one."""


class InvalidIssuedAtError(InvalidTokenError):
    """The ``iat`` claim is not a number."""


class ImmatureSignatureError(InvalidTokenError):
    """The token is not valid yet: ``nbf`` (or ``iat``) lies in the future (after the allowed leeway)."""


class InvalidKeyError(PyJWTError):
    """The key cannot be used as given: wrong form or family, wrong curve, unreadable, or refused for the algorithm."""


class InvalidAlgorithmError(InvalidTokenError):
    """The token's ``alg`` is not one the caller allows, not one fastjwt knows, or not the key's own."""


class MissingRequiredClaimError(InvalidTokenError):
    """A claim the caller requires is absent from the token.

    :ivar claim: the name of the missing claim.
    """

    def __init__(self, claim: str) -> None:
        super().__init__(claim)
        self.claim = claim

    def __str__(self) -> str:
        return f'Token is missing the "{self.claim}" claim'


class PyJWKError(PyJWTError):
    """A JSON Web Key cannot be turned into a usable key, e.g. no algorithm fits it."""


class MissingCryptographyError(PyJWKError):
    """Kept for PyJWT code that catches it; fastjwt always has ``cryptography`` and never raises it."""


class PyJWKSetError(PyJWTError):
    """A JWK Set document is malformed or holds no key fastjwt can use."""


class PyJWKClientError(PyJWTError):
    """The JWKS client could not provide a signing key: bad response, no matching ``kid``, refused URL."""


class PyJWKClientConnectionError(PyJWKClientError):
    """The JWKS endpoint could not be reached, or did not answer in time."""


class InvalidSubjectError(InvalidTokenError):
    """The ``sub`` claim is not a string, or is not the expected subject."""


class InvalidJTIError(InvalidTokenError):
    """The ``jti`` claim is not a string."""
