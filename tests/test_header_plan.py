"""The decoder's header plan: the last accepted header is remembered so later tokens skip its checks.

The memo is an optimisation only; these tests prove it never lets a different header, a different key or a changed
setting skip a check. On the pure-Python core (no memo) they must pass just the same.
"""

from __future__ import annotations

import keyfiles
import pytest
from conftest import SECRET
from strict_raises import raises_exactly
from thread_workers import run_workers

import fastjwt
from fastjwt.exceptions import DecodeError, InvalidAlgorithmError, InvalidSignatureError, InvalidTokenError

CLAIMS = {"sub": "user-1", "aud": "api", "iss": "idp"}


def _verifier(**kwargs: object) -> fastjwt.Verifier:
    return fastjwt.Verifier(SECRET, ["HS256"], audience="api", issuer="idp", **kwargs)  # type: ignore[arg-type]


def test_header_of_the_same_length_with_another_alg_is_still_refused() -> None:
    verifier = _verifier()
    good = fastjwt.encode(CLAIMS, SECRET, "HS256")
    other = fastjwt.encode(CLAIMS, SECRET, "HS384")
    assert len(good.split(".")[0]) == len(other.split(".")[0])
    assert verifier.decode(good) == CLAIMS
    with raises_exactly(InvalidAlgorithmError, match="The specified alg value is not allowed"):
        verifier.decode(other)
    assert verifier.decode(good) == CLAIMS


def test_header_that_differs_only_in_its_last_characters_is_read_afresh() -> None:
    # {"alg":"HS256","typ":"JWT","v":1} and ...2}: the last Base64url group encodes ':1}' or ':2}', so only the
    # segment's last two characters differ. A plan compared on fewer bytes would hand back the first header.
    first = fastjwt.encode(CLAIMS, SECRET, "HS256", headers={"v": 1})
    second = fastjwt.encode(CLAIMS, SECRET, "HS256", headers={"v": 2})
    first_header, second_header = first.split(".")[0], second.split(".")[0]
    assert first_header != second_header and first_header[:-2] == second_header[:-2]
    verifier = _verifier()
    options = {"algorithms": ["HS256"], "audience": "api", "issuer": "idp"}
    for _ in range(2):
        assert verifier.decode_complete(first)["header"]["v"] == 1
        assert verifier.decode_complete(second)["header"]["v"] == 2
        assert fastjwt.decode_complete(first, SECRET, **options)["header"]["v"] == 1  # type: ignore[arg-type]
        assert fastjwt.decode_complete(second, SECRET, **options)["header"]["v"] == 2  # type: ignore[arg-type]


def test_typ_is_checked_for_every_new_header() -> None:
    verifier = _verifier(typ="at+jwt")
    good = fastjwt.encode(CLAIMS, SECRET, "HS256", headers={"typ": "at+jwt"})
    same_length = fastjwt.encode(CLAIMS, SECRET, "HS256", headers={"typ": "id+jwt"})
    assert verifier.decode(good) == CLAIMS
    with raises_exactly(InvalidTokenError, match=r"Invalid token type \(typ\)"):
        verifier.decode(same_length)


def test_unknown_crit_after_an_accepted_header_is_refused() -> None:
    verifier = _verifier()
    assert verifier.decode(fastjwt.encode(CLAIMS, SECRET, "HS256")) == CLAIMS
    crit = fastjwt.encode(CLAIMS, SECRET, "HS256", headers={"crit": ["exp-x"], "exp-x": 1})
    with raises_exactly(InvalidTokenError, match="Unsupported critical extension: exp-x"):
        verifier.decode(crit)


def test_unencoded_payload_header_after_an_accepted_header_still_needs_its_payload() -> None:
    verifier = _verifier()
    assert verifier.decode(fastjwt.encode(CLAIMS, SECRET, "HS256")) == CLAIMS
    detached = fastjwt.api_jws.encode(b"{}", SECRET, "HS256", headers={"b64": False}, is_payload_detached=True)
    with raises_exactly(DecodeError, match="detached_payload"):
        verifier.decode(detached)


@pytest.mark.parametrize(
    ("setting", "value", "error", "message"),
    [
        ("allowed", ["HS512"], InvalidAlgorithmError, "The specified alg value is not allowed"),
        ("typ", "at+jwt", InvalidTokenError, r"Invalid token type \(typ\)"),
    ],
)
def test_changing_a_decoder_setting_forgets_the_plan(
    setting: str, value: object, error: type[Exception], message: str
) -> None:
    verifier = _verifier()
    token = fastjwt.encode(CLAIMS, SECRET, "HS256")
    assert verifier.decode(token) == CLAIMS
    setattr(verifier._decoder, setting, value)
    with raises_exactly(error, match=message):
        verifier._decoder.decode(token)


def test_key_set_resolves_the_key_of_every_token() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    second = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    second_pem = second.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    jwk_a = dict(keyfiles.jwk("rsa2048"), kid="a")
    jwk_b = dict(fastjwt.algorithms.RSAAlgorithm.to_jwk(second.public_key(), as_dict=True), kid="b")
    verifier = fastjwt.Verifier(fastjwt.PyJWKSet([jwk_a, jwk_b]), ["RS256"], audience="api", issuer="idp")
    signed_by_a = fastjwt.encode(CLAIMS, keyfiles.private_pem("rsa2048"), "RS256", headers={"kid": "a"})
    signed_by_b = fastjwt.encode(CLAIMS, second_pem, "RS256", headers={"kid": "b"})
    forged_kid = fastjwt.encode(CLAIMS, keyfiles.private_pem("rsa2048"), "RS256", headers={"kid": "b"})
    assert verifier.decode(signed_by_a) == CLAIMS
    assert verifier.decode(signed_by_b) == CLAIMS
    with pytest.raises(InvalidSignatureError):
        verifier.decode(forged_kid)
    assert verifier.decode(signed_by_a) == CLAIMS


def test_threads_alternating_headers_get_the_right_answer_every_time() -> None:
    verifier = _verifier()
    good = fastjwt.encode(CLAIMS, SECRET, "HS256")
    refused = fastjwt.encode(CLAIMS, SECRET, "HS384")

    def work() -> None:  # the first wrong answer or unexpected error ends the worker and is reported
        for _ in range(2000):
            assert verifier.decode(good) == CLAIMS
            with raises_exactly(InvalidAlgorithmError, match="The specified alg value is not allowed"):
                verifier.decode(refused)

    assert run_workers(work, [()] * 4) == []
