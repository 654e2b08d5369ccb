"""A real JWKS endpoint on 127.0.0.1 for tests, with a pytest fixture.

:class:`JWKSServer` runs :class:`http.server.ThreadingHTTPServer` on an ephemeral port in a
daemon thread. Tests change what it serves while it runs (the JWKS document, the status, a
delay, extra headers, a redirect, a raw or an endless body) and read how often it was hit.

Use it from any test module::

    from jwks_server import jwks_server  # noqa: F401  (the fixture; tests/ is on sys.path)

    def test_something(jwks_server):
        jwks_server.document = {"keys": [...]}
        client = fastjwt.PyJWKClient(jwks_server.url)

or as a context manager: ``with JWKSServer() as server: ...``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

__all__ = ["JWKSServer", "jwks_server"]


class JWKSServer:
    """A JWKS endpoint whose behaviour the test controls.

    Attributes a test may set at any time (each request reads them afresh):

    * ``document``: the JSON document served (default ``{"keys": []}``), or a callable returning
      it on each request (e.g. ``server.document = key_ring.jwks``).
    * ``body``: raw bytes served instead of ``document`` when not ``None``.
    * ``status``: HTTP status code (default 200).
    * ``delay``: seconds to wait before answering (interrupted by :meth:`close`).
    * ``headers``: extra response headers, e.g. ``{"Cache-Control": "max-age=60"}``.
    * ``redirect_to``: when set, answer ``302`` with this ``Location`` (absolute or a path).
    * ``stream_bytes``: when set, send this many bytes of JSON-looking filler without
      building it in memory; ``stream_content_length`` says whether to announce the size,
      ``stream_chunk`` how many bytes each write sends and ``stream_interval`` how long to pause
      between writes (a slow drip).

    * ``header_drip_interval``: when set, send the status line and headers one byte at a time
      with this pause between bytes (a slowloris-style response that never finishes its headers).

    ``JWKSServer(tls=True)`` serves HTTPS with a fresh self-signed certificate for 127.0.0.1;
    :attr:`client_ssl_context` trusts it.

    Read-only results: ``hits`` (requests to the JWKS path), ``hits_by_path``,
    ``request_headers`` (headers of the last request) and ``bytes_streamed``.
    """

    jwks_path = "/.well-known/jwks.json"

    def __init__(self, *, tls: bool = False) -> None:
        self.document: Any = {"keys": []}
        self.body: bytes | None = None
        self.status = 200
        self.delay = 0.0
        self.headers: dict[str, str] = {}
        self.redirect_to: str | None = None
        self.stream_bytes: int | None = None
        self.stream_content_length = True
        self.stream_chunk = 65536
        self.stream_interval = 0.0
        self.header_drip_interval: float | None = None
        self.bytes_streamed = 0
        self.hits_by_path: dict[str, int] = {}
        self.request_headers: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.tls = tls
        self.client_ssl_context: ssl.SSLContext | None = None
        if tls:
            cert_pem, key_pem = _self_signed_certificate()
            with tempfile.TemporaryDirectory() as tmp:
                cert_file, key_file = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
                cert_file.write_bytes(cert_pem)
                key_file.write_bytes(key_pem)
                server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                server_context.load_cert_chain(cert_file, key_file)
            self._httpd.socket = server_context.wrap_socket(self._httpd.socket, server_side=True)
            self.client_ssl_context = ssl.create_default_context(cadata=cert_pem.decode())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https`` with ``tls=True``)."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The URL of the JWKS document."""
        return self.base_url + self.jwks_path

    @property
    def hits(self) -> int:
        """How many requests reached the JWKS path."""
        with self._lock:
            return self.hits_by_path.get(self.jwks_path, 0)

    def set_keys(self, *jwks: dict[str, Any]) -> None:
        """Serve a JWKS document holding exactly these JWK dicts."""
        self.document = {"keys": list(jwks)}

    def current_document(self) -> Any:
        """The document a request gets now (``document``, called if it is callable)."""
        document = self.document
        return document() if callable(document) else document

    def close(self) -> None:
        """Stop serving and release the port (slow handlers are woken up)."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> JWKSServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _count(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.hits_by_path[path] = self.hits_by_path.get(path, 0) + 1
            self.request_headers = headers


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: JWKSServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        owner._count(path, {k.lower(): v for k, v in self.headers.items()})
        if owner.delay and owner._stopping.wait(owner.delay):
            return
        if owner.header_drip_interval is not None and path == owner.jwks_path:
            self._drip_headers(owner, owner.header_drip_interval)
            return
        if owner.redirect_to is not None and path == owner.jwks_path:
            self._send(302, b"", {"Location": owner.redirect_to})
            return
        if path != owner.jwks_path:
            # any other path serves the current document too, so a followed redirect would succeed
            self._send(200, json.dumps(owner.current_document()).encode(), {"Content-Type": "application/json"})
            return
        if owner.stream_bytes is not None:
            self._stream(owner, owner.stream_bytes)
            return
        body = owner.body if owner.body is not None else json.dumps(owner.current_document()).encode()
        headers = {"Content-Type": "application/json", **owner.headers}
        self._send(owner.status, body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def _drip_headers(self, owner: JWKSServer, interval: float) -> None:
        head = b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 60000 + b"\r\n\r\n"
        self.close_connection = True
        try:
            for i in range(len(head)):
                self.wfile.write(head[i : i + 1])
                with owner._lock:
                    owner.bytes_streamed = i + 1
                if owner._stopping.wait(interval):
                    return
        except OSError:
            pass  # the client gave up

    def _stream(self, owner: JWKSServer, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if owner.stream_content_length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        step = max(1, owner.stream_chunk)
        chunk = (b'{"keys": [' + b" " * step)[:step]
        sent = 0
        try:
            while sent < size and not owner._stopping.is_set():
                piece = chunk[: min(len(chunk), size - sent)]
                self.wfile.write(piece)
                sent += len(piece)
                with owner._lock:
                    owner.bytes_streamed = sent
                if owner.stream_interval and owner._stopping.wait(owner.stream_interval):
                    break
        except OSError:
            pass  # the client hung up: that is what a size cap does


def _self_signed_certificate() -> tuple[bytes, bytes]:
    """A throwaway certificate and key (PEM) for ``127.0.0.1``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture
def jwks_server() -> Iterator[JWKSServer]:
    """A fresh :class:`JWKSServer` for one test, closed afterwards."""
    server = JWKSServer()
    try:
        yield server
    finally:
        server.close()


def wait_until(predicate: Any, timeout: float = 2.0) -> bool:
    """Poll ``predicate()`` until it is true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())
