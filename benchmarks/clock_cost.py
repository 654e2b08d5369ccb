"""What reading the clock costs per decode (issue 11): the default clock against cheaper ones, in one process.

The default clock reads the time the way PyJWT does, so freezegun, time-machine and a patched
``fastjwt.api_jwt.datetime`` move it: one dict lookup in ``fastjwt.api_jwt``'s globals, one in the ``time`` module's,
and a call of ``time.time``. The baseline is a clock that costs nearly nothing (a C-level callable returning a
constant), so ``default - constant`` is the clock's whole cost per decode.

Usage: .venv/bin/python benchmarks/clock_cost.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import itertools
import time
import timeit

import fastjwt

SECRET = "k" * 32


def best_ns(call: object, number: int, rounds: int) -> float:
    """The best of ``rounds`` timings of ``number`` calls, in nanoseconds per call."""
    return min(timeit.repeat(call, number=number, repeat=rounds)) / number * 1e9  # type: ignore[arg-type]


def main() -> None:
    """Print the per-decode cost of each clock, for an uncached HS256 decode and for a cache hit."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    now = int(time.time())
    token = fastjwt.encode({"sub": "alice", "iat": now, "exp": now + 10**6, "iss": "me"}, SECRET, "HS256")
    constant = itertools.repeat(float(now)).__next__  # a clock that costs one C call and nothing else
    clocks = {"default (PyJWT's way)": None, "now=time.time": time.time, "now=<constant>": constant}
    print(f"fastjwt compiled core: {fastjwt.HAS_EXTENSION}")
    for cached in (False, True):
        results = {}
        for name, clock in clocks.items():
            verifier = fastjwt.Verifier(SECRET, ["HS256"], now=clock, cache=cached or None)
            verifier.decode(token)
            results[name] = best_ns(lambda v=verifier: v.decode(token), 20_000, args.rounds)
        base = results["now=<constant>"]
        label = "cache hit" if cached else "uncached HS256 decode"
        for name, ns in results.items():
            print(f"{label:22s} {name:22s} {ns:8.0f} ns  clock cost {ns - base:+6.0f} ns ({(ns - base) / ns:+.1%})")


if __name__ == "__main__":
    main()
