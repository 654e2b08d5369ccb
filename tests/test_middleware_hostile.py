"""The middleware against an attacker's requests, in real servers (uvicorn, wsgiref) on 127.0.0.1.

* a slow key source never stalls the event loop (other requests are served while a key fetch is pending);
* ``exempt_prefixes`` never exempt a path with dot segments or other forms that normalise elsewhere;
* a request carrying more than one token (two headers, or one comma-joined value) is refused with 400.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import test_middleware
from jwks_server import JWKSServer
from keyfiles import jwk, private_pem
from test_middleware import (
    ASGI_LOG,
    VERIFIER,
    CallLog,
    UvicornThread,
    WSGIThread,
    asgi_app,
    make_token,
    request,
    wsgi_app,
)

import fastjwt
from fastjwt.exceptions import DecodeError
from fastjwt.middleware import ASGIMiddleware, WSGIMiddleware

REFUSED: list[tuple[BaseException | None, str]] = []
OPTIONS: dict[str, Any] = {
    "exempt_paths": ("/health",),
    "exempt_prefixes": ("/static/",),
    "on_error": lambda error, path: REFUSED.append((error, path)),
}


@pytest.fixture(scope="module")
def asgi_port() -> Iterator[int]:
    with UvicornThread(ASGIMiddleware(asgi_app, VERIFIER, **OPTIONS)) as server:
        yield server.port


@pytest.fixture(scope="module")
def wsgi_port() -> Iterator[int]:
    with WSGIThread(WSGIMiddleware(wsgi_app, VERIFIER, **OPTIONS)) as server:
        yield server.port


# Runs each test on both servers; the fixture resolves this module's asgi_port and wsgi_port.
served = test_middleware.served


# -- exempt prefixes -------------------------------------------------------------------------------------------------

# Request targets that a server, a framework or a file lookup may resolve outside /static/.
ESCAPES = [
    "/static/../admin",
    "/static/./../admin",
    "/static/x/../../admin",
    "/static/%2e%2e/admin",
    "/static/%2E%2e/admin",
    "/static/%2E%2E/admin",
    "/static/.%2e/admin",
    "/static/%2e./admin",
    "/static/..%2fadmin",
    "/static/..%2Fadmin",
    "/static/%2e%2e%2fadmin",
    "/static%2f..%2fadmin",
    "/static/%252e%252e/admin",
    "/static/%252e%252e%252fadmin",
    "/static/..%5cadmin",
    "/static/..\\admin",
    "/static\\..\\admin",
    "/static/..;/admin",
    "/static/.",
    "/static/./admin",
    "/static//admin",
    "/static/%00/admin",
    "/static/%ef%bc%8e%ef%bc%8e/admin",  # U+FF0E FULLWIDTH FULL STOP twice: NFKC-normalises to ".."
]


@pytest.mark.parametrize("path", ESCAPES)
def test_ambiguous_paths_are_not_exempt(served: tuple[int, CallLog], path: str) -> None:
    port, log = served
    before = len(log.calls)
    status, headers, _ = request(port, path)
    assert status == 401
    assert headers["www-authenticate"] == 'Bearer realm="api"'
    assert len(log.calls) == before


@pytest.mark.parametrize("path", ["/static/x%2fy", "/static/x%2Fy", "/static/x%5cy"])
def test_encoded_separators_are_not_exempt_on_asgi(asgi_port: int, path: str) -> None:
    """ASGI hands the app the raw path too: a router reading it sees other segments than the decoded path has."""
    before = len(ASGI_LOG.calls)
    assert request(asgi_port, path)[0] == 401
    assert len(ASGI_LOG.calls) == before


@pytest.mark.parametrize("option", ["exempt_paths", "exempt_prefixes"], ids=["exempt_paths", "exempt_prefixes"])
@pytest.mark.parametrize(
    "path", ["", "static/", "/static/../", "/static/./", "//static/", "/st%61tic/", "/static\\", "/static/\x00"]
)
def test_exempt_options_must_be_plain_paths(option: str, path: str) -> None:
    for middleware in (ASGIMiddleware, WSGIMiddleware):
        with pytest.raises(ValueError, match="must start with '/'"):
            middleware(asgi_app, VERIFIER, **{option: (path,)})


@pytest.mark.parametrize("path", ["/static/../admin", "/static/%2e%2e/admin"])
def test_ambiguous_path_with_a_valid_token_reaches_the_app_with_claims(served: tuple[int, CallLog], path: str) -> None:
    """Such paths are verified like any other: not refused, just not exempt."""
    port, _ = served
    status, _, body = request(port, path, {"Authorization": "Bearer " + make_token()})
    assert status == 200
    assert json.loads(body)["claims"]["sub"] == "alice"


@pytest.mark.parametrize("path", ["/static/app.js", "/static/css/site.css", "/static/a%20b.js", "/static/v1.2/x..y.js"])
def test_plain_paths_below_the_prefix_stay_exempt(served: tuple[int, CallLog], path: str) -> None:
    port, log = served
    status, _, body = request(port, path)
    assert status == 200
    assert json.loads(body) == {"claims": None}
    assert log.calls[-1] == path.replace("%20", " ")


# -- more than one token ---------------------------------------------------------------------------------------------


def _request_with_headers(port: int, path: str, headers: list[tuple[str, str]]) -> tuple[int, dict[str, str], bytes]:
    """A GET that may repeat a header (``http.client`` sends each ``putheader`` as its own line)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


GOOD = make_token(exp_delta=3600)
OTHER_GOOD = make_token(exp_delta=3600, sub="mallory")
DUPLICATES = [
    pytest.param([("Authorization", "Bearer " + GOOD), ("Authorization", "Bearer garbage")], id="good-then-bad"),
    pytest.param([("Authorization", "Bearer garbage"), ("Authorization", "Bearer " + GOOD)], id="bad-then-good"),
    pytest.param([("Authorization", "Bearer " + GOOD), ("Authorization", "Bearer " + OTHER_GOOD)], id="two-good"),
    pytest.param([("Authorization", "Bearer " + GOOD), ("authorization", "Bearer " + GOOD)], id="same-twice"),
    pytest.param([("Authorization", "Bearer " + GOOD), ("Authorization", "")], id="good-then-empty"),
    pytest.param([("Authorization", "Bearer " + GOOD), ("Authorization", "Basic YTpi")], id="good-then-basic"),
    pytest.param([("Authorization", f"Bearer {GOOD}, Bearer {OTHER_GOOD}")], id="comma-joined"),
    pytest.param([("Authorization", f"Bearer {GOOD},")], id="trailing-comma"),
]


@pytest.mark.parametrize("headers", DUPLICATES)
def test_more_than_one_token_is_a_bad_request(served: tuple[int, CallLog], headers: list[tuple[str, str]]) -> None:
    port, log = served
    before = len(log.calls)
    status, response_headers, body = _request_with_headers(port, "/me", headers)
    assert status == 400
    assert response_headers["www-authenticate"] == (
        'Bearer realm="api", error="invalid_request", error_description="The request carries more than one token"'
    )
    assert json.loads(body) == {
        "error": "invalid_request",
        "error_description": "The request carries more than one token",
    }
    assert len(log.calls) == before
    error, path = REFUSED[-1]
    assert type(error).__name__ == "_MultipleTokensError" and isinstance(error, DecodeError)
    assert str(error) == "The request carries more than one token" and path == "/me"


@pytest.mark.parametrize(
    "value", ['Digest username="a", realm="b", nonce="c"', "Basic YTpi, Digest realm=b", ",", " , "]
)
def test_another_schemes_comma_list_is_no_token(served: tuple[int, CallLog], value: str) -> None:
    """Auth-params are comma-separated (RFC 7235): a value holding no Bearer credential carries no token at all."""
    port, log = served
    before = len(log.calls)
    status, headers, _ = _request_with_headers(port, "/me", [("Authorization", value)])
    assert status == 401
    assert headers["www-authenticate"] == 'Bearer realm="api"'
    assert len(log.calls) == before


def test_one_token_still_passes(served: tuple[int, CallLog]) -> None:
    port, _ = served
    status, _, body = _request_with_headers(port, "/me", [("Authorization", "Bearer " + GOOD), ("X-Other", "a, b")])
    assert status == 200 and json.loads(body)["claims"]["sub"] == "alice"


def test_duplicate_bare_token_header() -> None:
    """With ``scheme=None`` (a proxy's own header) two copies are refused too."""
    app = ASGIMiddleware(asgi_app, VERIFIER, header="X-Auth-Token", scheme=None)
    wsgi = WSGIMiddleware(wsgi_app, VERIFIER, header="X-Auth-Token", scheme=None)
    with UvicornThread(app) as asgi_server, WSGIThread(wsgi) as wsgi_server:
        for port in (asgi_server.port, wsgi_server.port):
            status, _, _ = _request_with_headers(port, "/me", [("X-Auth-Token", GOOD), ("X-Auth-Token", GOOD)])
            assert status == 400
            assert _request_with_headers(port, "/me", [("X-Auth-Token", GOOD)])[0] == 200


def test_websocket_with_two_tokens_is_refused(asgi_port: int) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    headers = [("Authorization", "Bearer " + GOOD), ("Authorization", "Bearer " + OTHER_GOOD)]
    with (
        pytest.raises(InvalidStatus) as refused,
        connect(f"ws://127.0.0.1:{asgi_port}/ws", additional_headers=headers, open_timeout=10),
    ):
        pass
    assert refused.value.response.status_code == 403


# -- a slow key source -----------------------------------------------------------------------------------------------


class GatedDocument:
    """A JWKS document the endpoint hands out only once the test opens the gate (a stand-in for a slow IdP)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.fetch_started = threading.Event()
        self.gate = threading.Event()
        self.fetch_answered = threading.Event()

    def __call__(self) -> dict[str, Any]:
        self.fetch_started.set()
        self.gate.wait(30)
        self.fetch_answered.set()
        return self.document


@pytest.mark.parametrize("client_class", [fastjwt.PyJWKClient, fastjwt.AsyncPyJWKClient])
def test_other_requests_are_served_while_a_key_fetch_is_pending(client_class: Any) -> None:
    with JWKSServer() as idp:
        gated = GatedDocument({"keys": [{**jwk("rsa2048"), "kid": "idp-1", "use": "sig", "alg": "RS256"}]})
        idp.document = gated
        verifier = fastjwt.Verifier(client_class(idp.url), ["RS256"])
        token = fastjwt.encode({"sub": "carol"}, private_pem("rsa2048"), algorithm="RS256", headers={"kid": "idp-1"})
        outcome: dict[str, Any] = {}

        def authenticated_request(port: int) -> None:
            outcome["response"] = request(port, "/me", {"Authorization": "Bearer " + token})

        with UvicornThread(ASGIMiddleware(asgi_app, verifier, exempt_paths=("/health",))) as server:
            waiting = threading.Thread(target=authenticated_request, args=(server.port,))
            waiting.start()
            try:
                assert gated.fetch_started.wait(10), "the token request never reached the JWKS endpoint"
                # A blocked event loop never answers this: http.client gives up after its 10 s timeout.
                status, _, body = request(server.port, "/health")
                assert status == 200 and json.loads(body) == {"claims": None}
                assert not gated.fetch_answered.is_set()  # served while the key fetch was still pending
            finally:
                gated.gate.set()
                waiting.join(15)
        status, _, body = outcome["response"]
        assert status == 200 and json.loads(body)["claims"] == {"sub": "carol"}
        assert idp.hits == 1
