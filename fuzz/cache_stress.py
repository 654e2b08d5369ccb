"""Threaded stress of the verified-token cache on its own, for as long as asked.

Usage: .venv/bin/python fuzz/cache_stress.py [--seconds 60] [--threads 8]
(FASTJWT_NO_EXTENSIONS=1 for the pure-Python twin; under ``make asan`` the suite runs the same stress longer).
Exit status 1 on any wrong result. The workload is tests/test_cache_stress.py's ``run_stress``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from test_cache_stress import run_stress  # noqa: E402

import fastjwt  # noqa: E402


def main() -> int:
    """Run the stress and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    done, problems = run_stress(args.seconds, args.threads)
    print(
        f"compiled core: {fastjwt.HAS_EXTENSION}; {args.threads} threads, {args.seconds:g} s: {done} decodes; "
        f"wrong results: {len(problems)}"
    )
    for line in problems[:20]:
        print("  ", line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
