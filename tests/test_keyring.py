"""fastjwt.keyring.KeyRing: states, kids, signing with the active kid, and a public-only JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jwt as pyjwt
import keyfiles
import pytest

import fastjwt
from fastjwt.exceptions import InvalidKeyError
from fastjwt.keyring import KeyRing

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

# (key kind in tests/keys, algorithm)
KINDS = [
    ("rsa2048", "RS256"),
    ("rsa2048", "PS384"),
    ("p256", "ES256"),
    ("p384", "ES384"),
    ("p521", "ES512"),
    ("secp256k1", "ES256K"),
    ("ed25519", "EdDSA"),
    ("ed448", "EdDSA"),
]


class FakeClock:
    """A settable clock so grace periods of days can be crossed in a test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def rfc7638(jwk: dict[str, Any]) -> str:
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def assert_public_only(document: dict[str, Any]) -> None:
    for jwk in document["keys"]:
        assert not PRIVATE_MEMBERS & set(jwk), jwk


@pytest.mark.parametrize(("kind", "alg"), KINDS)
def test_kid_defaults_to_the_rfc7638_thumbprint_and_jwks_is_public_only(kind: str, alg: str) -> None:
    ring = KeyRing()
    kid = ring.add(keyfiles.private_key(kind), alg, activate=True)
    public = keyfiles.jwk(kind)
    assert kid == rfc7638(public)
    document = ring.jwks()
    assert_public_only(document)
    assert_public_only(json.loads(ring.jwks_json()))
    (published,) = document["keys"]
    assert published == {**{k: public[k] for k in published if k in public}, "kid": kid, "alg": alg, "use": "sig"}
    expected = {"RSA": {"kty", "n", "e"}, "EC": {"kty", "crv", "x", "y"}, "OKP": {"kty", "crv", "x"}}
    assert set(published) - {"kid", "alg", "use"} == expected[public["kty"]]
    # what the ring signs verifies against what it publishes, with fastjwt and with PyJWT
    token = ring.encode({"sub": "u1"})
    assert fastjwt.get_unverified_header(token)["kid"] == kid
    jwk_set = fastjwt.PyJWKSet.from_dict(document)
    assert fastjwt.Verifier(jwk_set, algorithms=[alg]).decode(token) == {"sub": "u1"}
    assert pyjwt.decode(token, pyjwt.PyJWK(published).key, algorithms=[alg]) == {"sub": "u1"}


@pytest.mark.parametrize("form", ["pkcs8_pem", "jwk"])
def test_keys_are_accepted_as_pem_and_private_jwk(form: str) -> None:
    material: Any = keyfiles.private_forms("p256")[form]
    if form == "jwk":
        material = json.loads(material)
    ring = KeyRing()
    kid = ring.add(material, "ES256", activate=True)
    assert kid == rfc7638(keyfiles.jwk("p256"))
    assert_public_only(ring.jwks())
    ring2 = KeyRing()
    ring2.add(fastjwt.PyJWK(keyfiles.jwk("p256", private=True)), "ES256", kid="from-pyjwk", activate=True)
    assert fastjwt.get_unverified_header(ring2.encode({}))["kid"] == "from-pyjwk"


def test_hmac_secrets_sign_with_a_random_kid_and_are_never_published() -> None:
    ring = KeyRing()
    secret = keyfiles.hmac_secret()
    kid = ring.add(secret, "HS256", activate=True)
    assert len(kid) >= 16 and kid != KeyRing().add(secret, "HS256")  # random, not a hash of the secret
    ring.add(keyfiles.private_key("p256"), "ES256")
    token = ring.encode({"sub": "u1"})
    assert fastjwt.get_unverified_header(token)["kid"] == kid
    assert fastjwt.decode(token, secret, algorithms=["HS256"]) == {"sub": "u1"}
    document = ring.jwks()
    assert [k["kty"] for k in document["keys"]] == ["EC"]
    assert_public_only(document)
    text = ring.jwks_json()
    assert base64.urlsafe_b64encode(secret).rstrip(b"=").decode() not in text
    assert '"k"' not in text and '"d"' not in text


def test_every_private_member_stays_out_of_the_jwks_in_every_state() -> None:
    clock = FakeClock()
    ring = KeyRing(retired_grace=100, clock=clock)
    kids = [ring.add(keyfiles.private_key(kind), alg) for kind, alg in KINDS[:1] + KINDS[2:]]
    ring.activate(kids[0])
    ring.activate(kids[1])  # kids[0] retired
    ring.add(keyfiles.hmac_secret(), "HS512")
    document = ring.jwks()
    assert len(document["keys"]) == len(kids)
    assert_public_only(document)
    text = ring.jwks_json(indent=2)
    for member in PRIVATE_MEMBERS:
        assert f'"{member}"' not in text


def test_rotation_states_and_publication_over_time() -> None:
    clock = FakeClock()
    ring = KeyRing(retired_grace=3600, clock=clock)
    a = ring.add(keyfiles.private_key("p256"), "ES256", kid="A", activate=True)
    assert ring.active_kid == "A" and ring["A"].state == "active"
    b = ring.add(keyfiles.private_key("ed25519"), "EdDSA", kid="B")
    assert ring[b].state == "staged"
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["A", "B"]  # B published before it signs
    assert fastjwt.get_unverified_header(ring.encode({}))["kid"] == "A"

    clock.now += 600
    ring.activate(b)
    assert ring.active_kid == "B"
    assert ring[a].state == "retired" and ring[a].retired_at == clock.now
    assert ring[a].publish_until == clock.now + 3600
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["B", "A"]  # active first
    assert fastjwt.get_unverified_header(ring.encode({}))["kid"] == "B"

    clock.now += 3599
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["B", "A"]
    assert ring.prune() == []
    clock.now += 1
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["B"]
    assert "A" in ring
    assert ring.prune() == ["A"]
    assert "A" not in ring and len(ring) == 1


def test_retire_staged_key_with_its_own_grace_and_remove() -> None:
    clock = FakeClock()
    ring = KeyRing(retired_grace=3600, clock=clock)
    ring.add(keyfiles.private_key("p256"), "ES256", kid="A", activate=True)
    ring.add(keyfiles.private_key("p384"), "ES384", kid="B")
    ring.add(keyfiles.private_key("p521"), "ES512", kid="C")
    ring.retire("B", grace=10)
    clock.now += 10
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["A", "C"]
    ring.remove("C")
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["A"]
    with pytest.raises(ValueError, match="active"):
        ring.retire("A")
    with pytest.raises(ValueError, match="active"):
        ring.remove("A")
    with pytest.raises(KeyError):
        ring.activate("C")


def test_a_signer_keeps_its_key_while_encode_follows_the_active_key() -> None:
    ring = KeyRing()
    ring.add(keyfiles.private_key("p256"), "ES256", kid="A", activate=True)
    signer = ring.signer(headers={"typ": "at+jwt", "kid": "ignored"})
    assert isinstance(signer, fastjwt.Signer)
    ring.add(keyfiles.private_key("ed25519"), "EdDSA", kid="B", activate=True)
    old = fastjwt.get_unverified_header(signer.encode({}))
    assert old["kid"] == "A" and old["typ"] == "at+jwt" and old["alg"] == "ES256"
    new = fastjwt.get_unverified_header(ring.encode({}))
    assert new["kid"] == "B" and new["alg"] == "EdDSA"
    assert fastjwt.get_unverified_header(ring.signer().encode({}))["kid"] == "B"


def test_misuse_raises_clear_errors() -> None:
    ring = KeyRing()
    with pytest.raises(LookupError, match="no active key"):
        ring.encode({})
    with pytest.raises(LookupError):
        ring.signer()
    with pytest.raises(InvalidKeyError, match="private key"):
        ring.add(keyfiles.public_key("p256"), "ES256")
    with pytest.raises(InvalidKeyError):
        ring.add(keyfiles.public_pem("rsa2048"), "RS256")
    with pytest.raises(InvalidKeyError):
        ring.add(keyfiles.private_key("p256"), "RS256")  # wrong key type for the algorithm
    with pytest.raises(NotImplementedError):
        ring.add(keyfiles.private_key("p256"), "XS999")
    with pytest.raises(InvalidKeyError):
        ring.add(None, "none")
    ring.add(keyfiles.private_key("p256"), "ES256", kid="A")
    with pytest.raises(ValueError, match="already"):
        ring.add(keyfiles.private_key("p384"), "ES384", kid="A")
    with pytest.raises(ValueError, match="non-empty string"):
        ring.add(keyfiles.private_key("p384"), "ES384", kid="")
    with pytest.raises(KeyError):
        ring.activate("nope")
    with pytest.raises(ValueError):
        KeyRing(retired_grace=-1)


def test_repr_never_shows_key_material() -> None:
    ring = KeyRing()
    kid = ring.add(keyfiles.hmac_secret(), "HS256")
    text = repr(ring[kid]) + repr(ring.keys())
    assert keyfiles.hmac_secret().hex() not in text and "_signing_key" not in text
    assert kid in text
