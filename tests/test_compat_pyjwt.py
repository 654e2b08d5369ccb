"""Differential tests against PyJWT 2.15.1 (the reference): same tokens, same claims, same exception classes.

Where fastjwt is deliberately stricter it raises ``DecodeError``; PyJWT 2.15.1 does this instead:

=============================  ==============================================================
input                          PyJWT 2.15.1
=============================  ==============================================================
``=`` padding on a segment     accepted (padding is stripped/added before decoding)
junk base64 (``!`` etc.)       accepted or DecodeError depending on where binascii stops
duplicate JSON member names    accepted, the last value wins
NaN / Infinity in JSON         accepted as float nan/inf
``1e999``                      accepted as float inf
exp/nbf as numeric string      read with ``int()``: ``"123"`` is the time 123 (so expired), ``"abc"`` a DecodeError
iat as numeric string          read with ``int()`` (fastjwt raises InvalidIssuedAtError here)
exp/nbf true or false          read as the integer 1 or 0 (``int(True)``)
iat true or false              read as 1 or 0 (fastjwt raises InvalidIssuedAtError here)
token longer than 1 MiB        decoded (no size bound)
JSON nested deeper than 64     decoded until Python's recursion limit
=============================  ==============================================================
"""

from __future__ import annotations

import builtins
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import jwt as pyjwt
import keyfiles
import pytest
from conftest import SECRET
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strict_raises import raises_exactly

import fastjwt
from fastjwt.exceptions import DecodeError, InvalidIssuedAtError

NOW = int(datetime.now(tz=timezone.utc).timestamp())


class DecimalEncoder(json.JSONEncoder):
    """Encodes Decimal as a string."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return str(o)
        return super().default(o)


PAYLOADS: list[dict[str, Any]] = [
    {},
    {"sub": "1234567890", "name": "John Doe", "admin": True},
    {"u": "héllo 𝄞 \U0001f600", "c": "\x00\x01\x1f\x7f", "q": '"quoted" \\back\\slash/'},
    {"big": 2**80, "neg": -(2**70), "zero": 0},
    {"f": [1e-7, 1e22, -0.0, 0.1, 3.141592653589793, 1.5e300]},
    {"nested": {"a": [1, [2, [3, {"b": None}]]], "e": {}, "l": []}},
    {"exp": NOW + 3600, "iat": NOW, "nbf": NOW - 10},
    {"aud": ["a", "b"], "iss": "https://issuer.example", "jti": "id-1"},
]


def _dt_payload() -> dict[str, Any]:
    now = datetime.now(tz=timezone.utc).replace(microsecond=0)
    return {"exp": now + timedelta(hours=1), "iat": now, "nbf": now - timedelta(seconds=5)}


def _keys() -> list[tuple[str, Any, Any]]:
    """(alg, signing key, verification key) over the deterministic algorithms and key forms."""
    out: list[tuple[str, Any, Any]] = []
    for alg in ("HS256", "HS384", "HS512"):
        out.append((alg, SECRET, SECRET))
        out.append((alg, SECRET.encode(), SECRET.encode()))
    rsa_priv, rsa_pub = keyfiles.private_pem("rsa2048"), keyfiles.public_pem("rsa2048")
    for alg in ("RS256", "RS384", "RS512"):
        out.append((alg, rsa_priv, rsa_pub))
    out.append(("RS256", rsa_priv.decode(), rsa_pub.decode()))
    out.append(("RS256", keyfiles.private_key("rsa2048"), keyfiles.public_key("rsa2048")))
    for kind in ("ed25519", "ed448"):
        out.append(("EdDSA", keyfiles.private_pem(kind), keyfiles.public_pem(kind)))
        out.append(("EdDSA", keyfiles.private_key(kind), keyfiles.public_key(kind)))
    return out


KEYS = _keys()
KEY_IDS = [f"{a}-{type(k).__name__}-{i}" for i, (a, k, _) in enumerate(KEYS)]


@pytest.mark.parametrize(("alg", "sk", "vk"), KEYS, ids=KEY_IDS)
@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_encode_identical_and_cross_verifies(alg: str, sk: Any, vk: Any, payload: dict[str, Any]) -> None:
    ours = fastjwt.encode(payload, sk, algorithm=alg)
    theirs = pyjwt.encode(payload, sk, algorithm=alg)
    assert ours == theirs
    assert fastjwt.decode(theirs, vk, algorithms=[alg], options={"verify_aud": False}) == pyjwt.decode(
        theirs, vk, algorithms=[alg], options={"verify_aud": False}
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"headers": {"kid": "key-1", "x": [1, "é"]}},
        {"headers": {"kid": "k", "typ": "at+jwt", "cty": "x"}, "sort_headers": False},
        {"headers": {"z": 1, "a": 2}, "sort_headers": False},
        {"json_encoder": DecimalEncoder},
        {"headers": {"typ": None}},
    ],
)
def test_encode_options_identical(kwargs: dict[str, Any]) -> None:
    payload = {"d": Decimal("1.10"), "s": "x"} if "json_encoder" in kwargs else {"s": "x"}
    assert fastjwt.encode(payload, SECRET, algorithm="HS256", **kwargs) == pyjwt.encode(
        payload, SECRET, algorithm="HS256", **kwargs
    )


def test_datetime_claims_identical() -> None:
    payload = _dt_payload()
    token = fastjwt.encode(dict(payload), SECRET)
    assert token == pyjwt.encode(dict(payload), SECRET)
    assert fastjwt.decode(token, SECRET, algorithms=["HS256"]) == pyjwt.decode(token, SECRET, algorithms=["HS256"])


def test_pyjwk_key_form_identical() -> None:
    jwk = keyfiles.jwk("rsa2048", private=True)
    ours = fastjwt.encode({"a": 1}, fastjwt.PyJWK(jwk), algorithm="RS256")
    assert ours == pyjwt.encode({"a": 1}, pyjwt.PyJWK(jwk), algorithm="RS256")
    pub = keyfiles.jwk("rsa2048")
    assert fastjwt.decode(ours, fastjwt.PyJWK(pub), algorithms=["RS256"]) == {"a": 1}


@pytest.mark.parametrize(
    ("alg", "kind"),
    [
        ("PS256", "rsa2048"),
        ("PS384", "rsa2048"),
        ("PS512", "rsa2048"),
        ("ES256", "p256"),
        ("ES384", "p384"),
        ("ES512", "p521"),
        ("ES256K", "secp256k1"),
    ],
)
def test_randomized_algorithms_cross_verify(alg: str, kind: str) -> None:
    sk, vk = keyfiles.private_pem(kind), keyfiles.public_pem(kind)
    payload = PAYLOADS[2]
    assert pyjwt.decode(fastjwt.encode(payload, sk, algorithm=alg), vk, algorithms=[alg]) == payload
    assert fastjwt.decode(pyjwt.encode(payload, sk, algorithm=alg), vk, algorithms=[alg]) == payload


def _hs(payload: dict[str, Any], headers: dict[str, Any] | None = None, key: str = SECRET) -> str:
    """An HS256 token signed over raw JSON (no encode-side claim type checks, so bad claim types can be made)."""
    header = {"alg": "HS256", "typ": "JWT", **(headers or {})}
    return _raw(json.dumps(header).encode(), json.dumps(payload).encode(), key)


def _raw(header: bytes, payload: bytes, key: str = SECRET) -> str:
    import base64
    import hashlib
    import hmac

    def b(x: bytes) -> str:
        return base64.urlsafe_b64encode(x).rstrip(b"=").decode()

    si = f"{b(header)}.{b(payload)}"
    return si + "." + b(hmac.new(key.encode(), si.encode(), hashlib.sha256).digest())


def _tamper(token: str) -> str:
    h, p, s = token.split(".")
    return f"{h}.{p}.{('A' if s[0] != 'A' else 'B')}{s[1:]}"


GOOD = _hs({"sub": "x"})
H = b'{"alg":"HS256","typ":"JWT"}'

# (case, token, decode arguments, the exception class both libraries raise)
BAD: list[tuple[str, Any, dict[str, Any], str]] = [
    ("expired", _hs({"exp": NOW - 100}), {}, "ExpiredSignatureError"),
    ("immature", _hs({"nbf": NOW + 10**6}), {}, "ImmatureSignatureError"),
    ("iat future", _hs({"iat": NOW + 10**6}), {}, "ImmatureSignatureError"),
    ("iat not int", _hs({"iat": "x"}), {}, "InvalidIssuedAtError"),
    ("exp not int", _hs({"exp": "soon"}), {}, "DecodeError"),
    ("nbf not int", _hs({"nbf": [1]}), {}, "DecodeError"),
    ("wrong aud", _hs({"aud": "a"}), {"audience": "b"}, "InvalidAudienceError"),
    ("aud missing", _hs({}), {"audience": "b"}, "MissingRequiredClaimError"),
    ("aud not expected", _hs({"aud": "a"}), {}, "InvalidAudienceError"),
    ("aud bad type", _hs({"aud": 5}), {"audience": "b"}, "InvalidAudienceError"),
    ("aud list bad member", _hs({"aud": ["a", 5]}), {"audience": "a"}, "InvalidAudienceError"),
    ("wrong iss", _hs({"iss": "a"}), {"issuer": "b"}, "InvalidIssuerError"),
    ("iss missing", _hs({}), {"issuer": "b"}, "MissingRequiredClaimError"),
    ("iss bad type", _hs({"iss": 1}), {"issuer": "b"}, "InvalidIssuerError"),
    ("wrong sub", _hs({"sub": "a"}), {"subject": "b"}, "InvalidSubjectError"),
    ("sub bad type", _hs({"sub": 1}), {}, "InvalidSubjectError"),
    ("jti bad type", _hs({"jti": 1}), {}, "InvalidJTIError"),
    ("required missing", _hs({}), {"options": {"require": ["exp"]}}, "MissingRequiredClaimError"),
    (
        "strict aud list",
        _hs({"aud": ["a"]}),
        {"audience": "a", "options": {"strict_aud": True}},
        "InvalidAudienceError",
    ),
    ("wrong key", _hs({}, key="another-secret-that-is-long-enough-0123456789"), {}, "InvalidSignatureError"),
    ("alg not allowed", GOOD, {"algorithms": ["HS512"]}, "InvalidAlgorithmError"),
    ("alg none", pyjwt.encode({}, None, algorithm="none"), {}, "InvalidAlgorithmError"),
    ("tampered", _tamper(GOOD), {}, "InvalidSignatureError"),
    ("one segment", "abc", {}, "DecodeError"),
    ("two segments", "abc.def", {}, "DecodeError"),
    ("empty", "", {}, "DecodeError"),
    ("bad json header", _raw(b"{not json", b"{}"), {}, "DecodeError"),
    ("bad json payload", _raw(H, b"{not json"), {}, "DecodeError"),
    ("list header", _raw(b"[1]", b"{}"), {}, "DecodeError"),
    ("list payload", _raw(H, b"[1,2]"), {}, "DecodeError"),
    ("kid not str", _hs({}, headers={"kid": 5}), {}, "InvalidTokenError"),
    ("unknown crit", _raw(b'{"alg":"HS256","crit":["x"],"x":1}', b"{}"), {}, "InvalidTokenError"),
    ("crit not list", _raw(b'{"alg":"HS256","crit":"b64"}', b"{}"), {}, "InvalidTokenError"),
    ("b64 false without crit", _raw(b'{"alg":"HS256","b64":false}', b""), {}, "InvalidTokenError"),
    ("token not str", 12345, {}, "DecodeError"),
    ("algorithms missing", GOOD, {"algorithms": None}, "DecodeError"),
    ("bad key type", GOOD, {"key": 12345}, "TypeError"),
]


def _call(mod: Any, token: Any, kw: dict[str, Any]) -> Any:
    kw = dict(kw)
    key = kw.pop("key", SECRET)
    algorithms = kw.pop("algorithms", ["HS256"])
    return mod.decode(token, key, algorithms=algorithms, **kw)


def _exception(module: Any, name: str) -> type[BaseException]:
    """The class called ``name`` in ``module.exceptions``, or the builtin of that name."""
    found: type[BaseException] = getattr(module.exceptions, name, None) or getattr(builtins, name)
    return found


@pytest.mark.parametrize(("name", "token", "kw", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_tokens_raise_same_class(name: str, token: Any, kw: dict[str, Any], expected: str) -> None:
    with raises_exactly(_exception(pyjwt, expected)):
        _call(pyjwt, token, kw)
    with raises_exactly(_exception(fastjwt, expected)) as ours:
        _call(fastjwt, token, kw)
    assert type(ours.value).__module__.split(".")[0] in {"fastjwt", "builtins"}


def test_detached_payload_misuse_same_class() -> None:
    token = pyjwt.api_jws.encode(b"hello", SECRET, algorithm="HS256", is_payload_detached=True)
    for kwargs, expected in (({}, "DecodeError"), ({"detached_payload": b"other"}, "InvalidSignatureError")):
        with raises_exactly(_exception(pyjwt, expected)):
            pyjwt.api_jws.decode(token, SECRET, algorithms=["HS256"], **kwargs)
        with raises_exactly(_exception(fastjwt, expected)):
            fastjwt.api_jws.decode(token, SECRET, algorithms=["HS256"], **kwargs)
    assert fastjwt.api_jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"hello") == b"hello"


def _int_coerced(value: Any) -> bool:
    """True for a non-number that PyJWT's ``int(value)`` turns into a time: a boolean or a numeric string."""
    if isinstance(value, bool):
        return True
    if not isinstance(value, str):
        return False
    try:
        int(value)
    except ValueError:
        return False
    return True


claim_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.text(max_size=5),
    st.lists(st.text(max_size=3), max_size=2),
    st.sampled_from([NOW - 50, NOW + 50, NOW]),
)


@settings(max_examples=60, deadline=None)
@given(
    claims=st.dictionaries(st.sampled_from(["exp", "nbf", "iat", "aud", "iss", "sub", "jti", "x"]), claim_value),
    audience=st.sampled_from([None, "a", ["a", "b"]]),
    issuer=st.sampled_from([None, "i"]),
)
def test_hypothesis_claim_sets_same_outcome(claims: dict[str, Any], audience: Any, issuer: Any) -> None:
    # Documented differences (README "Differences from PyJWT", SECURITY.md "Claims are type-checked"): a time claim
    # that is a boolean or a string int() reads ("0", " 7", "1_0") is a number to PyJWT and a DecodeError
    # (InvalidIssuedAtError for iat) to fastjwt; test_deliberately_stricter pins fastjwt's side of each.
    assume(not any(_int_coerced(claims[c]) for c in ("exp", "nbf", "iat") if c in claims))
    token = _hs(claims)
    kw = {"audience": audience, "issuer": issuer, "leeway": 5}
    try:
        expected: Any = pyjwt.decode(token, SECRET, algorithms=["HS256"], **kw)
    except Exception as exc:
        expected = type(exc).__name__
    try:
        got: Any = fastjwt.decode(token, SECRET, algorithms=["HS256"], **kw)
    except Exception as exc:
        got = type(exc).__name__
    assert got == expected


def _seg(x: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(x).rstrip(b"=").decode()


EXP_NOT_INT = r"Expiration Time claim \(exp\) must be an integer\."
NBF_NOT_INT = r"Not Before claim \(nbf\) must be an integer\."
IAT_NOT_INT = r"Issued At claim \(iat\) must be an integer\."

# (case, token, fastjwt's exception class, its message)
STRICTER: list[tuple[str, str, type[Exception], str]] = [
    ("padding", GOOD.split(".")[0] + "==." + GOOD.split(".", 1)[1], DecodeError, "Invalid header padding"),
    ("junk base64", GOOD[:-2] + "!!", DecodeError, "Invalid crypto padding"),
    ("duplicate names", _raw(H, b'{"a":1,"a":2}'), DecodeError, "Invalid payload string: duplicate member name"),
    ("NaN", _raw(H, b'{"a":NaN}'), DecodeError, "Invalid payload string: non-finite number"),
    ("Infinity", _raw(H, b'{"a":Infinity}'), DecodeError, "Invalid payload string: non-finite number"),
    ("1e999", _raw(H, b'{"a":1e999}'), DecodeError, "Invalid payload string: non-finite number"),
    ("exp numeric string", _raw(H, b'{"exp":"123"}'), DecodeError, EXP_NOT_INT),
    ("exp zero string", _raw(H, b'{"exp":"0"}'), DecodeError, EXP_NOT_INT),  # PyJWT: ExpiredSignatureError
    ("exp boolean", _raw(H, b'{"exp":true}'), DecodeError, EXP_NOT_INT),
    ("nbf numeric string", _raw(H, b'{"nbf":"0"}'), DecodeError, NBF_NOT_INT),  # PyJWT: accepted
    ("nbf boolean", _raw(H, b'{"nbf":false}'), DecodeError, NBF_NOT_INT),
    ("iat numeric string", _raw(H, b'{"iat":"0"}'), InvalidIssuedAtError, IAT_NOT_INT),  # PyJWT: accepted
    ("iat boolean", _raw(H, b'{"iat":true}'), InvalidIssuedAtError, IAT_NOT_INT),
    ("over 1 MiB", _hs({"pad": "x" * (1024 * 1024)}), DecodeError, "Token is too long"),
    ("deeper than 64", _raw(H, b'{"a":' + b"[" * 70 + b"]" * 70 + b"}"), DecodeError, "nesting too deep"),
]


@pytest.mark.parametrize(("name", "token", "error", "message"), STRICTER, ids=[s[0] for s in STRICTER])
def test_deliberately_stricter(name: str, token: str, error: type[Exception], message: str) -> None:
    with raises_exactly(error, match=message):
        fastjwt.decode(token, SECRET, algorithms=["HS256"])
