"""The warning categories fastjwt emits (PyJWT's names, so existing ``warnings.filterwarnings`` calls keep working)."""

from __future__ import annotations

__all__ = ["InsecureKeyLengthWarning", "RemovedInPyjwt3Warning"]


class RemovedInPyjwt3Warning(DeprecationWarning):
    """A call uses something PyJWT has announced it will drop in version 3 (e.g. unknown keyword arguments)."""


class InsecureKeyLengthWarning(UserWarning):
    """A key is shorter than recommended: an HMAC secret shorter than the hash, or an RSA modulus under 2048 bits.

    Turn it into an :class:`~fastjwt.exceptions.InvalidKeyError` with the ``enforce_minimum_key_length`` option.
    """
