"""The contenders: every library timed by the benchmarks, how each one encodes and decodes, and what it checks.

``LIBRARIES`` is the table (orjson's ``bench/benchmark_loads.py`` style). Each :class:`Contender` builds, for one
algorithm, an ``encode(claims) -> token`` and a ``decode(token) -> claims`` callable with its keys prepared the
fastest way the library offers (key objects, prepared JWKs), except where a row says it passes PEM strings or
secrets on every call. Every decode is configured to check the signature, ``exp``, ``aud`` and ``iss``;
:func:`check_decoder` proves it once (expected claims back, and a tampered, an expired, a wrong-audience and a
wrong-issuer token rejected) before anything is timed, so no library is timed on a no-op.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.common import AUDIENCE, BAD_TOKENS, CLAIMS, ISSUER, KEYS, TOKENS, floor_signer, floor_verifier

Encode = Callable[[dict[str, Any]], Any]
Decode = Callable[[str], Any]


class Unsupported(Exception):
    """This contender cannot run this algorithm or operation; the message says why."""


@dataclass(frozen=True)
class Contender:
    """One row of the benchmark tables."""

    name: str
    #: the module that must import for this row to run (its absence is a printed skip, not an error)
    module: str
    make_encoder: Callable[[str], Encode] | None
    make_decoder: Callable[[str], Decode] | None
    note: str = ""
    #: the raw `cryptography` primitive: no claims, checked by signature only
    floor: bool = False
    min_python: tuple[int, int] = (3, 0)
    #: operations ("encode"/"decode") this row is the fastjwt reference of, for the ratio column
    reference_for: tuple[str, ...] = ()
    #: algorithms this library cannot do at all
    unsupported: dict[str, str] = field(default_factory=dict)

    def unavailable(self) -> str | None:
        """Why this contender cannot run in this interpreter, or ``None`` if it can."""
        if sys.version_info[:2] < self.min_python:
            need = ".".join(map(str, self.min_python))
            return f"{self.module} needs Python >= {need} (this is {sys.version_info.major}.{sys.version_info.minor})"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = __import__(self.module)
        except ImportError as exc:
            return f"{self.module} is not installed ({exc}); pip install -r benchmarks/requirements.txt"
        if self.module == "fastjwt":
            missing = [n for n in ("encode", "decode", "Signer", "Verifier") if not hasattr(module, n)]
            if missing:
                return f"fastjwt has no {', '.join(missing)} yet"
        return None

    def encoder(self, algorithm: str) -> Encode:
        """The prepared encode callable for ``algorithm``; raises :class:`Unsupported`."""
        self._require(algorithm)
        if self.make_encoder is None:
            raise Unsupported(f"{self.name} has no encode row")
        return self.make_encoder(algorithm)

    def decoder(self, algorithm: str) -> Decode:
        """The prepared decode callable for ``algorithm``; raises :class:`Unsupported`."""
        self._require(algorithm)
        if self.make_decoder is None:
            raise Unsupported(f"{self.name} has no decode row")
        return self.make_decoder(algorithm)

    def _require(self, algorithm: str) -> None:
        reason = self.unavailable()
        if reason:
            raise Unsupported(reason)
        if algorithm in self.unsupported:
            raise Unsupported(f"{self.name}: {self.unsupported[algorithm]}")


# --- fastjwt -------------------------------------------------------------------------------------------------------


def _fastjwt_dropin_encoder(alg: str) -> Encode:
    import fastjwt

    pem = KEYS[alg].private_pem
    return lambda claims: fastjwt.encode(claims, pem, algorithm=alg)


def _fastjwt_dropin_decoder(alg: str) -> Decode:
    import fastjwt

    pem = KEYS[alg].public_pem
    algorithms = [alg]
    return lambda token: fastjwt.decode(token, pem, algorithms=algorithms, audience=AUDIENCE, issuer=ISSUER)


def _fastjwt_signer(alg: str) -> Encode:
    import fastjwt

    return fastjwt.Signer(KEYS[alg].private_pem, alg).encode


def _fastjwt_verifier(cache: bool) -> Callable[[str], Decode]:
    def make(alg: str) -> Decode:
        import fastjwt

        kwargs: dict[str, Any] = {"cache": True} if cache else {}
        return fastjwt.Verifier(KEYS[alg].public_pem, [alg], audience=AUDIENCE, issuer=ISSUER, **kwargs).decode

    return make


# --- PyJWT ---------------------------------------------------------------------------------------------------------


def _pyjwt_encoder(per_call: bool) -> Callable[[str], Encode]:
    def make(alg: str) -> Encode:
        import jwt

        key = KEYS[alg].private_pem if per_call else KEYS[alg].private_key
        return lambda claims: jwt.encode(claims, key, algorithm=alg)

    return make


def _pyjwt_decoder(per_call: bool) -> Callable[[str], Decode]:
    def make(alg: str) -> Decode:
        import jwt

        key = KEYS[alg].public_pem if per_call else KEYS[alg].public_key
        algorithms = [alg]
        return lambda token: jwt.decode(token, key, algorithms=algorithms, audience=AUDIENCE, issuer=ISSUER)

    return make


# --- python-jose ---------------------------------------------------------------------------------------------------


def _jose_encoder(alg: str) -> Encode:
    from jose import jwk, jwt

    key = jwk.construct(KEYS[alg].private_pem if alg != "HS256" else KEYS[alg].secret, alg)
    return lambda claims: jwt.encode(claims, key, algorithm=alg)


def _jose_decoder(alg: str) -> Decode:
    from jose import jwk, jwt

    key = jwk.construct(KEYS[alg].public_pem if alg != "HS256" else KEYS[alg].secret, alg)
    algorithms = [alg]
    return lambda token: jwt.decode(token, key, algorithms=algorithms, audience=AUDIENCE, issuer=ISSUER)


# --- joserfc -------------------------------------------------------------------------------------------------------


def _joserfc_key(alg: str, private: bool) -> Any:
    from joserfc import jwk

    material = KEYS[alg]
    return jwk.import_key(material.private_jwk if private else material.public_jwk)


def _joserfc_encoder(alg: str) -> Encode:
    from joserfc import jwt

    key = _joserfc_key(alg, private=True)
    algorithms = [alg]
    return lambda claims: jwt.encode({"alg": alg, "typ": "JWT"}, claims, key, algorithms=algorithms)


def _joserfc_decoder(alg: str) -> Decode:
    from joserfc import jwt

    key = _joserfc_key(alg, private=False)
    algorithms = [alg]
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
    )

    def decode(token: str) -> dict[str, Any]:
        result = jwt.decode(token, key, algorithms=algorithms)
        registry.validate(result.claims)
        return result.claims

    return decode


# --- authlib -------------------------------------------------------------------------------------------------------


def _authlib():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # authlib.jose is deprecated in favour of joserfc; still widely used
        import authlib.jose

    return authlib.jose


def _authlib_key(alg: str, private: bool) -> Any:
    material = KEYS[alg]
    return _authlib().JsonWebKey.import_key(material.private_jwk if private else material.public_jwk)


def _authlib_encoder(alg: str) -> Encode:
    jose = _authlib()
    signer = jose.JsonWebToken([alg])
    key = _authlib_key(alg, private=True)
    return lambda claims: signer.encode({"alg": alg}, claims, key)


def _authlib_decoder(alg: str) -> Decode:
    jose = _authlib()
    verifier = jose.JsonWebToken([alg])
    key = _authlib_key(alg, private=False)
    options = {
        "iss": {"essential": True, "value": ISSUER},
        "aud": {"essential": True, "value": AUDIENCE},
        "exp": {"essential": True},
    }

    def decode(token: str) -> Any:
        claims = verifier.decode(token, key, claims_options=options)
        claims.validate()
        return claims

    return decode


# --- jwcrypto ------------------------------------------------------------------------------------------------------


def _jwcrypto_key(alg: str, private: bool) -> Any:
    from jwcrypto import jwk

    material = KEYS[alg]
    return jwk.JWK(**(material.private_jwk if private else material.public_jwk))


def _jwcrypto_encoder(alg: str) -> Encode:
    from jwcrypto import jwt

    key = _jwcrypto_key(alg, private=True)

    def encode(claims: dict[str, Any]) -> str:
        token = jwt.JWT(header={"alg": alg, "typ": "JWT"}, claims=claims)
        token.make_signed_token(key)
        return token.serialize()

    return encode


def _jwcrypto_decoder(alg: str) -> Decode:
    from jwcrypto import jwt

    key = _jwcrypto_key(alg, private=False)
    algs = [alg]
    check = {"exp": None, "iss": ISSUER, "aud": AUDIENCE}

    def decode(token: str) -> Any:
        return json.loads(jwt.JWT(jwt=token, key=key, algs=algs, check_claims=check).claims)

    return decode


# --- oxyjwt (Rust) -------------------------------------------------------------------------------------------------

_OXY_PEM_LOADER = {"HS256": "from_secret", "RS256": "from_rsa_pem", "PS256": "from_rsa_pem", "ES256": "from_ec_pem"}
_OXY_PEM_LOADER["EdDSA"] = "from_ed_pem"


def _oxyjwt_encoder(alg: str) -> Encode:
    import oxyjwt

    material = KEYS[alg]
    key = getattr(oxyjwt.EncodingKey, _OXY_PEM_LOADER[alg])(material.secret if alg == "HS256" else material.private_pem)
    return lambda claims: oxyjwt.encode(claims, key, algorithm=alg)


def _oxyjwt_decoder(alg: str) -> Decode:
    import oxyjwt

    material = KEYS[alg]
    key = getattr(oxyjwt.DecodingKey, _OXY_PEM_LOADER[alg])(material.secret if alg == "HS256" else material.public_pem)
    algorithms = [alg]
    return lambda token: oxyjwt.decode(token, key, algorithms=algorithms, audience=AUDIENCE, issuer=ISSUER)


# --- ryjwt (Rust, aws-lc; Python >= 3.12) --------------------------------------------------------------------------


def _ryjwt_encoder(alg: str) -> Encode:
    import ryjwt

    if alg == "HS256":
        return ryjwt.SecretKey(KEYS[alg].secret, algorithms=[alg]).encode
    return ryjwt.PrivateKey(KEYS[alg].private_pem, algorithms=[alg]).encode


def _ryjwt_decoder(alg: str) -> Decode:
    import ryjwt

    if alg == "HS256":
        return ryjwt.SecretKey(KEYS[alg].secret, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER).decode
    return ryjwt.PublicKey(KEYS[alg].public_pem, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER).decode


# --- the floor: cryptography alone ---------------------------------------------------------------------------------


def _floor_encoder(alg: str) -> Encode:
    sign = floor_signer(alg, TOKENS[alg])
    return lambda claims: sign()


def _floor_decoder(alg: str) -> Decode:
    verify = floor_verifier(alg, TOKENS[alg])
    return lambda token: verify()


LIBRARIES: list[Contender] = [
    Contender(
        "fastjwt Verifier (cache hit)",
        "fastjwt",
        None,
        _fastjwt_verifier(cache=True),
        note="verified-token cache on; the same token every call",
    ),
    Contender(
        "fastjwt Signer / Verifier",
        "fastjwt",
        _fastjwt_signer,
        _fastjwt_verifier(cache=False),
        note="prepared objects, cache off",
        reference_for=("encode", "decode"),
    ),
    Contender(
        "fastjwt drop-in",
        "fastjwt",
        _fastjwt_dropin_encoder,
        _fastjwt_dropin_decoder,
        note="`fastjwt.encode/decode` with the PEM string or secret on every call",
    ),
    Contender(
        "PyJWT (PEM/secret per call)",
        "jwt",
        _pyjwt_encoder(per_call=True),
        _pyjwt_decoder(per_call=True),
        note="PyJWT 2.15.1, PEM string or secret on every call",
    ),
    Contender(
        "PyJWT (key objects)",
        "jwt",
        _pyjwt_encoder(per_call=False),
        _pyjwt_decoder(per_call=False),
        note="PyJWT 2.15.1 with cryptography key objects",
    ),
    Contender(
        "python-jose",
        "jose",
        _jose_encoder,
        _jose_decoder,
        note="`jwk.construct` key objects, cryptography backend",
        unsupported={"PS256": "python-jose does not implement PS256", "EdDSA": "python-jose does not implement EdDSA"},
    ),
    Contender("joserfc", "joserfc", _joserfc_encoder, _joserfc_decoder, note="imported JWKs + JWTClaimsRegistry"),
    Contender("authlib", "authlib", _authlib_encoder, _authlib_decoder, note="authlib.jose JsonWebToken + JWTClaims"),
    Contender("jwcrypto", "jwcrypto", _jwcrypto_encoder, _jwcrypto_decoder, note="JWK objects, `check_claims`"),
    Contender("oxyjwt (Rust)", "oxyjwt", _oxyjwt_encoder, _oxyjwt_decoder, note="EncodingKey/DecodingKey objects"),
    Contender(
        "ryjwt (Rust)",
        "ryjwt",
        _ryjwt_encoder,
        _ryjwt_decoder,
        note="SecretKey/PrivateKey/PublicKey objects",
        min_python=(3, 12),
    ),
    Contender(
        "cryptography primitive (floor)",
        "cryptography",
        _floor_encoder,
        _floor_decoder,
        note="signature only: HMAC copy/update/finalize+compare, or sign/verify on the same key; no JSON, no claims",
        floor=True,
    ),
]

BY_NAME: dict[str, Contender] = {c.name: c for c in LIBRARIES}


def _plain(claims: Any) -> dict[str, Any]:
    return dict(claims)


def check_decoder(contender: Contender, alg: str, decode: Decode) -> None:
    """Prove ``decode`` really verifies: the good token gives the expected claims, and every bad token is rejected.

    Raises ``AssertionError`` naming what the contender got wrong.
    """
    token = TOKENS[alg]
    if contender.floor:
        decode(token)  # raises InvalidSignature if the floor does not match
        from benchmarks.common import tamper

        bad = floor_verifier(alg, tamper(token))
        try:
            bad()
        except Exception:
            return
        raise AssertionError(f"{contender.name} {alg}: the floor accepted a tampered signing input")
    claims = _plain(decode(token))
    assert claims == CLAIMS, f"{contender.name} {alg}: decoded {claims!r}, expected {CLAIMS!r}"
    for what, bad_token in BAD_TOKENS[alg].items():
        try:
            decode(bad_token)
        except Exception:
            continue
        raise AssertionError(f"{contender.name} {alg}: accepted a token with a bad {what}")


def check_encoder(contender: Contender, alg: str, encode: Encode) -> None:
    """Prove ``encode`` makes a token PyJWT verifies back to the same claims (the floor: a signature of the right
    size)."""
    import jwt

    produced = encode(dict(CLAIMS))
    if contender.floor:
        assert isinstance(produced, bytes) and produced, f"{contender.name} {alg}: no signature"
        return
    if isinstance(produced, bytes):
        produced = produced.decode("ascii")
    claims = jwt.decode(produced, KEYS[alg].public_key, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)
    assert claims == CLAIMS, f"{contender.name} {alg}: its token decodes to {claims!r}"


_CHECKED: dict[tuple[str, str, str], Any] = {}


def prepared(contender: Contender, operation: str, alg: str) -> Any:
    """The checked, prepared callable for one benchmark (checks run once per process and row)."""
    key = (contender.name, operation, alg)
    if key not in _CHECKED:
        if operation == "encode":
            fn = contender.encoder(alg)
            check_encoder(contender, alg, fn)
        else:
            fn = contender.decoder(alg)
            check_decoder(contender, alg, fn)
        _CHECKED[key] = fn
    return _CHECKED[key]
