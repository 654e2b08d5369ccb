"""Leak hygiene: encode/decode/failure cycles in a subprocess (fuzz/leak_check.py) must not grow RSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "fuzz" / "leak_check.py"


def _run(cycles: int) -> dict[str, object]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--cycles", str(cycles), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_cycles_do_not_grow_rss() -> None:
    result = _run(20_000)
    assert result["cycles"] == 20_000
    # The subprocess uses the same core as this run (FASTJWT_NO_EXTENSIONS is inherited).
    import fastjwt

    assert result["compiled"] == fastjwt.HAS_EXTENSION
    # A leak of one small object per cycle would be ~1 MiB over 20,000 cycles x ~10 calls.
    assert isinstance(result["growth_kib"], int)
    assert result["growth_kib"] < 1024, result
