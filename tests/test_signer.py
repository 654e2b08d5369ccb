"""Signer: the same tokens as fastjwt.encode (and so PyJWT), prepared once."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import jwt as pyjwt
import keyfiles
import pytest
from conftest import SECRET

import fastjwt


class DecimalEncoder(json.JSONEncoder):
    """Encodes Decimal as a string."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return str(o)
        return super().default(o)


@pytest.mark.parametrize(
    ("alg", "key"),
    [
        ("HS256", SECRET),
        ("HS512", SECRET.encode()),
        ("RS256", keyfiles.private_pem("rsa2048")),
        ("EdDSA", keyfiles.private_key("ed25519")),
        ("RS384", fastjwt.PyJWK(keyfiles.jwk("rsa2048", private=True))),
    ],
)
@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"a": 'é𝄞\x00"\\'},
        {"n": 2**70, "f": -0.0, "l": [1e22, 1e-7]},
        {"exp": datetime(2030, 1, 1, tzinfo=timezone.utc)},
    ],
)
def test_same_as_encode(alg: str, key: Any, payload: dict[str, Any]) -> None:
    signer = fastjwt.Signer(key, alg)
    token = signer.encode(dict(payload))
    assert token == fastjwt.encode(dict(payload), key, algorithm=alg)
    ref_key = pyjwt.PyJWK(keyfiles.jwk("rsa2048", private=True)) if isinstance(key, fastjwt.PyJWK) else key
    assert token == pyjwt.encode(dict(payload), ref_key, algorithm=alg)
    assert signer.encode(dict(payload)) == token  # reusable


@pytest.mark.parametrize("sort_headers", [True, False])
def test_headers_and_encoder(sort_headers: bool) -> None:
    headers = {"kid": "k1", "zz": 1, "aa": [2]}
    payload = {"d": Decimal("1.5")}
    signer = fastjwt.Signer(SECRET, headers=headers, json_encoder=DecimalEncoder, sort_headers=sort_headers)
    expected = pyjwt.encode(payload, SECRET, headers=headers, json_encoder=DecimalEncoder, sort_headers=sort_headers)
    assert signer.encode(payload) == expected
    headers["kid"] = "changed"  # the Signer's header was fixed at construction
    assert signer.encode(payload) == expected


def test_errors_like_encode() -> None:
    with pytest.raises(NotImplementedError):
        fastjwt.Signer(SECRET, "XX999")
    with pytest.raises(TypeError):
        fastjwt.Signer(SECRET).encode([1, 2])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fastjwt.Signer(SECRET).encode({"iss": 5})
    with pytest.raises(ValueError):
        fastjwt.Signer(SECRET, headers={"b64": False})
    with pytest.raises(fastjwt.exceptions.InvalidKeyError):
        fastjwt.Signer(keyfiles.public_pem("rsa2048"), "RS256").encode({})
