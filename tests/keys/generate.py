"""Generate the test key material in this folder (run once; the files are committed).

Usage: ``python tests/keys/generate.py`` (overwrites every file it writes).
Nothing here runs during the tests: they read the committed files through
``tests/keyfiles.py``. All keys are throwaway test keys.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
PEM = serialization.Encoding.PEM
DER = serialization.Encoding.DER
NOENC = serialization.NoEncryption()


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def self_signed_cert(key: Any, cn: str) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=36500))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(PEM)


def jwk_json(jwk: dict[str, Any]) -> bytes:
    return (json.dumps(jwk, indent=2, sort_keys=True) + "\n").encode()


def rsa_files(prefix: str, bits: int) -> None:
    import fastjwt.algorithms as algorithms

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pub = key.public_key()
    write(f"{prefix}_private_pkcs1.pem", key.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL, NOENC))
    write(f"{prefix}_private_pkcs8.pem", key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, NOENC))
    write(f"{prefix}_private_pkcs8.der", key.private_bytes(DER, serialization.PrivateFormat.PKCS8, NOENC))
    write(
        f"{prefix}_private_pkcs8_encrypted.pem",
        key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"test")),
    )
    write(f"{prefix}_public_spki.pem", pub.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    write(f"{prefix}_public_spki.der", pub.public_bytes(DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    write(f"{prefix}_public_pkcs1.pem", pub.public_bytes(PEM, serialization.PublicFormat.PKCS1))
    write(f"{prefix}_public_pkcs1.der", pub.public_bytes(DER, serialization.PublicFormat.PKCS1))
    write(
        f"{prefix}_public.openssh",
        pub.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH) + b"\n",
    )
    write(f"{prefix}_cert.pem", self_signed_cert(key, f"fastjwt test {prefix}"))
    write(f"{prefix}_private.jwk.json", jwk_json(algorithms.RSAAlgorithm.to_jwk(key, as_dict=True)))
    write(f"{prefix}_public.jwk.json", jwk_json(algorithms.RSAAlgorithm.to_jwk(pub, as_dict=True)))


def ec_files(prefix: str, curve: ec.EllipticCurve, ssh: bool, cert: bool) -> None:
    import fastjwt.algorithms as algorithms

    key = ec.generate_private_key(curve)
    pub = key.public_key()
    write(f"{prefix}_private_sec1.pem", key.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL, NOENC))
    write(f"{prefix}_private_pkcs8.pem", key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, NOENC))
    write(f"{prefix}_private_pkcs8.der", key.private_bytes(DER, serialization.PrivateFormat.PKCS8, NOENC))
    write(f"{prefix}_public_spki.pem", pub.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    write(f"{prefix}_public_spki.der", pub.public_bytes(DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    if ssh:
        write(
            f"{prefix}_public.openssh",
            pub.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH) + b"\n",
        )
    if cert:
        write(f"{prefix}_cert.pem", self_signed_cert(key, f"fastjwt test {prefix}"))
    write(f"{prefix}_private.jwk.json", jwk_json(algorithms.ECAlgorithm.to_jwk(key, as_dict=True)))
    write(f"{prefix}_public.jwk.json", jwk_json(algorithms.ECAlgorithm.to_jwk(pub, as_dict=True)))


def okp_files(prefix: str, key: Any, ssh: bool) -> None:
    import fastjwt.algorithms as algorithms

    pub = key.public_key()
    write(f"{prefix}_private_pkcs8.pem", key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, NOENC))
    write(f"{prefix}_private_pkcs8.der", key.private_bytes(DER, serialization.PrivateFormat.PKCS8, NOENC))
    write(f"{prefix}_public_spki.pem", pub.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    write(f"{prefix}_public_spki.der", pub.public_bytes(DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    if ssh:
        write(
            f"{prefix}_public.openssh",
            pub.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH) + b"\n",
        )
    write(f"{prefix}_private.jwk.json", jwk_json(algorithms.OKPAlgorithm.to_jwk(key, as_dict=True)))
    write(f"{prefix}_public.jwk.json", jwk_json(algorithms.OKPAlgorithm.to_jwk(pub, as_dict=True)))


def main() -> None:
    rsa_files("rsa2048", 2048)
    rsa_files("rsa1024", 1024)
    ec_files("p256", ec.SECP256R1(), ssh=True, cert=True)
    ec_files("p384", ec.SECP384R1(), ssh=True, cert=False)
    ec_files("p521", ec.SECP521R1(), ssh=True, cert=False)
    ec_files("secp256k1", ec.SECP256K1(), ssh=False, cert=False)  # OpenSSH has no secp256k1 key type
    okp_files("ed25519", ed25519.Ed25519PrivateKey.generate(), ssh=True)
    okp_files("ed448", ed448.Ed448PrivateKey.generate(), ssh=False)  # cryptography cannot write Ed448 OpenSSH keys
    secret = b"fastjwt-test-hmac-secret-of-64-bytes-for-hs512-0123456789abcdef!"
    assert len(secret) == 64
    write("hmac_secret.bin", secret)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE.parents[1]))
    main()
