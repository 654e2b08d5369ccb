"""Leak check: encode/decode/failure cycles in this process, reporting RSS growth.

Each cycle encodes one HS256 token (fresh payload), decodes it through ``fastjwt.decode`` and a cached
``Verifier``, and runs failures: forged signature, expired, malformed Base64url, bad JSON, alg none, a wrong-type
claim, a public key as HMAC secret and an RS256 verify. RSS is sampled after a warm-up and at the end.

Usage: .venv/bin/python fuzz/leak_check.py [--cycles 1000000] [--json]
Prints ``cycles=N warmup_rss_kib=A final_rss_kib=B growth_kib=C``.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

import fastjwt as jwt
from fastjwt.exceptions import PyJWTError

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"k" * 32


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def make_cycle() -> object:
    """A function running one cycle; everything it needs is prepared once here."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_pub = rsa_key.public_key()
    rs_token = jwt.encode({"sub": "x"}, rsa_key, algorithm="RS256")
    pem = (ROOT / "tests" / "keys" / "rsa2048_public_spki.pem").read_bytes()
    verifier = jwt.Verifier(SECRET, ["HS256"], cache=True)
    good = jwt.encode({"sub": "u", "exp": 4_000_000_000}, SECRET, algorithm="HS256")
    h, p, s = good.split(".")
    failures = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BA"),
        jwt.encode({"exp": 1}, SECRET, algorithm="HS256"),
        good + "==",  # more padding than the length calls for: refused on every path
        h + ".e30x." + s,
        "eyJhbGciOiJub25lIn0." + p + ".",
        jwt.encode({"exp": "soon"}, SECRET, algorithm="HS256"),
        h + ".bm90IGpzb24." + s,
    ]

    def cycle(i: int) -> None:
        tok = jwt.encode({"sub": f"user{i}", "n": i, "exp": 4_000_000_000}, SECRET, algorithm="HS256")
        assert jwt.decode(tok, SECRET, algorithms=["HS256"])["n"] == i
        assert verifier.decode(good)["sub"] == "u"
        verifier.decode(tok)
        bad = failures[i % len(failures)]
        for fn in (lambda: jwt.decode(bad, SECRET, algorithms=["HS256"]), lambda: verifier.decode(bad)):
            try:
                fn()
            except PyJWTError:
                pass
            else:
                raise AssertionError("a bad token was accepted")
        if i % 16 == 0:
            try:
                jwt.decode(tok, pem, algorithms=["HS256"])
            except PyJWTError:
                pass
            jwt.decode(rs_token, rsa_pub, algorithms=["RS256"])

    return cycle


def main() -> int:
    """Run the cycles and print RSS growth."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    cycle = make_cycle()
    warmup = min(20_000, max(args.cycles // 10, 1000))
    for i in range(warmup):
        cycle(i)  # type: ignore[operator]
    gc.collect()
    before = rss_kib()
    started = time.perf_counter()
    for i in range(warmup, warmup + args.cycles):
        cycle(i)  # type: ignore[operator]
    gc.collect()
    after = rss_kib()
    result = {
        "compiled": jwt.HAS_EXTENSION,
        "cycles": args.cycles,
        "warmup_rss_kib": before,
        "final_rss_kib": after,
        "growth_kib": after - before,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(" ".join(f"{k}={v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
