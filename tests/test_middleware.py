"""The ASGI and WSGI middleware in real servers (uvicorn, wsgiref) with a real HTTP client over 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import uvicorn
from hypothesis import given, settings
from hypothesis import strategies as st

import fastjwt
from fastjwt.exceptions import PyJWTError
from fastjwt.middleware import _DESCRIPTIONS, ASGIMiddleware, WSGIMiddleware, describe_error

SECRET = b"middleware-test-secret-0123456789abcdef"
OTHER = b"another-secret-entirely-0123456789abcdef"
SECRET_CLAIM = "private-claim-value-xyz"


def make_token(key: bytes = SECRET, exp_delta: float = 300, **claims: Any) -> str:
    payload = {"sub": "alice", "exp": int(time.time() + exp_delta), "note": SECRET_CLAIM, **claims}
    return fastjwt.encode(payload, key, algorithm="HS256")


# -- the applications behind the middleware -----------------------------------------------------------------------


class CallLog:
    def __init__(self) -> None:
        self.calls: list[str] = []


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    log = ASGI_LOG
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                ASGI_LOG.calls.append("lifespan.startup")
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        log.calls.append("ws:" + scope["path"])
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": json.dumps(scope["state"]["jwt"])})
        await send({"type": "websocket.close", "code": 1000})
        return
    log.calls.append(scope["path"])
    claims = scope.get("state", {}).get("jwt")
    body = json.dumps({"claims": claims}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


ASGI_LOG = CallLog()
WSGI_LOG = CallLog()


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    WSGI_LOG.calls.append(environ["PATH_INFO"])
    body = json.dumps({"claims": environ.get("fastjwt.claims")}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


# -- servers ---------------------------------------------------------------------------------------------------------


class AsyncSecretSource:
    """An async key source, as AsyncPyJWKClient is: proves ASGI awaits ``adecode``."""

    def __init__(self) -> None:
        jwk = {"kty": "oct", "k": base64.urlsafe_b64encode(SECRET).rstrip(b"=").decode(), "alg": "HS256"}
        self.key = fastjwt.PyJWK(jwk)

    async def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:
        await asyncio.sleep(0)
        return self.key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class UvicornThread:
    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="error", lifespan="on", ws="websockets-sansio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> UvicornThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class WSGIThread:
    def __init__(self, app: Any) -> None:
        self.server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> WSGIThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def request(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


VERIFIER = fastjwt.Verifier(SECRET, ["HS256"])
ERRORS: list[tuple[str, str]] = []


def _record(error: BaseException | None, path: str) -> None:
    ERRORS.append((type(error).__name__ if error else "missing", path))


async def _asgi_root(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Route by path prefix to differently configured middlewares sharing one server."""
    name = scope["path"].split("/")[1] if scope["type"] != "lifespan" else "std"
    await _ASGI_STACKS[name](scope, receive, send)


_ASGI_STACKS: dict[str, Any] = {
    "std": ASGIMiddleware(asgi_app, VERIFIER, exempt_paths=("/std/health",), on_error=_record),
    "proxy": ASGIMiddleware(asgi_app, VERIFIER, header="X-Auth-Token", scheme=None),
    "async": ASGIMiddleware(asgi_app, fastjwt.Verifier(AsyncSecretSource(), ["HS256"])),
}


def _wsgi_root(environ: dict[str, Any], start_response: Any) -> Any:
    return _WSGI_STACKS[environ["PATH_INFO"].split("/")[1]](environ, start_response)


_WSGI_STACKS: dict[str, Any] = {
    "std": WSGIMiddleware(wsgi_app, VERIFIER, exempt_paths=("/std/health",), on_error=_record),
    "proxy": WSGIMiddleware(wsgi_app, VERIFIER, header="X-Auth-Token", scheme=None),
}


@pytest.fixture(scope="module")
def asgi_port() -> Iterator[int]:
    ASGI_LOG.calls.clear()
    with UvicornThread(_asgi_root) as server:
        yield server.port


@pytest.fixture(scope="module")
def wsgi_port() -> Iterator[int]:
    with WSGIThread(_wsgi_root) as server:
        yield server.port


@pytest.fixture(params=["asgi", "wsgi"])
def served(request: pytest.FixtureRequest) -> tuple[int, CallLog]:
    if request.param == "asgi":
        return request.getfixturevalue("asgi_port"), ASGI_LOG
    return request.getfixturevalue("wsgi_port"), WSGI_LOG


# -- HTTP cases, both servers ----------------------------------------------------------------------------------------


def test_valid_token_reaches_app_with_claims(served: tuple[int, CallLog]) -> None:
    port, log = served
    status, _, body = request(port, "/std/ok", {"Authorization": "Bearer " + make_token(role="admin")})
    assert status == 200
    claims = json.loads(body)["claims"]
    assert claims["sub"] == "alice" and claims["role"] == "admin"
    assert log.calls[-1] == "/std/ok"


@pytest.mark.parametrize("header_name", ["authorization", "AUTHORIZATION"])
@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_header_and_scheme_are_case_insensitive(served: tuple[int, CallLog], header_name: str, scheme: str) -> None:
    port, _ = served
    status, _, _ = request(port, "/std/ok", {header_name: f"{scheme} {make_token()}"})
    assert status == 200


def test_missing_header_gets_bare_challenge(served: tuple[int, CallLog]) -> None:
    port, log = served
    before = len(log.calls)
    status, headers, _ = request(port, "/std/missing")
    assert status == 401
    assert headers["www-authenticate"] == 'Bearer realm="api"'
    assert len(log.calls) == before
    assert ERRORS[-1] == ("missing", "/std/missing")


def test_wrong_scheme_is_treated_as_missing(served: tuple[int, CallLog]) -> None:
    port, log = served
    before = len(log.calls)
    status, headers, _ = request(port, "/std/basic", {"Authorization": "Basic " + make_token()})
    assert status == 401
    assert "error=" not in headers["www-authenticate"]
    assert len(log.calls) == before


def test_expired_token(served: tuple[int, CallLog]) -> None:
    port, log = served
    before = len(log.calls)
    token = make_token(exp_delta=-120)
    status, headers, body = request(port, "/std/expired", {"Authorization": "Bearer " + token})
    assert status == 401
    assert headers["www-authenticate"] == (
        'Bearer realm="api", error="invalid_token", error_description="The token has expired"'
    )
    assert len(log.calls) == before
    assert token.encode() not in body and SECRET_CLAIM.encode() not in body
    assert ERRORS[-1] == ("ExpiredSignatureError", "/std/expired")


def test_bad_signature(served: tuple[int, CallLog]) -> None:
    port, log = served
    before = len(log.calls)
    status, headers, body = request(port, "/std/forged", {"Authorization": "Bearer " + make_token(key=OTHER)})
    assert status == 401
    assert 'error_description="The token signature is invalid"' in headers["www-authenticate"]
    assert SECRET_CLAIM not in headers["www-authenticate"] and SECRET_CLAIM.encode() not in body
    assert len(log.calls) == before


def test_garbage_token_is_malformed_not_a_crash(served: tuple[int, CallLog]) -> None:
    port, _ = served
    status, headers, _ = request(port, "/std/x", {"Authorization": 'Bearer a"b\\c.' + SECRET_CLAIM})
    assert status == 401
    assert headers["www-authenticate"].endswith('error_description="The token is malformed"')
    assert SECRET_CLAIM not in headers["www-authenticate"]


def test_exempt_path_is_exact(served: tuple[int, CallLog]) -> None:
    port, log = served
    status, _, body = request(port, "/std/health")
    assert status == 200 and json.loads(body) == {"claims": None}
    assert log.calls[-1] == "/std/health"
    assert request(port, "/std/health/")[0] == 401
    assert request(port, "/std/healthz")[0] == 401


def test_bare_token_in_custom_header(served: tuple[int, CallLog]) -> None:
    port, _ = served
    token = make_token()
    status, _, body = request(port, "/proxy/me", {"X-Auth-Token": token})
    assert status == 200 and json.loads(body)["claims"]["sub"] == "alice"
    assert request(port, "/proxy/me", {"Authorization": "Bearer " + token})[0] == 401
    assert request(port, "/proxy/me", {"X-Auth-Token": make_token(exp_delta=-100)})[0] == 401


# -- ASGI only -------------------------------------------------------------------------------------------------------


def test_lifespan_passes_through(asgi_port: int) -> None:
    assert "lifespan.startup" in ASGI_LOG.calls


def test_async_key_source(asgi_port: int) -> None:
    status, _, body = request(asgi_port, "/async/me", {"Authorization": "Bearer " + make_token()})
    assert status == 200 and json.loads(body)["claims"]["sub"] == "alice"
    assert request(asgi_port, "/async/me", {"Authorization": "Bearer " + make_token(key=OTHER)})[0] == 401


def _websocket_claims(port: int, token: str | None) -> dict[str, Any]:
    """Open a real websocket to the ASGI server (the token in the handshake) and return what the app sends back."""
    from websockets.sync.client import connect

    headers = {"Authorization": "Bearer " + token} if token is not None else {}
    with connect(f"ws://127.0.0.1:{port}/std/ws", additional_headers=headers, open_timeout=10) as ws:
        return json.loads(ws.recv(timeout=10))  # type: ignore[no-any-return]


def test_websocket_checked_at_handshake(asgi_port: int) -> None:
    from websockets.exceptions import InvalidStatus

    before = len(ASGI_LOG.calls)
    for token in (None, make_token(exp_delta=-100), make_token(key=OTHER)):
        with pytest.raises(InvalidStatus) as refused:
            _websocket_claims(asgi_port, token)
        # the middleware closes before accepting; uvicorn answers the handshake with 403
        assert refused.value.response.status_code == 403
    assert len(ASGI_LOG.calls) == before  # a refused handshake never reached the app
    claims = _websocket_claims(asgi_port, make_token())
    assert claims["note"] == SECRET_CLAIM  # the claims reached the app
    assert ASGI_LOG.calls[-1] == "ws:/std/ws"


# -- units -----------------------------------------------------------------------------------------------------------


def test_descriptions_are_fixed_phrases() -> None:
    seen = set()
    for cls in (
        fastjwt.ExpiredSignatureError,
        fastjwt.InvalidSignatureError,
        fastjwt.DecodeError,
        fastjwt.InvalidAudienceError,
        fastjwt.InvalidIssuerError,
        fastjwt.ImmatureSignatureError,
        fastjwt.MissingRequiredClaimError,
        fastjwt.InvalidAlgorithmError,
    ):
        error: PyJWTError = (
            cls("claim " + SECRET_CLAIM) if cls is not fastjwt.MissingRequiredClaimError else cls(SECRET_CLAIM)
        )
        text = describe_error(error)
        assert SECRET_CLAIM not in text
        seen.add(text)
    assert len(seen) == 8


def test_realm_is_quoted_safely() -> None:
    mw = WSGIMiddleware(wsgi_app, VERIFIER, realm='a"b\\c\r\nX-Evil: 1')
    captured: list[Any] = []
    mw({"PATH_INFO": "/"}, lambda status, headers: captured.append(headers))
    value = dict(captured[0])["WWW-Authenticate"]
    assert value == 'Bearer realm="a\\"b\\\\c??X-Evil: 1"'


def test_bad_options_rejected() -> None:
    with pytest.raises(TypeError):
        ASGIMiddleware(asgi_app, VERIFIER, exempt_paths="/health")
    with pytest.raises(ValueError):
        WSGIMiddleware(wsgi_app, VERIFIER, scheme="Two words")
    with pytest.raises(ValueError):
        WSGIMiddleware(wsgi_app, VERIFIER, header="")


def test_exempt_prefixes() -> None:
    mw = WSGIMiddleware(wsgi_app, VERIFIER, exempt_prefixes=("/static/",))
    statuses: list[str] = []
    mw({"PATH_INFO": "/static/app.js"}, lambda status, headers: statuses.append(status))
    mw({"PATH_INFO": "/staticx"}, lambda status, headers: statuses.append(status))
    assert statuses == ["200 OK", "401 Unauthorized"]


_DESCRIPTION_SET = {text for _, text in _DESCRIPTIONS} | {"The token is invalid"}


@settings(max_examples=200, deadline=None)
@given(value=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=200))
def test_any_header_value_gets_200_or_a_fixed_401(value: str) -> None:
    """Whatever a client sends, the answer is the app or a 401 with a known description, never an exception."""
    mw = WSGIMiddleware(wsgi_app, VERIFIER)
    captured: list[tuple[str, list[tuple[str, str]]]] = []
    mw({"PATH_INFO": "/p", "HTTP_AUTHORIZATION": value}, lambda status, headers: captured.append((status, headers)))
    status, headers = captured[0]
    if status != "200 OK":
        challenge = dict(headers)["WWW-Authenticate"]
        assert challenge.startswith('Bearer realm="api"')
        if "error_description=" in challenge:
            description = challenge.split('error_description="', 1)[1][:-1]
            assert description in _DESCRIPTION_SET
        else:
            assert challenge == 'Bearer realm="api"'


# -- a JWKS-backed verifier, as deployed behind an IdP ---------------------------------------------------------------


def test_jwks_backed_verifier_in_both_servers(asgi_port: int, wsgi_port: int) -> None:
    from jwks_server import JWKSServer
    from keyfiles import jwk, private_pem

    with JWKSServer() as idp:
        idp.document = {"keys": [{**jwk("rsa2048"), "kid": "idp-1", "use": "sig", "alg": "RS256"}]}
        _ASGI_STACKS["jwks"] = ASGIMiddleware(asgi_app, fastjwt.Verifier(fastjwt.AsyncPyJWKClient(idp.url), ["RS256"]))
        _WSGI_STACKS["jwks"] = WSGIMiddleware(wsgi_app, fastjwt.Verifier(fastjwt.PyJWKClient(idp.url), ["RS256"]))
        good = fastjwt.encode({"sub": "carol"}, private_pem("rsa2048"), algorithm="RS256", headers={"kid": "idp-1"})
        unknown = fastjwt.encode({"sub": "carol"}, private_pem("rsa2048"), algorithm="RS256", headers={"kid": "old"})
        for port in (asgi_port, wsgi_port):
            status, _, body = request(port, "/jwks/me", {"Authorization": "Bearer " + good})
            assert status == 200 and json.loads(body)["claims"] == {"sub": "carol"}
            status, headers, _ = request(port, "/jwks/me", {"Authorization": "Bearer " + unknown})
            assert status == 401
            assert headers["www-authenticate"].endswith('error_description="No signing key matches the token"')
