"""Shared fixtures for the core and compatibility tests: key material and a settable clock."""

from __future__ import annotations

from typing import Any

import keyfiles
import pytest

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
