"""Fuzz targets shared by the atheris harness, the hypothesis fallback and tests/test_fuzz_short.py.

Every target takes raw bytes. Each one feeds the input to the compiled core and its pure-Python twin (when both
are importable) and fails with :class:`Finding` unless both give the same result or raise the same exception class,
and unless that class is one the API documents (``fastjwt.exceptions`` for tokens and keys, ``JSONError`` for the
JSON codec). Anything else (a ``TypeError``, ``OverflowError``, ``RecursionError``, a crash) is a finding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import fastjwt
from fastjwt._core._json_errors import JSONError
from fastjwt.exceptions import InvalidAlgorithmError, PyJWTError

SECRET = b"fuzz-secret-0123456789abcdef-0123456789"
NOW = 1_700_000_000


class Finding(AssertionError):
    """A divergence between the twins or an exception outside the documented contract."""


def _load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


import os  # noqa: E402

_NO_EXT = bool(os.environ.get("FASTJWT_NO_EXTENSIONS"))
_COMPILED_CORE = None if _NO_EXT else _load("fastjwt._core._core_c")
_COMPILED_JSON = None if _NO_EXT else _load("fastjwt._core._json_c")
CORES: list[ModuleType] = [m for m in (_COMPILED_CORE, _load("fastjwt._core._core_py")) if m]
JSONS: list[ModuleType] = [m for m in (_COMPILED_JSON, _load("fastjwt._core._json_py")) if m]


def _outcome(fn: Callable[[], Any], allowed: tuple[type[BaseException], ...]) -> tuple[str, Any]:
    try:
        return ("ok", fn())
    except allowed as exc:
        return ("raise", type(exc))
    except Exception as exc:
        raise Finding(f"undocumented exception {type(exc).__name__}: {exc!r}"[:500]) from exc


def _same(outcomes: list[tuple[str, Any]], what: str, data: bytes) -> None:
    first = outcomes[0]
    for other in outcomes[1:]:
        if first != other:
            if first[0] == other[0] == "ok" and _nan_equal(first[1], other[1]):
                continue
            raise Finding(f"{what}: twins differ on {data[:200]!r}: {first!r} vs {other!r}"[:800])


def _nan_equal(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=repr) == json.dumps(b, sort_keys=True, default=repr)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _decoders(core: ModuleType, complete: bool) -> Any:
    def prepare(alg: str) -> Any:
        if alg == "HS256":
            return core.HMACKey(alg, SECRET, hashes.SHA256(), None)
        if alg == "ES256":
            return core.ECKey(alg, _EC_KEY.public_key(), hashes.SHA256(), None)
        if alg == "RS256":
            return core.RSAKey(alg, _RSA_KEY.public_key(), hashes.SHA256(), False, None)
        raise InvalidAlgorithmError("Algorithm not supported")

    rules = core.ClaimRules(
        {
            "verify_signature": True,
            "verify_exp": True,
            "verify_nbf": True,
            "verify_iat": True,
            "verify_aud": True,
            "verify_iss": True,
            "verify_sub": True,
            "verify_jti": True,
            "require": [],
            "strict_aud": False,
            "enforce_minimum_key_length": False,
        },
        None,
        None,
        None,
        0,
        None,
        lambda: NOW,
    )
    return core.Decoder(prepare, None, frozenset({"HS256", "HS384", "ES256", "RS256"}), rules)


_EC_KEY = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())
_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_DECODERS: dict[str, Any] = {m.__name__: _decoders(m, False) for m in CORES}


def decode_raw(data: bytes) -> None:
    """The input as a whole token (bytes and, when ASCII-decodable, str) through each twin's Decoder."""
    for token in (data, data.decode("latin-1")):
        _same(
            [_outcome(lambda d=d, t=token: d.decode_complete(t), (PyJWTError,)) for d in _DECODERS.values()],
            "Decoder.decode_complete",
            data,
        )


def decode_signed(data: bytes) -> None:
    """The input split into header JSON and payload JSON, correctly signed: exercises JSON and claim checks."""
    cut = data.find(b"\x00")
    header, payload = (data[:cut], data[cut + 1 :]) if cut >= 0 else (b'{"alg":"HS256"}', data)
    signing_input = _b64(header) + b"." + _b64(payload)
    token = signing_input + b"." + _b64(hmac.new(SECRET, signing_input, hashlib.sha256).digest())
    _same(
        [_outcome(lambda d=d: d.decode_complete(token), (PyJWTError,)) for d in _DECODERS.values()],
        "Decoder.decode_complete(signed)",
        data,
    )


def asymmetric_signature(data: bytes) -> None:
    """The input as the raw signature of an ES256 / RS256 token (wrong lengths, r/s out of range, DER, ...)."""
    for alg in ("ES256", "RS256"):
        token = _b64(json.dumps({"alg": alg}).encode()) + b"." + _b64(b'{"sub":"x"}') + b"." + _b64(data)
        _same(
            [_outcome(lambda d=d, t=token: d.decode_complete(t), (PyJWTError,)) for d in _DECODERS.values()],
            f"{alg} signature",
            data,
        )


def unverified_header(data: bytes) -> None:
    """get_unverified_header of the public API and each twin's parse_header of the raw segment."""
    _outcome(lambda: fastjwt.get_unverified_header(data), (PyJWTError,))
    seg = data.split(b".", 1)[0]
    _same([_outcome(lambda m=m: m.parse_header(seg, 64, False), (PyJWTError,)) for m in CORES], "parse_header", data)


def b64_codecs(data: bytes) -> None:
    """Strict decode of the input and round trip of encode, on each twin."""
    for padding in (False, True):
        _same(
            [_outcome(lambda m=m, p=padding: m.b64url_decode(data, "x", p), (PyJWTError,)) for m in CORES],
            "b64url_decode",
            data,
        )
    encoded = [m.b64url_encode(data) for m in CORES]
    if len(set(encoded)) != 1 or encoded[0] != _b64(data):
        raise Finding(f"b64url_encode differs on {data[:100]!r}")
    for m in CORES:
        if m.b64url_decode(encoded[0]) != data:
            raise Finding(f"{m.__name__} round trip failed on {data[:100]!r}")


def json_loads(data: bytes) -> None:
    """Each JSON twin's strict loads at two depth limits."""
    for depth in (64, 3):
        _same([_outcome(lambda m=m, d=depth: m.loads(data, d), (JSONError,)) for m in JSONS], "json loads", data)


def jwk_parse(data: bytes) -> None:
    """PyJWK.from_json and PyJWKSet.from_json: PyJWT errors only (or the json module's error for non-JSON)."""
    text = data.decode("utf-8", "replace")
    _outcome(lambda: fastjwt.PyJWK.from_json(text), (PyJWTError, json.JSONDecodeError))
    _outcome(lambda: fastjwt.PyJWKSet.from_json(text), (PyJWTError, json.JSONDecodeError))


TARGETS: list[Callable[[bytes], None]] = [
    decode_raw,
    decode_signed,
    unverified_header,
    b64_codecs,
    json_loads,
    jwk_parse,
    asymmetric_signature,
]


def check_all(data: bytes) -> None:
    """Dispatch on the first byte to one target (atheris' single entry point)."""
    if not data:
        return
    TARGETS[data[0] % len(TARGETS)](data[1:])


def seeds() -> list[bytes]:
    """A small seed corpus: valid and near-valid inputs for each target."""
    tok = fastjwt.encode({"sub": "u", "exp": NOW + 60, "aud": ["a"]}, SECRET, algorithm="HS256").encode()
    jwk = json.dumps({"kty": "oct", "k": _b64(SECRET).decode(), "alg": "HS256"}).encode()
    out = []
    for i, target in enumerate(TARGETS):
        body = {
            "decode_raw": tok,
            "decode_signed": b'{"alg":"HS256","typ":"JWT"}\x00{"sub":"u","exp":1700000060,"nbf":1,"iat":1.5}',
            "unverified_header": tok,
            "b64_codecs": tok.split(b".")[1],
            "json_loads": b'{"a":[1,2.5,"x\\u00e9",true,null,{"b":{}}]}',
            "jwk_parse": jwk,
            "asymmetric_signature": bytes(64),
        }[target.__name__]
        out.append(bytes([i]) + body)
    signing_input = _b64(b'{"alg":"ES256"}') + b"." + _b64(b'{"sub":"x"}')
    r, s = decode_dss_signature(_EC_KEY.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    out.append(bytes([TARGETS.index(asymmetric_signature)]) + r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    return out
