"""Fetching a JWKS: what a custom fetcher returns, and the default transport over urllib.

The transport is reached the way PyJWT 2.15.1 reaches it: ``urllib.request.build_opener(*handlers)``
looked up on the module at each fetch, then ``opener.open(request, timeout=...)`` used as a context
manager. Tests that patch ``urllib.request.build_opener`` therefore drive fastjwt's clients too.

What a real urllib response gets on top (the safety of the default transport):

* only ``http``/``https``, no credentials in the URI (:mod:`fastjwt._jwks.uri`), no redirects (a 3xx
  becomes an ``HTTPError``);
* ``timeout`` bounds the whole exchange: a :class:`_Deadline` shuts the sockets down when it passes,
  which wakes a read blocked on a server that sends one byte at a time;
* the body is read in pieces and refused once it passes ``max_bytes`` (before reading anything when
  ``Content-Length`` already says so).

A response that is not an :class:`http.client.HTTPResponse` only comes from a replaced opener (a test
double): it is read with one ``read()`` call, as PyJWT reads it, and may give ``str`` or ``bytes`` and
lack headers; the size cap still applies to what it gave.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request
from collections.abc import Callable, Mapping
from email.message import Message
from ssl import SSLContext
from typing import Any, Union

from ..exceptions import PyJWKClientError

#: The default ``max_response_bytes``: 1 MiB (real JWKS documents are a few kilobytes).
DEFAULT_MAX_RESPONSE_BYTES = 1 << 20
_READ_SIZE = 65536

#: What a fetcher returns: the body, or the body and the response headers (for ``Cache-Control``).
FetchResult = Union[bytes, tuple[bytes, Mapping[str, str]]]  # noqa: UP007 (public alias: stays a typing.Union)

#: A transport to use instead of urllib: ``fetcher(url, headers, timeout)`` returning a
#: :data:`FetchResult`. It should raise for any status other than 2xx, refuse redirects it cannot
#: vouch for, and stop reading past the size it is willing to hold; the client checks
#: ``max_response_bytes`` again on what it returns. Its exceptions become
#: :class:`~fastjwt.exceptions.PyJWKClientConnectionError` (a :class:`~fastjwt.exceptions.PyJWKClientError`
#: it raises passes through). ``ssl_context`` is for urllib only.
Fetcher = Callable[[str, Mapping[str, str], float], FetchResult]


def too_large(max_bytes: int) -> PyJWKClientError:
    """The error for a response over the size cap (the same text for every transport)."""
    return PyJWKClientError(f"The JWKS response is larger than max_response_bytes ({max_bytes} bytes)")


class _NoRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Answers every redirect with "do not follow": urllib then raises ``HTTPError`` for the 3xx.

    A JWKS endpoint that redirects is either misconfigured or pointing the client at keys chosen by
    someone else; either way the client must not fetch from the new location.
    """

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


class _Deadline:
    """The end of one exchange: when it passes, every socket the exchange opened is shut down.

    A socket timeout bounds each read, not their sum; shutting the socket down is what interrupts a
    read that keeps receiving a byte just before each timeout would fire.
    """

    def __init__(self, seconds: float) -> None:
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._guard = threading.Lock()
        self._timer = threading.Timer(max(float(seconds), 0.0), self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def adopt(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline (at once if it already passed)."""
        with self._guard:
            self._sockets.append(sock)
            passed = self.passed
        if passed:
            _shut(sock)

    def _expire(self) -> None:
        with self._guard:
            self.passed = True
            sockets = self._sockets[:]
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already, or a raw socket the TLS layer took over (the SSLSocket is adopted too)


def _connection_class(base: Any, deadline: _Deadline) -> Any:
    """A subclass of an ``http.client`` connection class whose sockets ``deadline`` adopts."""

    class DeadlineConnection(base):  # type: ignore[misc]
        _create_connection: Callable[..., socket.socket]  # http.client sets it per instance

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            opens = self._create_connection

            def open_and_adopt(*a: Any, **kw: Any) -> socket.socket:
                sock = opens(*a, **kw)
                deadline.adopt(sock)  # the raw socket: covers connecting and the TLS handshake
                return sock

            self._create_connection = open_and_adopt

        def connect(self) -> None:
            super().connect()
            deadline.adopt(self.sock)  # for https, the SSLSocket wrapping the raw one

    return DeadlineConnection


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        return super().do_open(_connection_class(http_class, self._deadline), req, **kwargs)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline, context: SSLContext | None) -> None:
        super().__init__(context=context)
        self._deadline = deadline

    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        return super().do_open(_connection_class(http_class, self._deadline), req, **kwargs)


def _timed_out() -> TimeoutError:
    return TimeoutError("the JWKS request took longer than the timeout")


def _stream_body(response: http.client.HTTPResponse, max_bytes: int, deadline: _Deadline) -> bytes:
    declared = (response.headers.get("Content-Length") or "").strip()
    if declared.isdigit() and int(declared[:20]) > max_bytes:
        raise too_large(max_bytes)
    body = bytearray()
    while not deadline.passed:
        piece = response.read1(min(_READ_SIZE, max_bytes + 1 - len(body)))  # read1: returns what has arrived
        if not piece:
            break
        body += piece
        if len(body) > max_bytes:
            raise too_large(max_bytes)
    if deadline.passed:  # an early end of the body may be the deadline's shutdown
        raise _timed_out()
    return bytes(body)


def _headers_of(response: Any) -> Mapping[str, str]:
    headers = getattr(response, "headers", None)
    if isinstance(headers, (Message, Mapping)):
        return {str(name): str(value) for name, value in headers.items()}
    return {}  # a test double without real headers


def _body_bytes(data: Any, max_bytes: int) -> bytes:
    """A body as bytes; a test double's ``read()`` may have given ``str``. Over ``max_bytes``: refused."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    elif isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise PyJWKClientError("The JWKS endpoint did not return valid JSON")
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    return data


def urllib_fetch(
    url: str, headers: Mapping[str, str], timeout: float, max_bytes: int, ssl_context: SSLContext | None
) -> tuple[bytes, Mapping[str, str]]:
    """GET ``url`` with urllib: the default transport of both JWKS clients.

    :raises PyJWKClientError: if the body is larger than ``max_bytes``.
    :raises TimeoutError: if the exchange outlives ``timeout``.
    :raises Exception: what urllib raises (``URLError``, ``HTTPError`` for a status >= 300, ...).
    """
    deadline = _Deadline(timeout)
    opener = urllib.request.build_opener(
        _NoRedirectHandler(), _DeadlineHTTPHandler(deadline), _DeadlineHTTPSHandler(deadline, ssl_context)
    )
    request = urllib.request.Request(url=url, headers=dict(headers))
    received: tuple[Any, Mapping[str, str]] | None = None
    deadline.start()
    try:
        with opener.open(request, timeout=timeout) as response:
            if isinstance(response, http.client.HTTPResponse):
                received = _stream_body(response, max_bytes, deadline), _headers_of(response)
            else:
                # one read() as PyJWT does; checked after the with block, whose __exit__ (a test
                # double's) may swallow errors
                received = response.read(), _headers_of(response)
    except PyJWKClientError:
        raise
    except Exception as error:
        if deadline.passed:
            raise _timed_out() from error
        raise
    finally:
        deadline.cancel()
    if received is None:
        # only a test double's __exit__ returns true and so swallows the error raised while reading
        raise ConnectionError("the JWKS response could not be read")
    body, response_headers = received
    return _body_bytes(body, max_bytes), response_headers
