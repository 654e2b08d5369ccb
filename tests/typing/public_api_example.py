"""A typed program over fastjwt's public API: mypy --strict must accept it and infer the types asserted below.

tests/test_typing.py runs mypy on this file (a public name losing or changing its annotations makes it fail) and also
executes it, so every call here is real. ``assert_type`` is checked by mypy and is a no-op at run time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import fastjwt as jwt
from fastjwt.algorithms import Algorithm, get_default_algorithms
from fastjwt.exceptions import ExpiredSignatureError, InvalidTokenError, PyJWTError
from fastjwt.types import Options

if TYPE_CHECKING:
    from typing_extensions import assert_type
else:

    def assert_type(value: object, _type: object) -> object:
        return value


SECRET = "a-32-byte-or-longer-shared-secret!"
CLAIMS: dict[str, Any] = {"sub": "42", "aud": "api", "iss": "https://id.example", "exp": 4102444800}


def drop_in() -> None:
    """The PyJWT-compatible functions."""
    token = jwt.encode(CLAIMS, SECRET, algorithm="HS256", headers={"kid": "k1"})
    assert_type(token, str)
    options: Options = {"verify_exp": True, "require": ["exp", "sub"]}
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="api", options=options, leeway=timedelta(0))
    assert_type(claims, dict[str, Any])
    complete = jwt.decode_complete(token, SECRET, algorithms=["HS256"], audience="api")
    assert_type(complete, dict[str, Any])
    header = jwt.get_unverified_header(token)
    assert_type(header, dict[str, Any])
    assert header["kid"] == "k1" and claims["sub"] == "42" and complete["payload"] == claims

    expired = jwt.encode({"exp": 1}, SECRET, algorithm="HS256")
    try:
        jwt.decode(expired, SECRET, algorithms=["HS256"])
    except ExpiredSignatureError as exc:
        assert_type(exc, ExpiredSignatureError)
        assert isinstance(exc, InvalidTokenError) and isinstance(exc, PyJWTError)
    else:
        raise AssertionError("an expired token was accepted")

    algorithm = jwt.get_algorithm_by_name("HS256")
    assert_type(algorithm, Algorithm)
    assert "HS256" in get_default_algorithms()


def prepared() -> None:
    """Signer and Verifier, sync and async, with an asymmetric key object."""
    private_key = Ed25519PrivateKey.generate()
    signer = jwt.Signer(private_key, "EdDSA", headers={"kid": "ed1"})
    token = signer.encode(CLAIMS)
    assert_type(token, str)
    verifier = jwt.Verifier(
        private_key.public_key(), ["EdDSA"], audience="api", issuer="https://id.example", leeway=30, cache=True
    )
    claims = verifier.decode(token)
    assert_type(claims, dict[str, Any])
    complete = verifier.decode_complete(token)
    assert_type(complete, dict[str, Any])
    async_claims = asyncio.run(verifier.adecode(token))
    assert_type(async_claims, dict[str, Any])
    assert claims == async_claims == complete["payload"]


class StaticKeySource:
    """A key source: anything with ``get_signing_key(kid) -> PyJWK`` (the JWKS clients are key sources)."""

    def __init__(self, jwks: jwt.PyJWKSet) -> None:
        self._by_kid = {key.key_id: key for key in jwks.keys}

    def get_signing_key(self, kid: str | None) -> jwt.PyJWK:
        return self._by_kid[kid]


def key_sets() -> None:
    """PyJWK, PyJWKSet, a key source and a KeyRing."""
    ring = jwt.KeyRing()
    kid = ring.add(Ed25519PrivateKey.generate(), "EdDSA", activate=True)
    assert_type(kid, str)
    token = ring.encode(CLAIMS)
    assert_type(token, str)
    public = jwt.PyJWKSet.from_dict(ring.jwks())
    assert_type(public, jwt.PyJWKSet)
    key = public[kid]
    assert_type(key, jwt.PyJWK)
    assert_type(key.key_id, str | None)
    assert_type(key.thumbprint(), str)
    verifier = jwt.Verifier(StaticKeySource(public), ["EdDSA"], audience="api")
    assert verifier.decode(token)["sub"] == "42"
    client = jwt.PyJWKClient("https://id.example/.well-known/jwks.json", cache_keys=True, timeout=5)
    fetch: Callable[[str | None], jwt.PyJWK] = client.get_signing_key
    assert callable(fetch)


def main() -> None:
    """Run every example (the test executes this module too)."""
    drop_in()
    prepared()
    key_sets()


if __name__ == "__main__":
    main()
