"""Instructions per call, under valgrind's callgrind: the profile behind the bars (``make profile``).

Wall-clock ratios on a shared machine move by a few percent from run to run; instruction counts do not. For each
case this runs the same script twice under callgrind, once with N calls and once with none, and divides the
difference by N, so start-up and key loading cancel out. With ``--functions`` it also prints, per function, what one
call of the case costs beyond its floor (``cryptography``'s own verify of the same token): where the overhead is.

Cases: ``HS256-verifier``, ``RS256-verifier``, ``ES256-verifier``, ``EdDSA-verifier`` (``Verifier.decode``),
``HS256-dropin`` (``fastjwt.decode``), ``HS256-signer`` (``Signer.encode``), and ``ALG-floor`` for each algorithm.
Keys are the fixed test keys in ``tests/keys``, so counts repeat exactly between runs of the same build.

    python benchmarks/instructions.py                       # the default cases
    python benchmarks/instructions.py RS256-verifier --functions
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = ROOT / "tests" / "keys"
CLAIMS = {
    "iss": "https://auth.example.com/",
    "sub": "user-1234567890",
    "aud": "https://api.example.com",
    "iat": 1790000000,
    "nbf": 1790000000,
    "exp": 4000000000,
    "jti": "8f14e45f-ceea-467f-a8f0-1c5b3f0e5f7b",
    "scope": "read:messages write:messages",
}
KEY_FILES = {"RS256": "rsa2048", "ES256": "p256", "EdDSA": "ed25519"}
SECRET = b"fastjwt-benchmark-secret-0123456789abcdef"
DEFAULT_CASES = ["HS256-verifier", "HS256-floor", "HS256-dropin", "HS256-signer", "RS256-verifier", "RS256-floor"]

# The script valgrind runs: build one case, call it once to warm up, then ``calls`` more times.
_RUNNER = r'''
import json, sys
sys.path.insert(0, {root!r})
import fastjwt
case, calls = sys.argv[1], int(sys.argv[2])
alg, kind = case.split("-")
claims = json.loads({claims!r})
if alg == "HS256":
    private = public = {secret!r}
else:
    name = {key_files!r}[alg]
    private = open({keys!r} + "/" + name + "_private_pkcs8.pem").read()
    public = open({keys!r} + "/" + name + "_public_spki.pem").read()
token = fastjwt.encode(claims, private, alg)
checks = dict(audience=claims["aud"], issuer=claims["iss"])
if kind == "verifier":
    verifier = fastjwt.Verifier(public, [alg], **checks)
    call = lambda: verifier.decode(token)
elif kind == "dropin":
    call = lambda: fastjwt.decode(token, public, algorithms=[alg], **checks)
elif kind == "signer":
    signer = fastjwt.Signer(private, alg)
    call = lambda: signer.encode(claims)
else:  # the floor: cryptography's own check of the same token, with everything prepared beforehand
    import hmac as std_hmac
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    signing_input, _, encoded = token.encode().rpartition(b".")
    signature = fastjwt.utils.base64url_decode(encoded)
    if alg == "HS256":
        keyed = hmac.HMAC(public, hashes.SHA256())
        def call():
            mac = keyed.copy()
            mac.update(signing_input)
            assert std_hmac.compare_digest(mac.finalize(), signature)
    else:
        key = load_pem_public_key(public.encode())
        if alg == "RS256":
            pad, digest = padding.PKCS1v15(), hashes.SHA256()
            call = lambda: key.verify(signature, signing_input, pad, digest)
        elif alg == "ES256":
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            ecdsa = ec.ECDSA(hashes.SHA256())
            call = lambda: key.verify(der, signing_input, ecdsa)
        else:
            call = lambda: key.verify(signature, signing_input)
call()
for _ in range(calls):
    call()
'''


def _collect(case: str, calls: int, out: Path) -> int:
    script = _RUNNER.format(
        root=str(ROOT), claims=__import__("json").dumps(CLAIMS), secret=SECRET, key_files=KEY_FILES, keys=str(KEYS)
    )
    runner = out.parent / "runner.py"
    runner.write_text(script)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, str(runner), case, str(calls)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    match = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"valgrind failed for {case}:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def _functions(path: Path) -> dict[str, int]:
    """Exclusive instruction counts per function of one callgrind output."""
    text = subprocess.run(
        ["callgrind_annotate", "--inclusive=no", "--threshold=100", str(path)], capture_output=True, text=True
    ).stdout
    counts: dict[str, int] = {}
    for line in text.splitlines():
        found = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(.*)", line)
        if found:
            name = re.sub(r"\s*\[.*\]$", "", found.group(2))
            name = name.split(":")[-1] if name.startswith("???") else name.rsplit("/", 1)[-1]
            counts[name] = counts.get(name, 0) + int(found.group(1).replace(",", ""))
    return counts


def measure(case: str, calls: int, workdir: Path) -> tuple[float, dict[str, float]]:
    """Instructions per call of ``case``, and per function."""
    base = _collect(case, 0, workdir / f"{case}.0")
    full = _collect(case, calls, workdir / f"{case}.1")
    before, after = _functions(workdir / f"{case}.0"), _functions(workdir / f"{case}.1")
    per_function = {name: (after.get(name, 0) - before.get(name, 0)) / calls for name in set(before) | set(after)}
    return (full - base) / calls, per_function


def main(argv: list[str] | None = None) -> int:
    """Print instructions per call for each case (and, with --functions, the overhead beyond the floor)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=DEFAULT_CASES, help="cases to count (default: %(default)s)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per counted run (default 2000)")
    parser.add_argument("--functions", action="store_true", help="per-function overhead beyond the algorithm's floor")
    parser.add_argument("--top", type=int, default=25, help="functions to list with --functions")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        print("SKIP: valgrind (callgrind) is not installed", file=sys.stderr)
        return 2
    import fastjwt

    core = "compiled core" if fastjwt.HAS_EXTENSION else "pure-Python core"
    print(f"fastjwt {core}, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results: dict[str, tuple[float, dict[str, float]]] = {}
        cases = list(args.cases)
        if args.functions:
            for case in list(cases):
                floor = case.split("-")[0] + "-floor"
                if floor not in cases:
                    cases.append(floor)
        for case in cases:
            results[case] = measure(case, args.calls, workdir)
        for case in cases:
            floor = case.split("-")[0] + "-floor"
            extra = ""
            if floor in results and floor != case:
                extra = f"   ({results[case][0] - results[floor][0]:+,.0f} beyond {floor})"
            print(f"{case:16s} {results[case][0]:12,.0f} instructions per call{extra}")
        if args.functions:
            for case in args.cases:
                floor = case.split("-")[0] + "-floor"
                if case == floor:
                    continue
                ours, base = results[case][1], results[floor][1]
                rows = sorted(((ours.get(n, 0) - base.get(n, 0), n) for n in set(ours) | set(base)), reverse=True)
                print(f"\n{case}: instructions per call beyond {floor}, by function")
                for value, name in rows[: args.top]:
                    if name == "PROGRAM TOTALS":
                        continue
                    print(f"  {value:9,.0f}  {name[:110]}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
