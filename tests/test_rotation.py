"""Key rotation end to end: a KeyRing publishes through a real HTTP server, verifiers follow.

The story: tokens signed with key A verify; the issuer publishes B, then switches to it; tokens
with B verify without restarting the verifier; tokens with A keep verifying until A is retired
past its grace period, then fail with ``PyJWKClientError``. Both clocks are fakes moved by the
test: the ring's (grace periods are hours) and the JWKS clients' (``jwks_clock``: set lifespans
and cooldowns of minutes), so no test sleeps.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from conftest import Clock
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (fixture)
from strict_raises import raises_exactly

import fastjwt
from fastjwt.exceptions import PyJWKClientError
from fastjwt.jwks_async import AsyncPyJWKClient
from fastjwt.keyring import KeyRing

DOCS = Path(__file__).resolve().parents[1] / "docs" / "key-rotation.md"
GRACE = 3600.0
LIFESPAN = 300.0


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def claims(sub: str) -> dict[str, Any]:
    return {"sub": sub, "iss": "https://auth.example", "exp": int(time.time()) + 3600}


@pytest.fixture
def ring_and_clock(jwks_server: JWKSServer) -> tuple[KeyRing, FakeClock]:
    clock = FakeClock()
    ring = KeyRing(retired_grace=GRACE, clock=clock)
    ring.add(ec.generate_private_key(ec.SECP256R1()), "ES256", kid="A", activate=True)
    jwks_server.document = ring.jwks  # the endpoint always serves the ring's current JWKS
    return ring, clock


@pytest.mark.parametrize("token_cache", [False, True])
def test_rotation_story_end_to_end(
    jwks_server: JWKSServer, ring_and_clock: tuple[KeyRing, FakeClock], token_cache: bool, jwks_clock: Clock
) -> None:
    ring, clock = ring_and_clock
    client = fastjwt.PyJWKClient(jwks_server.url, lifespan=LIFESPAN, cooldown_duration=LIFESPAN)
    verifier = fastjwt.Verifier(client, algorithms=["ES256", "EdDSA"], issuer="https://auth.example", cache=token_cache)
    token_a = ring.encode(claims("alice"))
    assert verifier.decode(token_a)["sub"] == "alice"
    assert jwks_server.hits == 1

    # stage B, then wait for the verifier's cache: it learns B before any token carries it
    ring.add(ed25519.Ed25519PrivateKey.generate(), "EdDSA", kid="B")
    jwks_clock.advance(LIFESPAN + 1)
    assert verifier.decode(token_a)["sub"] == "alice"
    assert jwks_server.hits == 2
    assert client.get_signing_key("B").key_id == "B"

    # switch: B tokens verify with no restart and no further fetch; A tokens keep verifying
    ring.activate("B")
    token_b = ring.encode(claims("bob"))
    assert fastjwt.get_unverified_header(token_b)["kid"] == "B"
    assert verifier.decode(token_b)["sub"] == "bob"
    assert verifier.decode(token_a)["sub"] == "alice"
    assert jwks_server.hits == 2

    # inside the grace period A stays published through refreshes
    clock.now += GRACE - 1
    jwks_clock.advance(LIFESPAN + 1)
    assert verifier.decode(token_a)["sub"] == "alice"
    assert jwks_server.hits == 3

    # grace over: A leaves the JWKS; once the verifier's set expires, A tokens fail
    clock.now += 1
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["B"]
    jwks_clock.advance(LIFESPAN + 1)
    with raises_exactly(PyJWKClientError, match='Unable to find a signing key that matches: "A"'):
        verifier.decode(token_a)
    assert verifier.decode(token_b)["sub"] == "bob"
    assert ring.prune() == ["A"]


def test_switch_without_staging_waits_for_the_cooldown(
    jwks_server: JWKSServer, ring_and_clock: tuple[KeyRing, FakeClock], jwks_clock: Clock
) -> None:
    ring, _ = ring_and_clock
    client = fastjwt.PyJWKClient(jwks_server.url, lifespan=600, cooldown_duration=30)
    verifier = fastjwt.Verifier(client, algorithms=["ES256"])
    assert verifier.decode(ring.encode(claims("alice")))["sub"] == "alice"
    ring.add(ec.generate_private_key(ec.SECP256R1()), "ES256", kid="B", activate=True)  # no staging
    token_b = ring.encode(claims("bob"))
    jwks_clock.advance(29)
    with raises_exactly(PyJWKClientError, match='Unable to find a signing key that matches: "B"'):
        verifier.decode(token_b)  # fetched less than a cooldown ago: no refetch allowed yet
    assert jwks_server.hits == 1
    jwks_clock.advance(2)
    assert verifier.decode(token_b)["sub"] == "bob"  # the unknown kid triggers one refetch
    assert jwks_server.hits == 2


def test_revoked_key_is_dropped_when_the_set_expires(
    jwks_server: JWKSServer, ring_and_clock: tuple[KeyRing, FakeClock], jwks_clock: Clock
) -> None:
    ring, _ = ring_and_clock
    client = fastjwt.PyJWKClient(jwks_server.url, lifespan=LIFESPAN, cache_keys=True)
    verifier = fastjwt.Verifier(client, algorithms=["ES256"], cache=True)
    token_a = ring.encode(claims("alice"))
    assert verifier.decode(token_a)["sub"] == "alice"
    ring.add(ec.generate_private_key(ec.SECP256R1()), "ES256", kid="B", activate=True)
    ring.remove("A")  # compromised: withdrawn at once, no grace
    jwks_clock.advance(LIFESPAN + 1)
    with raises_exactly(PyJWKClientError, match='Unable to find a signing key that matches: "A"'):
        verifier.decode(token_a)  # also a verified-token cache hit is re-checked against the key source


def test_rotation_with_the_async_client(
    jwks_server: JWKSServer, ring_and_clock: tuple[KeyRing, FakeClock], jwks_clock: Clock
) -> None:
    ring, clock = ring_and_clock

    async def main() -> None:
        client = AsyncPyJWKClient(jwks_server.url, lifespan=LIFESPAN, cooldown_duration=LIFESPAN)
        verifier = fastjwt.Verifier(client, algorithms=["ES256"])
        token_a = ring.encode(claims("alice"))
        assert (await verifier.adecode(token_a))["sub"] == "alice"
        ring.add(ec.generate_private_key(ec.SECP256R1()), "ES256", kid="B")
        jwks_clock.advance(LIFESPAN + 1)
        ring.activate("B")
        token_b = ring.encode(claims("bob"))
        results = await asyncio.gather(*(verifier.adecode(t) for t in [token_a, token_b] * 20))
        assert [r["sub"] for r in results] == ["alice", "bob"] * 20
        clock.now += GRACE
        jwks_clock.advance(LIFESPAN + 1)
        with raises_exactly(PyJWKClientError, match='Unable to find a signing key that matches: "A"'):
            await verifier.adecode(token_a)
        assert (await verifier.adecode(token_b))["sub"] == "bob"

    asyncio.run(main())
    assert jwks_server.hits == 3


def test_pyjwt_reads_the_rings_jwks(jwks_server: JWKSServer, ring_and_clock: tuple[KeyRing, FakeClock]) -> None:
    ring, _ = ring_and_clock
    token = ring.encode(claims("alice"))
    key = pyjwt.PyJWKClient(jwks_server.url).get_signing_key_from_jwt(token)
    assert pyjwt.decode(token, key.key, algorithms=["ES256"], issuer="https://auth.example")["sub"] == "alice"


def test_the_documented_example_runs() -> None:
    text = DOCS.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    example = next(b for b in blocks if "KeyRing(" in b and "server.shutdown()" in b)
    expected = re.search(r"Output:\n\n```text\n(.*?)```", text, re.S)
    assert expected is not None
    result = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, timeout=30, cwd=DOCS.parents[1]
    )
    assert result.returncode == 0, result.stderr
    pattern = "".join(
        re.escape(line).replace(re.escape('"..."'), '"[A-Za-z0-9_-]{43}"') + "\n"
        for line in expected.group(1).splitlines()
    )
    assert re.fullmatch(pattern, result.stdout), result.stdout
