"""Test key material from ``tests/keys/`` (throwaway keys made by ``tests/keys/generate.py``).

File names are ``<kind>_<part>_<format>.<ext>``:

* kinds: ``rsa2048``, ``rsa1024`` (weak-key tests), ``p256``, ``p384``, ``p521``,
  ``secp256k1``, ``ed25519``, ``ed448``; plus ``hmac_secret.bin`` (64 bytes).
* RSA: ``_private_pkcs1.pem``, ``_private_pkcs8.pem``/``.der``,
  ``_private_pkcs8_encrypted.pem`` (password ``test``), ``_public_spki.pem``/``.der``,
  ``_public_pkcs1.pem``/``.der``, ``_public.openssh``, ``_cert.pem`` (self-signed).
* EC: ``_private_sec1.pem``, ``_private_pkcs8.pem``/``.der``, ``_public_spki.pem``/``.der``,
  ``_public.openssh`` (not secp256k1), ``_cert.pem`` (P-256 only).
* EdDSA: ``_private_pkcs8.pem``/``.der``, ``_public_spki.pem``/``.der``,
  ``_public.openssh`` (Ed25519 only).
* Every kind: ``_private.jwk.json`` and ``_public.jwk.json``.

Use :func:`read` for raw bytes, :func:`jwk` for a parsed JWK, and
:func:`private_key`/:func:`public_key` for ``cryptography`` key objects.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

KEYS_DIR: Path = Path(__file__).resolve().parent / "keys"

#: Key kinds with the JWS algorithms each one signs with.
KIND_ALGORITHMS: dict[str, tuple[str, ...]] = {
    "rsa2048": ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
    "p256": ("ES256",),
    "p384": ("ES384",),
    "p521": ("ES512", "ES521"),
    "secp256k1": ("ES256K",),
    "ed25519": ("EdDSA",),
    "ed448": ("EdDSA",),
}
ASYMMETRIC_KINDS: tuple[str, ...] = ("rsa2048", "rsa1024", "p256", "p384", "p521", "secp256k1", "ed25519", "ed448")
EC_KINDS: tuple[str, ...] = ("p256", "p384", "p521", "secp256k1")
#: Kinds with an OpenSSH public key file.
OPENSSH_KINDS: tuple[str, ...] = ("rsa2048", "rsa1024", "p256", "p384", "p521", "ed25519")
#: Kinds with a self-signed certificate file.
CERT_KINDS: tuple[str, ...] = ("rsa2048", "rsa1024", "p256")
#: Password of ``rsa*_private_pkcs8_encrypted.pem``.
ENCRYPTED_KEY_PASSWORD: bytes = b"test"


def read(name: str) -> bytes:
    """The bytes of ``tests/keys/<name>``."""
    return _read(name)


@cache
def _read(name: str) -> bytes:
    return (KEYS_DIR / name).read_bytes()


def jwk(kind: str, private: bool = False) -> dict[str, Any]:
    """A fresh copy of the kind's public (or private) JWK as a dict."""
    part = "private" if private else "public"
    return json.loads(read(f"{kind}_{part}.jwk.json"))


def private_pem(kind: str) -> bytes:
    """The kind's private key as PKCS#8 PEM."""
    return read(f"{kind}_private_pkcs8.pem")


def public_pem(kind: str) -> bytes:
    """The kind's public key as SubjectPublicKeyInfo PEM."""
    return read(f"{kind}_public_spki.pem")


@cache
def private_key(kind: str) -> Any:
    """The kind's private key as a ``cryptography`` object (cached: RSA loads are slow)."""
    return load_pem_private_key(private_pem(kind), password=None)


@cache
def public_key(kind: str) -> Any:
    """The kind's public key as a ``cryptography`` object."""
    return load_pem_public_key(public_pem(kind))


def hmac_secret() -> bytes:
    """A 64-byte HMAC secret (long enough for HS512)."""
    return read("hmac_secret.bin")


def public_forms(kind: str) -> dict[str, bytes]:
    """Every file holding the kind's public key (or certificate), by format name."""
    forms = {
        "spki_pem": read(f"{kind}_public_spki.pem"),
        "spki_der": read(f"{kind}_public_spki.der"),
    }
    if kind.startswith("rsa"):
        forms["pkcs1_pem"] = read(f"{kind}_public_pkcs1.pem")
        forms["pkcs1_der"] = read(f"{kind}_public_pkcs1.der")
    if kind in OPENSSH_KINDS:
        forms["openssh"] = read(f"{kind}_public.openssh")
    if kind in CERT_KINDS:
        forms["cert_pem"] = read(f"{kind}_cert.pem")
    forms["jwk"] = read(f"{kind}_public.jwk.json")
    return forms


def private_forms(kind: str) -> dict[str, bytes]:
    """Every file holding the kind's private key, by format name."""
    forms = {
        "pkcs8_pem": read(f"{kind}_private_pkcs8.pem"),
        "pkcs8_der": read(f"{kind}_private_pkcs8.der"),
        "jwk": read(f"{kind}_private.jwk.json"),
    }
    if kind.startswith("rsa"):
        forms["pkcs1_pem"] = read(f"{kind}_private_pkcs1.pem")
        forms["pkcs8_encrypted_pem"] = read(f"{kind}_private_pkcs8_encrypted.pem")
    if kind in EC_KINDS:
        forms["sec1_pem"] = read(f"{kind}_private_sec1.pem")
    return forms
