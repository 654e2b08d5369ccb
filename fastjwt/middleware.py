"""ASGI and WSGI middleware that admits a request only with a valid JWT.

Replaces the plain "the proxy tells you the user in a header" set-up with a signed token: the request reaches the
application only when ``verifier`` accepts the token; otherwise the client gets ``401`` with an RFC 6750
``WWW-Authenticate: Bearer`` header and the application is not called.

Claims reach the application as ``scope["state"]["jwt"]`` (ASGI; Starlette exposes it as ``request.state.jwt``) or
``environ["fastjwt.claims"]`` (WSGI).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Protocol

from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWTError,
)

__all__ = ["ASGIMiddleware", "WSGIMiddleware", "describe_error", "WSGI_CLAIMS_KEY"]

#: The WSGI environ key that holds the verified claims.
WSGI_CLAIMS_KEY = "fastjwt.claims"

# Fixed phrases only: an exception's own text can carry token contents (claim values, a kid), which must not be
# reflected to the client.  Most specific classes first (the hierarchy has subclasses of InvalidTokenError).
_DESCRIPTIONS: tuple[tuple[type[BaseException], str], ...] = (
    (ExpiredSignatureError, "The token has expired"),
    (ImmatureSignatureError, "The token is not yet valid"),
    (InvalidSignatureError, "The token signature is invalid"),
    (InvalidAudienceError, "The token audience is not accepted"),
    (InvalidIssuerError, "The token issuer is not accepted"),
    (InvalidSubjectError, "The token subject is not accepted"),
    (InvalidIssuedAtError, "The token issued-at time is invalid"),
    (InvalidJTIError, "The token ID is invalid"),
    (MissingRequiredClaimError, "The token lacks a required claim"),
    (InvalidAlgorithmError, "The token algorithm is not accepted"),
    (InvalidKeyError, "No usable key for the token"),
    (PyJWKClientConnectionError, "The signing keys could not be fetched"),
    (PyJWKClientError, "No signing key matches the token"),
    (PyJWKError, "No usable key for the token"),
    (DecodeError, "The token is malformed"),
)


def describe_error(error: BaseException) -> str:
    """Return the fixed, client-safe ``error_description`` for a verification error (never its message text)."""
    for cls, text in _DESCRIPTIONS:
        if isinstance(error, cls):
            return text
    return "The token is invalid"


class _VerifierLike(Protocol):
    def decode(self, token: str) -> dict[str, Any]: ...


class _AsyncVerifierLike(Protocol):
    async def adecode(self, token: str) -> dict[str, Any]: ...


def _quote(value: str) -> str:
    """An RFC 7230 quoted-string: printable ASCII only, with ``"`` and ``\\`` escaped."""
    cleaned = "".join(ch if " " <= ch <= "~" else "?" for ch in value)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Settings:
    """Options shared by both middlewares: where the token is and how failures are answered."""

    __slots__ = ("header", "scheme", "exempt_paths", "exempt_prefixes", "realm", "on_error", "_bare_challenge")

    def __init__(
        self,
        header: str,
        scheme: str | None,
        exempt_paths: Iterable[str],
        exempt_prefixes: Iterable[str],
        realm: str,
        on_error: Callable[[BaseException | None, str], None] | None,
    ) -> None:
        if not header or not isinstance(header, str):
            raise ValueError("header must be a non-empty header name")
        if scheme is not None and (not scheme or " " in scheme):
            raise ValueError("scheme must be a single word or None")
        if isinstance(exempt_paths, str) or isinstance(exempt_prefixes, str):
            raise TypeError("exempt_paths and exempt_prefixes take a collection of paths, not a string")
        self.header = header.lower()
        self.scheme = scheme.lower() if scheme is not None else None
        self.exempt_paths = frozenset(exempt_paths)
        self.exempt_prefixes = tuple(exempt_prefixes)
        self.realm = realm
        self.on_error = on_error
        self._bare_challenge = f"Bearer realm={_quote(realm)}"

    def is_exempt(self, path: str) -> bool:
        return path in self.exempt_paths or (bool(self.exempt_prefixes) and path.startswith(self.exempt_prefixes))

    def extract(self, value: str | None) -> str | None:
        """The token from the header value, or None when it is missing or uses another scheme."""
        if value is None:
            return None
        value = value.strip()
        if self.scheme is None:
            return value or None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != self.scheme:
            return None
        token = token.strip()
        return token or None

    def challenge(self, error: BaseException | None) -> str:
        """The ``WWW-Authenticate`` value: no error attribute when no token was sent (RFC 6750 section 3.1)."""
        if error is None:
            return self._bare_challenge
        return f'{self._bare_challenge}, error="invalid_token", error_description={_quote(describe_error(error))}'

    def notify(self, error: BaseException | None, path: str) -> None:
        if self.on_error is not None:
            self.on_error(error, path)


_BODY_MISSING = b'{"error":"unauthorized","error_description":"Authentication required"}'


def _body(error: BaseException | None) -> bytes:
    if error is None:
        return _BODY_MISSING
    return b'{"error":"invalid_token","error_description":"' + describe_error(error).encode() + b'"}'


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ASGIMiddleware:
    """Let an HTTP request or websocket handshake reach ``app`` only with a token that ``verifier`` accepts.

    :param app: the ASGI application to protect.
    :param verifier: a :class:`fastjwt.Verifier` (its ``adecode`` is awaited, so async key sources work).
    :param header: the request header holding the token, matched case-insensitively.
    :param scheme: the authorization scheme before the token (compared case-insensitively), or ``None`` when the header
        holds the bare token (a pre-authentication proxy's ``x-auth-token``, say).
    :param exempt_paths: exact paths served without a token (``/health``); ``/health/`` is a different path.
    :param exempt_prefixes: path prefixes served without a token; ``"/static/"`` exempts everything below it.
    :param realm: the realm named in the ``WWW-Authenticate`` challenge.
    :param on_error: called as ``on_error(error, path)`` before a 401 (``error`` is ``None`` when no token was sent),
        e.g. for logging; the response does not change.

    Lifespan and other non-HTTP scopes pass through. A refused websocket is closed with code 1008 (policy violation).
    """

    def __init__(
        self,
        app: ASGIApp,
        verifier: _AsyncVerifierLike,
        *,
        header: str = "authorization",
        scheme: str | None = "Bearer",
        exempt_paths: Iterable[str] = (),
        exempt_prefixes: Iterable[str] = (),
        realm: str = "api",
        on_error: Callable[[BaseException | None, str], None] | None = None,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self._settings = _Settings(header, scheme, exempt_paths, exempt_prefixes, realm, on_error)
        self._header_bytes = self._settings.header.encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        settings = self._settings
        path = scope.get("path", "")
        if settings.is_exempt(path):
            await self.app(scope, receive, send)
            return
        raw: str | None = None
        wanted = self._header_bytes
        for name, value in scope.get("headers", ()):
            if name.lower() == wanted:
                raw = value.decode("latin-1")
                break
        token = settings.extract(raw)
        error: BaseException | None = None
        if token is not None:
            try:
                claims = await self.verifier.adecode(token)
            except PyJWTError as exc:
                error = exc
            else:
                state = scope.get("state")
                if state is None:
                    state = scope["state"] = {}
                state["jwt"] = claims
                await self.app(scope, receive, send)
                return
        settings.notify(error, path)
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = _body(error)
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"www-authenticate", settings.challenge(error).encode("latin-1")),
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]


class WSGIMiddleware:
    """Let a request reach the WSGI ``app`` only with a token that ``verifier`` accepts.

    Same options as :class:`ASGIMiddleware`; ``verifier.decode`` is called. The claims are put in
    ``environ["fastjwt.claims"]``.
    """

    def __init__(
        self,
        app: WSGIApp,
        verifier: _VerifierLike,
        *,
        header: str = "authorization",
        scheme: str | None = "Bearer",
        exempt_paths: Iterable[str] = (),
        exempt_prefixes: Iterable[str] = (),
        realm: str = "api",
        on_error: Callable[[BaseException | None, str], None] | None = None,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self._settings = _Settings(header, scheme, exempt_paths, exempt_prefixes, realm, on_error)
        name = self._settings.header.upper().replace("-", "_")
        # CGI rules: Content-Type/Content-Length have no HTTP_ prefix.
        self._environ_key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + name

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point."""
        settings = self._settings
        path = environ.get("PATH_INFO", "")
        if settings.is_exempt(path):
            return self.app(environ, start_response)
        token = settings.extract(environ.get(self._environ_key))
        error: BaseException | None = None
        if token is not None:
            try:
                claims = self.verifier.decode(token)
            except PyJWTError as exc:
                error = exc
            else:
                environ[WSGI_CLAIMS_KEY] = claims
                return self.app(environ, start_response)
        settings.notify(error, path)
        body = _body(error)
        start_response(
            "401 Unauthorized",
            [
                ("WWW-Authenticate", settings.challenge(error)),
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]
