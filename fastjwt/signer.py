"""Prepared signing: :class:`Signer` makes tokens with one key, algorithm and header, all prepared once."""

from __future__ import annotations

import json
import warnings
from typing import Any

from . import _core, _keys
from ._keys.jwk import JWK
from .api_jws import PyJWS, _jws_global_obj
from .exceptions import InvalidKeyError
from .warnings import InsecureKeyLengthWarning


class Signer:
    """Sign payloads with a fixed key: the key is parsed and the header segment encoded once.

    ``Signer(key, "RS256").encode(claims)`` returns the same string as ``fastjwt.encode(claims, key, "RS256")``
    (and PyJWT's ``jwt.encode``) for deterministic algorithms. Safe to share between threads.

    :param key: the signing key: an HMAC secret, a private key PEM, a ``cryptography`` private key, or a ``PyJWK``.
    :param algorithm: the ``alg`` to sign with (``headers["alg"]`` wins, as in PyJWT).
    :param headers: extra header members, e.g. ``{"kid": "2026-01"}``.
    :param json_encoder: a ``json.JSONEncoder`` subclass for payload and header.
    :param sort_headers: sort header members (PyJWT's default).
    :param enforce_minimum_key_length: refuse short keys (``InvalidKeyError``) instead of warning.
    """

    def __init__(
        self,
        key: Any,
        algorithm: str = "HS256",
        *,
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
        enforce_minimum_key_length: bool = False,
    ) -> None:
        detached = False
        if headers:
            if headers.get("alg"):
                algorithm = headers["alg"]
            if headers.get("b64") is False:
                raise ValueError("Signer does not make detached-payload tokens; use fastjwt.api_jws.encode")
        self.algorithm = algorithm
        self.headers = dict(headers) if headers else None
        self._json_encoder = json_encoder
        jws = PyJWS()
        self._header_segment = jws._header_segment(algorithm, headers, json_encoder, detached, sort_headers)
        registry = _jws_global_obj._algorithms  # defaults plus fastjwt.register_algorithm additions
        try:
            alg_obj = registry[algorithm]
        except KeyError:
            raise NotImplementedError("Algorithm not supported") from None
        if isinstance(key, JWK):  # a PyJWK, or the key layer's own JWK: sign with the key it holds
            key = key.key
        self._key = _keys.prepare(algorithm, alg_obj, key)
        if self._key.key_length_msg is not None:
            if enforce_minimum_key_length:
                raise InvalidKeyError(self._key.key_length_msg)
            warnings.warn(self._key.key_length_msg, InsecureKeyLengthWarning, stacklevel=2)

    def encode(self, payload: dict[str, Any]) -> str:
        """Sign ``payload`` (a dict of claims; datetimes in ``exp``/``iat``/``nbf`` become ints) into a token."""
        return _core.sign_compact(
            self._header_segment, _core.encode_claims(payload, self._json_encoder), self._key, False
        )

    def sign_bytes(self, payload: bytes) -> str:
        """Sign raw payload bytes (a JWS whose payload is not necessarily JSON claims)."""
        return _core.sign_compact(self._header_segment, payload, self._key, False)

    def __repr__(self) -> str:
        return f"<Signer {self.algorithm}>"
