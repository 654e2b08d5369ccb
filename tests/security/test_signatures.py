"""ECDSA psychic signatures, out-of-range r/s, wrong lengths, DER where raw r||s is required; RSA/EdDSA tampering."""

from __future__ import annotations

import keyfiles
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from strict_raises import raises_exactly

import fastjwt as jwt
from fastjwt.exceptions import InvalidSignatureError
from security._forge import b64, seg

CURVES = {
    "ES256": ("p256", 32, 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551),
    "ES384": (
        "p384",
        48,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
    ),
    "ES512": (
        "p521",
        66,
        int("01FF" + "FFFFFFFF" * 7 + "FFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409", 16),
    ),
}


def _signing_input(alg: str) -> str:
    return f"{seg({'alg': alg, 'typ': 'JWT'})}.{seg({'sub': 'admin'})}"


def _decode(alg: str, signature: bytes) -> object:
    kind = CURVES[alg][0]
    return jwt.decode(f"{_signing_input(alg)}.{b64(signature)}", keyfiles.public_key(kind), algorithms=[alg])


def _raw(alg: str, r: int, s: int) -> bytes:
    size = CURVES[alg][1]
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


@pytest.mark.parametrize("alg", list(CURVES))
def test_genuine_signature_verifies(alg: str) -> None:
    kind = CURVES[alg][0]
    der = keyfiles.private_key(kind).sign(_signing_input(alg).encode(), ec.ECDSA(getattr(hashes, "SHA" + alg[2:])()))
    r, s = decode_dss_signature(der)
    assert _decode(alg, _raw(alg, r, s)) == {"sub": "admin"}


@pytest.mark.parametrize("alg", list(CURVES))
def test_psychic_signature_r_s_zero_refused(alg: str) -> None:
    with pytest.raises(InvalidSignatureError):
        _decode(alg, _raw(alg, 0, 0))


@pytest.mark.parametrize("alg", list(CURVES))
@pytest.mark.parametrize("which", ["r=n", "s=n", "r=s=n", "r=n+1", "s=n+1", "r=0", "s=0"])
def test_r_or_s_out_of_range_refused(alg: str, which: str) -> None:
    n = CURVES[alg][2]
    size = CURVES[alg][1]
    top = (1 << (8 * size)) - 1
    values = {
        "r=n": (n, 1),
        "s=n": (1, n),
        "r=s=n": (n, n),
        "r=n+1": (min(n + 1, top), 1),
        "s=n+1": (1, min(n + 1, top)),
        "r=0": (0, 1),
        "s=0": (1, 0),
    }
    r, s = values[which]
    with pytest.raises(InvalidSignatureError):
        _decode(alg, _raw(alg, r, s))


@pytest.mark.parametrize("alg", list(CURVES))
@pytest.mark.parametrize("delta", [-1, +1, -10])
def test_ecdsa_signature_of_wrong_length_refused(alg: str, delta: int) -> None:
    kind = CURVES[alg][0]
    der = keyfiles.private_key(kind).sign(_signing_input(alg).encode(), ec.ECDSA(getattr(hashes, "SHA" + alg[2:])()))
    raw = _raw(alg, *decode_dss_signature(der))
    bad = raw[:delta] if delta < 0 else raw + b"\x00"
    with pytest.raises(InvalidSignatureError):
        _decode(alg, bad)


@pytest.mark.parametrize("alg", list(CURVES))
def test_der_encoded_ecdsa_signature_refused(alg: str) -> None:
    kind = CURVES[alg][0]
    der = keyfiles.private_key(kind).sign(_signing_input(alg).encode(), ec.ECDSA(getattr(hashes, "SHA" + alg[2:])()))
    with pytest.raises(InvalidSignatureError):
        _decode(alg, der)


def test_ecdsa_signature_for_other_payload_refused() -> None:
    tok = jwt.encode({"sub": "alice"}, keyfiles.private_key("p256"), algorithm="ES256")
    h, _, s = tok.split(".")
    with pytest.raises(InvalidSignatureError):
        jwt.decode(f"{h}.{seg({'sub': 'admin'})}.{s}", keyfiles.public_key("p256"), algorithms=["ES256"])


@pytest.mark.parametrize(("kind", "alg"), [("rsa2048", "RS256"), ("rsa2048", "PS256"), ("ed25519", "EdDSA")])
def test_flipped_signature_bit_refused(kind: str, alg: str) -> None:
    tok = jwt.encode({"sub": "alice"}, keyfiles.private_key(kind), algorithm=alg)
    h, p, s = tok.split(".")
    import base64

    raw = bytearray(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    raw[len(raw) // 2] ^= 1
    with pytest.raises(InvalidSignatureError):
        jwt.decode(f"{h}.{p}.{b64(bytes(raw))}", keyfiles.public_key(kind), algorithms=[alg])


@pytest.mark.parametrize(("kind", "alg"), [("rsa2048", "RS256"), ("ed25519", "EdDSA")])
def test_empty_signature_refused(kind: str, alg: str) -> None:
    tok = jwt.encode({"sub": "alice"}, keyfiles.private_key(kind), algorithm=alg)
    with pytest.raises(InvalidSignatureError):
        jwt.decode(tok.rsplit(".", 1)[0] + ".", keyfiles.public_key(kind), algorithms=[alg])


def test_rsa_signature_from_other_key_refused() -> None:
    tok = jwt.encode({"sub": "alice"}, keyfiles.private_key("rsa1024"), algorithm="RS256")
    with pytest.raises(InvalidSignatureError):
        jwt.decode(tok, keyfiles.public_key("rsa2048"), algorithms=["RS256"])


# The first and the last byte of each kind of signature, tampered alone: a comparison that skips either end (an
# off-by-one in a constant-time loop, a length taken from the wrong buffer) lets exactly these through. These need
# no Wycheproof files, so they run in every checkout.
HMAC_SECRET = keyfiles.hmac_secret()
TAMPER_CASES = [
    ("HS256", None),
    ("HS384", None),
    ("HS512", None),
    ("RS256", "rsa2048"),
    ("PS256", "rsa2048"),
    ("ES256", "p256"),
    ("ES384", "p384"),
    ("ES512", "p521"),
    ("EdDSA", "ed25519"),
]


def _tampered(token: str, position: int, bit: int) -> tuple[str, bytes]:
    import base64

    signing_input, _, signature = token.rpartition(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[position] ^= bit
    return f"{signing_input}.{b64(bytes(raw))}", bytes(raw)


@pytest.mark.parametrize(("alg", "kind"), TAMPER_CASES, ids=[case[0] for case in TAMPER_CASES])
@pytest.mark.parametrize("position", [0, -1], ids=["first-byte", "last-byte"])
@pytest.mark.parametrize("bit", [0x01, 0x80])
def test_signature_with_only_its_first_or_last_byte_changed_refused(
    alg: str, kind: str | None, position: int, bit: int
) -> None:
    signing_key = HMAC_SECRET if kind is None else keyfiles.private_key(kind)
    verifying_key = HMAC_SECRET if kind is None else keyfiles.public_key(kind)
    token = jwt.encode({"sub": "alice"}, signing_key, algorithm=alg)
    forged, raw = _tampered(token, position, bit)
    verifier = jwt.Verifier(verifying_key, [alg], cache=True)
    assert verifier.decode(token) == {"sub": "alice"}
    assert jwt.decode(token, verifying_key, algorithms=[alg]) == {"sub": "alice"}
    with raises_exactly(InvalidSignatureError, match="Signature verification failed"):
        jwt.decode(forged, verifying_key, algorithms=[alg])
    with raises_exactly(InvalidSignatureError, match="Signature verification failed"):
        verifier.decode(forged)
    with raises_exactly(InvalidSignatureError, match="Signature verification failed"):
        jwt.api_jws.decode_complete(forged, verifying_key, algorithms=[alg])
    algorithm = jwt.get_algorithm_by_name(alg)
    prepared = algorithm.prepare_key(verifying_key)
    signing_input = token.rpartition(".")[0].encode()
    assert algorithm.verify(signing_input, prepared, raw) is False
