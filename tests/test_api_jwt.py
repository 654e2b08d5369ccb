"""The drop-in JWT layer: every decode option, audience/issuer forms, leeway, PyJWT instances, subclass hooks."""

from __future__ import annotations

import socket
import time
import warnings
from datetime import timedelta
from typing import Any

import keyfiles
import pytest
from conftest import SECRET
from strict_raises import raises_exactly

import fastjwt
from fastjwt import exceptions as exc
from fastjwt.warnings import RemovedInPyjwt3Warning

NOW = int(time.time())


def enc(claims: dict[str, Any], key: Any = SECRET, **kw: Any) -> str:
    return fastjwt.encode(claims, key, **kw)


def dec(token: str, key: Any = SECRET, **kw: Any) -> Any:
    kw.setdefault("algorithms", ["HS256"])
    return fastjwt.decode(token, key, **kw)


def test_verify_signature_off() -> None:
    token = enc({"a": 1, "exp": NOW - 10}, SECRET + "x")
    assert dec(token, options={"verify_signature": False}) == {"a": 1, "exp": NOW - 10}
    with pytest.raises(exc.InvalidSignatureError):
        dec(token, options={"verify_exp": False})


@pytest.mark.parametrize(
    ("claims", "option", "error"),
    [
        ({"exp": NOW - 10}, "verify_exp", exc.ExpiredSignatureError),
        ({"nbf": NOW + 10**6}, "verify_nbf", exc.ImmatureSignatureError),
        ({"iat": NOW + 10**6}, "verify_iat", exc.ImmatureSignatureError),
        ({"aud": "x"}, "verify_aud", exc.InvalidAudienceError),
        ({"sub": 1}, "verify_sub", exc.InvalidSubjectError),
        ({"jti": 1}, "verify_jti", exc.InvalidJTIError),
    ],
)
def test_each_verify_option(claims: dict[str, Any], option: str, error: type[Exception]) -> None:
    import json

    from fastjwt import _core

    header = _core.b64url_encode(b'{"alg":"HS256","typ":"JWT"}').decode()
    body = _core.b64url_encode(json.dumps(claims).encode()).decode()
    import hashlib
    import hmac

    sig = _core.b64url_encode(hmac.new(SECRET.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest())
    token = f"{header}.{body}.{sig.decode()}"
    with pytest.raises(error):
        dec(token)
    assert dec(token, options={option: False}) == claims


def test_verify_iss() -> None:
    token = enc({"iss": "a"})
    with pytest.raises(exc.InvalidIssuerError):
        dec(token, issuer="b")
    assert dec(token, issuer="b", options={"verify_iss": False}) == {"iss": "a"}


@pytest.mark.parametrize("issuer", ["https://a", ["x", "https://a"], ("https://a",), {"https://a"}])
def test_issuer_forms(issuer: Any) -> None:
    assert dec(enc({"iss": "https://a"}), issuer=issuer) == {"iss": "https://a"}
    for claimed in ("https://a.evil", "https://", "evilhttps://a", "ttps://a"):
        with pytest.raises(exc.InvalidIssuerError):
            dec(enc({"iss": claimed}), issuer=issuer)


@pytest.mark.parametrize("audience", ["a", ["a", "b"], {"a"}, ("z", "a")])
def test_audience_forms(audience: Any) -> None:
    assert dec(enc({"aud": "a"}), audience=audience) == {"aud": "a"}
    assert dec(enc({"aud": ["q", "a"]}), audience=audience) == {"aud": ["q", "a"]}
    with pytest.raises(exc.InvalidAudienceError):
        dec(enc({"aud": "c"}), audience=audience)


def test_strict_aud() -> None:
    assert dec(enc({"aud": "a"}), audience="a", options={"strict_aud": True}) == {"aud": "a"}
    with pytest.raises(exc.InvalidAudienceError):
        dec(enc({"aud": ["a"]}), audience="a", options={"strict_aud": True})
    with pytest.raises(exc.InvalidAudienceError):
        dec(enc({"aud": "a"}), audience=["a"], options={"strict_aud": True})


def test_require() -> None:
    with pytest.raises(exc.MissingRequiredClaimError):
        dec(enc({"exp": NOW + 10**6}), options={"require": ["exp", "jti"]})
    assert dec(enc({"exp": NOW + 10**6, "jti": "j"}), options={"require": ["exp", "jti"]})["jti"] == "j"


@pytest.mark.parametrize("leeway", [30, 30.0, timedelta(seconds=30)])
def test_leeway_forms(leeway: Any) -> None:
    now = int(time.time())  # not the import-time NOW: the 10 s margin must hold at run time
    token = enc({"exp": now - 20})
    assert dec(token, leeway=leeway) == {"exp": now - 20}
    with pytest.raises(exc.ExpiredSignatureError):
        dec(enc({"exp": now - 60}), leeway=leeway)


@pytest.mark.parametrize("leeway", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_leeway(leeway: Any) -> None:
    with pytest.raises(ValueError):
        dec(enc({}), leeway=leeway)


def test_enforce_minimum_key_length() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        token = enc({"a": 1}, "short")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert dec(token, "short") == {"a": 1}
    assert [w.category.__name__ for w in caught] == ["InsecureKeyLengthWarning"]
    with pytest.raises(exc.InvalidKeyError):
        dec(token, "short", options={"enforce_minimum_key_length": True})


def test_pyjwt_instance_options() -> None:
    inst = fastjwt.PyJWT(options={"verify_exp": False})
    token = enc({"exp": NOW - 100})
    assert inst.decode(token, SECRET, algorithms=["HS256"]) == {"exp": NOW - 100}
    with pytest.raises(exc.ExpiredSignatureError):
        inst.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": True})
    with pytest.raises(exc.ExpiredSignatureError):
        dec(token)  # the global instance is unaffected


def test_decode_complete() -> None:
    token = enc({"a": 1}, headers={"kid": "k"})
    out = fastjwt.decode_complete(token, SECRET, algorithms=["HS256"])
    assert out["payload"] == {"a": 1}
    assert out["header"] == {"alg": "HS256", "kid": "k", "typ": "JWT"}
    assert out["signature"] == fastjwt._core.b64url_decode(token.split(".")[2])


def test_subclass_hooks_called() -> None:
    calls: list[str] = []

    class Custom(fastjwt.PyJWT):
        def _encode_payload(self, payload: dict[str, Any], headers: Any = None, json_encoder: Any = None) -> bytes:
            calls.append("enc")
            return super()._encode_payload({**payload, "added": True}, headers, json_encoder)

        def _decode_payload(self, decoded: dict[str, Any]) -> dict[str, Any]:
            calls.append("dec")
            out = super()._decode_payload(decoded)
            out["seen"] = 1
            return out

    inst = Custom()
    token = inst.encode({"a": 1}, SECRET, algorithm="HS256")
    assert fastjwt.decode(token, SECRET, algorithms=["HS256"]) == {"a": 1, "added": True}
    assert inst.decode(token, SECRET, algorithms=["HS256"]) == {"a": 1, "added": True, "seen": 1}
    assert calls == ["enc", "dec"]


def test_deprecated_kwargs_warn() -> None:
    token = enc({})
    with pytest.warns(RemovedInPyjwt3Warning):
        fastjwt.decode(token, SECRET, algorithms=["HS256"], foo=1)  # type: ignore[call-arg]


def test_algorithms_required() -> None:
    with raises_exactly(exc.DecodeError, match='pass in a value for the "algorithms" argument'):
        fastjwt.decode(enc({}), SECRET)


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def test_every_exception_class_is_raised() -> None:
    raised: set[type[Exception]] = set()

    def expect(cls: type[Exception], fn: Any) -> None:
        with raises_exactly(cls) as info:
            fn()
        raised.add(type(info.value))

    expect(exc.DecodeError, lambda: dec("a.b"))
    expect(exc.InvalidSignatureError, lambda: dec(enc({}, SECRET + "x")))
    expect(exc.ExpiredSignatureError, lambda: dec(enc({"exp": NOW - 100})))
    expect(exc.InvalidAudienceError, lambda: dec(enc({"aud": "x"}), audience="y"))
    expect(exc.InvalidIssuerError, lambda: dec(enc({"iss": "x"}), issuer="y"))
    expect(exc.InvalidIssuedAtError, _raw_iat)
    expect(exc.ImmatureSignatureError, lambda: dec(enc({"nbf": NOW + 10**6})))
    expect(exc.InvalidKeyError, lambda: fastjwt.encode({}, keyfiles.public_pem("rsa2048"), algorithm="HS256"))
    expect(exc.InvalidAlgorithmError, lambda: dec(enc({}), algorithms=["HS512"]))
    expect(exc.MissingRequiredClaimError, lambda: dec(enc({}), options={"require": ["exp"]}))
    expect(exc.PyJWKError, lambda: fastjwt.PyJWK({"kty": "oct", "k": "AA", "alg": "XX999"}))
    expect(exc.PyJWKSetError, lambda: fastjwt.PyJWKSet([]))
    expect(exc.InvalidSubjectError, lambda: dec(enc({"sub": "a"}), subject="b"))
    expect(exc.InvalidJTIError, _raw_jti)
    expect(exc.InvalidTokenError, lambda: dec(enc({}, headers={"kid": 5})))
    client = fastjwt.PyJWKClient(f"http://127.0.0.1:{_closed_port()}/jwks", timeout=2)
    expect(exc.PyJWKClientConnectionError, lambda: client.get_signing_keys())
    covered = {base for cls in raised for base in cls.__mro__}
    every = {v for v in vars(exc).values() if isinstance(v, type) and issubclass(v, exc.PyJWTError)}
    # MissingCryptographyError needs an environment without ``cryptography`` (a runtime dependency here)
    assert every - covered == {exc.MissingCryptographyError}


def _sign_raw(payload: bytes) -> str:
    import hashlib
    import hmac

    from fastjwt import _core

    h = _core.b64url_encode(b'{"alg":"HS256"}').decode()
    p = _core.b64url_encode(payload).decode()
    s = _core.b64url_encode(hmac.new(SECRET.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()).decode()
    return f"{h}.{p}.{s}"


def _raw_iat() -> Any:
    return dec(_sign_raw(b'{"iat":"soon"}'))


def _raw_jti() -> Any:
    return dec(_sign_raw(b'{"jti":5}'))
