"""``fastjwt bench``: a short benchmark of fastjwt (and PyJWT when installed) on this machine."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from ._output import EXIT_OK, CLIError


def _rate(fn: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    fn()
    n, batch = 0, 16
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed
        batch = min(batch * 2, 4096)


def cmd_bench(args: argparse.Namespace) -> int:
    """A short benchmark of this machine: fastjwt vs PyJWT (where installed), HS256 and RS256."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from .. import HAS_EXTENSION
    from ..api_jwt import decode, encode
    from ..verifier import Verifier

    pyjwt: Any
    try:
        import jwt as pyjwt  # the reference, when installed
    except ImportError:
        pyjwt = None
    if not (math.isfinite(args.seconds) and args.seconds > 0):
        raise CLIError("--seconds must be a positive number")
    per = max(args.seconds, 0.05)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    secret = os.urandom(32)
    payload = {
        "sub": "user-1234",
        "iss": "https://issuer.example",
        "aud": "api",
        "iat": int(time.time()),
        "exp": int(time.time()) + 3600,
        "scope": "read write",
    }
    cases: list[tuple[str, str, Callable[[], Any]]] = []
    keys: tuple[tuple[str, Any, Any], ...] = (("HS256", secret, secret), ("RS256", rsa_key, rsa_key.public_key()))
    for alg, sign_key, verify_key in keys:
        token = encode(payload, sign_key, algorithm=alg)
        verifier = Verifier(verify_key, [alg], audience="api")
        cases.append((f"{alg} encode", "fastjwt", partial(encode, payload, sign_key, algorithm=alg)))
        cases.append((f"{alg} decode", "fastjwt", partial(decode, token, verify_key, algorithms=[alg], audience="api")))
        cases.append((f"{alg} decode", "fastjwt Verifier", partial(verifier.decode, token)))
        if pyjwt is not None:
            cases.append((f"{alg} encode", "PyJWT", partial(pyjwt.encode, payload, sign_key, algorithm=alg)))
            cases.append(
                (f"{alg} decode", "PyJWT", partial(pyjwt.decode, token, verify_key, algorithms=[alg], audience="api"))
            )
    results: dict[tuple[str, str], float] = {}
    tty = sys.stderr.isatty()
    for i, (op, lib, fn) in enumerate(cases, 1):
        line = f"[{i}/{len(cases)}] {op} with {lib}..."
        sys.stderr.write(f"\r{line:<50}" if tty else line + "\n")
        sys.stderr.flush()
        results[(op, lib)] = _rate(fn, per)
    if tty:
        sys.stderr.write("\r" + " " * 50 + "\r")
    core = "compiled core" if HAS_EXTENSION else "pure-Python core"
    out = [
        f"fastjwt ({core}) vs {'PyJWT ' + pyjwt.__version__ if pyjwt else 'PyJWT (not installed)'}",
        f"{'operation':<14} {'library':<18} {'ops/s':>12} {'vs PyJWT':>9}",
    ]
    for (op, lib), rate in sorted(results.items(), key=lambda item: item[0][0]):
        base = results.get((op, "PyJWT"))
        ratio = f"{rate / base:8.2f}x" if base else ""
        out.append(f"{op:<14} {lib:<18} {rate:>12,.0f} {ratio:>9}")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK
