"""What the JWKS clients write about their URI and about tokens (issue 13, points 1 and 5).

* Credentials in the URI (``https://user:pass@host/...``) are refused when the client is built and
  whenever ``uri`` is changed later: urllib never sent them as credentials anyway, and they leaked
  into log records, exception messages and the resolver.
* Log records and exception messages show the URI with its query values replaced by ``...``.
* A ``kid`` from a token is escaped and cut before it reaches an exception message, so it cannot
  forge a log line.

All against a real JWKS server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import pytest
from conftest import Clock
from cryptography.hazmat.primitives.asymmetric import ec
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (fixture)

from fastjwt.algorithms import ECAlgorithm
from fastjwt.exceptions import PyJWKClientConnectionError, PyJWKClientError
from fastjwt.jwks_async import AsyncPyJWKClient
from fastjwt.jwks_client import PyJWKClient

SECRET = "s3cr3t-value"


@pytest.fixture(scope="module")
def jwk_a() -> dict[str, Any]:
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True)
    jwk["kid"] = "a"
    return jwk


# -- credentials in the URI -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        f"https://user:{SECRET}@idp.example/.well-known/jwks.json",
        f"https://{SECRET}@idp.example/jwks",
        f"http://:{SECRET}@127.0.0.1:8080/jwks",
        f"HTTPS://user:{SECRET}@IDP.example",
    ],
)
@pytest.mark.parametrize("client_class", [PyJWKClient, AsyncPyJWKClient])
def test_credentials_in_the_uri_are_refused_at_construction(uri: str, client_class: type[Any]) -> None:
    with pytest.raises(PyJWKClientError, match="must not contain credentials") as info:
        client_class(uri)
    assert type(info.value) is PyJWKClientError
    assert SECRET not in str(info.value)


def test_credentials_set_later_are_refused_before_any_request(jwks_server: JWKSServer, jwk_a: dict[str, Any]) -> None:
    jwks_server.set_keys(jwk_a)
    client = PyJWKClient(jwks_server.url, cooldown_duration=0)
    client.uri = f"http://user:{SECRET}@127.0.0.1:{jwks_server.port}{jwks_server.jwks_path}"
    with pytest.raises(PyJWKClientError, match="must not contain credentials") as info:
        client.get_signing_key("a")
    assert type(info.value) is PyJWKClientError
    assert SECRET not in str(info.value)
    assert jwks_server.hits == 0


def test_async_credentials_set_later_are_refused_before_any_request(jwks_server: JWKSServer) -> None:
    client = AsyncPyJWKClient(jwks_server.url)
    client.uri = f"http://{SECRET}@127.0.0.1:{jwks_server.port}/jwks"
    with pytest.raises(PyJWKClientError, match="must not contain credentials") as info:
        asyncio.run(client.get_signing_key("a"))
    assert SECRET not in str(info.value)
    assert jwks_server.hits == 0


def test_an_at_sign_in_the_path_or_query_is_not_taken_for_credentials(
    jwks_server: JWKSServer, jwk_a: dict[str, Any]
) -> None:
    jwks_server.set_keys(jwk_a)
    client = PyJWKClient(jwks_server.url + "?tenant=ops@example.com")
    assert client.get_signing_key("a").key_id == "a"
    assert jwks_server.hits == 1


# -- query values in logs and messages ------------------------------------------------------------


def test_the_stale_keys_warning_shows_no_query_values(
    jwks_server: JWKSServer, jwk_a: dict[str, Any], caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    jwks_server.set_keys(jwk_a)
    client = PyJWKClient(f"{jwks_server.url}?api_key={SECRET}&tenant=acme", lifespan=10, clock=clock)
    first = client.get_signing_key("a")
    jwks_server.status = 500
    clock.advance(11)
    with caplog.at_level(logging.WARNING, logger="fastjwt.jwks"):
        assert client.get_signing_key("a") is first
    records = [r for r in caplog.records if r.name == "fastjwt.jwks"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert f"{jwks_server.url}?api_key=...&tenant=..." in message
    assert SECRET not in message and "acme" not in message
    assert "500" in message


def test_async_stale_keys_warning_shows_no_query_values(
    jwks_server: JWKSServer, jwk_a: dict[str, Any], caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    jwks_server.set_keys(jwk_a)

    async def main() -> None:
        client = AsyncPyJWKClient(f"{jwks_server.url}?{SECRET}", lifespan=10, clock=clock)
        await client.get_signing_key("a")
        jwks_server.status = 500
        clock.advance(11)
        with caplog.at_level(logging.WARNING, logger="fastjwt.jwks"):
            await client.get_signing_key("a")

    asyncio.run(main())
    messages = [r.getMessage() for r in caplog.records if r.name == "fastjwt.jwks"]
    assert len(messages) == 1
    assert f"{jwks_server.url}?..." in messages[0] and SECRET not in messages[0]


def test_a_transport_error_that_quotes_the_uri_is_redacted() -> None:
    def fetcher(url: str, headers: Mapping[str, str], timeout: float) -> bytes:
        raise OSError(f"Client error '404 Not Found' for url '{url}'")

    uri = f"https://idp.example/jwks?client_secret={SECRET}"
    with pytest.raises(PyJWKClientConnectionError) as info:
        PyJWKClient(uri, fetcher=fetcher).get_signing_key("a")
    message = str(info.value)
    assert "for url 'https://idp.example/jwks?client_secret=...'" in message
    assert SECRET not in message


def test_urllib_errors_quoting_the_query_are_redacted(jwks_server: JWKSServer) -> None:
    # http.client refuses a space in the request target and quotes the target in its message
    client = PyJWKClient(f"{jwks_server.url}?key={SECRET} x")
    with pytest.raises(PyJWKClientConnectionError, match="control characters") as info:
        client.get_signing_key("a")
    assert SECRET not in str(info.value)
    assert jwks_server.hits == 0


def test_control_characters_from_the_endpoint_do_not_reach_messages() -> None:
    def fetcher(url: str, headers: Mapping[str, str], timeout: float) -> bytes:
        raise OSError("upstream said: bad\r\nINFO forged line\x1b[2J")

    with pytest.raises(PyJWKClientConnectionError) as info:
        PyJWKClient("https://idp.example/jwks", fetcher=fetcher).get_signing_key("a")
    message = str(info.value)
    assert message.isprintable()
    assert "bad\\x0d\\x0aINFO forged line\\x1b[2J" in message


# -- kid values from tokens -----------------------------------------------------------------------


def test_an_unknown_kid_keeps_pyjwts_wording(jwks_server: JWKSServer, jwk_a: dict[str, Any]) -> None:
    jwks_server.set_keys(jwk_a)
    with pytest.raises(PyJWKClientError) as info:
        PyJWKClient(jwks_server.url).get_signing_key("abc")
    assert str(info.value) == 'Unable to find a signing key that matches: "abc"'


@pytest.mark.parametrize(
    ("kid", "shown"),
    [
        ("evil\r\n2026-01-01 INFO login ok user=admin", "evil\\x0d\\x0a2026-01-01 INFO login ok user=admin"),
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
        ("a\u2028b\u202ec", "a\\u2028b\\u202ec"),
        ("k" * 500, "k" * 80 + "..."),
    ],
)
def test_an_unknown_kid_is_escaped_and_cut_in_the_message(
    jwks_server: JWKSServer, jwk_a: dict[str, Any], kid: str, shown: str
) -> None:
    jwks_server.set_keys(jwk_a)
    with pytest.raises(PyJWKClientError) as info:
        PyJWKClient(jwks_server.url).get_signing_key(kid)
    assert str(info.value) == f'Unable to find a signing key that matches: "{shown}"'


def test_async_unknown_kid_is_escaped(jwks_server: JWKSServer, jwk_a: dict[str, Any]) -> None:
    jwks_server.set_keys(jwk_a)
    with pytest.raises(PyJWKClientError) as info:
        asyncio.run(AsyncPyJWKClient(jwks_server.url).get_signing_key("x\ny"))
    assert str(info.value) == 'Unable to find a signing key that matches: "x\\x0ay"'


def test_redaction_does_not_mangle_the_rest_of_the_message() -> None:
    def fetcher(url: str, headers: Mapping[str, str], timeout: float) -> bytes:
        raise OSError(f"HTTP Error 401 for {url}, then 1 retry for /jwks?1")

    with pytest.raises(PyJWKClientConnectionError) as info:
        PyJWKClient("https://idp.example/jwks?1", fetcher=fetcher).get_signing_key("a")
    assert "HTTP Error 401 for https://idp.example/jwks?..., then 1 retry for /jwks?..." in str(info.value)
