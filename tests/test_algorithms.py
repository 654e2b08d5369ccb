"""fastjwt.algorithms and fastjwt.utils against PyJWT 2.15.1: sign/verify, JWK round trips, key lengths, Base64url."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import warnings

import jwt as pyjwt
import keyfiles
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from fastjwt import algorithms, utils
from fastjwt.exceptions import InvalidKeyError
from fastjwt.warnings import InsecureKeyLengthWarning

ALGS = algorithms.get_default_algorithms()
PYJWT_ALGS = pyjwt.algorithms.get_default_algorithms()
MSG = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"

ASYM_CASES = [(alg, kind) for kind, algs in keyfiles.KIND_ALGORITHMS.items() for alg in algs]
DETERMINISTIC = [(a, k) for a, k in ASYM_CASES if a.startswith("RS") or a == "EdDSA"]
RANDOMIZED = [(a, k) for a, k in ASYM_CASES if a.startswith(("PS", "ES"))]


def _flip(data: bytes, index: int = -1) -> bytes:
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


# --- public surface -----------------------------------------------------------


def test_same_public_names_and_algorithms_as_pyjwt() -> None:
    names = [
        "Algorithm", "NoneAlgorithm", "HMACAlgorithm", "RSAAlgorithm", "RSAPSSAlgorithm", "ECAlgorithm",
        "OKPAlgorithm", "get_default_algorithms", "has_crypto", "requires_cryptography", "AllowedRSAKeys",
        "AllowedECKeys", "AllowedOKPKeys", "AllowedKeys", "AllowedPrivateKeys", "AllowedPublicKeys",
    ]  # fmt: skip
    for name in names:
        assert hasattr(algorithms, name), name
    assert algorithms.has_crypto is True
    assert algorithms.requires_cryptography == pyjwt.algorithms.requires_cryptography
    assert set(ALGS) == set(PYJWT_ALGS)
    for name, alg in ALGS.items():
        theirs = PYJWT_ALGS[name]
        assert type(alg).__name__ == type(theirs).__name__
        assert getattr(alg, "hash_alg", None) == getattr(theirs, "hash_alg", None)
        assert getattr(alg, "expected_curve", None) == getattr(theirs, "expected_curve", None)
    assert algorithms.HMACAlgorithm.SHA256 is hashlib.sha256
    assert algorithms.RSAAlgorithm.SHA384 is pyjwt.algorithms.RSAAlgorithm.SHA384
    for name in ["sign", "verify", "prepare_key", "to_jwk", "from_jwk", "check_key_length", "compute_hash_digest"]:
        assert callable(getattr(algorithms.Algorithm, name))


# --- sign / verify ------------------------------------------------------------


@pytest.mark.parametrize(("alg_name", "kind"), ASYM_CASES)
def test_asymmetric_round_trip_and_tamper(alg_name: str, kind: str) -> None:
    alg = ALGS[alg_name]
    private = alg.prepare_key(keyfiles.private_pem(kind))
    public = alg.prepare_key(keyfiles.public_pem(kind))
    sig = alg.sign(MSG, private)
    assert alg.verify(MSG, public, sig) is True
    assert alg.verify(MSG, private, sig) is True  # a private key verifies with its public half
    assert alg.verify(MSG + b"x", public, sig) is False
    assert alg.verify(_flip(MSG, 0), public, sig) is False
    assert alg.verify(MSG, public, _flip(sig)) is False
    assert alg.verify(MSG, public, _flip(sig, 0)) is False
    assert alg.verify(MSG, public, sig[:-1]) is False
    assert alg.verify(MSG, public, b"") is False


@pytest.mark.parametrize("alg_name", ["HS256", "HS384", "HS512"])
def test_hmac_round_trip_and_tamper(alg_name: str) -> None:
    alg = ALGS[alg_name]
    key = alg.prepare_key(keyfiles.hmac_secret())
    sig = alg.sign(MSG, key)
    assert len(sig) == alg.hash_alg().digest_size
    assert sig == PYJWT_ALGS[alg_name].sign(MSG, key)
    assert alg.verify(MSG, key, sig) is True
    assert alg.verify(MSG, key + b"x", sig) is False
    assert alg.verify(MSG + b"x", key, sig) is False
    assert alg.verify(MSG, key, _flip(sig)) is False
    assert alg.verify(MSG, key, sig[:16]) is False  # truncated tags are never accepted
    assert alg.verify(MSG, key, b"") is False


@pytest.mark.parametrize(("alg_name", "kind"), DETERMINISTIC)
def test_deterministic_signatures_byte_equal_to_pyjwt(alg_name: str, kind: str) -> None:
    ours = ALGS[alg_name].sign(MSG, ALGS[alg_name].prepare_key(keyfiles.private_pem(kind)))
    theirs = PYJWT_ALGS[alg_name].sign(MSG, PYJWT_ALGS[alg_name].prepare_key(keyfiles.private_pem(kind)))
    assert ours == theirs


@pytest.mark.parametrize(("alg_name", "kind"), ASYM_CASES)
def test_cross_verification_with_pyjwt(alg_name: str, kind: str) -> None:
    ours, theirs = ALGS[alg_name], PYJWT_ALGS[alg_name]
    private = keyfiles.private_key(kind)
    public = keyfiles.public_key(kind)
    assert theirs.verify(MSG, public, ours.sign(MSG, private)) is True
    assert ours.verify(MSG, public, theirs.sign(MSG, private)) is True


@pytest.mark.parametrize(("alg_name", "kind"), RANDOMIZED)
def test_randomized_signatures_differ_each_time(alg_name: str, kind: str) -> None:
    alg = ALGS[alg_name]
    private = keyfiles.private_key(kind)
    assert alg.sign(MSG, private) != alg.sign(MSG, private)


@pytest.mark.parametrize("kind", keyfiles.EC_KINDS)
def test_ecdsa_accepts_only_raw_signatures_of_the_curve_size(kind: str) -> None:
    alg_name = keyfiles.KIND_ALGORITHMS[kind][0]
    alg = ALGS[alg_name]
    private, public = keyfiles.private_key(kind), keyfiles.public_key(kind)
    raw = alg.sign(MSG, private)
    size = (public.curve.key_size + 7) // 8
    assert len(raw) == 2 * size
    r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
    der = encode_dss_signature(r, s)
    assert alg.verify(MSG, public, raw) is True
    assert alg.verify(MSG, public, der) is False  # DER is refused
    assert alg.verify(MSG, public, b"\x00" + raw) is False
    assert alg.verify(MSG, public, raw + b"\x00") is False
    assert alg.verify(MSG, public, b"\x00" + raw[:size] + b"\x00" + raw[size:]) is False
    assert alg.verify(MSG, public, bytes(2 * size)) is False  # r = s = 0
    assert alg.verify(MSG, public, raw.hex()) is False  # type: ignore[arg-type]
    assert alg.verify(MSG, public, raw[:size] + bytes(size)) is False  # s = 0
    if kind == "p256":
        # r or s equal to the group order n is out of range (and is 0 mod n).
        n = int("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16).to_bytes(size, "big")
        assert alg.verify(MSG, public, raw[:size] + n) is False
        assert alg.verify(MSG, public, n + raw[size:]) is False


def test_ecdsa_der_conversion_round_trip() -> None:
    curve = ec.SECP521R1()
    der = encode_dss_signature(3, 2**520)
    raw = utils.der_to_raw_signature(der, curve)
    assert len(raw) == 132
    assert decode_dss_signature(utils.raw_to_der_signature(raw, curve)) == (3, 2**520)
    with pytest.raises(ValueError):
        utils.raw_to_der_signature(raw[:-1], curve)


@pytest.mark.parametrize("alg_name", ["RS256", "PS256"])
def test_rsa_verify_with_private_key(alg_name: str) -> None:
    alg = ALGS[alg_name]
    private = keyfiles.private_key("rsa2048")
    assert alg.verify(MSG, private, alg.sign(MSG, private)) is True


def test_pss_and_pkcs1_signatures_are_not_interchangeable() -> None:
    private, public = keyfiles.private_key("rsa2048"), keyfiles.public_key("rsa2048")
    assert ALGS["PS256"].verify(MSG, public, ALGS["RS256"].sign(MSG, private)) is False
    assert ALGS["RS256"].verify(MSG, public, ALGS["PS256"].sign(MSG, private)) is False
    assert ALGS["RS384"].verify(MSG, public, ALGS["RS256"].sign(MSG, private)) is False


def test_eddsa_accepts_str_message_and_signature_types_as_pyjwt() -> None:
    alg = ALGS["EdDSA"]
    private = keyfiles.private_key("ed25519")
    sig = alg.sign(MSG.decode(), private)
    assert sig == alg.sign(MSG, private)
    assert alg.verify(MSG.decode(), private.public_key(), sig) is True
    assert alg.verify(MSG, keyfiles.public_key("ed448"), sig) is False


def test_none_algorithm() -> None:
    alg = ALGS["none"]
    assert alg.prepare_key(None) is None
    assert alg.prepare_key("") is None
    for key in ("secret", b"x"):
        with pytest.raises(InvalidKeyError):
            alg.prepare_key(key)  # type: ignore[arg-type]
    assert alg.sign(MSG, None) == b""
    assert alg.verify(MSG, None, b"") is False
    with pytest.raises(NotImplementedError):
        alg.to_jwk(None)
    with pytest.raises(NotImplementedError):
        alg.from_jwk("{}")
    with pytest.raises(NotImplementedError):
        alg.compute_hash_digest(b"x")


@pytest.mark.parametrize("alg_name", sorted(set(ALGS) - {"none", "EdDSA"}))
def test_compute_hash_digest(alg_name: str) -> None:
    alg = ALGS[alg_name]
    bits = {
        "256": hashlib.sha256,
        "384": hashlib.sha384,
        "512": hashlib.sha512,
        "521": hashlib.sha512,
        "56K": hashlib.sha256,
    }
    expected = bits[alg_name[-3:]](MSG).digest()
    assert alg.compute_hash_digest(MSG) == expected == PYJWT_ALGS[alg_name].compute_hash_digest(MSG)


# --- key lengths -----------------------------------------------------------------


@pytest.mark.parametrize(("alg_name", "ok_len"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_hmac_key_length_messages_match_pyjwt(alg_name: str, ok_len: int) -> None:
    ours, theirs = ALGS[alg_name], PYJWT_ALGS[alg_name]
    for length in (1, ok_len - 1):
        key = b"k" * length
        message = ours.check_key_length(key)
        assert message is not None and message == theirs.check_key_length(key)
        assert f"{length} bytes long" in message
    assert ours.check_key_length(b"k" * ok_len) is None


def test_rsa_key_length_message_matches_pyjwt() -> None:
    weak = keyfiles.private_key("rsa1024")
    for name in ("RS256", "PS512"):
        message = ALGS[name].check_key_length(weak)
        assert message is not None and message == PYJWT_ALGS[name].check_key_length(weak)
        assert "1024 bits" in message
        assert ALGS[name].check_key_length(keyfiles.public_key("rsa2048")) is None
    assert ALGS["ES256"].check_key_length(keyfiles.public_key("p256")) is None
    assert ALGS["EdDSA"].check_key_length(keyfiles.public_key("ed25519")) is None


def test_weak_keys_warn_or_raise_through_the_jws_layer() -> None:
    from fastjwt import api_jws

    weak_pem = keyfiles.private_pem("rsa1024")
    for key, alg in ((b"short", "HS256"), (weak_pem, "RS256")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            token = api_jws.encode(b"{}", key, algorithm=alg)
        assert any(issubclass(w.category, InsecureKeyLengthWarning) for w in caught)
        strict = api_jws.PyJWS(options={"enforce_minimum_key_length": True})
        with pytest.raises(InvalidKeyError):
            strict.encode(b"{}", key, algorithm=alg)
        assert token.count(".") == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        api_jws.encode(b"{}", keyfiles.hmac_secret(), algorithm="HS512")


# --- JWK round trips ---------------------------------------------------------------

JWK_ALG = {"rsa2048": "RS256", "rsa1024": "RS256", "ed25519": "EdDSA", "ed448": "EdDSA"}
JWK_ALG.update({k: keyfiles.KIND_ALGORITHMS[k][0] for k in keyfiles.EC_KINDS})


def _spki(key: object) -> bytes:
    pub = key.public_key() if hasattr(key, "private_bytes") else key  # type: ignore[attr-defined]
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", keyfiles.ASYMMETRIC_KINDS)
@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
def test_to_jwk_from_jwk_round_trip_and_pyjwt_equality(kind: str, private: bool) -> None:
    alg, theirs = ALGS[JWK_ALG[kind]], PYJWT_ALGS[JWK_ALG[kind]]
    key = keyfiles.private_key(kind) if private else keyfiles.public_key(kind)
    as_dict = alg.to_jwk(key, as_dict=True)
    assert as_dict == theirs.to_jwk(key, as_dict=True)
    as_text = alg.to_jwk(key)
    assert json.loads(as_text) == as_dict
    assert ("d" in as_dict) is private
    for source in (as_dict, as_text):
        loaded = alg.from_jwk(source)
        assert hasattr(loaded, "private_bytes") is private
        assert _spki(loaded) == _spki(key)
    # The committed JWK file holds the same key as the PEM files.
    assert _spki(alg.from_jwk(keyfiles.jwk(kind, private))) == _spki(key)
    assert _spki(theirs.from_jwk(as_dict)) == _spki(key)


def test_private_key_round_trip_signs_identically() -> None:
    alg = ALGS["RS256"]
    loaded = alg.from_jwk(keyfiles.jwk("rsa2048", private=True))
    assert alg.sign(MSG, loaded) == alg.sign(MSG, keyfiles.private_key("rsa2048"))


def test_rsa_private_jwk_without_crt_members_recovers_them() -> None:
    full = keyfiles.jwk("rsa2048", private=True)
    minimal = {k: full[k] for k in ("kty", "n", "e", "d")}
    key = ALGS["RS256"].from_jwk(minimal)
    assert key.private_numbers() == keyfiles.private_key("rsa2048").private_numbers()
    partial = dict(minimal, p=full["p"])
    with pytest.raises(InvalidKeyError):
        ALGS["RS256"].from_jwk(partial)
    with pytest.raises(InvalidKeyError):
        ALGS["RS256"].from_jwk(dict(full, oth=[]))


def test_hmac_jwk_round_trip() -> None:
    alg = ALGS["HS256"]
    secret = keyfiles.hmac_secret()
    jwk = alg.to_jwk(secret, as_dict=True)
    assert jwk == PYJWT_ALGS["HS256"].to_jwk(secret, as_dict=True)
    assert alg.from_jwk(jwk) == secret
    assert alg.from_jwk(json.dumps(jwk)) == secret
    with pytest.raises(InvalidKeyError, match="must not be empty"):
        alg.from_jwk({"kty": "oct", "k": ""})
    with pytest.raises(InvalidKeyError):
        alg.from_jwk({"kty": "oct"})


@pytest.mark.parametrize("alg_name", ["HS256", "RS256", "ES256", "EdDSA"])
@pytest.mark.parametrize("bad", ["not json", "[1, 2]", 42, None, '{"kty": "nope"}', {"kty": "nope"}])
def test_from_jwk_rejects_non_keys(alg_name: str, bad: object) -> None:
    with pytest.raises(InvalidKeyError):
        ALGS[alg_name].from_jwk(bad)  # type: ignore[arg-type]


def test_from_jwk_parameter_errors() -> None:
    p256 = keyfiles.jwk("p256", private=True)
    with pytest.raises(InvalidKeyError):
        ALGS["ES256"].from_jwk({k: v for k, v in p256.items() if k != "y"})
    with pytest.raises(InvalidKeyError, match="Coords should be 32 bytes"):
        ALGS["ES256"].from_jwk(dict(p256, x=p256["x"][:-3]))
    with pytest.raises(InvalidKeyError, match="Invalid curve"):
        ALGS["ES256"].from_jwk(dict(p256, crv="P-192"))
    with pytest.raises(InvalidKeyError, match="D should be 32 bytes"):
        ALGS["ES256"].from_jwk(dict(p256, d=p256["d"][:-3]))
    with pytest.raises(ValueError):  # not on the curve
        ALGS["ES256"].from_jwk(dict(p256, y=p256["x"]))
    ed = keyfiles.jwk("ed25519", private=True)
    other = keyfiles.jwk("ed448", private=True)
    with pytest.raises(InvalidKeyError, match="does not match"):
        ALGS["EdDSA"].from_jwk(dict(ed, x=algorithms.OKPAlgorithm.to_jwk(_other_ed25519(), as_dict=True)["x"]))
    with pytest.raises(InvalidKeyError, match="Invalid key parameter"):
        ALGS["EdDSA"].from_jwk(dict(ed, crv="Ed448"))  # 32-byte key on the 57-byte curve
    with pytest.raises(InvalidKeyError, match="Invalid curve"):
        ALGS["EdDSA"].from_jwk(dict(other, crv="X25519"))
    with pytest.raises(InvalidKeyError, match='"x"'):
        ALGS["EdDSA"].from_jwk({"kty": "OKP", "crv": "Ed25519"})


def _other_ed25519() -> object:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()


def test_from_jwk_base64url_members_are_strict() -> None:
    pub = keyfiles.jwk("p256")
    assert len(pub["x"]) == 43
    assert ALGS["ES256"].from_jwk(dict(pub, x=pub["x"] + "="))  # exactly right padding is fine
    for bad in (pub["x"] + "==", pub["x"][:-1] + "+", " " + pub["x"], pub["x"] + "\n"):
        with pytest.raises(binascii.Error):
            ALGS["ES256"].from_jwk(dict(pub, x=bad))


@pytest.mark.parametrize("alg_name", ["RS256", "ES256", "EdDSA"])
def test_to_jwk_refuses_non_keys(alg_name: str) -> None:
    with pytest.raises(InvalidKeyError):
        ALGS[alg_name].to_jwk(b"secret")  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError):
        ALGS["EdDSA"].to_jwk(keyfiles.public_key("p256"))
    with pytest.raises(InvalidKeyError):
        ALGS["ES256"].to_jwk(keyfiles.public_key("ed25519"))


# --- utils ---------------------------------------------------------------------------

B64_VALID = {
    "": b"",
    "AA": b"\x00",
    "AA==": b"\x00",
    "AAA": b"\x00\x00",
    "AAA=": b"\x00\x00",
    "YWJj": b"abc",
    "_-8": b"\xff\xef",
    "-_-_": b"\xfb\xff\xbf",
}
B64_INVALID = [
    "A",  # impossible length
    "AAAAA",
    "AB",  # non-zero unused bits
    "AAB",
    "YWJk=",  # padding where none belongs
    "AA=",  # short padding
    "AA===",
    "AAA==",
    "=",
    "====",
    "a+b/",  # standard alphabet
    "YW Jj",  # whitespace
    "YWJj\n",
    "YW.j",
    "Y\u00e9Jj",
    "AA=A",  # padding in the middle
]


@pytest.mark.parametrize(("text", "expected"), list(B64_VALID.items()))
def test_base64url_decode_valid(text: str, expected: bytes) -> None:
    assert utils.base64url_decode(text) == expected
    assert utils.base64url_decode(text.encode()) == expected
    assert pyjwt.utils.base64url_decode(text) == expected


@pytest.mark.parametrize("text", B64_INVALID)
def test_base64url_decode_strict(text: str) -> None:
    with pytest.raises(binascii.Error):
        utils.base64url_decode(text)


def test_base64url_decode_type_error() -> None:
    with pytest.raises(TypeError):
        utils.base64url_decode(123)  # type: ignore[arg-type]


@given(st.binary(max_size=200))
def test_base64url_round_trip_and_same_encoding_as_pyjwt(data: bytes) -> None:
    encoded = utils.base64url_encode(data)
    assert encoded == pyjwt.utils.base64url_encode(data)
    assert b"=" not in encoded
    assert utils.base64url_decode(encoded) == data


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ", max_size=24))
def test_base64url_decode_accepts_only_canonical_spellings(text: str) -> None:
    try:
        decoded = utils.base64url_decode(text)
    except binascii.Error:
        return
    assert utils.base64url_encode(decoded).decode() == text.rstrip("=")
    assert decoded == base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_integer_helpers_match_pyjwt() -> None:
    for value, bits in ((0, None), (1, None), (65537, None), (2**255 + 5, 256), (7, 521)):
        ours = utils.to_base64url_uint(value, bit_length=bits)
        assert ours == pyjwt.utils.to_base64url_uint(value, bit_length=bits)
        assert utils.from_base64url_uint(ours) == value
    with pytest.raises(ValueError):
        utils.to_base64url_uint(-1)
    assert utils.number_to_bytes(258, 4) == b"\x00\x00\x01\x02"
    assert utils.bytes_to_number(b"\x01\x02") == 258
    assert utils.bytes_from_int(258) == b"\x01\x02"
    assert utils.bytes_from_int(1, bit_length=17) == b"\x00\x00\x01"
    assert utils.force_bytes("\u00e9") == b"\xc3\xa9"
    with pytest.raises(TypeError):
        utils.force_bytes(1)  # type: ignore[arg-type]


def test_pem_and_ssh_detectors_match_pyjwt() -> None:
    samples = [keyfiles.public_pem("p256"), keyfiles.read("p256_cert.pem"), b"secret", b"-----BEGIN PUBLIC KEY-----"]
    samples += [keyfiles.read("ed25519_public.openssh"), b" ssh-rsa AAAA", b"ssh-rsa AAAA"]
    for sample in samples:
        assert utils.is_pem_format(sample) == pyjwt.utils.is_pem_format(sample)
        assert utils.is_ssh_key(sample) == pyjwt.utils.is_ssh_key(sample)
    assert utils.is_pem_format(keyfiles.public_pem("p256")) is True
    assert utils.is_ssh_key(b"ssh-ed25519 AAAA") is True


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [(pyjwt.utils, utils), (pyjwt.api_jwk, __import__("fastjwt.api_jwk").api_jwk), (pyjwt.algorithms, algorithms)],
    ids=["utils", "api_jwk", "algorithms"],
)
def test_modules_define_every_public_name_pyjwt_defines(theirs: object, ours: object) -> None:
    import types

    defined = {
        name
        for name, value in vars(theirs).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", theirs.__name__) == theirs.__name__  # type: ignore[attr-defined]
        and name != "TYPE_CHECKING"
    }
    assert defined, "nothing to compare"
    assert sorted(defined - set(dir(ours))) == []
