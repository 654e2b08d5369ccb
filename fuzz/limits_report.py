"""Measure how fast and with how much memory the resource limits refuse hostile input (for docs/security-report.md).

Each case runs in a fresh subprocess: build the input, record peak RSS, then time the refusal (best of 5) and record
the peak RSS again; the report shows the refusal time and the peak-RSS increase caused by decoding (beyond the
input itself). Usage: .venv/bin/python fuzz/limits_report.py (FASTJWT_NO_EXTENSIONS=1 for the pure-Python twin).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import base64, hashlib, hmac, json, resource, sys, time
import fastjwt as jwt
from fastjwt.exceptions import DecodeError
S = b"k" * 32
def b64(d): return base64.urlsafe_b64encode(d).rstrip(b"=")
def signed(h, p):
    si = b64(h) + b"." + b64(p)
    return si + b"." + b64(hmac.new(S, si, hashlib.sha256).digest())
case = sys.argv[1]
if case == "token-100MB":
    tok = signed(b'{"alg":"HS256"}', b'{"x":"' + b"a" * (100 << 20) + b'"}')
    call = lambda: jwt.decode(tok, S, algorithms=["HS256"])
elif case == "token-100MB-str":
    tok = signed(b'{"alg":"HS256"}', b'{"x":"' + b"a" * (100 << 20) + b'"}').decode()
    call = lambda: jwt.Verifier(S, ["HS256"]).decode(tok)
elif case == "header-1e6-members":
    tok = signed(b'{"alg":"HS256",' + b",".join(b'"m%d":0' % i for i in range(10**6)) + b"}", b"{}")
    call = lambda: jwt.decode(tok, S, algorithms=["HS256"])
elif case == "header-1e6-members-64MB-limit":
    tok = signed(b'{"alg":"HS256",' + b",".join(b'"m%d":0' % i for i in range(10**6)) + b"}", b"{}")
    v = jwt.Verifier(S, ["HS256"], max_token_length=64 << 20)
    call = lambda: v.decode(tok)
elif case == "payload-nested-1e5-64MB-limit":
    tok = signed(b'{"alg":"HS256"}', b'{"x":' + b"[" * 10**5 + b"]" * 10**5 + b"}")
    v = jwt.Verifier(S, ["HS256"], max_token_length=64 << 20)
    call = lambda: v.decode(tok)
elif case == "payload-nested-1e5":
    tok = signed(b'{"alg":"HS256"}', b'{"x":' + b"[" * 10**5 + b"]" * 10**5 + b"}")
    call = lambda: jwt.decode(tok, S, algorithms=["HS256"])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
best = float("inf"); err = None
for _ in range(5):
    t = time.perf_counter()
    try:
        call()
    except DecodeError as e:
        err = type(e).__name__ + ": " + str(e)[:60]
    best = min(best, time.perf_counter() - t)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"case": case, "size": len(tok), "refused": err, "ms": best * 1e3,
                  "input_peak_mib": before / 1024, "extra_peak_mib": (after - before) / 1024,
                  "compiled": jwt.HAS_EXTENSION}))
"""

CASES = [
    "token-100MB",
    "token-100MB-str",
    "header-1e6-members",
    "header-1e6-members-64MB-limit",
    "payload-nested-1e5",
    "payload-nested-1e5-64MB-limit",
]


def main() -> int:
    """Run every case and print a Markdown table."""
    print(
        "| case | input bytes | refused with | time (best of 5) | peak RSS for input | extra peak RSS from decoding |"
    )
    print("|---|---|---|---|---|---|")
    status = 0
    for case in CASES:
        out = subprocess.run([sys.executable, "-c", CHILD, case], capture_output=True, text=True, cwd=ROOT, timeout=300)
        if out.returncode:
            print(f"| {case} | | CRASH rc={out.returncode} {out.stderr[-200:]!r} | | | |")
            status = 1
            continue
        r = json.loads(out.stdout)
        status |= r["refused"] is None
        print(
            f"| {case} | {r['size']:,} | {r['refused']} | {r['ms']:.3f} ms | {r['input_peak_mib']:.0f} MiB "
            f"| {r['extra_peak_mib']:.1f} MiB |"
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
