"""Shared fixtures for the core and compatibility tests: key material and a settable clock.

Also the hypothesis profile ``ci``: derandomized (the same examples on every run), no example database (a
counterexample found once is not replayed in later runs of the tree) and ``print_blob`` (a failure prints what
reproduces it). It is loaded when ``CI`` is set, and ``make test`` selects it with ``--hypothesis-profile=ci``, so a
local run is as deterministic as CI's. Random exploration belongs to ``make fuzz`` (fuzz/fuzz_hypothesis.py sets its
own settings).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import keyfiles
import pytest
from hypothesis import HealthCheck, settings

# deadline=None: a per-example time limit is a timing assert, and fails at random on a loaded machine.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
if os.environ.get("CI"):
    settings.load_profile("ci")

SECRET = "s3cret-key-that-is-long-enough-for-hs512-use-0123456789abcdefghijklmnop"


class Clock:
    """A clock for ``now=``: returns ``t`` until moved with ``advance``."""

    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.t += seconds


@pytest.fixture
def clock() -> Clock:
    """A fresh fixed clock at 1_700_000_000."""
    return Clock()


class _TimeReadingClock:
    """The ``time`` module as the JWKS modules see it under ``jwks_clock``: ``monotonic()`` reads the fake clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def monotonic(self) -> float:
        return self._clock()

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture
def jwks_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock of the JWKS clients (sync and async) and their set cache, moved only by ``advance``.

    Clients built without ``clock=`` read ``time.monotonic`` through their modules' ``time`` at each call, so that
    name is replaced in every module of the JWKS stack for the test: lifespans, cooldowns, error backoff and stale
    windows then pass exactly when the test says, with no sleeps. The event loop, socket timeouts and the transport's
    request deadline keep the real clock.
    """
    import fastjwt.jwks_async
    import fastjwt.jwks_client  # noqa: F401  (imports the whole JWKS stack)

    fake = Clock(1000.0)
    module_time = _TimeReadingClock(fake)
    stack = ("fastjwt.jwks_client", "fastjwt.jwks_async", "fastjwt.jwk_set_cache", "fastjwt._jwks")
    for name, module in sorted(sys.modules.items()):
        if name.startswith(stack) and "transport" not in name and getattr(module, "time", None) is time:
            monkeypatch.setattr(module, "time", module_time)
    return fake


@pytest.fixture(scope="session")
def rsa_private_pem() -> bytes:
    """RSA 2048 private key PEM."""
    return keyfiles.private_pem("rsa2048")


@pytest.fixture(scope="session")
def rsa_public_pem() -> bytes:
    """RSA 2048 public key PEM."""
    return keyfiles.public_pem("rsa2048")


@pytest.fixture(scope="session")
def secret() -> str:
    """An HMAC secret long enough for every HS algorithm."""
    return SECRET


def pair(kind: str) -> tuple[Any, Any]:
    """(private key object, public key object) of a key kind."""
    return keyfiles.private_key(kind), keyfiles.public_key(kind)
