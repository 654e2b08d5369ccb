"""JWKS fetches back off after failures, also with no key set to fall back on (issue 13, point 4).

Every test talks to a real JWKS server on 127.0.0.1 and counts the requests it received. Time is the
settable ``clock`` fixture of tests/conftest.py, handed to the client (``clock=``): the schedule is
checked to the fraction of a second without sleeping.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import Clock
from cryptography.hazmat.primitives.asymmetric import ec
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (fixture)

from fastjwt.algorithms import ECAlgorithm
from fastjwt.exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError
from fastjwt.jwks_async import AsyncPyJWKClient
from fastjwt.jwks_client import PyJWKClient


@pytest.fixture(scope="module")
def jwk_a() -> dict[str, Any]:
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True)
    jwk["kid"] = "a"
    return jwk


def lookups_failing(client: PyJWKClient, count: int, error: type[Exception], match: str) -> None:
    for _ in range(count):
        with pytest.raises(error, match=match) as info:
            client.get_signing_key("a")
        assert type(info.value) is error


def test_cold_start_with_a_failing_endpoint_fetches_once_for_40_lookups(jwks_server: JWKSServer, clock: Clock) -> None:
    jwks_server.status = 500
    client = PyJWKClient(jwks_server.url, clock=clock)
    lookups_failing(client, 40, PyJWKClientConnectionError, "500")
    assert jwks_server.hits == 1


def test_cold_start_backoff_without_an_injected_clock(jwks_server: JWKSServer) -> None:
    # the default clock (time.monotonic): 40 lookups in well under the first 1 s pause
    jwks_server.status = 503
    client = PyJWKClient(jwks_server.url)
    lookups_failing(client, 40, PyJWKClientConnectionError, "503")
    assert jwks_server.hits == 1


def test_async_cold_start_with_a_failing_endpoint_fetches_once_for_40_lookups(
    jwks_server: JWKSServer, clock: Clock
) -> None:
    jwks_server.status = 500

    async def main() -> list[Any]:
        client = AsyncPyJWKClient(jwks_server.url, clock=clock)
        sequential = []
        for _ in range(20):
            try:
                await client.get_signing_key("a")
            except PyJWKClientConnectionError as error:
                sequential.append(error)
        together = await asyncio.gather(*(client.get_signing_key("a") for _ in range(20)), return_exceptions=True)
        return sequential + list(together)

    results = asyncio.run(main())
    assert len(results) == 40
    assert all(type(r) is PyJWKClientConnectionError and "500" in str(r) for r in results)
    assert jwks_server.hits == 1


def test_the_pause_doubles_from_one_second_up_to_sixty(jwks_server: JWKSServer, clock: Clock) -> None:
    jwks_server.status = 500
    client = PyJWKClient(jwks_server.url, clock=clock)
    lookups_failing(client, 1, PyJWKClientConnectionError, "500")
    expected_pauses = [1, 2, 4, 8, 16, 32, 60, 60]
    for attempt, pause in enumerate(expected_pauses, start=2):
        clock.advance(pause - 0.125)
        lookups_failing(client, 3, PyJWKClientConnectionError, "paused")
        assert jwks_server.hits == attempt - 1, f"fetched before the {pause} s pause ended"
        clock.advance(0.125)
        lookups_failing(client, 3, PyJWKClientConnectionError, "500")
        assert jwks_server.hits == attempt, f"no fetch once the {pause} s pause ended"


def test_async_pause_doubles_too(jwks_server: JWKSServer, clock: Clock) -> None:
    jwks_server.status = 500

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url, clock=clock)
        with pytest.raises(PyJWKClientConnectionError, match="500"):
            await client.get_signing_key("a")
        for fetches, pause in enumerate([1, 2, 4, 8], start=1):
            clock.advance(pause - 0.125)
            with pytest.raises(PyJWKClientConnectionError, match="paused"):
                await client.get_signing_key("a")
            assert jwks_server.hits == fetches
            clock.advance(0.125)
            with pytest.raises(PyJWKClientConnectionError, match="500"):
                await client.get_signing_key("a")
            assert jwks_server.hits == fetches + 1

    asyncio.run(main())


def test_lookups_during_the_pause_say_why_and_keep_the_last_error(jwks_server: JWKSServer, clock: Clock) -> None:
    jwks_server.status = 502
    client = PyJWKClient(jwks_server.url, clock=clock)
    with pytest.raises(PyJWKClientConnectionError) as first:
        client.get_signing_key("a")
    with pytest.raises(PyJWKClientConnectionError) as paused:
        client.get_signing_key("a")
    assert str(paused.value).startswith(str(first.value))
    assert "paused for 1 s after 1 failed fetch" in str(paused.value)
    assert jwks_server.hits == 1


@pytest.mark.parametrize(
    ("body", "error", "match"),
    [
        (b"{not json", PyJWKClientError, "valid JSON"),
        (b'{"keys": [{"kty": "XYZ", "kid": "a"}]}', PyJWKSetError, "usable keys"),
    ],
)
def test_a_pause_after_a_bad_document_raises_the_same_class(
    jwks_server: JWKSServer, clock: Clock, body: bytes, error: type[Exception], match: str
) -> None:
    jwks_server.body = body
    client = PyJWKClient(jwks_server.url, clock=clock)
    lookups_failing(client, 5, error, match)
    assert jwks_server.hits == 1


def test_success_resets_the_pause(jwks_server: JWKSServer, clock: Clock, jwk_a: dict[str, Any]) -> None:
    jwks_server.status = 500
    client = PyJWKClient(jwks_server.url, lifespan=10, stale_if_error=0, clock=clock)
    lookups_failing(client, 1, PyJWKClientConnectionError, "500")
    clock.advance(1)
    lookups_failing(client, 1, PyJWKClientConnectionError, "500")  # second failure: next pause 2 s
    clock.advance(2)
    jwks_server.status = 200
    jwks_server.set_keys(jwk_a)
    assert client.get_signing_key("a").key_id == "a"
    assert jwks_server.hits == 3
    jwks_server.status = 500
    clock.advance(10.5)  # the set expired; stale_if_error=0: nothing to fall back on
    lookups_failing(client, 3, PyJWKClientConnectionError, "500|paused")
    assert jwks_server.hits == 4
    clock.advance(1)  # back to the first pause, not the third
    lookups_failing(client, 1, PyJWKClientConnectionError, "500")
    assert jwks_server.hits == 5


def test_once_stale_keys_run_out_lookups_fail_fast(
    jwks_server: JWKSServer, clock: Clock, jwk_a: dict[str, Any]
) -> None:
    jwks_server.set_keys(jwk_a)
    client = PyJWKClient(jwks_server.url, lifespan=10, stale_if_error=5, clock=clock)
    first = client.get_signing_key("a")
    jwks_server.status = 500
    clock.advance(11)  # expired, within stale_if_error
    for _ in range(10):
        assert client.get_signing_key("a") is first
    assert jwks_server.hits == 2
    clock.advance(5)  # past expiry + stale_if_error; the 1 s pause is over
    lookups_failing(client, 40, PyJWKClientConnectionError, "500")
    assert jwks_server.hits == 3


def test_async_once_stale_keys_run_out_lookups_fail_fast(
    jwks_server: JWKSServer, clock: Clock, jwk_a: dict[str, Any]
) -> None:
    jwks_server.set_keys(jwk_a)

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url, lifespan=10, stale_if_error=5, clock=clock)
        first = await client.get_signing_key("a")
        jwks_server.status = 500
        clock.advance(11)
        assert all(k is first for k in await asyncio.gather(*(client.get_signing_key("a") for _ in range(10))))
        assert jwks_server.hits == 2
        clock.advance(5)
        results = await asyncio.gather(*(client.get_signing_key("a") for _ in range(40)), return_exceptions=True)
        assert all(type(r) is PyJWKClientConnectionError for r in results)
        assert jwks_server.hits == 3

    asyncio.run(main())


def test_without_the_set_cache_failures_back_off_too(jwks_server: JWKSServer, clock: Clock) -> None:
    jwks_server.status = 500
    client = PyJWKClient(jwks_server.url, cache_jwk_set=False, clock=clock)
    lookups_failing(client, 40, PyJWKClientConnectionError, "500|paused")
    assert jwks_server.hits == 1


def test_unknown_kid_during_the_pause_does_not_fetch(
    jwks_server: JWKSServer, clock: Clock, jwk_a: dict[str, Any]
) -> None:
    jwks_server.set_keys(jwk_a)
    client = PyJWKClient(jwks_server.url, lifespan=10, cooldown_duration=0, clock=clock)
    client.get_signing_key("a")
    jwks_server.status = 500
    with pytest.raises(PyJWKClientConnectionError):
        client.get_jwk_set(refresh=True)
    for _ in range(20):
        with pytest.raises(PyJWKClientError, match='matches: "new"'):
            client.get_signing_key("new")
    assert jwks_server.hits == 2


def test_an_explicit_refresh_is_not_held_back(jwks_server: JWKSServer, clock: Clock) -> None:
    jwks_server.status = 500
    client = PyJWKClient(jwks_server.url, clock=clock)
    for _ in range(3):
        with pytest.raises(PyJWKClientConnectionError, match="500"):
            client.get_jwk_set(refresh=True)
    assert jwks_server.hits == 3


def test_the_pause_is_configurable_per_client(jwks_server: JWKSServer, clock: Clock) -> None:
    jwks_server.status = 500
    client = PyJWKClient(jwks_server.url, clock=clock)
    client.failure_backoff_base = 5.0
    client.failure_backoff_max = 7.0
    lookups_failing(client, 2, PyJWKClientConnectionError, "500|paused")
    clock.advance(4.875)
    lookups_failing(client, 1, PyJWKClientConnectionError, "paused")
    clock.advance(0.125)
    lookups_failing(client, 1, PyJWKClientConnectionError, "500")
    clock.advance(6.875)  # 10 s would be next; the cap says 7
    lookups_failing(client, 1, PyJWKClientConnectionError, "paused")
    clock.advance(0.125)
    lookups_failing(client, 1, PyJWKClientConnectionError, "500")
    assert jwks_server.hits == 3


def test_the_clock_also_drives_the_set_lifetime(jwks_server: JWKSServer, clock: Clock, jwk_a: dict[str, Any]) -> None:
    jwks_server.document = {"keys": [jwk_a]}
    client = PyJWKClient(jwks_server.url, lifespan=30, clock=clock)
    client.get_signing_key("a")
    clock.advance(29)
    client.get_signing_key("a")
    assert jwks_server.hits == 1
    clock.advance(2)
    client.get_signing_key("a")
    assert jwks_server.hits == 2
