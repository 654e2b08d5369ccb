"""fastjwt's key layer (``fastjwt._keys``): the family modules, routing of algorithm objects, the prepared-key cache,
JWK objects, and the compatibility fixes made with it.

The PyJWT-facing behaviour of the same code is in test_algorithms.py, test_keys_forms.py and test_jwk.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import jwt as pyjwt
import keyfiles
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastjwt import _keys, algorithms, api_jws, utils
from fastjwt._keys import _forms, ec, okp, registry, rsa
from fastjwt._keys import hmac as hmac_family
from fastjwt.algorithms import HMACAlgorithm
from fastjwt.api_jwk import PyJWK, PyJWKSet
from fastjwt.exceptions import InvalidKeyError, InvalidSignatureError, PyJWKError, PyJWKSetError

ALGS = algorithms.get_default_algorithms()
PYJWT_HS256 = pyjwt.algorithms.HMACAlgorithm(pyjwt.algorithms.HMACAlgorithm.SHA256)
MSG = b"header.payload"

FAMILY_MODULES = {"hmac": hmac_family, "rsa": rsa, "ec": ec, "okp": okp}
VERBS = ("accept", "check_length", "from_jwk", "to_jwk", "sign", "verify", "prepare")


# --- the family modules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FAMILY_MODULES))
def test_every_family_module_offers_the_same_verbs(name: str) -> None:
    module = FAMILY_MODULES[name]
    for verb in VERBS:
        assert callable(getattr(module, verb)), f"{name}.{verb}"
    assert sorted(module.__all__) == sorted(set(module.__all__) & set(dir(module)))


@pytest.mark.parametrize(
    ("alg", "kind", "core_class"),
    [("RS256", "rsa2048", "RSAKey"), ("PS384", "rsa2048", "RSAKey"), ("ES256", "p256", "ECKey"),
     ("ES256K", "secp256k1", "ECKey"), ("ES512", "p521", "ECKey"), ("EdDSA", "ed25519", "EdKey"),
     ("EdDSA", "ed448", "EdKey")],
)  # fmt: skip
def test_faces_are_prepared_by_their_family(alg: str, kind: str, core_class: str) -> None:
    prepared = _keys.build(alg, ALGS[alg], keyfiles.private_pem(kind))
    assert type(prepared).__name__ == core_class
    assert prepared.alg == alg
    sig = prepared.sign(MSG)
    assert ALGS[alg].verify(MSG, keyfiles.public_key(kind), sig) is True
    assert _keys.build(alg, ALGS[alg], keyfiles.public_pem(kind)).verify(MSG, sig) is True


def test_hmac_face_is_prepared_by_its_family() -> None:
    prepared = _keys.build("HS256", ALGS["HS256"], keyfiles.hmac_secret())
    assert type(prepared).__name__ == "HMACKey"
    assert prepared.sign(MSG) == hmac.digest(keyfiles.hmac_secret(), MSG, "sha256")
    assert prepared.key_length_msg is None
    short = _keys.build("HS512", ALGS["HS512"], b"short")
    pyjwt_hs512 = pyjwt.algorithms.HMACAlgorithm(pyjwt.algorithms.HMACAlgorithm.SHA512)
    assert short.key_length_msg == pyjwt_hs512.check_key_length(b"short")
    assert "5 bytes long" in short.key_length_msg


def test_subclass_of_a_face_signs_through_its_own_methods() -> None:
    calls: list[str] = []

    class CountingHMAC(algorithms.HMACAlgorithm):
        def sign(self, msg: bytes, key: bytes) -> bytes:
            calls.append("sign")
            return super().sign(msg, key)

    face = CountingHMAC(CountingHMAC.SHA256)
    prepared = _keys.build("HS256", face, keyfiles.hmac_secret())
    assert type(prepared).__name__ == "AlgorithmKey"
    assert prepared.sign(MSG) == hmac.digest(keyfiles.hmac_secret(), MSG, "sha256")
    assert calls == ["sign"]
    assert registry.family_of(face) is None
    assert registry.family_of(ALGS["HS256"]) == registry.HMAC


def test_hmac_face_with_another_hashlib_hash_signs_and_verifies_tokens() -> None:
    # Before the key layer, preparing this raised KeyError: only SHA-2 had a prepared key.
    jws = api_jws.PyJWS()
    jws.register_algorithm("HS3-256", algorithms.HMACAlgorithm(hashlib.sha3_256))
    secret = keyfiles.hmac_secret()
    token = jws.encode(b"payload", secret, algorithm="HS3-256")
    signing_input, _, signature = token.rpartition(".")
    assert utils.base64url_decode(signature) == hmac.digest(secret, signing_input.encode(), hashlib.sha3_256)
    assert jws.decode(token, secret, algorithms=["HS3-256"]) == b"payload"
    with pytest.raises(InvalidSignatureError):
        jws.decode(token, b"another secret, just as long" * 3, algorithms=["HS3-256"])


def test_face_built_with_a_hash_the_core_cannot_use_keeps_its_own_methods() -> None:
    face = algorithms.HMACAlgorithm(hashlib.sha3_512)
    assert registry.family_of(face) is None
    assert type(_keys.build("HS3", face, b"k" * 64)).__name__ == "AlgorithmKey"


# --- the prepared-key cache --------------------------------------------------------------------------------------


def test_prepare_remembers_per_key_and_algorithm_object_and_clear_forgets() -> None:
    _keys.clear()
    pem = keyfiles.private_pem("p256")
    first = _keys.prepare("ES256", ALGS["ES256"], pem)
    assert _keys.prepare("ES256", ALGS["ES256"], bytes(pem)) is first  # the same text, another bytes object
    assert _keys.prepare("ES256", algorithms.ECAlgorithm(algorithms.ECAlgorithm.SHA256), pem) is not first
    key_object = keyfiles.private_key("p256")
    by_object = _keys.prepare("ES256", ALGS["ES256"], key_object)
    assert _keys.prepare("ES256", ALGS["ES256"], key_object) is by_object
    _keys.clear()
    assert _keys.prepare("ES256", ALGS["ES256"], pem) is not first


def test_prepare_cache_is_bounded() -> None:
    _keys.clear()
    for i in range(_keys.PREPARED_KEY_CACHE_SIZE + 20):
        _keys.prepare("HS256", ALGS["HS256"], b"secret-%04d-" % i + b"x" * 32)
    assert len(_keys._cache) <= _keys.PREPARED_KEY_CACHE_SIZE
    _keys.clear()


# --- load and to_jwk by alg / key type ---------------------------------------------------------------------------


@pytest.mark.parametrize(("alg", "kind"), [("RS256", "rsa2048"), ("PS256", "rsa2048"), ("ES384", "p384"),
                                           ("EdDSA", "ed448")])  # fmt: skip
def test_load_reads_every_family(alg: str, kind: str) -> None:
    public = _keys.load(alg, keyfiles.public_pem(kind))
    assert public == keyfiles.public_key(kind)
    private = _keys.load(alg, keyfiles.private_pem(kind))
    assert private.public_key() == keyfiles.public_key(kind)


def test_load_checks_what_the_alg_requires() -> None:
    assert _keys.load("HS256", "secret") == b"secret"
    with pytest.raises(InvalidKeyError):
        _keys.load("HS256", keyfiles.public_pem("p256"))
    with pytest.raises(InvalidKeyError):
        _keys.load("ES256", keyfiles.public_pem("p384"))  # wrong curve
    for alg in ("none", "XS999"):
        with pytest.raises(NotImplementedError):
            _keys.load(alg, b"x")


@pytest.mark.parametrize("kind", keyfiles.ASYMMETRIC_KINDS)
@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
def test_to_jwk_picks_the_family_from_the_key_and_matches_pyjwt_text(kind: str, private: bool) -> None:
    key = keyfiles.private_key(kind) if private else keyfiles.public_key(kind)
    jwk = _keys.to_jwk(key)
    theirs = {"RSA": pyjwt.algorithms.RSAAlgorithm, "EC": pyjwt.algorithms.ECAlgorithm,
              "OKP": pyjwt.algorithms.OKPAlgorithm}[jwk["kty"]]  # fmt: skip
    # The JSON text, member order included, is PyJWT's.
    assert json.dumps(jwk) == theirs.to_jwk(key)
    ours = {"RSA": algorithms.RSAAlgorithm, "EC": algorithms.ECAlgorithm, "OKP": algorithms.OKPAlgorithm}[jwk["kty"]]
    assert ours.to_jwk(key) == theirs.to_jwk(key)


def test_to_jwk_of_secrets_and_junk() -> None:
    assert _keys.to_jwk(b"secret") == {"k": "c2VjcmV0", "kty": "oct"}
    assert algorithms.HMACAlgorithm.to_jwk("secret") == PYJWT_HS256.to_jwk("secret")
    for junk in (None, 5, keyfiles.read("p256_cert.pem").decode().splitlines):
        with pytest.raises(InvalidKeyError):
            _keys.to_jwk(junk)


# --- JWK objects --------------------------------------------------------------------------------------------------


def test_key_layer_jwk_and_set_and_their_pyjwt_faces() -> None:
    data = dict(keyfiles.jwk("p256"), kid="a")
    plain = _keys.JWK(data)
    assert (plain.algorithm_name, plain.key_id, plain.key_type) == ("ES256", "a", "EC")
    assert not hasattr(plain, "Algorithm")
    assert plain.thumbprint() == _keys.thumbprint(data)
    face = PyJWK.from_json(json.dumps(data))
    assert isinstance(face, PyJWK) and isinstance(face, _keys.JWK)
    assert face.Algorithm is PyJWK(data).Algorithm  # one shared algorithm object per alg
    assert isinstance(face.Algorithm, algorithms.ECAlgorithm)
    doc = {"keys": [data, {"kty": "oct", "kid": "no-k"}, dict(keyfiles.jwk("ed25519"), kid="e")]}
    assert [type(k) for k in _keys.JWKSet.from_dict(doc)] == [_keys.JWK, _keys.JWK]
    faces = PyJWKSet.from_dict(doc)
    assert [type(k) for k in faces] == [PyJWK, PyJWK]
    assert faces["e"].algorithm_name == "EdDSA"
    with pytest.raises(KeyError, match=r"\\x1b"):
        faces["\x1b[31mred"]  # a kid from a token is shown escaped, never raw
    with pytest.raises(PyJWKSetError):
        PyJWKSet.from_dict({"keys": [{"kty": "oct", "kid": "no-k"}]})


def test_jwk_error_messages_escape_and_cut_untrusted_members() -> None:
    with pytest.raises(InvalidKeyError) as info:
        PyJWK({"kty": "\u202eXYZ" + "A" * 500})
    message = str(info.value)
    assert "\u202e" not in message and "\\u202e" in message
    assert len(message) < 200
    with pytest.raises(PyJWKError) as info2:
        PyJWK({"kty": "oct", "k": "c2VjcmV0", "alg": "XX1", "kid": "\x07bell"})
    assert "\x07" not in str(info2.value)


def test_from_jwk_of_json_too_deep_to_parse_is_invalid_key() -> None:
    # Before the key layer, RecursionError escaped from_jwk.
    deep = "[" * 100_000 + "]" * 100_000
    for name in ("HS256", "RS256", "ES256", "EdDSA"):
        with pytest.raises(InvalidKeyError, match="not valid JSON"):
            ALGS[name].from_jwk(deep)


# --- regression: OKP JWK with bad Base64url ------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["x", "d"])
@pytest.mark.parametrize("bad", ["A", "AA=", "+/+/", "AAAA AAAA", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="])
def test_okp_jwk_with_bad_base64url_is_invalid_key(member: str, bad: str) -> None:
    # Before the key layer, a bad "x" escaped OKPAlgorithm.from_jwk as binascii.Error.
    jwk = keyfiles.jwk("ed25519", private=True)
    jwk[member] = bad
    with pytest.raises(InvalidKeyError):
        algorithms.OKPAlgorithm.from_jwk(jwk)
    with pytest.raises(InvalidKeyError):
        PyJWK(jwk)


# --- regression: incomplete PEM markers in HMAC secrets -------------------------------------------------------------

PYJWT_ACCEPTED_SECRETS = [
    b"-----BEGIN PUBLIC KEY",
    b"-----BEGIN PUBLIC KEY-----",
    b"my password has -----BEGIN in it",
    b"----BEGIN PUBLIC KEY----\nMIIB\n----END PUBLIC KEY----",  # four dashes: no PEM reader takes it
    b"-----BEGIN PUBLIC KEY-----\n-----END PRIVATE KEY-----",  # labels that do not pair
    b"-----END PUBLIC KEY-----",
]


@pytest.mark.parametrize("secret", PYJWT_ACCEPTED_SECRETS)
def test_incomplete_pem_markers_are_secrets_as_in_pyjwt(secret: bytes) -> None:
    # Before the key layer, any "BEGIN" after dashes made the secret refused.
    assert PYJWT_HS256.prepare_key(secret) == secret
    assert ALGS["HS256"].prepare_key(secret) == secret
    assert ALGS["HS256"].prepare_key(secret.decode()) == secret


@pytest.mark.parametrize(
    "secret",
    [
        b"-----BEGIN PUBLIC KEY-----\nMIIB",  # a real key cut short: no END line, still nobody's secret
        b"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----",  # PyJWT refuses the pair
        b"-----begin rsa public key----- MIIB",
        b"---- BEGIN SSH2 PUBLIC KEY ----\nComment: x\nAAAAC3Nza",
        b"junk before -----BEGIN X509 CRL-----\r\nMIIB",
    ],
)
def test_complete_pem_boundaries_with_a_body_are_refused(secret: bytes) -> None:
    with pytest.raises(InvalidKeyError, match="asymmetric key"):
        ALGS["HS256"].prepare_key(secret)


_PEM_FRAGMENTS = st.sampled_from(
    ["-----", "----", "---- ", " ", "\n", "BEGIN ", "END ", "PUBLIC KEY", "RSA PRIVATE KEY", "CERTIFICATE",
     "SSH2 PUBLIC KEY", "MIIB", "AAAA", "x", "begin ", "-", "ssh-rsa ", "{", '"kty"', ":"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PEM_FRAGMENTS, max_size=12).map("".join))
def test_hmac_refuses_every_secret_pyjwt_refuses(text: str) -> None:
    secret = text.encode()
    try:
        PYJWT_HS256.prepare_key(secret)
    except pyjwt.exceptions.InvalidKeyError:
        with pytest.raises(InvalidKeyError):
            ALGS["HS256"].prepare_key(secret)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PEM_FRAGMENTS, max_size=12).map("".join))
def test_is_pem_format_and_is_ssh_key_agree_with_pyjwt(text: str) -> None:
    data = text.encode()
    assert utils.is_pem_format(data) == pyjwt.utils.is_pem_format(data)
    assert utils.is_ssh_key(data) == pyjwt.utils.is_ssh_key(data)


# --- JWK text offered as an HMAC secret ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"k\\u0074y": "oct", "k": "c2VjcmV0"}',  # the member name spelt with an escape
        '{"wrapper": [{"\\u006bty": 1}]}',
        '{"k\\u0065ys": []}',
        '# my key\n{"kty": "EC"}',
        "{" + '"a":{' * 300 + "}" * 301,  # JSON nested past PyJWT's parser (refused there from ~990) and our 256
    ],
)
def test_hmac_refuses_jwk_text_in_every_spelling(text: str) -> None:
    for secret in (text, text.encode("utf-16"), text.encode("utf-32-be")):
        with pytest.raises(InvalidKeyError, match="looks like a JWK"):
            ALGS["HS256"].prepare_key(secret)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": {"b": {"c": [1, 2, {"d": "kty"}]}}}',
        "{" + '"a":{' * 200 + "}" * 201,
        '"kty"',
        '["kty", ":"]',
        "kty: EC",
        "[" * 2000 + "]" * 2000,
    ],
)
def test_hmac_accepts_json_without_jwk_members_as_pyjwt(text: str) -> None:
    assert PYJWT_HS256.prepare_key(text) == text.encode()
    assert ALGS["HS256"].prepare_key(text) == text.encode()


# --- faces over bytes-like messages --------------------------------------------------------------------------------


@pytest.mark.parametrize(("alg", "kind"), [("RS256", "rsa2048"), ("PS256", "rsa2048"), ("ES256", "p256"),
                                           ("EdDSA", "ed25519")])  # fmt: skip
def test_faces_take_bytes_like_messages_as_cryptography_does(alg: str, kind: str) -> None:
    face = ALGS[alg]
    private, public = keyfiles.private_key(kind), keyfiles.public_key(kind)
    for msg in (bytearray(MSG), memoryview(MSG)):
        sig = face.sign(msg, private)
        assert face.verify(MSG, public, sig) is True
        assert face.verify(msg, public, bytearray(sig)) is True
        assert pyjwt.algorithms.get_default_algorithms()[alg].verify(MSG, public, sig) is True


@pytest.mark.parametrize(
    ("alg", "kind", "admitted", "face"),
    [("RS256", "p256", "RSAPrivateKey, RSAPublicKey", "RSAAlgorithm"),
     ("ES256", "ed25519", "EllipticCurvePrivateKey, EllipticCurvePublicKey", "ECAlgorithm"),
     ("EdDSA", "rsa2048", "Ed25519PrivateKey, Ed448PrivateKey, Ed25519PublicKey, Ed448PublicKey", "OKPAlgorithm")],
)  # fmt: skip
def test_key_of_another_family_is_named_as_pyjwt_names_it(alg: str, kind: str, admitted: str, face: str) -> None:
    got = type(keyfiles.public_key(kind)).__name__
    expected = f"Expected one of {admitted}, got: {got}. Invalid Key type for {face}"
    for key in (keyfiles.public_key(kind), keyfiles.public_pem(kind)):
        with pytest.raises(InvalidKeyError) as info:
            ALGS[alg].prepare_key(key)
        assert str(info.value) == expected
    # PyJWT's message has the same shape (with a generator's repr where the admitted classes belong).
    with pytest.raises(pyjwt.exceptions.InvalidKeyError, match=f"got: {got}. Invalid Key type for {face}$"):
        pyjwt.algorithms.get_default_algorithms()[alg].prepare_key(keyfiles.public_pem(kind))


def test_public_keys_cannot_sign() -> None:
    for alg, kind in (("RS256", "rsa2048"), ("ES256", "p256"), ("EdDSA", "ed25519")):
        with pytest.raises(InvalidKeyError):
            ALGS[alg].sign(MSG, keyfiles.public_key(kind))


def test_forms_loader_reads_only_pem_and_openssh() -> None:
    assert _forms.load_key_text(keyfiles.read("p256_public.openssh")) is not None
    assert _forms.load_key_text(keyfiles.private_pem("ed25519")) is not None
    for data in (
        keyfiles.read("p256_public_spki.der"),
        keyfiles.read("p256_cert.pem"),
        b"",
        keyfiles.read("rsa1024_private_pkcs8_encrypted.pem"),
        keyfiles.read("p256_public.jwk.json"),
    ):
        assert _forms.load_key_text(data) is None


def test_signer_signs_with_a_key_layer_jwk_as_with_a_pyjwk() -> None:
    data = keyfiles.jwk("ed25519", private=True)
    from fastjwt import Signer, decode

    for key in (_keys.JWK(data), PyJWK(data)):
        token = Signer(key, "EdDSA").encode({"sub": "1"})
        assert decode(token, keyfiles.public_key("ed25519"), algorithms=["EdDSA"]) == {"sub": "1"}


# -- from PyJWT 2.15.1's own suite (make compat): what it refuses and accepts as HMAC secrets -------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_jwk_text_with_a_lone_surrogate_is_refused_as_a_secret_in_any_encoding(encoding: str) -> None:
    text = '{"kty":"RSA","extra":"\ud800","nested":' + "[" * 1100 + "0" + "]" * 1100 + "}"
    with pytest.raises(InvalidKeyError, match="looks like a JWK"):
        HMACAlgorithm(HMACAlgorithm.SHA256).prepare_key(text.encode(encoding, errors="surrogatepass"))


def test_repeated_begin_markers_without_a_body_are_a_secret() -> None:
    key = b"-----BEGIN PUBLIC KEY-----" * 10_000
    assert HMACAlgorithm(HMACAlgorithm.SHA256).prepare_key(key) == key


def test_a_begin_marker_in_front_of_a_real_pem_key_still_refuses_it() -> None:
    pem = keyfiles.public_pem("rsa2048")
    for key in (b"-----BEGIN PUBLIC KEY-----" + pem, b"-----BEGIN PUBLIC KEY-----\n" + pem.split(b"\n", 1)[1]):
        with pytest.raises(InvalidKeyError, match="asymmetric key"):
            HMACAlgorithm(HMACAlgorithm.SHA256).prepare_key(key)
