"""Differential fuzzing with hypothesis (the fallback where atheris does not install), over fuzz/targets.py.

Usage: .venv/bin/python fuzz/fuzz_hypothesis.py [--seconds 60]
Runs every target with random bytes and with mutations of the seed corpus until the time is up; prints the
number of executions and any Finding (with the shrunk input).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import targets  # noqa: E402

_SEEDS = targets.seeds()


@st.composite
def fuzz_input(draw: st.DrawFn) -> bytes:
    """Random bytes, or a seed with byte-level mutations (keeps most inputs near the valid grammar)."""
    if draw(st.booleans()):
        return bytes([draw(st.integers(0, 255))]) + draw(st.binary(max_size=512))
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(1, len(data)))
        op = draw(st.integers(0, 2))
        if op == 0 and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        elif op == 1:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif pos < len(data):
            del data[pos]
    return bytes(data)


def run(seconds: float, max_examples: int = 10**9) -> int:
    """Fuzz for ``seconds`` (or ``max_examples``); return executions. Raises targets.Finding on a finding."""
    count = [0]
    deadline = time.monotonic() + seconds

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(fuzz_input())
    def one(data: bytes) -> None:
        if time.monotonic() > deadline:
            return
        count[0] += 1
        targets.check_all(data)

    while time.monotonic() < deadline:
        one()
    return count[0]


def main() -> int:
    """Run and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    try:
        n = run(args.seconds, max_examples=20_000)
    except targets.Finding as finding:
        print(f"FINDING: {finding}")
        return 1
    print(f"hypothesis fuzz: {n} executions in {args.seconds:.0f} s over {len(targets.TARGETS)} targets; no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
