"""Code and tests written against PyJWT 2.15.1's ``PyJWKClient`` keep working with fastjwt (issue 12).

PyJWT 2.15.1 reaches the network through ``urllib.request.build_opener(*handlers)`` and then
``opener.open(request, timeout=...)``, used as a context manager whose ``read()`` gives the body. Its
own tests, and many users' tests, replace ``build_opener`` with ``unittest.mock`` objects whose responses
return ``str`` or ``bytes`` and have no real headers or status. Those patches are the point here, so
this file uses mocks on purpose; the real transport's safety is tested against a real server in
test_jwks_client.py, test_jwks_backoff.py and test_jwks_uri.py.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import ssl
import urllib.request
from email.message import Message
from typing import Any
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (fixture)

import fastjwt
from fastjwt.algorithms import ECAlgorithm
from fastjwt.exceptions import DecodeError, PyJWKClientConnectionError, PyJWKClientError
from fastjwt.jwks_async import AsyncPyJWKClient
from fastjwt.jwks_client import PyJWKClient, _NoRedirectHandler

URL = "https://idp.example/.well-known/jwks.json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True)
    jwk["kid"] = "a"
    return {"keys": [jwk]}


def context_response(*bodies: Any) -> mock.Mock:
    """A response as PyJWT's tests build it: a Mock used as its own context manager."""
    response = mock.Mock()
    response.__enter__ = mock.Mock(return_value=response)
    response.__exit__ = mock.Mock()
    response.read.side_effect = list(bodies)
    return response


def patched_opener(response: Any) -> Any:
    """Patch ``urllib.request.build_opener`` so that ``opener.open(...)`` returns ``response``."""
    patcher = mock.patch("urllib.request.build_opener")
    build_opener = patcher.start()
    build_opener.return_value.open.return_value = response
    return patcher, build_opener


@pytest.fixture
def stop_patches() -> Any:
    yield
    mock.patch.stopall()


@pytest.mark.parametrize("encode", [False, True], ids=["read-gives-str", "read-gives-bytes"])
def test_a_mocked_opener_whose_response_reads_text_or_bytes(
    document: dict[str, Any], encode: bool, stop_patches: None
) -> None:
    body = json.dumps(document)
    _, build_opener = patched_opener(context_response(body.encode() if encode else body))
    client = PyJWKClient(URL, headers={"User-agent": "my-agent"}, timeout=7)
    assert client.get_signing_key("a").key_id == "a"
    opener = build_opener.return_value
    assert opener.open.call_count == 1
    request = opener.open.call_args.args[0]
    assert isinstance(request, urllib.request.Request)
    assert request.full_url == URL
    assert request.headers == {"User-agent": "my-agent"}
    assert opener.open.call_args.kwargs == {"timeout": 7}


def test_each_fetch_reads_the_response_once(document: dict[str, Any], stop_patches: None) -> None:
    # read.side_effect holds one body per fetch: a second read() in one fetch would raise StopIteration
    other = {"keys": [dict(document["keys"][0], kid="b")]}
    _, build_opener = patched_opener(context_response(json.dumps(other), json.dumps(document)))
    client = PyJWKClient(URL, cooldown_duration=0)
    assert client.get_signing_key("a").key_id == "a"  # "a" unknown in the first set: one refetch
    assert build_opener.return_value.open.call_count == 2


def test_a_magicmock_whose_enter_gives_another_object(document: dict[str, Any], stop_patches: None) -> None:
    outer = mock.MagicMock()
    outer.__enter__.return_value.read.return_value = json.dumps(document).encode()
    patched_opener(outer)
    assert PyJWKClient(URL).get_signing_key("a").key_id == "a"


def test_a_plain_object_without_headers_or_status(document: dict[str, Any], stop_patches: None) -> None:
    class Response:
        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc_info: object) -> None:
            return None

        def read(self) -> bytes:
            return json.dumps(document).encode()

    patched_opener(Response())
    assert [k.key_id for k in PyJWKClient(URL).get_signing_keys()] == ["a"]


def test_cache_control_of_a_mocked_response_is_honoured(document: dict[str, Any], stop_patches: None) -> None:
    response = context_response(json.dumps(document))
    headers = Message()
    headers["Cache-Control"] = "max-age=42"
    response.headers = headers
    patched_opener(response)
    client = PyJWKClient(URL)
    client.get_jwk_set()
    entry = client.jwk_set_cache.jwk_set_with_timestamp  # type: ignore[union-attr]
    assert entry is not None and entry.expires_at - entry.timestamp == pytest.approx(42)


def test_the_size_cap_applies_to_a_mocked_body(document: dict[str, Any], stop_patches: None) -> None:
    patched_opener(context_response(json.dumps(document) + " " * 2000))
    with pytest.raises(PyJWKClientError, match="larger than max_response_bytes") as info:
        PyJWKClient(URL, max_response_bytes=1000).get_jwk_set()
    assert type(info.value) is PyJWKClientError


def test_an_exit_that_swallows_the_read_error_is_a_connection_error(stop_patches: None) -> None:
    response = mock.Mock()
    response.__enter__ = mock.Mock(return_value=response)
    response.__exit__ = mock.Mock()  # returns a truthy Mock: the with statement swallows the error
    response.read.side_effect = http.client.IncompleteRead(partial=b"", expected=10)
    patched_opener(response)
    with pytest.raises(PyJWKClientConnectionError, match="Fail to fetch data from the url"):
        PyJWKClient(URL).get_jwk_set()


def test_read_giving_something_else_is_a_json_error(stop_patches: None) -> None:
    patched_opener(context_response(mock.Mock()))
    with pytest.raises(PyJWKClientError, match="valid JSON"):
        PyJWKClient(URL).get_jwk_set()


def test_build_opener_gets_the_no_redirect_handler_and_the_ssl_context(
    document: dict[str, Any], stop_patches: None
) -> None:
    context = ssl.create_default_context()
    _, build_opener = patched_opener(context_response(json.dumps(document)))
    PyJWKClient(URL, ssl_context=context).get_jwk_set()
    handlers = build_opener.call_args.args
    assert any(isinstance(h, _NoRedirectHandler) for h in handlers)
    assert any(isinstance(h, urllib.request.HTTPSHandler) and h._context is context for h in handlers)
    assert _NoRedirectHandler().redirect_request(mock.Mock(), mock.Mock(), 302, "Found", {}, "https://x") is None


def test_patching_time_monotonic_drives_the_cooldown(document: dict[str, Any], stop_patches: None) -> None:
    _, build_opener = patched_opener(context_response(*[json.dumps(document)] * 3))
    client = PyJWKClient(URL, cooldown_duration=10)
    now = [100.0]
    with mock.patch("fastjwt.jwks_client.time.monotonic", side_effect=lambda: now[0]):
        with pytest.raises(PyJWKClientError, match='matches: "zz"'):
            client.get_signing_key("zz")
        now[0] = 109.0
        with pytest.raises(PyJWKClientError, match='matches: "zz"'):
            client.get_signing_key("zz")
        assert build_opener.return_value.open.call_count == 1
        now[0] = 110.0
        with pytest.raises(PyJWKClientError, match='matches: "zz"'):
            client.get_signing_key("zz")
        assert build_opener.return_value.open.call_count == 2
        client._last_successful_fetch = 0  # PyJWT's tests end the cooldown this way
        with pytest.raises(PyJWKClientError, match='matches: "zz"'):
            client.get_signing_key("zz")
    assert build_opener.return_value.open.call_count == 3


def test_the_async_client_goes_through_build_opener_too(document: dict[str, Any], stop_patches: None) -> None:
    _, build_opener = patched_opener(context_response(json.dumps(document)))
    key = asyncio.run(AsyncPyJWKClient(URL).get_signing_key("a"))
    assert key.key_id == "a"
    assert build_opener.return_value.open.call_count == 1


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("payload", [b"[1]", b"not json", b'"text"'])
def test_a_token_with_a_bad_payload_fails_before_any_fetch(
    jwks_server: JWKSServer, document: dict[str, Any], payload: bytes
) -> None:
    jwks_server.document = document
    header = b64(json.dumps({"alg": "ES256", "kid": "a"}).encode())
    token = f"{header}.{b64(payload)}.{b64(b'sig')}"
    with pytest.raises(DecodeError, match="Invalid payload") as info:
        PyJWKClient(jwks_server.url).get_signing_key_from_jwt(token)
    assert type(info.value) is DecodeError
    assert jwks_server.hits == 0
    with pytest.raises(DecodeError, match="Invalid payload"):
        asyncio.run(AsyncPyJWKClient(jwks_server.url).get_signing_key_from_jwt(token))
    assert jwks_server.hits == 0


def test_an_expired_token_still_names_its_key(jwks_server: JWKSServer, document: dict[str, Any]) -> None:
    jwks_server.document = document
    private = ec.generate_private_key(ec.SECP256R1())
    token = fastjwt.encode({"exp": 1}, private, "ES256", headers={"kid": "a"})
    assert PyJWKClient(jwks_server.url).get_signing_key_from_jwt(token).key_id == "a"
