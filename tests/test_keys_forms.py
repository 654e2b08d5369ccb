"""``prepare_key`` on every key form, and the refusal of asymmetric key material as an HMAC secret.

For the asymmetric algorithms the accepted forms are PyJWT 2.15.1's: PEM
(PKCS#1, PKCS#8, SEC1, SPKI) and OpenSSH public keys; DER, certificates, JWK
text and encrypted keys raise ``InvalidKeyError`` (PyJWT raises ``ValueError``,
``TypeError`` or ``UnicodeDecodeError`` for some: documented difference).
"""

from __future__ import annotations

import base64
import json

import jwt as pyjwt
import keyfiles
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, x25519
from hypothesis import given, settings
from hypothesis import strategies as st

from fastjwt import algorithms
from fastjwt.exceptions import InvalidKeyError

ALGS = algorithms.get_default_algorithms()
PYJWT_ALGS = pyjwt.algorithms.get_default_algorithms()
HMAC_ALGS = ("HS256", "HS384", "HS512")

ACCEPTED_PUBLIC = {"spki_pem", "pkcs1_pem", "openssh"}
ACCEPTED_PRIVATE = {"pkcs8_pem", "pkcs1_pem", "sec1_pem"}

# The algorithm used to load each kind of key.
KIND_ALG = {
    "rsa2048": "RS256",
    "rsa1024": "PS256",
    "p256": "ES256",
    "p384": "ES384",
    "p521": "ES512",
    "secp256k1": "ES256K",
    "ed25519": "EdDSA",
    "ed448": "EdDSA",
}


def _public_bytes(key: object) -> bytes:
    public = key.public_key() if hasattr(key, "private_bytes") else key  # type: ignore[attr-defined]
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


def _cases(private: bool) -> list[tuple[str, str, bytes]]:
    out = []
    for kind in keyfiles.ASYMMETRIC_KINDS:
        forms = keyfiles.private_forms(kind) if private else keyfiles.public_forms(kind)
        out += [(kind, form, data) for form, data in forms.items()]
    return out


def _public_cases() -> list[tuple[str, str, str | bytes]]:
    """Each public form as bytes, and as str too unless it is binary (DER)."""
    out: list[tuple[str, str, str | bytes]] = []
    for kind, form, data in _cases(private=False):
        out.append((kind, form, data))
        if not form.endswith("_der"):
            out.append((kind, form, data.decode("utf-8")))
    return out


@pytest.mark.parametrize(
    ("kind", "form", "key"), _public_cases(), ids=lambda v: v if isinstance(v, str) and len(v) < 20 else ""
)
def test_prepare_public_forms(kind: str, form: str, key: str | bytes) -> None:
    alg = ALGS[KIND_ALG[kind]]
    expected = keyfiles.public_key(kind)
    if form in ACCEPTED_PUBLIC:
        prepared = alg.prepare_key(key)
        assert not hasattr(prepared, "private_bytes")
        assert _public_bytes(prepared) == _public_bytes(expected)
        # PyJWT loads the same key from the same form.
        assert _public_bytes(PYJWT_ALGS[KIND_ALG[kind]].prepare_key(key)) == _public_bytes(prepared)
    else:
        with pytest.raises(InvalidKeyError):
            alg.prepare_key(key)


@pytest.mark.parametrize(("kind", "form", "data"), _cases(private=True), ids=lambda v: v if isinstance(v, str) else "")
def test_prepare_private_forms(kind: str, form: str, data: bytes) -> None:
    alg = ALGS[KIND_ALG[kind]]
    if form in ACCEPTED_PRIVATE:
        for key in (data, data.decode()):
            prepared = alg.prepare_key(key)
            assert hasattr(prepared, "private_bytes")
            assert _public_bytes(prepared) == _public_bytes(keyfiles.public_key(kind))
    else:
        with pytest.raises(InvalidKeyError):
            alg.prepare_key(data)


@pytest.mark.parametrize("kind", keyfiles.ASYMMETRIC_KINDS)
def test_prepare_key_objects_pass_through(kind: str) -> None:
    alg = ALGS[KIND_ALG[kind]]
    for key in (keyfiles.private_key(kind), keyfiles.public_key(kind)):
        assert alg.prepare_key(key) is key


@pytest.mark.parametrize(
    ("alg_name", "kind"),
    [
        ("RS256", "p256"),
        ("PS256", "ed25519"),
        ("ES256", "rsa2048"),
        ("ES256", "p384"),  # right family, wrong curve
        ("ES384", "p256"),
        ("ES512", "p256"),
        ("ES256K", "p256"),
        ("ES256", "secp256k1"),
        ("EdDSA", "p256"),
        ("EdDSA", "rsa2048"),
    ],
)
def test_prepare_key_of_other_family_or_curve(alg_name: str, kind: str) -> None:
    alg = ALGS[alg_name]
    for key in (
        keyfiles.public_pem(kind), keyfiles.private_pem(kind), keyfiles.public_key(kind), keyfiles.private_key(kind)
    ):
        with pytest.raises(InvalidKeyError):
            alg.prepare_key(key)


@pytest.mark.parametrize("alg_name", ["RS256", "ES256", "EdDSA"])
@pytest.mark.parametrize(
    "junk", [b"", b"garbage", b"\xff\xfe\x00", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n"]
)
def test_prepare_key_junk_is_invalid_key(alg_name: str, junk: str | bytes) -> None:
    with pytest.raises(InvalidKeyError):
        ALGS[alg_name].prepare_key(junk)


@pytest.mark.parametrize("alg_name", ["RS256", "ES256"])
def test_prepare_key_wrong_type_is_type_error_as_pyjwt(alg_name: str) -> None:
    for alg in (ALGS[alg_name], PYJWT_ALGS[alg_name]):
        with pytest.raises(TypeError):
            alg.prepare_key(12345)


# --- HMAC: accepted secrets ---------------------------------------------------

BENIGN_SECRETS: list[str | bytes] = [
    "secret",
    b"secret",
    "p\u00e4ssw\u00f6rd-\u2603",
    keyfiles.hmac_secret(),
    bytes(range(256)),
    b"0\x82\x01\x22" + b"\x00" * 60,  # starts like DER, but is not a key
    b"MIIBIjANBgkqhkiG9w0BAQEFAAOC",  # Base64 text that is not a DER key
    "my ssh-rsa is not here",
    "-----not a pem-----",
    '{"alg": "HS256"}',  # JSON without kty/keys
    "[1, 2, 3]",
    "null",
]


@pytest.mark.parametrize("secret", BENIGN_SECRETS)
@pytest.mark.parametrize("alg_name", HMAC_ALGS)
def test_hmac_accepts_plain_secrets(alg_name: str, secret: str | bytes) -> None:
    expected = secret.encode() if isinstance(secret, str) else secret
    assert ALGS[alg_name].prepare_key(secret) == expected


@pytest.mark.parametrize("alg_name", HMAC_ALGS)
def test_hmac_empty_key_refused_as_pyjwt(alg_name: str) -> None:
    for key in ("", b""):
        with pytest.raises(InvalidKeyError, match="HMAC key must not be empty"):
            ALGS[alg_name].prepare_key(key)
        with pytest.raises(pyjwt.exceptions.InvalidKeyError, match="HMAC key must not be empty"):
            PYJWT_ALGS[alg_name].prepare_key(key)


@pytest.mark.parametrize("key", [None, 5, 1.5, ["a"], bytearray(b"abc")])
def test_hmac_non_text_key_is_type_error_as_pyjwt(key: object) -> None:
    with pytest.raises(TypeError):
        ALGS["HS256"].prepare_key(key)
    with pytest.raises(TypeError):
        PYJWT_ALGS["HS256"].prepare_key(key)


# --- HMAC: refused asymmetric material -----------------------------------------


def _all_asymmetric_files() -> list[tuple[str, bytes]]:
    out = []
    for kind in keyfiles.ASYMMETRIC_KINDS:
        for form, data in keyfiles.public_forms(kind).items():
            out.append((f"{kind}-public-{form}", data))
        for form, data in keyfiles.private_forms(kind).items():
            out.append((f"{kind}-private-{form}", data))
    return out


ASYMMETRIC_FILES = _all_asymmetric_files()


def _variants(data: bytes) -> dict[str, bytes]:
    """The file as is, and disguised the ways PyJWT's checks have been bypassed."""
    variants = {
        "as-is": data,
        "leading-space": b"  " + data,
        "leading-newlines": b"\n\r\n" + data,
        "leading-tab-vt-ff": b"\t\x0b\x0c" + data,
        "leading-nul": b"\x00" + data,
        "leading-comment": b"# my key\n" + data,
        "trailing-junk": data + b"\ntrailing junk",
    }
    if data.startswith(b"-----BEGIN"):
        variants["no-end-line"] = data.split(b"-----END")[0]
        variants["crlf"] = data.replace(b"\n", b"\r\n")
        variants["explanatory-text"] = b"Subject: test\nIssuer: test\n" + data
    return variants


@pytest.mark.parametrize(("name", "data"), ASYMMETRIC_FILES, ids=[n for n, _ in ASYMMETRIC_FILES])
def test_hmac_refuses_every_asymmetric_file(name: str, data: bytes) -> None:
    is_text = not name.endswith("_der")
    variants = _variants(data) if is_text else {"as-is": data}
    for variant in variants.values():
        for alg_name in HMAC_ALGS:
            with pytest.raises(InvalidKeyError):
                ALGS[alg_name].prepare_key(variant)
            if is_text:
                with pytest.raises(InvalidKeyError):
                    ALGS[alg_name].prepare_key(variant.decode("utf-8"))


def _der_body_b64(data: bytes) -> bytes:
    return b"".join(line for line in data.splitlines() if not line.startswith(b"-----"))


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "ed25519"])
def test_hmac_refuses_bare_base64_body_of_pem(kind: str) -> None:
    for pem in (keyfiles.public_pem(kind), keyfiles.private_pem(kind)):
        body = _der_body_b64(pem)
        wrapped = b"\n".join(pem.splitlines()[1:-1])
        for key in (body, wrapped, body.decode()):
            with pytest.raises(InvalidKeyError):
                ALGS["HS256"].prepare_key(key)


def test_hmac_refuses_other_pem_labels_and_ssh_formats() -> None:
    ed = keyfiles.private_key("ed25519")
    openssh_private = ed.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    ssh_pub = keyfiles.read("ed25519_public.openssh").strip()
    ssh2 = (
        b"---- BEGIN SSH2 PUBLIC KEY ----\nComment: test\n"
        + ssh_pub.split(b" ")[1]
        + b"\n---- END SSH2 PUBLIC KEY ----\n"
    )
    for key in [
        openssh_private,
        ssh2,
        b"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n",
        b"-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n",
        b"-----BEGIN SOMETHING NEW-----\nAAAA\n-----END SOMETHING NEW-----\n",
        b"-----begin public key-----\nAAAA\n-----end public key-----\n",
        b'command="ls",no-pty ' + ssh_pub,  # authorized_keys line with options
        b"\xef\xbb\xbf" + ssh_pub,  # UTF-8 BOM
        b"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAI",
        b"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t",
    ]:
        with pytest.raises(InvalidKeyError):
            ALGS["HS256"].prepare_key(key)


def test_hmac_refuses_der_certificate_csr_and_encrypted_der() -> None:
    cert = x509.load_pem_x509_certificate(keyfiles.read("p256_cert.pem"))
    enc_der = keyfiles.private_key("rsa2048").private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "t")]))
        .sign(keyfiles.private_key("p256"), cert.signature_hash_algorithm)
    )
    for key in (cert.public_bytes(serialization.Encoding.DER), enc_der, csr.public_bytes(serialization.Encoding.DER)):
        with pytest.raises(InvalidKeyError):
            ALGS["HS256"].prepare_key(key)


def test_hmac_refuses_key_types_fastjwt_cannot_even_sign_with() -> None:
    dsa_key = dsa.generate_private_key(1024)
    x_key = x25519.X25519PrivateKey.generate()
    for key in (dsa_key, x_key):
        pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        for material in (key, key.public_key(), pem, der):
            with pytest.raises(InvalidKeyError):
                ALGS["HS256"].prepare_key(material)


@pytest.mark.parametrize("kind", keyfiles.ASYMMETRIC_KINDS)
def test_hmac_refuses_key_objects(kind: str) -> None:
    for key in (keyfiles.private_key(kind), keyfiles.public_key(kind)):
        with pytest.raises(InvalidKeyError):
            ALGS["HS256"].prepare_key(key)
    cert_kinds = keyfiles.CERT_KINDS
    if kind in cert_kinds:
        cert = x509.load_pem_x509_certificate(keyfiles.read(f"{kind}_cert.pem"))
        with pytest.raises(InvalidKeyError):
            ALGS["HS256"].prepare_key(cert)


def test_hmac_refuses_jwk_and_jwks_text() -> None:
    pub = keyfiles.jwk("p256")
    oct_jwk = {"kty": "oct", "k": "c2VjcmV0"}
    texts = [
        json.dumps(pub),
        json.dumps(oct_jwk),
        json.dumps({"keys": [pub]}),
        json.dumps({"keys": []}),  # a JWK Set, even an empty one
        json.dumps({"wrapper": {"deeper": [pub]}}),
        "\ufeff" + json.dumps(pub),
        "  \n" + json.dumps(pub, indent=4),
        json.dumps([pub]),
    ]
    for text in texts:
        for key in (text, text.encode("utf-8"), text.encode("utf-16")):
            with pytest.raises(InvalidKeyError):
                ALGS["HS256"].prepare_key(key)


def test_hmac_refuses_deeply_nested_jwk_text_as_pyjwt() -> None:
    deep = "[" * 100_000 + '{"kty": "oct"}' + "]" * 100_000
    with pytest.raises(InvalidKeyError):
        ALGS["HS256"].prepare_key(deep)
    deep_obj = '{"a":' * 100_000 + "1" + "}" * 100_000
    with pytest.raises(InvalidKeyError):
        ALGS["HS256"].prepare_key(deep_obj)


def test_hmac_refusal_message_does_not_echo_the_key() -> None:
    pem = keyfiles.private_pem("p256")
    with pytest.raises(InvalidKeyError) as info:
        ALGS["HS256"].prepare_key(pem)
    body = _der_body_b64(pem).decode()
    assert body[:20] not in str(info.value)
    assert "asymmetric key" in str(info.value)


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "ed25519"])
def test_pem_bytes_from_base64_module_round_trip_refused(kind: str) -> None:
    # A PEM rebuilt by hand with 76-column lines (as some tools write it).
    der = keyfiles.read(f"{kind}_public_spki.der")
    body = base64.encodebytes(der)
    pem = b"-----BEGIN PUBLIC KEY-----\n" + body + b"-----END PUBLIC KEY-----\n"
    with pytest.raises(InvalidKeyError):
        ALGS["HS256"].prepare_key(pem)
    with pytest.raises(InvalidKeyError):
        ALGS["HS256"].prepare_key(body)


def test_ec_prepare_key_accepts_other_curves_without_expected_curve() -> None:
    alg = algorithms.ECAlgorithm(algorithms.ECAlgorithm.SHA256)
    for kind in keyfiles.EC_KINDS:
        assert isinstance(alg.prepare_key(keyfiles.public_pem(kind)), ec.EllipticCurvePublicKey)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=200)))
def test_hmac_prepare_key_never_crashes(key: str | bytes) -> None:
    expected = key.encode() if isinstance(key, str) else key
    try:
        assert ALGS["HS256"].prepare_key(key) == expected
    except InvalidKeyError:
        pass


_PREFIXES = ["", "ssh-rsa ", "ssh-ed25519 AAAA", "ecdsa-sha2-nistp256 ", "-----BEGIN PUBLIC KEY-----\n",
             "-----BEGIN PRIVATE KEY-----\n", "-----BEGIN EC PRIVATE KEY-----\n", "0\x82"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_PREFIXES), st.binary(max_size=200), st.sampled_from(["RS256", "PS256", "ES256", "ES512", "EdDSA"])
)
def test_asymmetric_prepare_key_of_junk_is_invalid_key(prefix: str, junk: bytes, alg_name: str) -> None:
    with pytest.raises(InvalidKeyError):
        ALGS[alg_name].prepare_key(prefix.encode() + junk)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["kty", "crv", "x", "y", "d", "n", "e", "k", "alg"]),
                       st.one_of(st.sampled_from(["EC", "RSA", "OKP", "oct", "P-256", "Ed25519", "AQAB", "AA", ""]),
                                 st.integers(), st.none())))  # fmt: skip
def test_from_jwk_of_junk_raises_documented_errors(jwk: dict[str, object]) -> None:
    for alg_name in ("HS256", "RS256", "ES256", "EdDSA"):
        try:
            ALGS[alg_name].from_jwk(jwk)  # type: ignore[arg-type]
        except (InvalidKeyError, ValueError, TypeError):
            pass  # ValueError includes binascii.Error; TypeError for non-string members, as PyJWT


def _forge_hs256(secret: bytes) -> str:
    import hashlib
    import hmac

    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    payload = base64.urlsafe_b64encode(b'{"sub":"attacker"}').rstrip(b"=")
    sig = base64.urlsafe_b64encode(hmac.new(secret, header + b"." + payload, hashlib.sha256).digest()).rstrip(b"=")
    return (header + b"." + payload + b"." + sig).decode()


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "ed25519"])
def test_algorithm_confusion_attack_refused_through_decode(kind: str) -> None:
    """A token MACed with the server's public key text, decoded with that text and HS256 allowed."""
    from fastjwt import api_jws, api_jwt

    allowed = [KIND_ALG[kind], "HS256"]
    for form, public in keyfiles.public_forms(kind).items():
        token = _forge_hs256(public)
        for key in (public, public.decode("latin-1")) if not form.endswith("_der") else (public,):
            with pytest.raises(InvalidKeyError):
                api_jws.decode_complete(token, key, algorithms=allowed)
            with pytest.raises(InvalidKeyError):
                api_jwt.decode(token, key, algorithms=allowed)
