"""Published JWS examples: jwt.io's HS256 token, RFC 7515 Appendix A.1-A.4, RFC 8037 Appendix A.

Keys and tokens are copied from the RFC text (RFC 7515 gives some values as
octet arrays; the compact strings below are their Base64url, checked against
those arrays in ``test_rfc7515_octets``). Each vector goes through
``fastjwt.api_jws.decode_complete`` with the key as a JWK (``PyJWK``), as a key
object, and as PEM (asymmetric) or bytes (HMAC), and through the algorithm
object's ``verify``; a tampered copy must fail both ways.
"""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from strict_raises import raises_exactly

from fastjwt import algorithms, api_jws, api_jwt
from fastjwt.api_jwk import PyJWK, jwk_thumbprint
from fastjwt.exceptions import DecodeError, InvalidAlgorithmError, InvalidSignatureError

ALGS = algorithms.get_default_algorithms()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- jwt.io ---------------------------------------------------------------------------

JWT_IO_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWV9"
    ".TJVA95OrM7E2cBab30RMHrHDcEfxjoYZgeFONFh7HgQ"
)

# --- RFC 7515 Appendix A -----------------------------------------------------------------

# A.1: HMAC SHA-256, key from A.1.1 (the JWK in RFC 7517 Appendix A.3).
A1_KEY = {
    "kty": "oct",
    "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
}
A1_TOKEN = (
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)
# The A.1 header and payload octets as RFC 7515 lists them (CRLF line breaks, leading spaces).
A1_HEADER_OCTETS = [
    123, 34, 116, 121, 112, 34, 58, 34, 74, 87, 84, 34, 44, 13, 10, 32,
    34, 97, 108, 103, 34, 58, 34, 72, 83, 50, 53, 54, 34, 125,
]  # fmt: skip
A1_PAYLOAD_OCTETS = [
    123, 34, 105, 115, 115, 34, 58, 34, 106, 111, 101, 34, 44, 13, 10,
    32, 34, 101, 120, 112, 34, 58, 49, 51, 48, 48, 56, 49, 57, 51, 56,
    48, 44, 13, 10, 32, 34, 104, 116, 116, 112, 58, 47, 47, 101, 120, 97,
    109, 112, 108, 101, 46, 99, 111, 109, 47, 105, 115, 95, 114, 111,
    111, 116, 34, 58, 116, 114, 117, 101, 125,
]  # fmt: skip
A1_SIGNATURE_OCTETS = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173,
    187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
    132, 141, 121,
]  # fmt: skip
A_PAYLOAD = {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}

# A.2: RSASSA-PKCS1-v1_5 SHA-256.
A2_KEY = {
    "kty": "RSA",
    "n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
    "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs"
    "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH"
    "SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
    "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8"
    "NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
    "e": "AQAB",
    "d": "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97I"
    "jlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0"
    "BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn"
    "439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYT"
    "CBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLh"
    "BOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
    "p": "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdi"
    "YrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPG"
    "BY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
    "q": "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxa"
    "ewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA"
    "-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
    "dp": "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3Q"
    "CLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb"
    "34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
    "dq": "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa"
    "7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-ky"
    "NlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
    "qi": "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2o"
    "y26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLU"
    "W0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U",
}
A2_TOKEN = (
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t"
    "1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jz"
    "DwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe7"
    "7Rw"
)

# A.3: ECDSA P-256 SHA-256.
A3_KEY = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",
}
A3_TOKEN = (
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
)
A3_SIGNATURE_OCTETS = [
    14, 209, 33, 83, 121, 99, 108, 72, 60, 47, 127, 21, 88,
    7, 212, 2, 163, 178, 40, 3, 58, 249, 124, 126, 23, 129,
    154, 195, 22, 158, 166, 101,
    197, 10, 7, 211, 140, 60, 112, 229, 216, 241, 45, 175,
    8, 74, 84, 128, 166, 101, 144, 197, 242, 147, 80, 154,
    143, 63, 127, 138, 131, 163, 84, 213,
]  # fmt: skip

# A.4: ECDSA P-521 SHA-512, payload "Payload".
A4_KEY = {
    "kty": "EC",
    "crv": "P-521",
    "x": "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",
    "y": "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2",
    "d": "AY5pb7A0UFiB3RELSD64fTLOSV_jazdF7fLYyuTw8lOfRhWg6Y6rUrPAxerEzgdRhajnu0ferB0d53vM9mE15j2C",
}
A4_TOKEN = (
    "eyJhbGciOiJFUzUxMiJ9"
    ".UGF5bG9hZA"
    ".AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZ"
    "CPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn"
)

# --- RFC 8037 Appendix A -------------------------------------------------------------------

RFC8037_PRIVATE = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
RFC8037_PUBLIC = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_TOKEN = (
    "eyJhbGciOiJFZERTQSJ9"
    ".RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

# (name, alg, private JWK, token, expected header, expected payload bytes)
VECTORS: list[tuple[str, str, dict[str, Any], str, dict[str, Any], bytes]] = [
    ("rfc7515-A.1", "HS256", A1_KEY, A1_TOKEN, {"typ": "JWT", "alg": "HS256"}, bytes(A1_PAYLOAD_OCTETS)),
    ("rfc7515-A.2", "RS256", A2_KEY, A2_TOKEN, {"alg": "RS256"}, bytes(A1_PAYLOAD_OCTETS)),
    ("rfc7515-A.3", "ES256", A3_KEY, A3_TOKEN, {"alg": "ES256"}, bytes(A1_PAYLOAD_OCTETS)),
    ("rfc7515-A.4", "ES512", A4_KEY, A4_TOKEN, {"alg": "ES512"}, b"Payload"),
    ("rfc8037-A.4", "EdDSA", RFC8037_PRIVATE, RFC8037_TOKEN, {"alg": "EdDSA"}, b"Example of Ed25519 signing"),
]
IDS = [v[0] for v in VECTORS]


def _public_jwk(jwk: dict[str, Any]) -> dict[str, Any]:
    private_members = {"d", "p", "q", "dp", "dq", "qi"}
    return {k: v for k, v in jwk.items() if k not in private_members or jwk["kty"] == "oct"}


def _key_forms(alg: str, jwk: dict[str, Any]) -> dict[str, Any]:
    """The verification key as PyJWK, as the prepared object, and as PEM (or raw bytes for HMAC)."""
    public = _public_jwk(jwk)
    key_obj = ALGS[alg].from_jwk(public)
    forms: dict[str, Any] = {"pyjwk": PyJWK(public, algorithm=alg), "object": key_obj}
    if isinstance(key_obj, bytes):
        forms["secret-bytes"] = key_obj
    else:
        forms["pem"] = key_obj.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
    return forms


def _tamper(token: str) -> str:
    head, payload, sig = token.split(".")
    raw = bytearray(b64d(sig))
    raw[len(raw) // 2] ^= 0x01
    return f"{head}.{payload}.{b64(bytes(raw))}"


def test_rfc7515_octets() -> None:
    """The compact strings are the Base64url of the octet arrays RFC 7515 lists."""
    head, payload, sig = A1_TOKEN.split(".")
    assert b64d(head) == bytes(A1_HEADER_OCTETS)
    assert b64d(payload) == bytes(A1_PAYLOAD_OCTETS)
    assert b64d(sig) == bytes(A1_SIGNATURE_OCTETS)
    assert b64d(A3_TOKEN.split(".")[2]) == bytes(A3_SIGNATURE_OCTETS)
    assert json.loads(bytes(A1_PAYLOAD_OCTETS)) == A_PAYLOAD


@pytest.mark.parametrize(("name", "alg", "jwk", "token", "header", "payload"), VECTORS, ids=IDS)
def test_vector_through_decode_complete(
    name: str, alg: str, jwk: dict[str, Any], token: str, header: dict[str, Any], payload: bytes
) -> None:
    for form, key in _key_forms(alg, jwk).items():
        decoded = api_jws.decode_complete(token, key, algorithms=[alg])
        assert decoded["header"] == header, form
        assert decoded["payload"] == payload, form
        assert decoded["signature"] == b64d(token.split(".")[2]), form
        with pytest.raises(InvalidSignatureError):
            api_jws.decode_complete(_tamper(token), key, algorithms=[alg])
        # Three "=" are never the right padding: refused (PyJWT 2.15 accepts only the exact amount).
        with raises_exactly(DecodeError, match="Invalid crypto padding"):
            api_jws.decode_complete(token + "===", key, algorithms=[alg])


@pytest.mark.parametrize(("name", "alg", "jwk", "token", "header", "payload"), VECTORS, ids=IDS)
def test_vector_through_algorithm_verify(
    name: str, alg: str, jwk: dict[str, Any], token: str, header: dict[str, Any], payload: bytes
) -> None:
    algorithm = ALGS[alg]
    signing_input, _, sig = token.rpartition(".")
    key = algorithm.prepare_key(algorithm.from_jwk(_public_jwk(jwk))) if alg != "HS256" else algorithm.from_jwk(jwk)
    assert algorithm.verify(signing_input.encode(), key, b64d(sig)) is True
    assert algorithm.verify(signing_input.encode() + b" ", key, b64d(sig)) is False
    assert algorithm.verify(signing_input.encode(), key, b64d(_tamper(token).split(".")[2])) is False


@pytest.mark.parametrize(("name", "alg", "jwk", "token", "header", "payload"), VECTORS, ids=IDS)
def test_vector_wrong_algorithm_refused(
    name: str, alg: str, jwk: dict[str, Any], token: str, header: dict[str, Any], payload: bytes
) -> None:
    other = "HS512" if alg != "HS512" else "HS256"
    key = _key_forms(alg, jwk)["object"]
    with raises_exactly(InvalidAlgorithmError, match="The specified alg value is not allowed"):
        api_jws.decode_complete(token, key, algorithms=[other])


@pytest.mark.parametrize("name", ["rfc7515-A.1", "rfc7515-A.2", "rfc8037-A.4"])
def test_deterministic_vectors_are_reproduced_by_signing(name: str) -> None:
    _, alg, jwk, token, _, _payload = VECTORS[IDS.index(name)]
    algorithm = ALGS[alg]
    key = algorithm.from_jwk(jwk)
    signing_input = token.rpartition(".")[0]
    assert b64(algorithm.sign(signing_input.encode(), key)) == token.rpartition(".")[2]


def test_rfc8037_encode_reproduces_the_example_token() -> None:
    key = ALGS["EdDSA"].from_jwk(RFC8037_PRIVATE)
    token = api_jws.encode(b"Example of Ed25519 signing", key, algorithm="EdDSA", headers={"typ": None})
    assert token == RFC8037_TOKEN


def test_rfc8037_keys_and_thumbprint() -> None:
    private = ALGS["EdDSA"].from_jwk(RFC8037_PRIVATE)
    public = ALGS["EdDSA"].from_jwk(RFC8037_PUBLIC)
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    assert private.public_key().public_bytes(*raw) == public.public_bytes(*raw) == b64d(RFC8037_PUBLIC["x"])
    assert jwk_thumbprint(RFC8037_PUBLIC) == RFC8037_THUMBPRINT
    assert jwk_thumbprint(RFC8037_PRIVATE) == RFC8037_THUMBPRINT  # private members are not part of it
    assert PyJWK(RFC8037_PUBLIC).thumbprint() == RFC8037_THUMBPRINT


def test_jwt_io_token() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "secret" is shorter than the recommended 32 bytes
        decoded = api_jws.decode_complete(JWT_IO_TOKEN, "secret", algorithms=["HS256"])
        claims = api_jwt.decode(JWT_IO_TOKEN, "secret", algorithms=["HS256"])
        with pytest.raises(InvalidSignatureError):
            api_jws.decode_complete(JWT_IO_TOKEN, "secreT", algorithms=["HS256"])
        with pytest.raises(InvalidSignatureError):
            api_jws.decode_complete(_tamper(JWT_IO_TOKEN), "secret", algorithms=["HS256"])
        # Re-encoding the same claims with the same header reproduces the token byte for byte.
        again = api_jwt.encode(claims, "secret", algorithm="HS256")
    assert decoded["header"] == {"alg": "HS256", "typ": "JWT"}
    assert claims == {"sub": "1234567890", "name": "John Doe", "admin": True}
    signing_input, _, sig = JWT_IO_TOKEN.rpartition(".")
    key = ALGS["HS256"].prepare_key("secret")
    assert ALGS["HS256"].verify(signing_input.encode(), key, b64d(sig)) is True
    assert again == JWT_IO_TOKEN
