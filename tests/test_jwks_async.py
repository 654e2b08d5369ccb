"""fastjwt.jwks_async.AsyncPyJWKClient against a real JWKS server on 127.0.0.1.

Each test runs its own event loop with :func:`asyncio.run` (no pytest plugin needed).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Mapping
from typing import Any

import pytest
from conftest import Clock
from cryptography.hazmat.primitives.asymmetric import ec
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (fixture)

import fastjwt
from fastjwt.algorithms import ECAlgorithm
from fastjwt.exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError
from fastjwt.jwks_async import AsyncPyJWKClient
from fastjwt.jwks_client import PyJWKClient

CLAIMS = {"sub": "user-1"}


def public_jwk(private: ec.EllipticCurvePrivateKey, kid: str | None, **extra: Any) -> dict[str, Any]:
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    if kid is not None:
        jwk["kid"] = kid
    jwk.update(extra)
    return jwk


def token(private: ec.EllipticCurvePrivateKey, kid: str | None = None) -> str:
    return fastjwt.encode(CLAIMS, private, "ES256", headers={"kid": kid} if kid else None)


@pytest.fixture(scope="module")
def keys() -> dict[str, ec.EllipticCurvePrivateKey]:
    return {name: ec.generate_private_key(ec.SECP256R1()) for name in ("a", "b", "c")}


def test_same_parameters_as_the_sync_client() -> None:
    import inspect

    assert list(inspect.signature(AsyncPyJWKClient).parameters) == list(inspect.signature(PyJWKClient).parameters)
    with pytest.raises(PyJWKClientError, match="only 'http' and 'https'"):
        AsyncPyJWKClient("file:///etc/passwd")


def test_fetches_caches_and_keeps_key_identity(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url)
        first = await client.get_signing_key("a")
        assert first.key_id == "a"
        assert await client.get_signing_key("a") is first
        assert fastjwt.decode(token(keys["a"], "a"), first.key, algorithms=["ES256"]) == CLAIMS
        assert jwks_server.hits == 1
        jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
        await client.get_jwk_set(refresh=True)
        assert await client.get_signing_key("a") is first
        assert (await client.get_signing_key_from_jwt(token(keys["b"], "b"))).key_id == "b"
        assert [k.key_id for k in await client.get_signing_keys()] == ["a", "b"]
        assert await client.fetch_data() == jwks_server.document
        assert jwks_server.hits == 3

    asyncio.run(main())
    assert jwks_server.request_headers["user-agent"] == f"fastjwt/{fastjwt.__version__}"


def test_the_event_loop_keeps_running_during_a_fetch(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    requested, released = threading.Event(), threading.Event()

    def document() -> dict[str, Any]:  # the server holds its answer until the loop has shown it still runs
        requested.set()
        released.wait(30)
        return {"keys": [public_jwk(keys["a"], "a")]}

    jwks_server.document = document

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url, timeout=5)
        fetch = asyncio.ensure_future(client.get_signing_key("a"))
        assert await asyncio.to_thread(requested.wait, 30)
        for _ in range(5):  # the loop keeps turning while the request is in flight
            await asyncio.sleep(0)
            assert not fetch.done()
        released.set()
        assert (await fetch).key_id == "a"

    try:
        asyncio.run(main())
    finally:
        released.set()  # never leave the server's handler waiting


def test_100_concurrent_unknown_kids_at_cold_start_hit_the_server_once(
    jwks_server: JWKSServer, keys: dict[str, Any]
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    jwks_server.delay = 0.1

    async def main() -> list[Any]:
        client = AsyncPyJWKClient(jwks_server.url)
        return await asyncio.gather(*(client.get_signing_key("unknown") for _ in range(100)), return_exceptions=True)

    results = asyncio.run(main())
    assert all(isinstance(r, PyJWKClientError) and "unknown" in str(r) for r in results)
    assert jwks_server.hits == 1


def test_100_concurrent_cold_lookups_share_one_fetch(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    jwks_server.delay = 0.1

    async def main() -> list[Any]:
        client = AsyncPyJWKClient(jwks_server.url)
        return await asyncio.gather(*(client.get_signing_key("a") for _ in range(100)))

    results = asyncio.run(main())
    assert all(r is results[0] for r in results) and results[0].key_id == "a"
    assert jwks_server.hits == 1


def test_100_concurrent_new_kid_after_cooldown_refetch_once(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))

    async def main() -> list[Any]:
        client = AsyncPyJWKClient(jwks_server.url, cooldown_duration=30)
        await client.get_signing_key("a")
        jwks_clock.advance(31)
        jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
        jwks_server.delay = 0.1
        first = await asyncio.gather(*(client.get_signing_key("b") for _ in range(100)))
        unknown = await asyncio.gather(*(client.get_signing_key("zz") for _ in range(100)), return_exceptions=True)
        assert all(isinstance(r, PyJWKClientError) for r in unknown)
        return first

    results = asyncio.run(main())
    assert all(r is results[0] for r in results) and results[0].key_id == "b"
    assert jwks_server.hits == 2


def test_a_cancelled_waiter_does_not_cancel_the_shared_fetch(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    requested, released = threading.Event(), threading.Event()

    def document() -> dict[str, Any]:  # the server holds its answer until the leader has been cancelled
        requested.set()
        released.wait(30)
        return {"keys": [public_jwk(keys["a"], "a")]}

    jwks_server.document = document

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url)
        leader = asyncio.ensure_future(client.get_signing_key("a"))
        follower = asyncio.ensure_future(client.get_signing_key("a"))
        assert await asyncio.to_thread(requested.wait, 30)
        assert not leader.done() and not follower.done()
        leader.cancel()
        released.set()
        assert (await follower).key_id == "a"
        with pytest.raises(asyncio.CancelledError):
            await leader

    try:
        asyncio.run(main())
    finally:
        released.set()  # never leave the server's handler waiting
    assert jwks_server.hits == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("setup", "error", "match"),
    [
        ("down", PyJWKClientConnectionError, "Fail to fetch"),
        ("500", PyJWKClientConnectionError, "500"),
        ("slow", PyJWKClientConnectionError, "timed out|took longer than the timeout"),
        ("header-drip", PyJWKClientConnectionError, "took longer than the timeout"),
        ("invalid-json", PyJWKClientError, "valid JSON"),
        ("not-object", PyJWKClientError, "JSON object"),
        ("50mb", PyJWKClientError, "larger than max_response_bytes"),
        ("redirect", PyJWKClientConnectionError, "302"),
        ("unusable", PyJWKSetError, "usable"),
    ],
)
def test_endpoint_failures_raise_documented_errors(
    jwks_server: JWKSServer, keys: dict[str, Any], setup: str, error: type[Exception], match: str
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    url = jwks_server.url
    if setup == "down":
        url = f"http://127.0.0.1:{closed_port()}/jwks.json"
    elif setup == "500":
        jwks_server.status = 500
    elif setup == "slow":
        jwks_server.delay = 3
    elif setup == "header-drip":
        jwks_server.header_drip_interval = 0.01
    elif setup == "invalid-json":
        jwks_server.body = b"{nope"
    elif setup == "not-object":
        jwks_server.body = b"[1, 2]"
    elif setup == "50mb":
        jwks_server.stream_bytes = 50 * 1024 * 1024
        jwks_server.stream_content_length = False
    elif setup == "redirect":
        jwks_server.redirect_to = "/other.json"
    elif setup == "unusable":
        jwks_server.set_keys({"kty": "XYZ", "kid": "a"})

    async def main() -> None:
        with pytest.raises(error, match=match):
            await AsyncPyJWKClient(url, timeout=0.3).get_signing_key("a")

    asyncio.run(main())
    assert jwks_server.hits_by_path.get("/other.json", 0) == 0
    jwks_server.close()
    assert jwks_server.bytes_streamed < 10 * 1024 * 1024


def test_async_fetcher_is_awaited_with_headers_and_cache_control(keys: dict[str, Any]) -> None:
    calls: list[tuple[str, dict[str, str], float]] = []
    body = json.dumps({"keys": [public_jwk(keys["a"], "a")]}).encode()

    async def fetcher(url: str, headers: Mapping[str, str], timeout: float) -> tuple[bytes, dict[str, str]]:
        calls.append((url, dict(headers), timeout))
        await asyncio.sleep(0)
        return body, {"Cache-Control": "max-age=30"}

    async def main() -> AsyncPyJWKClient:
        client = AsyncPyJWKClient("https://idp.example/jwks", fetcher=fetcher, timeout=2)
        assert (await client.get_signing_key("a")).key_id == "a"
        assert (await client.get_signing_key("a")).key_id == "a"
        return client

    client = asyncio.run(main())
    assert calls == [("https://idp.example/jwks", {"User-Agent": f"fastjwt/{fastjwt.__version__}"}, 2)]
    entry = client.jwk_set_cache.jwk_set_with_timestamp  # type: ignore[union-attr]
    assert entry is not None and entry.expires_at - entry.timestamp == pytest.approx(30)


def test_async_fetcher_is_bounded_by_the_timeout() -> None:
    async def hangs(url: str, headers: Mapping[str, str], timeout: float) -> bytes:
        await asyncio.sleep(30)
        return b"{}"

    async def main() -> None:
        with pytest.raises(PyJWKClientConnectionError, match="TimeoutError"):
            await AsyncPyJWKClient("https://idp.example/jwks", fetcher=hangs, timeout=0.1).get_signing_key("a")

    asyncio.run(main())


def test_sync_fetcher_runs_off_the_event_loop_thread(keys: dict[str, Any]) -> None:
    threads: list[int] = []
    body = json.dumps({"keys": [public_jwk(keys["a"], "a")]}).encode()

    def fetcher(url: str, headers: Mapping[str, str], timeout: float) -> bytes:
        threads.append(threading.get_ident())
        return body

    async def main() -> int:
        await AsyncPyJWKClient("https://idp.example/jwks", fetcher=fetcher).get_signing_key("a")
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert threads and threads[0] != loop_thread


def test_stale_keys_are_served_while_the_endpoint_fails(
    jwks_server: JWKSServer, keys: dict[str, Any], caplog: pytest.LogCaptureFixture, jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url, lifespan=60, cooldown_duration=5, stale_if_error=30)
        first = await client.get_signing_key("a")
        jwks_server.status = 500
        jwks_clock.advance(61)
        with caplog.at_level(logging.WARNING, logger="fastjwt.jwks"):
            results = await asyncio.gather(*(client.get_signing_key("a") for _ in range(20)))
        assert all(r is first for r in results)
        assert jwks_server.hits == 2
        jwks_clock.advance(30)  # 91 s: past the stale window (expiry + 30 s) and the error backoff
        with pytest.raises(PyJWKClientConnectionError, match="500"):
            await client.get_signing_key("a")

    asyncio.run(main())
    assert len([r for r in caplog.records if r.name == "fastjwt.jwks"]) == 1


def test_kid_edge_cases(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    kidless = public_jwk(keys["b"], None)
    jwks_server.set_keys(public_jwk(keys["a"], "a"), kidless)
    thumbprint = fastjwt.PyJWK(kidless).thumbprint()

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url)
        assert (await client.get_signing_key(thumbprint)).thumbprint() == thumbprint
        with pytest.raises(PyJWKClientError, match="no kid"):
            await client.get_signing_key(None)
        with pytest.raises(PyJWKClientError, match="kid must be a string"):
            await client.get_signing_key(7)  # type: ignore[arg-type]
        jwks_server.set_keys(public_jwk(keys["a"], "a"))
        single = AsyncPyJWKClient(jwks_server.url)
        assert (await single.get_signing_key(None)).key_id == "a"

    asyncio.run(main())


def test_verifier_adecode_with_the_async_client(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url, cooldown_duration=0)
        verifier = fastjwt.Verifier(client, algorithms=["ES256"])
        assert await verifier.adecode(token(keys["a"], "a")) == CLAIMS
        with pytest.raises(fastjwt.InvalidSignatureError):
            await verifier.adecode(token(keys["b"], "a"))
        jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
        assert await verifier.adecode(token(keys["b"], "b")) == CLAIMS  # unknown kid: refetched

    asyncio.run(main())
    assert jwks_server.hits == 2


def test_client_works_on_successive_event_loops(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = AsyncPyJWKClient(jwks_server.url, lifespan=60)
    first = asyncio.run(client.get_signing_key("a"))
    jwks_clock.advance(61)
    assert asyncio.run(client.get_signing_key("a")) is first
    assert jwks_server.hits == 2
