"""JWKS client attacks against a real server on 127.0.0.1: SSRF schemes, redirects, kid floods, huge/slow bodies."""

from __future__ import annotations

import keyfiles
import pytest
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (fixture; tests/ is on sys.path)
from strict_raises import raises_exactly

import fastjwt as jwt
from fastjwt.exceptions import PyJWKClientConnectionError, PyJWKClientError


def _document() -> dict[str, object]:
    return {"keys": [dict(keyfiles.jwk("rsa2048"), kid="real", use="sig")]}


@pytest.mark.parametrize(
    "uri",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "ftp://127.0.0.1/jwks.json",
        "data:application/json,{}",
        "gopher://127.0.0.1:6379/_INFO",
        "jar:http://x/a!/b",
        "/etc/passwd",
        "127.0.0.1/jwks.json",
        "",
    ],
)
def test_non_http_scheme_refused(uri: str) -> None:
    with raises_exactly(PyJWKClientError, match="only 'http' and 'https' are supported"):
        jwt.PyJWKClient(uri)


def test_scheme_changed_after_construction_refused() -> None:
    client = jwt.PyJWKClient("https://127.0.0.1:1/jwks.json")
    client.uri = "file:///etc/passwd"
    with raises_exactly(PyJWKClientError, match="Invalid JWKS URI scheme 'file'"):
        client.get_signing_key("real")


def test_redirect_to_other_origin_not_followed(jwks_server: JWKSServer) -> None:  # noqa: F811
    with JWKSServer() as other:
        other.document = _document()
        jwks_server.redirect_to = other.url
        with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 302"):
            jwt.PyJWKClient(jwks_server.url, timeout=2).get_signing_key("real")
        assert other.hits == 0


def test_redirect_to_file_scheme_not_followed(jwks_server: JWKSServer) -> None:  # noqa: F811
    jwks_server.redirect_to = "file:///etc/passwd"
    with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 302"):
        jwt.PyJWKClient(jwks_server.url, timeout=2).get_signing_key("real")


def test_unknown_kid_flood_fetches_at_most_twice(jwks_server: JWKSServer) -> None:  # noqa: F811
    jwks_server.document = _document()
    client = jwt.PyJWKClient(jwks_server.url, timeout=2, cooldown_duration=60)
    assert client.get_signing_key("real").key_id == "real"
    for i in range(500):
        with raises_exactly(PyJWKClientError, match=f'Unable to find a signing key that matches: "unknown-{i}"'):
            client.get_signing_key(f"unknown-{i}")
    assert jwks_server.hits <= 2


def test_unknown_kid_flood_through_verifier_is_bounded(jwks_server: JWKSServer) -> None:  # noqa: F811
    jwks_server.document = _document()
    verifier = jwt.Verifier(jwt.PyJWKClient(jwks_server.url, timeout=2, cooldown_duration=60), ["RS256"])
    for i in range(200):
        tok = jwt.encode({"a": i}, keyfiles.private_key("rsa2048"), algorithm="RS256", headers={"kid": f"x{i}"})
        with raises_exactly(PyJWKClientError, match=f'Unable to find a signing key that matches: "x{i}"'):
            verifier.decode(tok)
    assert jwks_server.hits <= 2


def test_huge_response_with_length_refused(jwks_server: JWKSServer) -> None:  # noqa: F811
    jwks_server.stream_bytes = 64 << 20
    with pytest.raises(PyJWKClientError, match=r"larger than max_response_bytes \(1048576 bytes\)") as info:
        jwt.PyJWKClient(jwks_server.url, timeout=5).get_signing_key("real")
    assert not isinstance(info.value, PyJWKClientConnectionError)
    assert jwks_server.bytes_streamed < 8 << 20


def test_huge_response_without_length_cut_off(jwks_server: JWKSServer) -> None:  # noqa: F811
    jwks_server.stream_bytes = 64 << 20
    jwks_server.stream_content_length = False
    with pytest.raises(PyJWKClientError, match=r"larger than max_response_bytes \(1048576 bytes\)") as info:
        jwt.PyJWKClient(jwks_server.url, timeout=5).get_signing_key("real")
    assert not isinstance(info.value, PyJWKClientConnectionError)
    assert jwks_server.bytes_streamed < 16 << 20


def test_slow_response_cut_off_by_timeout(jwks_server: JWKSServer) -> None:  # noqa: F811
    jwks_server.stream_bytes = 100_000
    jwks_server.stream_chunk = 10
    jwks_server.stream_interval = 0.05
    with pytest.raises(PyJWKClientConnectionError, match="took longer than the timeout"):
        jwt.PyJWKClient(jwks_server.url, timeout=0.3).get_signing_key("real")


def test_jwks_document_not_json_refused(jwks_server: JWKSServer) -> None:  # noqa: F811
    jwks_server.body = b"<html>hi</html>"
    with raises_exactly(PyJWKClientError, match="did not return valid JSON"):
        jwt.PyJWKClient(jwks_server.url, timeout=2).get_signing_key("real")
