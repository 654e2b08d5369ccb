"""ASGI and WSGI middleware that admits a request only with a valid JWT.

Replaces the plain "the proxy tells you the user in a header" set-up with a signed token: the request reaches the
application only when ``verifier`` accepts the token; otherwise the client gets ``401`` with an RFC 6750
``WWW-Authenticate: Bearer`` header (``400`` when the request carries more than one token) and the application is
not called.

Claims reach the application as ``scope["state"]["jwt"]`` (ASGI; Starlette exposes it as ``request.state.jwt``) or
``environ["fastjwt.claims"]`` (WSGI).
"""

from __future__ import annotations

import re
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

_MULTIPLE_TOKENS = "The request carries more than one token"


class _MultipleTokensError(DecodeError):
    """The request names more than one token (a repeated header, or one value joined from several): refused with 400.

    Which one a server, a proxy or the application would pick differs, so none is trusted.
    """


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
    (_MultipleTokensError, _MULTIPLE_TOKENS),
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


_DOT_SEGMENTS = frozenset({".", ".."})
# An encoded '/' or '\' in the raw path: the decoded path has a separator the raw one (which routers may use) lacks.
_ENCODED_SEPARATOR = re.compile(rb"%(?:2f|5c)", re.IGNORECASE)


def _is_plain_path(path: str) -> bool:
    """A path every layer reads alike: absolute, printable ASCII, no ``%`` or ``\\``, no dot or empty segment.

    Dot segments count with a ``;`` parameter too (``..;`` is ``..`` to servlet-style path handling); non-ASCII is
    refused because Unicode look-alikes (``U+FF0E``) normalise to ``.`` and ``/`` in some stacks.
    """
    # '%' left after the server's decoding is a double encoding that a framework may decode again; '\' is a separator
    # on Windows and to some normalisers.
    if not path.startswith("/") or not path.isascii() or not path.isprintable() or "%" in path or "\\" in path:
        return False
    segments = path[1:].split("/")
    for index, segment in enumerate(segments):
        if segment.partition(";")[0] in _DOT_SEGMENTS:
            return False
        if not segment and index != len(segments) - 1:  # "//" (only the last segment may be empty: "/static/")
            return False
    return True


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
        for path in (*self.exempt_paths, *self.exempt_prefixes):
            if not isinstance(path, str) or not _is_plain_path(path):
                raise ValueError(
                    f"exempt path {path!r} must start with '/' and hold no '.' or '..' segment, no empty segment, "
                    "no '%', '\\' or non-printable or non-ASCII character"
                )
        self.realm = realm
        self.on_error = on_error
        self._bare_challenge = f"Bearer realm={_quote(realm)}"

    def is_exempt(self, path: str, raw_path: bytes | None = None) -> bool:
        """Whether ``path`` (the server's decoded path; ``raw_path`` as sent, when the server gives it) is exempt.

        A prefix only exempts a plain path: one that no later layer (a router, a proxy, a file lookup, a second
        round of percent-decoding) can resolve to a place outside the prefix.
        """
        if path in self.exempt_paths:
            return True
        return (
            bool(self.exempt_prefixes)
            and path.startswith(self.exempt_prefixes)
            and _is_plain_path(path)
            and (raw_path is None or not _ENCODED_SEPARATOR.search(raw_path))
        )

    def extract(self, values: list[str]) -> str | None:
        """The token from the header's values, or None when it is missing or uses another scheme.

        :raises _MultipleTokensError: the header came more than once, or its value is a comma-separated list with a
            credential of this scheme in it (servers join repeated headers with commas; a token never holds one).
        """
        if not values:
            return None
        if len(values) > 1:
            raise _MultipleTokensError(_MULTIPLE_TOKENS)
        value = values[0]
        if "," in value:
            # another scheme's auth-params are comma-separated too (Digest): that is no token, not two
            if self.scheme is None or any(self._token_in(piece) is not None for piece in value.split(",")):
                raise _MultipleTokensError(_MULTIPLE_TOKENS)
            return None
        return self._token_in(value)

    def _token_in(self, value: str) -> str | None:
        """The token in one credential, or None when it is empty or of another scheme."""
        value = value.strip()
        if self.scheme is None:
            return value or None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != self.scheme:
            return None
        token = token.strip()
        return token or None

    def refusal(self, error: BaseException | None) -> tuple[int, str, bytes]:
        """The status, ``WWW-Authenticate`` value and JSON body that refuse a request (RFC 6750 section 3.1).

        No token: 401 with no error attribute. More than one token: 400 ``invalid_request``. A refused token: 401
        ``invalid_token``.
        """
        if error is None:
            return 401, self._bare_challenge, _BODY_MISSING
        status, code = (400, "invalid_request") if isinstance(error, _MultipleTokensError) else (401, "invalid_token")
        description = describe_error(error)
        challenge = f'{self._bare_challenge}, error="{code}", error_description={_quote(description)}'
        body = b'{"error":"' + code.encode() + b'","error_description":"' + description.encode() + b'"}'
        return status, challenge, body

    def notify(self, error: BaseException | None, path: str) -> None:
        if self.on_error is not None:
            self.on_error(error, path)


_BODY_MISSING = b'{"error":"unauthorized","error_description":"Authentication required"}'
_WSGI_STATUS = {400: "400 Bad Request", 401: "401 Unauthorized"}


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ASGIMiddleware:
    """Let an HTTP request or websocket handshake reach ``app`` only with a token that ``verifier`` accepts.

    :param app: the ASGI application to protect.
    :param verifier: a :class:`fastjwt.Verifier` (its ``adecode`` is awaited: an async key source is awaited, a sync
        one runs in a worker thread, so the event loop never waits on a key fetch).
    :param header: the request header holding the token, matched case-insensitively.
    :param scheme: the authorization scheme before the token (compared case-insensitively), or ``None`` when the header
        holds the bare token (a pre-authentication proxy's ``x-auth-token``, say).
    :param exempt_paths: exact paths served without a token (``/health``); ``/health/`` is a different path.
    :param exempt_prefixes: path prefixes served without a token; ``"/static/"`` exempts the plain paths below it
        (no ``.``/``..`` or empty segment, no ``%``, ``\\``, control or non-ASCII character, and no encoded ``/`` or
        ``\\`` in ``raw_path``); any other path goes through verification.
    :param realm: the realm named in the ``WWW-Authenticate`` challenge.
    :param on_error: called as ``on_error(error, path)`` before each refusal (``error`` is ``None`` when no token was
        sent, a ``DecodeError`` for more than one token), e.g. for logging; the response does not change.

    A request with the header more than once, or with a comma-separated value holding a credential of ``scheme``
    (servers join repeated headers with commas), gets ``400`` with ``error="invalid_request"``: which token a server
    or the app would pick differs.

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
        if settings.is_exempt(path, scope.get("raw_path")):
            await self.app(scope, receive, send)
            return
        error: BaseException | None = None
        try:
            claims = await self._claims(scope)
        except PyJWTError as exc:
            error = exc
        else:
            if claims is not None:
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
        status, challenge, body = settings.refusal(error)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"www-authenticate", challenge.encode("latin-1")),
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _claims(self, scope: Scope) -> dict[str, Any] | None:
        """The verified claims, or None when the request carries no token; a refused token raises."""
        wanted = self._header_bytes
        values = [value.decode("latin-1") for name, value in scope.get("headers", ()) if name.lower() == wanted]
        token = self._settings.extract(values)
        if token is None:
            return None
        return await self.verifier.adecode(token)


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
        error: BaseException | None = None
        try:
            claims = self._claims(environ)
        except PyJWTError as exc:
            error = exc
        else:
            if claims is not None:
                environ[WSGI_CLAIMS_KEY] = claims
                return self.app(environ, start_response)
        settings.notify(error, path)
        status, challenge, body = settings.refusal(error)
        start_response(
            _WSGI_STATUS[status],
            [
                ("WWW-Authenticate", challenge),
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    def _claims(self, environ: WSGIEnviron) -> dict[str, Any] | None:
        """The verified claims, or None when the request carries no token; a refused token raises."""
        value = environ.get(self._environ_key)
        token = self._settings.extract([] if value is None else [value])
        if token is None:
            return None
        return self.verifier.decode(token)
