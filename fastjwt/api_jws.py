"""PyJWT's JWS layer (``jwt.api_jws``): sign bytes into a compact JWS, verify one, read its header unverified.

Same names, signatures, options and exceptions as PyJWT; the work happens in the core. Keys are prepared once through
the key layer and remembered, and decoding runs through a :class:`fastjwt._core.Decoder` built per call configuration
and kept while the configuration repeats, so passing the same key and options on every call costs a dict lookup.
The names PyJWT's module imports (``InvalidSignatureError``, ``base64url_encode``...) are importable from here too.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from . import _core, _keys
from ._core import _json
from .algorithms import Algorithm, get_default_algorithms
from .algorithms import has_crypto as has_crypto
from .algorithms import requires_cryptography as requires_cryptography
from .api_jwk import PyJWK
from .exceptions import DecodeError, InvalidAlgorithmError, InvalidKeyError, InvalidTokenError
from .exceptions import InvalidSignatureError as InvalidSignatureError
from .utils import base64url_decode as base64url_decode
from .utils import base64url_encode as base64url_encode
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


def protected_header(typ: Any, alg: str, members: dict[str, Any] | None, detached: bool) -> dict[str, Any]:
    """The JOSE header a token is signed under.

    ``typ`` and ``alg`` come first and the caller's ``members`` are laid over them (keeping those two in front when
    they are overridden); a false ``typ`` is dropped. A detached payload (RFC 7797) is announced with ``b64: false``,
    and ``b64`` is added to ``crit`` so a verifier that does not know the extension refuses the token instead of
    misreading it; otherwise ``b64`` is left out, ``true`` being what it means when absent.

    :raises InvalidTokenError: ``crit`` given for a detached payload is not a list.
    """
    header: dict[str, Any] = {"typ": typ, "alg": alg, **(members or {})}
    if not header["typ"]:
        del header["typ"]
    if not detached:
        header.pop("b64", None)
        return header
    crit = header.get("crit", [])
    if not isinstance(crit, list):
        raise InvalidTokenError("Invalid 'crit' header: must be a list")
    header["b64"] = False
    if "b64" not in crit:
        header["crit"] = [*crit, "b64"]
    return header


def _signing_algorithm(key: Any, algorithm: Any, headers: dict[str, Any] | None) -> str:
    """The ``alg`` a token is signed with: a non-empty ``headers["alg"]`` wins, then the argument.

    Without an argument (or with ``None``) a ``PyJWK`` signs with its own algorithm; other keys get PyJWT's
    defaults, ``HS256`` when the argument was left out and ``none`` when it was ``None``.
    """
    if headers and headers.get("alg"):
        return headers["alg"]  # type: ignore[no-any-return]
    if algorithm is not _ALGORITHM_UNSET and algorithm is not None:
        return algorithm  # type: ignore[no-any-return]
    if isinstance(key, PyJWK):
        return key.algorithm_name
    return "HS256" if algorithm is _ALGORITHM_UNSET else "none"



#: The limits of the PyJWT-compatible functions. Like PyJWT 2.15 they accept a segment with exactly the padding its
#: length calls for (AWS ALB signs such tokens), so code moving from PyJWT keeps working; everything else about
#: Base64url stays strict. A ``Verifier`` refuses padding unless ``allow_b64_padding=True``.
PYJWT_LIMITS = _core.DecodeLimits(allow_padding=True)


class PyJWS:
    """JSON Web Signatures in compact form: sign bytes, verify and split tokens, with a per-instance algorithm set.

    :param algorithms: the ``alg`` names this instance knows (default: every one fastjwt implements).
    :param options: defaults for :class:`~fastjwt.types.SigOptions`.
    """

    header_typ = "JWT"
    # Critical header extensions (RFC 7515 4.1.11) this instance understands.
    _supported_crit: ClassVar[set[str]] = {"b64"}

    def __init__(self, algorithms: Sequence[str] | None = None, options: SigOptions | None = None) -> None:
        known = get_default_algorithms()
        self._valid_algs = set(known) if algorithms is None else set(algorithms)
        self._algorithms = {name: obj for name, obj in known.items() if name in self._valid_algs}
        self.options: SigOptions = {**self._get_default_options(), **(options or {})}
        self._decoders: dict[Any, tuple[Any, _core.Decoder]] = {}
        self.limits = PYJWT_LIMITS

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        """One token segment decoded as PyJWT 2.15 decodes it: strict, but exactly canonical ``=`` padding allowed."""
        return _core.b64url_decode(segment, name, allow_padding=True)

    @staticmethod
    def _get_default_options() -> SigOptions:
        return {"verify_signature": True, "enforce_minimum_key_length": False}

    # -- algorithm registry -------------------------------------------------------------------------------------------

    def _algorithms_changed(self) -> None:
        self._decoders.clear()
        _core.forget_drop_in()

    def register_algorithm(self, alg_id: str, alg_obj: Algorithm) -> None:
        """Make ``alg_obj`` sign and verify tokens whose ``alg`` is ``alg_id``.

        :raises ValueError: ``alg_id`` already has an algorithm (unregister it first to replace it).
        :raises TypeError: ``alg_obj`` is not an :class:`~fastjwt.algorithms.Algorithm`.
        """
        if alg_id in self._algorithms:
            raise ValueError("Algorithm already has a handler.")
        if not isinstance(alg_obj, Algorithm):
            raise TypeError("Object is not of type `Algorithm`")
        self._algorithms[alg_id] = alg_obj
        self._valid_algs.add(alg_id)
        self._algorithms_changed()

    def unregister_algorithm(self, alg_id: str) -> None:
        """Stop handling ``alg_id``: tokens with it are then refused.

        :raises KeyError: no algorithm is registered under ``alg_id``.
        """
        if alg_id not in self._algorithms:
            raise KeyError("The specified algorithm could not be removed because it is not registered.")
        del self._algorithms[alg_id]
        self._valid_algs.remove(alg_id)
        self._algorithms_changed()

    def get_algorithms(self) -> list[str]:
        """The ``alg`` names this instance handles."""
        return list(self._valid_algs)

    def get_algorithm_by_name(self, alg_name: str) -> Algorithm:
        """The algorithm object registered under ``alg_name``.

        :raises NotImplementedError: none is.
        """
        try:
            return self._algorithms[alg_name]
        except (KeyError, TypeError) as e:
            raise NotImplementedError("Algorithm not supported") from e

    # -- keys ---------------------------------------------------------------------------------------------------------

    def _prepare_for(self, alg: str, key: Any) -> _core.PreparedKey:
        """The prepared key for a token's ``alg`` (remembered); a PyJWK only ever serves its own algorithm."""
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
        """Sign ``payload`` and return the compact JWS.

        :param algorithm: the ``alg`` (``headers["alg"]`` wins; see :func:`_signing_algorithm` for the defaults).
        :param headers: extra header members; ``"b64": False`` makes the payload detached.
        :param is_payload_detached: leave the payload out of the token (RFC 7797).
        :param sort_headers: write header members in name order.
        :raises NotImplementedError: the algorithm is not registered.
        :raises InvalidKeyError: the key does not suit the algorithm, or is short under ``enforce_minimum_key_length``.
        """
        alg = _signing_algorithm(key, algorithm, headers)
        detached = is_payload_detached or bool(headers and headers.get("b64") is False)
        header_segment = self._header_segment(alg, headers, json_encoder, detached, sort_headers)
        prepared = _keys.prepare(alg, self.get_algorithm_by_name(alg), key.key if isinstance(key, PyJWK) else key)
        if prepared.key_length_msg is not None:
            if self.options.get("enforce_minimum_key_length", False):
                raise InvalidKeyError(prepared.key_length_msg)
            warnings.warn(prepared.key_length_msg, InsecureKeyLengthWarning, stacklevel=2)
        return _core.sign_compact(header_segment, payload, prepared, detached)

    def _header_segment(
        self,
        algorithm: str,
        headers: dict[str, Any] | None,
        json_encoder: type[json.JSONEncoder] | None,
        is_payload_detached: bool,
        sort_headers: bool,
    ) -> bytes:
        """The Base64url header segment for these arguments (also used by the core's drop-in memo and Signer)."""
        if headers:
            self._validate_headers(headers, encoding=True)
        header = protected_header(self.header_typ, algorithm, headers, is_payload_detached)
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
        """Verify a JWS and return ``{"payload": bytes, "header": dict, "signature": bytes}``.

        :raises DecodeError: no ``algorithms`` while verifying with a key that is not a ``PyJWK``, or a bad token.
        """
        if kwargs:
            _warn_kwargs("decode_complete", kwargs)
        merged: dict[str, Any] = {**self.options, **(options or {})}
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
        """Verify a JWS and return its payload bytes (see :meth:`decode_complete`)."""
        if kwargs:
            _warn_kwargs("decode", kwargs)
        decoded = self.decode_complete(jwt, key, algorithms, options, detached_payload=detached_payload)
        return decoded["payload"]

    def get_unverified_header(self, jwt: str | bytes) -> dict[str, Any]:
        """The token's header as a dict, **without** checking the signature.

        Use it to pick a key (its ``kid``), never to decide anything: until the signature is verified, every member
        is whatever the sender wrote.
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

    # -- helpers PyJWT subclasses and callers use ---------------------------------------------------------------------

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
    """Warn about keyword arguments ``name`` ignores, in PyJWT's words (filters written for PyJWT match them)."""
    warnings.warn(
        f"passing additional kwargs to {name}() is deprecated and will be removed in pyjwt version 3. "
        f"Unsupported kwargs: {tuple(kwargs)}",
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
