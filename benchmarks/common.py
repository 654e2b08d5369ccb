"""Keys, claims and tokens shared by every benchmark, so that every contender signs and verifies the same things.

Keys are generated once per process (RSA-2048, P-256, Ed25519 and a 40-byte HMAC secret); tokens are made with
PyJWT 2.15.1 (the reference) from key objects. Each algorithm also gets the tokens a correct decoder must reject
(a tampered payload, an expired token, a wrong ``aud``, a wrong ``iss``), used to check each contender once before
it is timed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt as pyjwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ALGORITHMS: tuple[str, ...] = ("HS256", "RS256", "PS256", "ES256", "EdDSA")
ISSUER = "https://auth.example.com/"
AUDIENCE = "https://api.example.com"
NOW = int(time.time())
# Far enough ahead that a whole `make bench` (minutes) never sees these tokens expire.
EXP = NOW + 7 * 86400

CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "sub": "user-1234567890",
    "aud": AUDIENCE,
    "iat": NOW,
    "exp": EXP,
    "name": "Jane Doe",
    "scope": "openid profile email read:orders",
}


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class KeyMaterial:
    """One algorithm's keys in every form a contender may want."""

    algorithm: str
    #: cryptography private key object (the secret bytes for HS256)
    private_key: Any
    #: cryptography public key object (the secret bytes for HS256)
    public_key: Any
    #: PKCS#8 PEM of the private key (the secret as ``str`` for HS256)
    private_pem: str
    #: SubjectPublicKeyInfo PEM of the public key (the secret as ``str`` for HS256)
    public_pem: str
    #: the public key (or the secret) as a JWK dict without ``alg``/``kid``
    public_jwk: dict[str, str] = field(default_factory=dict)
    private_jwk: dict[str, str] = field(default_factory=dict)

    @property
    def secret(self) -> bytes:
        """The HMAC secret (HS256 only)."""
        assert isinstance(self.private_key, bytes)
        return self.private_key


SECRET = b"fastjwt-benchmark-secret-0123456789abcdef"  # 41 bytes: above every library's HS256 minimum


def _pem_pair(private_key: Any) -> tuple[str, str]:
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


def _material(algorithm: str, private_key: Any) -> KeyMaterial:
    if algorithm == "HS256":
        jwk = {"kty": "oct", "k": _b64url(private_key)}
        text = private_key.decode("ascii")
        return KeyMaterial(algorithm, private_key, private_key, text, text, jwk, jwk)
    private_pem, public_pem = _pem_pair(private_key)
    algo = pyjwt.get_algorithm_by_name(algorithm)
    private_jwk = json.loads(algo.to_jwk(private_key))
    public_jwk = json.loads(algo.to_jwk(private_key.public_key()))
    public_key = private_key.public_key()
    return KeyMaterial(algorithm, private_key, public_key, private_pem, public_pem, public_jwk, private_jwk)


_rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEYS: dict[str, KeyMaterial] = {
    "HS256": _material("HS256", SECRET),
    "RS256": _material("RS256", _rsa_key),
    "PS256": _material("PS256", _rsa_key),
    "ES256": _material("ES256", ec.generate_private_key(ec.SECP256R1())),
    "EdDSA": _material("EdDSA", ed25519.Ed25519PrivateKey.generate()),
}


def make_token(algorithm: str, claims: dict[str, Any] | None = None) -> str:
    """A token over ``claims`` (default :data:`CLAIMS`) signed by PyJWT with this algorithm's key."""
    return pyjwt.encode(CLAIMS if claims is None else claims, KEYS[algorithm].private_key, algorithm=algorithm)


def tamper(token: str) -> str:
    """The same token with one claim changed in the payload and the original signature kept."""
    header, _, signature = token.split(".")
    forged = dict(CLAIMS, sub="admin")
    payload = _b64url(json.dumps(forged, separators=(",", ":")).encode())
    return f"{header}.{payload}.{signature}"


TOKENS: dict[str, str] = {alg: make_token(alg) for alg in ALGORITHMS}

#: tokens a decoder configured to check signature, exp, aud and iss must reject, by what is wrong with them
BAD_TOKENS: dict[str, dict[str, str]] = {
    alg: {
        "signature": tamper(TOKENS[alg]),
        "exp": make_token(alg, dict(CLAIMS, exp=NOW - 3600)),
        "aud": make_token(alg, dict(CLAIMS, aud="https://other.example.com")),
        "iss": make_token(alg, dict(CLAIMS, iss="https://evil.example.com/")),
    }
    for alg in ALGORITHMS
}


def signing_input_and_signature(token: str) -> tuple[bytes, bytes]:
    """``header.payload`` as bytes and the raw signature bytes of a compact JWS."""
    import base64

    head, _, sig = token.rpartition(".")
    return head.encode("ascii"), base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))


def sized_claims(size: int) -> dict[str, Any]:
    """:data:`CLAIMS` plus a ``permissions`` list of short strings, so the JSON payload is about ``size`` bytes."""
    claims = dict(CLAIMS)
    base = len(json.dumps(claims, separators=(",", ":"))) + len(',"permissions":[]')
    permissions: list[str] = []
    total = base
    i = 0
    while total < size:
        item = f"orders:read:tenant-{i:07d}"
        permissions.append(item)
        total += len(item) + 3  # two quotes and a comma
        i += 1
    claims["permissions"] = permissions
    return claims


# --- the floor: the `cryptography` primitive alone on the same key and signature ------------------------------


def floor_verifier(algorithm: str, token: str) -> Callable[[], None]:
    """A no-argument callable doing only ``cryptography``'s signature check of ``token``, the floor of a decode.

    For HS256 it is an HMAC ``copy()`` of a keyed context, ``update`` and ``finalize`` plus a constant-time compare;
    for the others the public key's ``verify`` with the token's signature (ECDSA's raw ``r || s`` converted to DER
    beforehand, outside the timed call). Raises ``InvalidSignature`` if the signature does not match.
    """
    material = KEYS[algorithm]
    data, signature = signing_input_and_signature(token)
    if algorithm == "HS256":
        import hmac as std_hmac

        keyed = hmac.HMAC(material.secret, hashes.SHA256())

        def verify_hmac() -> None:
            mac = keyed.copy()
            mac.update(data)
            if not std_hmac.compare_digest(mac.finalize(), signature):
                raise InvalidSignature

        return verify_hmac
    public = material.public_key
    if algorithm == "RS256":
        return lambda: public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    if algorithm == "PS256":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return lambda: public.verify(signature, data, pss, hashes.SHA256())
    if algorithm == "ES256":
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        ecdsa = ec.ECDSA(hashes.SHA256())
        return lambda: public.verify(der, data, ecdsa)
    if algorithm == "EdDSA":
        return lambda: public.verify(signature, data)
    raise ValueError(algorithm)


def floor_signer(algorithm: str, token: str) -> Callable[[], bytes]:
    """A no-argument callable doing only ``cryptography``'s signature of ``token``'s signing input."""
    material = KEYS[algorithm]
    data, _ = signing_input_and_signature(token)
    if algorithm == "HS256":
        keyed = hmac.HMAC(material.secret, hashes.SHA256())

        def sign_hmac() -> bytes:
            mac = keyed.copy()
            mac.update(data)
            return mac.finalize()

        return sign_hmac
    private = material.private_key
    if algorithm == "RS256":
        return lambda: private.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if algorithm == "PS256":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return lambda: private.sign(data, pss, hashes.SHA256())
    if algorithm == "ES256":
        ecdsa = ec.ECDSA(hashes.SHA256())
        return lambda: private.sign(data, ecdsa)
    if algorithm == "EdDSA":
        return lambda: private.sign(data)
    raise ValueError(algorithm)
