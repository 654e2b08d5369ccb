"""KeyRing refuses grace periods that are not a finite number of seconds >= 0, and changes nothing when it does."""

from __future__ import annotations

import math
from typing import Any

import keyfiles
import pytest

from fastjwt.keyring import KeyRing

BAD_VALUES = [math.nan, math.inf, -math.inf, -1.0, 10**400]
BAD_TYPES = ["10", True, [1], b"1"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _ring_with_staged_key() -> tuple[KeyRing, FakeClock]:
    clock = FakeClock()
    ring = KeyRing(retired_grace=3600, clock=clock)
    ring.add(keyfiles.private_key("p256"), "ES256", kid="A", activate=True)
    ring.add(keyfiles.private_key("p384"), "ES384", kid="B")
    return ring, clock


@pytest.mark.parametrize("grace", BAD_VALUES)
def test_constructor_refuses_non_finite_or_negative_grace(grace: float) -> None:
    with pytest.raises(ValueError, match="retired_grace"):
        KeyRing(retired_grace=grace)


@pytest.mark.parametrize("grace", [*BAD_TYPES, None])
def test_constructor_refuses_a_grace_that_is_not_a_number(grace: Any) -> None:
    with pytest.raises(TypeError, match="retired_grace"):
        KeyRing(retired_grace=grace)


@pytest.mark.parametrize("grace", BAD_VALUES)
def test_retire_refuses_non_finite_or_negative_grace_and_changes_nothing(grace: float) -> None:
    ring, _ = _ring_with_staged_key()
    with pytest.raises(ValueError, match="grace"):
        ring.retire("B", grace=grace)
    assert ring["B"].state == "staged"
    assert ring["B"].publish_until is None
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["A", "B"]


@pytest.mark.parametrize("grace", BAD_TYPES)
def test_retire_refuses_a_grace_that_is_not_a_number(grace: Any) -> None:
    ring, _ = _ring_with_staged_key()
    with pytest.raises(TypeError, match="grace"):
        ring.retire("B", grace=grace)
    assert ring["B"].state == "staged"


def test_nan_grace_no_longer_unpublishes_at_once() -> None:
    ring, clock = _ring_with_staged_key()
    with pytest.raises(ValueError):
        ring.retire("B", grace=math.nan)
    clock.now += 1
    assert "B" in [k["kid"] for k in ring.jwks()["keys"]]
    assert ring.prune() == []


def test_finite_grace_values_still_work() -> None:
    ring, clock = _ring_with_staged_key()
    ring.retire("B", grace=0)
    assert [k["kid"] for k in ring.jwks()["keys"]] == ["A"]
    ring.retire("B", grace=10)  # re-timing a retired key
    assert ring["B"].publish_until == clock.now + 10
    assert KeyRing(retired_grace=0).retired_grace == 0.0


@pytest.mark.parametrize("grace", BAD_VALUES)
def test_assigning_a_bad_retired_grace_is_refused(grace: float) -> None:
    ring, _ = _ring_with_staged_key()
    with pytest.raises(ValueError, match="retired_grace"):
        ring.retired_grace = grace
    assert ring.retired_grace == 3600.0


def test_messages_quoting_a_kid_are_cut() -> None:
    ring, _ = _ring_with_staged_key()
    with pytest.raises(KeyError) as info:
        ring.retire("k" * 10_000)
    message = info.value.args[0]
    assert message.startswith("No key with kid 'kkk") and message.endswith("... in the key ring")
    assert len(message) < 200
    with pytest.raises(KeyError) as info:
        ring.retire("C")
    assert info.value.args[0] == "No key with kid 'C' in the key ring"
