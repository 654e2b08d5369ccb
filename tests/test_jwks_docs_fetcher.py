"""The httpx fetcher in docs/key-rotation.md, run as written against a real server (issue 13, point 11).

The example is taken from the document itself, so what readers copy is what is tested. Its old form
read ``response.content``: httpx decompresses that whole before any size check, and a 51 KB gzip
body grew memory by 100 MB. httpx is not a dependency of fastjwt; without it these tests are skipped.
"""

from __future__ import annotations

import re
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (fixture)

from fastjwt.algorithms import ECAlgorithm
from fastjwt.exceptions import PyJWKClientConnectionError, PyJWKClientError
from fastjwt.jwks_client import PyJWKClient

httpx = pytest.importorskip("httpx", reason="httpx is not installed: the docs' httpx fetcher example cannot run")

DOC = Path(__file__).resolve().parent.parent / "docs" / "key-rotation.md"
BOMB_SIZE = 50 * 1024 * 1024  # decompressed
MEMORY_LIMIT = 8 * 1024 * 1024


def docs_fetcher() -> Callable[..., Any]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    sources = [block for block in blocks if "def httpx_fetcher(" in block]
    assert len(sources) == 1, "docs/key-rotation.md must hold one python block defining httpx_fetcher"
    namespace: dict[str, Any] = {"__name__": "key_rotation_example"}
    exec(compile(sources[0], str(DOC), "exec"), namespace)
    return namespace["httpx_fetcher"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
    zeros = b"\0" * (1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(BOMB_SIZE >> 20)) + packer.flush()


@pytest.fixture(scope="module")
def jwk_a() -> dict[str, Any]:
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True)
    jwk["kid"] = "a"
    return jwk


def peak_memory_of(call: Callable[[], Any]) -> tuple[BaseException | None, int]:
    """Run ``call``; return what it raised and the peak of Python memory allocated meanwhile."""
    tracemalloc.start()
    try:
        call()
        raised: BaseException | None = None
    except Exception as error:  # handed back to the test, which checks the exact class
        raised = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return raised, peak


def test_the_docs_fetcher_serves_keys_and_asks_for_an_uncompressed_body(
    jwks_server: JWKSServer, jwk_a: dict[str, Any]
) -> None:
    jwks_server.set_keys(jwk_a)
    jwks_server.headers = {"Cache-Control": "max-age=60"}
    client = PyJWKClient(jwks_server.url, fetcher=docs_fetcher())
    assert client.get_signing_key("a").key_id == "a"
    assert jwks_server.request_headers["accept-encoding"] == "identity"
    entry = client.jwk_set_cache.jwk_set_with_timestamp  # type: ignore[union-attr]
    assert entry is not None and entry.expires_at - entry.timestamp == pytest.approx(60)


def test_the_docs_fetcher_refuses_a_gzip_bomb_without_inflating_it(jwks_server: JWKSServer, gzip_bomb: bytes) -> None:
    jwks_server.body = gzip_bomb
    jwks_server.headers = {"Content-Encoding": "gzip"}
    client = PyJWKClient(jwks_server.url, fetcher=docs_fetcher())
    raised, peak = peak_memory_of(lambda: client.get_signing_key("a"))
    assert type(raised) is PyJWKClientError
    assert "compressed" in str(raised)
    assert peak < MEMORY_LIMIT, f"{peak} bytes allocated while refusing a {len(gzip_bomb)} byte gzip body"


def test_the_memory_check_catches_a_fetcher_that_reads_response_content(
    jwks_server: JWKSServer, gzip_bomb: bytes
) -> None:
    # the old example: proves the measurement above would see the bomb go off
    def naive(url: str, headers: Any, timeout: float) -> tuple[bytes, Any]:
        response = httpx.get(url, headers=headers, timeout=timeout, follow_redirects=False)
        response.raise_for_status()
        return response.content, response.headers

    jwks_server.body = gzip_bomb
    jwks_server.headers = {"Content-Encoding": "gzip"}
    raised, peak = peak_memory_of(lambda: PyJWKClient(jwks_server.url, fetcher=naive).get_signing_key("a"))
    assert type(raised) is PyJWKClientError and "larger than max_response_bytes" in str(raised)
    assert peak > BOMB_SIZE // 2


def test_the_docs_fetcher_stops_reading_at_the_cap(jwks_server: JWKSServer) -> None:
    jwks_server.stream_bytes = 50 * 1024 * 1024
    jwks_server.stream_content_length = False
    client = PyJWKClient(jwks_server.url, fetcher=docs_fetcher())
    raised, peak = peak_memory_of(lambda: client.get_signing_key("a"))
    assert type(raised) is PyJWKClientError
    assert "larger than max_response_bytes" in str(raised)
    assert peak < MEMORY_LIMIT
    jwks_server.close()
    assert jwks_server.bytes_streamed < 10 * 1024 * 1024


def test_the_docs_fetcher_does_not_follow_redirects(jwks_server: JWKSServer, jwk_a: dict[str, Any]) -> None:
    jwks_server.set_keys(jwk_a)
    jwks_server.redirect_to = "/elsewhere.json"
    with pytest.raises(PyJWKClientConnectionError, match="302") as info:
        PyJWKClient(jwks_server.url, fetcher=docs_fetcher()).get_signing_key("a")
    assert type(info.value) is PyJWKClientConnectionError
    assert jwks_server.hits_by_path.get("/elsewhere.json", 0) == 0


def test_the_docs_fetcher_reports_http_errors(jwks_server: JWKSServer) -> None:
    jwks_server.status = 503
    with pytest.raises(PyJWKClientConnectionError, match="503") as info:
        PyJWKClient(jwks_server.url, fetcher=docs_fetcher()).get_signing_key("a")
    assert type(info.value) is PyJWKClientConnectionError
