"""Concurrency soak: 8 threads x 50,000 decodes through shared Verifiers (cached and uncached), mixing valid,
expired, forged, tampered and wrong-algorithm tokens for five keys. Prints counts and any wrong result.

Usage: .venv/bin/python fuzz/concurrency_soak.py [--threads 8] [--per-thread 50000]
(FASTJWT_NO_EXTENSIONS=1 for the pure-Python twin). Exit status 1 on any wrong result.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from test_concurrency import build_cases, run_workload  # noqa: E402

import fastjwt  # noqa: E402


def main() -> int:
    """Run the soak and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=50_000)
    args = parser.parse_args()
    cases = build_cases(6)
    started = time.perf_counter()
    done, problems = run_workload(cases, args.threads, args.per_thread, seed=1)
    elapsed = time.perf_counter() - started
    print(
        f"compiled core: {fastjwt.HAS_EXTENSION}; {len(cases)} distinct cases; {args.threads} threads x "
        f"{args.per_thread} = {done} decodes in {elapsed:.1f} s ({done / elapsed:,.0f}/s); "
        f"wrong results: {len(problems)}"
    )
    for line in problems:
        print("  ", line)
    return 1 if problems or done != args.threads * args.per_thread else 0


if __name__ == "__main__":
    sys.exit(main())
