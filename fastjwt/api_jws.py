"""PyJWT-compatible JWS layer (``jwt.api_jws``): same names, signatures and exceptions; the work is in the core.

Argument handling follows PyJWT 2.15.1 line by line; decoding runs through a prepared :class:`fastjwt._core.Decoder`
that is cached per call configuration, so passing the same key and options on every call costs a dict lookup.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from . import _core, _keys
from ._core import _json
from .algorithms import Algorithm, get_default_algorithms, has_crypto, requires_cryptography
from .api_jwk import PyJWK
from .exceptions import DecodeError, InvalidAlgorithmError, InvalidKeyError, InvalidTokenError
from .warnings import InsecureKeyLengthWarning, RemovedInPyjwt3Warning

if TYPE_CHECKING:
    from .algorithms import AllowedPrivateKeys, AllowedPublicKeys
    from .types import SigOptions

_ALGORITHM_UNSET: Any = _core.ALGORITHM_UNSET
_DECODER_CACHE_SIZE = 128


def allowed_set(algorithms: Sequence[str] | str | None) -> frozenset[str] | None:
    """The caller's algorithm allow-list as a set (a bare string names one algorithm)."""
    if algorithms is None:
        return None
    if isinstance(algorithms, str):
        return frozenset((algorithms,))
    return frozenset(algorithms)


class PyJWS:
    """JSON Web Signature (compact serialization): sign bytes, verify and split tokens."""

    header_typ = "JWT"
    # Extensions that fastjwt understands and supports (RFC 7515 4.1.11).
    _supported_crit: ClassVar[set[str]] = {"b64"}

    def __init__(self, algorithms: Sequence[str] | None = None, options: SigOptions | None = None) -> None:
        self._algorithms = get_default_algorithms()
        self._valid_algs = set(algorithms) if algorithms is not None else set(self._algorithms)
        for key in list(self._algorithms.keys()):
            if key not in self._valid_algs:
                del self._algorithms[key]
        self.options: SigOptions = self._get_default_options()
        if options is not None:
            self.options = {**self.options, **options}
        self._decoders: dict[Any, tuple[Any, _core.Decoder]] = {}
        self.limits = _core.DEFAULT_LIMITS

    @staticmethod
    def _get_default_options() -> SigOptions:
        return {"verify_signature": True, "enforce_minimum_key_length": False}

    # -- algorithm registry -------------------------------------------------------------------------------------------

    def register_algorithm(self, alg_id: str, alg_obj: Algorithm) -> None:
        """Registers a new Algorithm for use when creating and verifying tokens.

        :param str alg_id: the ID of the Algorithm
        :param alg_obj: the Algorithm object
        """
        if alg_id in self._algorithms:
            raise ValueError("Algorithm already has a handler.")
        if not isinstance(alg_obj, Algorithm):
            raise TypeError("Object is not of type `Algorithm`")
        self._algorithms[alg_id] = alg_obj
        self._valid_algs.add(alg_id)
        self._decoders.clear()
        _core.forget_drop_in()

    def unregister_algorithm(self, alg_id: str) -> None:
        """Unregisters an Algorithm for use when creating and verifying tokens.

        :raises KeyError: if algorithm is not registered.
        """
        if alg_id not in self._algorithms:
            raise KeyError("The specified algorithm could not be removed because it is not registered.")
        del self._algorithms[alg_id]
        self._valid_algs.remove(alg_id)
        self._decoders.clear()
        _core.forget_drop_in()

    def get_algorithms(self) -> list[str]:
        """Returns a list of supported values for the `alg` parameter."""
        return list(self._valid_algs)

    def get_algorithm_by_name(self, alg_name: str) -> Algorithm:
        """For a given string name, return the matching Algorithm object (``NotImplementedError`` if unknown)."""
        try:
            return self._algorithms[alg_name]
        except (KeyError, TypeError) as e:
            if not has_crypto and alg_name in requires_cryptography:
                raise NotImplementedError(
                    f"Algorithm '{alg_name}' could not be found. Do you have cryptography installed?"
                ) from e
            raise NotImplementedError("Algorithm not supported") from e

    # -- keys ---------------------------------------------------------------------------------------------------------

    def _prepare_for(self, alg: str, key: Any) -> _core.PreparedKey:
        """The prepared key for a token's ``alg`` (cached); PyJWK keys are bound to their own algorithm."""
        if isinstance(key, PyJWK):
            if alg != key.algorithm_name:
                raise InvalidAlgorithmError(
                    f"Token algorithm {alg!r} does not match the key's algorithm {key.algorithm_name!r}"
                )
            return _keys.prepare(alg, key.Algorithm, key.key)
        try:
            algorithm = self.get_algorithm_by_name(alg)
        except NotImplementedError as e:
            raise InvalidAlgorithmError("Algorithm not supported") from e
        return _keys.prepare(alg, algorithm, key)

    # -- encode -------------------------------------------------------------------------------------------------------

    def encode(
        self,
        payload: bytes,
        key: AllowedPrivateKeys | PyJWK | str | bytes,
        algorithm: str | None = _ALGORITHM_UNSET,
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        is_payload_detached: bool = False,
        sort_headers: bool = True,
    ) -> str:
        """Sign ``payload`` bytes and return the compact JWS (PyJWT's ``PyJWS.encode``)."""
        if algorithm is _ALGORITHM_UNSET:
            algorithm_ = key.algorithm_name if isinstance(key, PyJWK) else "HS256"
        elif algorithm is None:
            algorithm_ = key.algorithm_name if isinstance(key, PyJWK) else "none"
        else:
            algorithm_ = algorithm
        if headers:
            headers_alg = headers.get("alg")
            if headers_alg:
                algorithm_ = headers["alg"]
            if headers.get("b64") is False:
                is_payload_detached = True
        header_segment = self._header_segment(algorithm_, headers, json_encoder, is_payload_detached, sort_headers)
        alg_obj = self.get_algorithm_by_name(algorithm_)
        if isinstance(key, PyJWK):
            key = key.key
        prepared = _keys.prepare(algorithm_, alg_obj, key)
        if prepared.key_length_msg is not None:
            if self.options.get("enforce_minimum_key_length", False):
                raise InvalidKeyError(prepared.key_length_msg)
            warnings.warn(prepared.key_length_msg, InsecureKeyLengthWarning, stacklevel=2)
        return _core.sign_compact(header_segment, payload, prepared, is_payload_detached)

    def _header_segment(
        self,
        algorithm: str,
        headers: dict[str, Any] | None,
        json_encoder: type[json.JSONEncoder] | None,
        is_payload_detached: bool,
        sort_headers: bool,
    ) -> bytes:
        header: dict[str, Any] = {"typ": self.header_typ, "alg": algorithm}
        if headers:
            self._validate_headers(headers, encoding=True)
            header.update(headers)
        if not header["typ"]:
            del header["typ"]
        if is_payload_detached:
            header["b64"] = False
            existing_crit = header.get("crit", [])
            if not isinstance(existing_crit, list):
                raise InvalidTokenError("Invalid 'crit' header: must be a list")
            if "b64" not in existing_crit:
                header["crit"] = [*existing_crit, "b64"]
        elif "b64" in header:
            del header["b64"]
        return _core.b64url_encode(_json.dumps(header, sort_keys=sort_headers, cls=json_encoder))

    # -- decode -------------------------------------------------------------------------------------------------------

    def decode_complete(
        self,
        jwt: str | bytes,
        key: AllowedPublicKeys | PyJWK | str | bytes = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Verify a JWS and return ``{"payload": bytes, "header": dict, "signature": bytes}``."""
        if kwargs:
            _warn_kwargs("decode_complete", kwargs)
        merged: dict[str, Any] = dict(self.options) if options is None else {**self.options, **options}
        verify_signature = merged["verify_signature"]
        if verify_signature and not algorithms and not isinstance(key, PyJWK):
            raise DecodeError(
                'It is required that you pass in a value for the "algorithms" argument when calling decode().'
            )
        decoder = self._decoder(key, algorithms, verify_signature, merged.get("enforce_minimum_key_length", False))
        return decoder.decode_complete(jwt, detached_payload)

    def decode(
        self,
        jwt: str | bytes,
        key: AllowedPublicKeys | PyJWK | str | bytes = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> Any:
        """Verify a JWS and return its payload bytes."""
        if kwargs:
            _warn_kwargs("decode", kwargs)
        decoded = self.decode_complete(jwt, key, algorithms, options, detached_payload=detached_payload)
        return decoded["payload"]

    def get_unverified_header(self, jwt: str | bytes) -> dict[str, Any]:
        """Returns back the JWT header parameters as a `dict`.

        Note: The signature is not verified so the header parameters should not be fully trusted until signature
        verification is complete.
        """
        header = _core.load_token(jwt, self.limits)[2]
        self._validate_headers(header)
        return dict(header)

    def _decoder(self, key: Any, algorithms: Any, verify_signature: bool, enforce: bool) -> _core.Decoder:
        """A prepared decoder for this configuration, cached while the configuration repeats."""
        allowed = allowed_set(algorithms)
        if allowed is None and isinstance(key, PyJWK):
            allowed = frozenset((key.algorithm_name,))
        cache_key = (key if isinstance(key, (str, bytes)) else id(key), allowed, bool(verify_signature), bool(enforce))
        entry = self._decoders.get(cache_key)
        if entry is not None and (entry[0] is key or isinstance(key, (str, bytes))):
            return entry[1]
        decoder = self._build_decoder(key, allowed, None, verify_signature, enforce)
        self._remember(cache_key, key, decoder)
        return decoder

    def _build_decoder(
        self, key: Any, allowed: frozenset[str] | None, rules: Any, verify_signature: bool, enforce: bool
    ) -> _core.Decoder:
        def prepare(alg: str) -> _core.PreparedKey:
            return self._prepare_for(alg, key)

        return _core.Decoder(
            prepare,
            None,
            allowed,
            rules,
            verify_signature=verify_signature,
            enforce_minimum_key_length=enforce,
            supported_crit=frozenset(self._supported_crit),
            limits=self.limits,
        )

    def _remember(self, cache_key: Any, key: Any, decoder: _core.Decoder) -> None:
        decoders = self._decoders
        if len(decoders) >= _DECODER_CACHE_SIZE:
            try:
                del decoders[next(iter(decoders))]
            except (StopIteration, KeyError, RuntimeError):
                pass
        decoders[cache_key] = (key, decoder)

    # -- PyJWT's helpers, kept for subclasses and callers that use them -----------------------------------------------

    def _load(self, jwt: str | bytes) -> tuple[bytes, bytes, dict[str, Any], bytes]:
        payload, signing_input, header, signature, _ = _core.load_token(jwt, self.limits)
        return payload, signing_input, dict(header), signature

    def _validate_headers(self, headers: dict[str, Any], *, encoding: bool = False) -> None:
        if "kid" in headers:
            self._validate_kid(headers["kid"])
        if not encoding and "crit" in headers:
            _core.validate_header(headers, frozenset(self._supported_crit))

    def _validate_kid(self, kid: Any) -> None:
        if not isinstance(kid, str):
            raise InvalidTokenError("Key ID header parameter must be a string")


def _warn_kwargs(name: str, kwargs: dict[str, Any]) -> None:
    warnings.warn(
        f"passing additional kwargs to {name}() is deprecated and will be removed in pyjwt version 3. "
        f"Unsupported kwargs: {tuple(kwargs.keys())}",
        RemovedInPyjwt3Warning,
        stacklevel=3,
    )


_jws_global_obj = PyJWS()
encode = _jws_global_obj.encode
decode_complete = _jws_global_obj.decode_complete
decode = _jws_global_obj.decode
register_algorithm = _jws_global_obj.register_algorithm
unregister_algorithm = _jws_global_obj.unregister_algorithm
get_algorithm_by_name = _jws_global_obj.get_algorithm_by_name
get_unverified_header = _jws_global_obj.get_unverified_header
