"""Keys from the command line: ``--key``, ``--key-file`` or ``--key-env`` read, loaded, and named by kind.

The kind of a loaded key (``hmac``, ``rsa``, ``ec:<curve>``, ``ed25519``, ``ed448``) decides which algorithms fit it.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ._output import CLIError, _first_line, _redact

_HMAC_ALGS = ("HS256", "HS384", "HS512")
_RSA_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_EC_ALG_BY_CURVE = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512", "secp256k1": "ES256K"}


def _key_material(args: argparse.Namespace) -> bytes | None:
    """The raw key bytes from ``--key``, ``--key-file`` or ``--key-env`` (at most one)."""
    given = [n for n in ("key", "key_file", "key_env") if getattr(args, n, None) is not None]
    if len(given) > 1:
        raise CLIError("give only one of --key, --key-file, --key-env")
    if args.key is not None:
        return str(args.key).encode()
    # The file name and the variable name are not echoed: a secret passed there by mistake would be.
    if args.key_file == "-":
        data = sys.stdin.buffer.read()
        _redact.add(data)
        return data
    if args.key_file is not None:
        try:
            with open(args.key_file, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CLIError(f"cannot read key file (the --key-file path): {exc.strerror}") from None
        _redact.add(data)
        return data
    if args.key_env is not None:
        value = os.environ.get(args.key_env)
        if value is None:
            raise CLIError("the environment variable named by --key-env is not set")
        _redact.add(value)
        return value.encode()
    return None


def _one_stdin_reader(args: argparse.Namespace, input_name: str) -> None:
    """Refuse ``-`` for both the token/payload and ``--key-file``: stdin can be read only once."""
    if getattr(args, input_name) == "-" and getattr(args, "key_file", None) == "-":
        raise CLIError(f"the {input_name} and --key-file cannot both be - (stdin)")


def _is_asymmetric(data: bytes) -> bool:
    stripped = data.lstrip()
    return stripped.startswith((b"-----BEGIN", b"ssh-", b"ecdsa-sha2-")) or (
        stripped.startswith(b"{") and b'"kty"' in stripped and b'"oct"' not in stripped
    )


def _load_asymmetric(data: bytes, *, private: bool) -> Any:
    """A cryptography key object from PEM, OpenSSH public key or JWK JSON."""
    from cryptography.hazmat.primitives import serialization

    from ..api_jwk import PyJWK

    stripped = data.lstrip()
    try:
        if stripped.startswith(b"{"):
            return PyJWK.from_json(stripped.decode()).key
        if stripped.startswith((b"ssh-", b"ecdsa-sha2-")):
            if private:
                raise CLIError("an OpenSSH public key cannot sign")
            return serialization.load_ssh_public_key(stripped)
        if b"PRIVATE KEY" in stripped:
            key = serialization.load_pem_private_key(stripped, password=None)
            return key if private else key.public_key()
        if private:
            raise CLIError("signing needs a private key; the key file holds a public key")
        if b"CERTIFICATE" in stripped:
            from cryptography import x509

            return x509.load_pem_x509_certificate(stripped).public_key()
        return serialization.load_pem_public_key(stripped)
    except CLIError:
        raise
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise CLIError(f"cannot load the key: {_first_line(exc)}") from None
    except Exception as exc:  # cryptography's UnsupportedAlgorithm and PyJWT's key errors
        raise CLIError(f"cannot load the key: {_first_line(exc)}") from None


def _load_key(material: bytes, *, private: bool) -> Any:
    """A key object for PEM/SSH/asymmetric JWK material, the secret bytes for an ``oct`` JWK, else the bytes as-is."""
    stripped = material.strip()
    if stripped.startswith(b"{") and b'"oct"' in stripped:
        from ..api_jwk import PyJWK

        try:
            return PyJWK.from_json(stripped.decode()).key
        except Exception as exc:  # PyJWKError, ValueError, UnicodeDecodeError: not a usable JWK
            raise CLIError(f"cannot load the key: {_first_line(exc)}") from None
    if _is_asymmetric(material):
        return _load_asymmetric(material, private=private)
    return material


def _key_kind(key: Any) -> str:
    """``hmac``, ``rsa``, ``ec:<curve>``, ``ed25519`` or ``ed448`` for a secret (bytes) or a key object."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if isinstance(key, (bytes, str)):
        return "hmac"
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "rsa"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return "ec:" + key.curve.name
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "ed25519"
    if isinstance(key, (ed448.Ed448PrivateKey, ed448.Ed448PublicKey)):
        return "ed448"
    return "unknown"


def _algs_for(kind: str) -> tuple[str, ...]:
    if kind == "hmac":
        return _HMAC_ALGS
    if kind == "rsa":
        return _RSA_ALGS
    if kind.startswith("ec:"):
        alg = _EC_ALG_BY_CURVE.get(kind[3:])
        return (alg,) if alg else ()
    if kind in ("ed25519", "ed448"):
        return ("EdDSA",)
    return ()


def _alg_family(alg: str) -> str:
    if alg.startswith("HS"):
        return "an HMAC secret"
    if alg.startswith(("RS", "PS")):
        return "an RSA key"
    if alg.startswith("ES"):
        return "an EC key on the matching curve"
    if alg in ("EdDSA", "Ed25519", "Ed448"):
        return "an Ed25519/Ed448 key"
    return "a key for " + alg


def _kind_name(kind: str) -> str:
    if kind.startswith("ec:"):
        return f"an EC key ({kind[3:]})"
    return {"hmac": "an HMAC secret", "rsa": "an RSA key", "ed25519": "an Ed25519 key", "ed448": "an Ed448 key"}.get(
        kind, "an unsupported key"
    )
