"""Exception messages built from token or JWK text are safe for terminals and logs (both cores).

A ``crit`` value, a ``kid``, a JWK's ``kty`` or ``crv`` are the sender's choice. Messages that quote them must escape
control, format and separator characters (as ``fastjwt._text.printable`` does) and cut long values, while plain
text keeps the exact wording users match on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keyfiles
import pytest
from conftest import SECRET

import fastjwt
from fastjwt.algorithms import ECAlgorithm, OKPAlgorithm
from fastjwt.api_jwk import PyJWK, PyJWKSet
from fastjwt.exceptions import InvalidKeyError, InvalidTokenError

HOSTILE = "\x1b]0;PWNED\x07\x00\r\n\x7f\x85\x9b31m\u202eevil\u2066\u2028\u2029\ufeff"
ESCAPED = "\\x1b]0;PWNED\\x07\\x00\\x0d\\x0a\\x7f\\x85\\x9b31m\\u202eevil\\u2066\\u2028\\u2029\\ufeff"


def assert_safe(message: str) -> None:
    assert message.isprintable(), repr(message)
    assert len(message) < 400, len(message)


def _crit_token(ext: str) -> str:
    return fastjwt.encode({"sub": "x"}, SECRET, "HS256", headers={"crit": [ext], ext: 1})


DECODERS: dict[str, Callable[[str], Any]] = {
    "decode": lambda token: fastjwt.decode(token, SECRET, algorithms=["HS256"]),
    "Verifier": lambda token: fastjwt.Verifier(SECRET, ["HS256"]).decode(token),
    "get_unverified_header": fastjwt.get_unverified_header,
}


@pytest.mark.parametrize("decoder", DECODERS.values(), ids=DECODERS.keys())
def test_unsupported_crit_value_is_escaped(decoder: Callable[[str], Any]) -> None:
    with pytest.raises(InvalidTokenError) as info:
        decoder(_crit_token(HOSTILE))
    assert str(info.value) == f"Unsupported critical extension: {ESCAPED}"


@pytest.mark.parametrize("decoder", DECODERS.values(), ids=DECODERS.keys())
def test_unsupported_crit_value_is_cut(decoder: Callable[[str], Any]) -> None:
    with pytest.raises(InvalidTokenError) as info:
        decoder(_crit_token("x" * 4000))  # under the 16 KiB header limit
    assert str(info.value) == "Unsupported critical extension: " + "x" * 80 + "..."


@pytest.mark.parametrize("decoder", DECODERS.values(), ids=DECODERS.keys())
def test_plain_crit_value_keeps_its_wording(decoder: Callable[[str], Any]) -> None:
    with pytest.raises(InvalidTokenError) as info:
        decoder(_crit_token("b64x"))
    assert str(info.value) == "Unsupported critical extension: b64x"


def test_pyjwk_unsupported_crv_is_escaped() -> None:
    with pytest.raises(InvalidKeyError) as info:
        PyJWK({"kty": "EC", "crv": HOSTILE, "x": "AA", "y": "AA"})
    assert str(info.value) == f"Unsupported crv: {ESCAPED}"
    with pytest.raises(InvalidKeyError) as info:
        PyJWK({"kty": "OKP", "crv": HOSTILE * 100, "x": "AA"})
    assert_safe(str(info.value))


def test_pyjwk_unsupported_kty_is_escaped_and_cut() -> None:
    with pytest.raises(InvalidKeyError) as info:
        PyJWK({"kty": HOSTILE * 100})
    assert str(info.value).startswith("Unsupported kty: \\x1b]0;PWNED")
    assert_safe(str(info.value))


def test_pyjwk_description_of_the_key_is_escaped_and_cut() -> None:
    with pytest.raises(InvalidKeyError) as info:
        PyJWK({"kid": HOSTILE * 100, "alg": HOSTILE})
    assert str(info.value).startswith("kty is not found: {")
    assert_safe(str(info.value))
    with pytest.raises(fastjwt.PyJWKError) as jwk_info:
        PyJWK({"kty": "oct", "k": "c2VjcmV0", "alg": HOSTILE * 100})
    assert_safe(str(jwk_info.value))


def test_plain_pyjwk_messages_keep_their_wording() -> None:
    with pytest.raises(InvalidKeyError) as info:
        PyJWK({"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"})
    assert str(info.value) == "Unsupported crv: P-999"
    with pytest.raises(InvalidKeyError) as info:
        PyJWK({"kty": "XYZ"})
    assert str(info.value) == "Unsupported kty: XYZ"


@pytest.mark.parametrize(
    ("algorithm", "jwk"),
    [
        (ECAlgorithm, {"kty": "EC", "crv": HOSTILE * 100, "x": "AA", "y": "AA"}),
        (OKPAlgorithm, {"kty": "OKP", "crv": HOSTILE * 100, "x": "AA"}),
    ],
    ids=["EC", "OKP"],
)
def test_algorithm_from_jwk_invalid_curve_is_escaped(algorithm: Any, jwk: dict[str, Any]) -> None:
    with pytest.raises(InvalidKeyError) as info:
        algorithm.from_jwk(jwk)
    assert str(info.value).startswith("Invalid curve: \\x1b]0;PWNED")
    assert_safe(str(info.value))


def test_jwk_set_missing_kid_is_escaped() -> None:
    jwk_set = PyJWKSet([keyfiles.jwk("p256")])
    with pytest.raises(KeyError) as info:
        jwk_set[HOSTILE * 100]
    message = info.value.args[0]
    assert message.startswith("keyset has no key for kid: \\x1b]0;PWNED")
    assert_safe(message)
    with pytest.raises(KeyError) as info:
        jwk_set["k-9"]
    assert info.value.args[0] == "keyset has no key for kid: k-9"
