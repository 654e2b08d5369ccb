"""A short bounded pass of the differential fuzz targets (fuzz/targets.py) in the normal suite.

``make fuzz`` runs the same targets for as long as asked; this module keeps to a few seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))

import targets
from fuzz_hypothesis import fuzz_input

import fastjwt

_SETTINGS = settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def test_both_twins_are_compared_when_the_extension_is_loaded() -> None:
    expected = 2 if fastjwt.HAS_EXTENSION else 1
    assert len(targets.CORES) == expected
    assert len(targets.JSONS) == expected


@pytest.mark.parametrize("seed", targets.seeds(), ids=[*(t.__name__ for t in targets.TARGETS), "es256_valid"])
def test_seed_inputs_pass(seed: bytes) -> None:
    targets.check_all(seed)


@pytest.mark.parametrize("target", targets.TARGETS, ids=lambda t: t.__name__)
@_SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes(target: object, data: bytes) -> None:
    target(data)  # type: ignore[operator]


@_SETTINGS
@given(data=fuzz_input())
def test_mutated_seeds(data: bytes) -> None:
    targets.check_all(data)


def test_finding_is_raised_for_a_divergence() -> None:
    # The harness itself must be able to fail: two different outcomes are a Finding.
    with pytest.raises(targets.Finding):
        targets._same([("ok", 1), ("raise", ValueError)], "self-test", b"")
    with pytest.raises(targets.Finding):
        targets._outcome(lambda: [][1], (ValueError,))
