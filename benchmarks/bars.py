"""The bars of issue 3, each measured as a ratio in one process: ``make bars`` (``python benchmarks/bars.py``).

Every comparison times its contenders in interleaved batches (A, B, A, B, ... with the order rotated each round,
the garbage collector off), keeps each contender's best batch (the minimum time per call: the least disturbed by
other work on the machine) and prints the ratio, the target and PASS or FAIL. The median over the rounds is printed
too, as a check on the noise. A bar that needs a library this interpreter lacks (ryjwt needs Python >= 3.12) prints
SKIP with the reason. Exit status 1 if any bar fails.

``--quick`` takes a few rounds only (a smoke run, not a measurement); ``--only TEXT`` runs the bars whose name
contains TEXT; ``--breakdown`` first prints what an HS256 and an RS256 ``Verifier.decode`` are made of, step by step
(the profile to read where a bar is not met).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import AUDIENCE, CLAIMS, ISSUER, KEYS, TOKENS, floor_verifier, sized_claims  # noqa: E402
from benchmarks.contenders import BY_NAME, Unsupported, check_decoder, check_encoder  # noqa: E402


@dataclass
class Settings:
    """How long to measure: rounds of interleaved batches, each batch about ``batch_seconds`` long."""

    rounds: int = 15
    batch_seconds: float = 0.02
    thread_seconds: float = 0.3


@dataclass(frozen=True)
class Timing:
    """Seconds per call of one contender: best batch and median batch."""

    best: float
    median: float


def _batch(fn: Callable[[Any], Any], arg: Any, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn(arg)
    return time.perf_counter() - start


def compare(contenders: dict[str, tuple[Callable[[Any], Any], Any]], settings: Settings) -> dict[str, Timing]:
    """Time each ``fn(arg)`` in interleaved, rotated batches; per contender the best and median seconds per call."""
    sizes: dict[str, int] = {}
    for name, (fn, arg) in contenders.items():
        fn(arg)  # warm: first-call caches, lazy imports
        n = 1
        while True:
            took = _batch(fn, arg, n)
            if took >= settings.batch_seconds / 4 or n >= 1 << 22:
                break
            n *= 4
        sizes[name] = max(1, int(n * settings.batch_seconds / max(took, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(settings.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                fn, arg = contenders[name]
                samples[name].append(_batch(fn, arg, sizes[name]) / sizes[name])
    finally:
        if enabled:
            gc.enable()
    return {name: Timing(min(s), statistics.median(s)) for name, s in samples.items()}


def _us(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us:.2f} us" if us < 100 else f"{us:.0f} us"


@dataclass(frozen=True)
class Result:
    """One bar's outcome, printed as a line."""

    name: str
    status: str  # PASS, FAIL, SKIP, INFO
    detail: str

    def line(self) -> str:
        """The printed form."""
        return f"{self.status:4}  {self.name}\n      {self.detail}"


def ratio_bar(
    name: str,
    ours: tuple[str, Callable[[Any], Any], Any],
    theirs: tuple[str, Callable[[Any], Any], Any],
    *,
    at_most: float | None = None,
    speedup_at_least: float | None = None,
    settings: Settings,
    floor: tuple[str, Callable[[Any], Any], Any] | None = None,
) -> Result:
    """``ours`` vs ``theirs``: PASS if time(ours)/time(theirs) <= ``at_most`` or time(theirs)/time(ours) >=
    ``speedup_at_least``.

    ``floor``, timed in the same batches, is work ``ours`` cannot skip (e.g. the ``cryptography`` call it must make):
    the detail then says how much of the target's time it alone takes.
    """
    contenders = {ours[0]: ours[1:], theirs[0]: theirs[1:]}
    if floor is not None:
        contenders[floor[0]] = floor[1:]
    timings = compare(contenders, settings)
    a, b = timings[ours[0]], timings[theirs[0]]
    if at_most is not None:
        ratio, ratio_median = a.best / b.best, a.median / b.median
        ok, target = ratio <= at_most, f"<= {at_most}x"
    else:
        assert speedup_at_least is not None
        ratio, ratio_median = b.best / a.best, b.median / a.median
        ok, target = ratio >= speedup_at_least, f">= {speedup_at_least}x faster"
    detail = (
        f"{ours[0]} {_us(a.best)} vs {theirs[0]} {_us(b.best)}: {ratio:.3f}x (median {ratio_median:.3f}x), "
        f"target {target}"
    )
    if at_most is not None:
        # the absolute gap and the budget the target allows, which say more than a ratio about what must move
        detail += f"; gap {(a.best - b.best) * 1e6:+.2f} us, budget {(at_most - 1) * b.best * 1e6:+.2f} us"
    if floor is not None and at_most is not None:
        f = timings[floor[0]].best
        detail += (
            f"\n      floor, {floor[0]}: {_us(f)} = {f / b.best:.2f}x {theirs[0]}'s time, "
            f"{f / (at_most * b.best):.0%} of the target's {_us(at_most * b.best)}"
        )
    return Result(name, "PASS" if ok else "FAIL", detail)


def _verifier(alg: str, **kwargs: Any) -> Any:
    import fastjwt

    return fastjwt.Verifier(KEYS[alg].public_pem, [alg], audience=AUDIENCE, issuer=ISSUER, **kwargs)


def _checked_verifier(alg: str, **kwargs: Any) -> Callable[[str], Any]:
    decode = _verifier(alg, **kwargs).decode
    check_decoder(BY_NAME["fastjwt Signer / Verifier"], alg, decode)
    return decode  # type: ignore[no-any-return]


def _ryjwt(operation: str) -> Callable[..., Any]:
    contender = BY_NAME["ryjwt (Rust)"]
    if operation == "decode":
        decode = contender.decoder("HS256")
        check_decoder(contender, "HS256", decode)
        return decode
    encode = contender.encoder("HS256")
    check_encoder(contender, "HS256", encode)
    return encode


def bar_ryjwt_decode(settings: Settings) -> Result:
    """HS256 decode with a Verifier: at most 0.8x ryjwt's time."""
    name = "HS256 Verifier.decode vs ryjwt SecretKey.decode (<= 0.8x)"
    try:
        theirs = _ryjwt("decode")
    except Unsupported as exc:
        return Result(name, "SKIP", str(exc))
    ours = _checked_verifier("HS256")
    token = TOKENS["HS256"]
    return ratio_bar(
        name,
        ("Verifier", ours, token),
        ("ryjwt", theirs, token),
        at_most=0.8,
        settings=settings,
        floor=("cryptography HMAC verify + JSON parse of the payload", _hmac_decode_floor(token), None),
    )


def _hmac_decode_floor(token: str) -> Callable[[Any], Any]:
    """The two steps no HS256 decode can skip: ``cryptography``'s HMAC check and the payload's JSON parse."""
    from fastjwt import _core
    from fastjwt._core import _json

    verify = floor_verifier("HS256", token)
    payload = _core.b64url_decode(token.split(".")[1])

    def floor(_: Any) -> Any:
        verify()
        return _json.loads(payload)

    return floor


def _hmac_encode_floor() -> Callable[[Any], Any]:
    """The two steps no HS256 encode can skip: the claims' JSON dump and ``cryptography``'s HMAC of the input."""
    from cryptography.hazmat.primitives import hashes, hmac

    from fastjwt._core import _json

    keyed = hmac.HMAC(KEYS["HS256"].secret, hashes.SHA256())
    signing_input = TOKENS["HS256"].rpartition(".")[0].encode()

    def floor(claims: Any) -> Any:
        _json.dumps(claims)
        mac = keyed.copy()
        mac.update(signing_input)
        return mac.finalize()

    return floor


def bar_ryjwt_encode(settings: Settings) -> Result:
    """HS256 encode with a Signer: at most 0.8x ryjwt's time."""
    import fastjwt

    name = "HS256 Signer.encode vs ryjwt SecretKey.encode (<= 0.8x)"
    try:
        theirs = _ryjwt("encode")
    except Unsupported as exc:
        return Result(name, "SKIP", str(exc))
    ours = fastjwt.Signer(KEYS["HS256"].secret, "HS256").encode
    check_encoder(BY_NAME["fastjwt Signer / Verifier"], "HS256", ours)
    claims = dict(CLAIMS)
    return ratio_bar(
        name,
        ("Signer", ours, claims),
        ("ryjwt", theirs, claims),
        at_most=0.8,
        settings=settings,
        floor=("JSON dump + cryptography HMAC", _hmac_encode_floor(), claims),
    )


def bar_dropin_vs_pyjwt(settings: Settings) -> Result:
    """HS256 drop-in ``fastjwt.decode``: at least 15x faster than PyJWT's same call."""
    import jwt

    import fastjwt

    secret, token = KEYS["HS256"].secret, TOKENS["HS256"]

    def ours(t: str) -> Any:
        return fastjwt.decode(t, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)

    def theirs(t: str) -> Any:
        return jwt.decode(t, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)

    check_decoder(BY_NAME["fastjwt drop-in"], "HS256", ours)
    check_decoder(BY_NAME["PyJWT (key objects)"], "HS256", theirs)
    return ratio_bar(
        "HS256 drop-in fastjwt.decode vs PyJWT jwt.decode (>= 15x)",
        ("fastjwt.decode", ours, token),
        ("jwt.decode", theirs, token),
        speedup_at_least=15,
        settings=settings,
    )


def bar_floor(alg: str) -> Callable[[Settings], Result]:
    """``alg`` decode with a Verifier: at most 1.05x cryptography's own verify of the same key and signature."""

    def bar(settings: Settings) -> Result:
        ours = _checked_verifier(alg)
        verify = floor_verifier(alg, TOKENS[alg])
        return ratio_bar(
            f"{alg} Verifier.decode vs cryptography verify, same key and signature (<= 1.05x)",
            ("Verifier", ours, TOKENS[alg]),
            ("cryptography", lambda _: verify(), None),
            at_most=1.05,
            settings=settings,
        )

    return bar


def bar_pem_encode(settings: Settings) -> Result:
    """RS256 ``fastjwt.encode(payload, pem_string, "RS256")``: at most 1.1x a Signer's time."""
    import fastjwt

    pem = KEYS["RS256"].private_pem
    signer = fastjwt.Signer(pem, "RS256").encode

    def ours(claims: dict[str, Any]) -> str:
        return fastjwt.encode(claims, pem, "RS256")  # type: ignore[no-any-return]

    check_encoder(BY_NAME["fastjwt drop-in"], "RS256", ours)
    check_encoder(BY_NAME["fastjwt Signer / Verifier"], "RS256", signer)
    claims = dict(CLAIMS)
    return ratio_bar(
        "RS256 fastjwt.encode(claims, PEM string) vs Signer.encode (<= 1.1x)",
        ("fastjwt.encode", ours, claims),
        ("Signer", signer, claims),
        at_most=1.1,
        settings=settings,
    )


def bar_cache_vs_rs256(settings: Settings) -> Result:
    """Cache hit on an RS256 token: at least 30x faster than an uncached RS256 decode."""
    cached = _checked_verifier("RS256", cache=True)
    uncached = _checked_verifier("RS256")
    token = TOKENS["RS256"]
    return ratio_bar(
        "RS256 cache hit vs uncached RS256 Verifier.decode (>= 30x)",
        ("cache hit", cached, token),
        ("uncached", uncached, token),
        speedup_at_least=30,
        settings=settings,
    )


def bar_cache_vs_hs256(settings: Settings) -> Result:
    """Cache hit on an RS256 token: at least 1.5x faster than an uncached HS256 decode."""
    cached = _checked_verifier("RS256", cache=True)
    uncached = _checked_verifier("HS256")
    return ratio_bar(
        "RS256 cache hit vs uncached HS256 Verifier.decode (>= 1.5x)",
        ("RS256 cache hit", cached, TOKENS["RS256"]),
        ("HS256 uncached", uncached, TOKENS["HS256"]),
        speedup_at_least=1.5,
        settings=settings,
    )


def _throughput(decode: Callable[[str], Any], token: str, threads: int, seconds: float) -> float:
    """Decodes per second of ``threads`` threads sharing ``decode`` for about ``seconds``."""
    start_line = threading.Barrier(threads + 1)
    stop = threading.Event()
    counts = [0] * threads

    def worker(i: int) -> None:
        start_line.wait()
        n = 0
        while not stop.is_set():
            for _ in range(16):
                decode(token)
            n += 16
        counts[i] = n

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    start_line.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - began)


def thread_scaling(decode: Callable[[str], Any], token: str, settings: Settings) -> tuple[float, float, float]:
    """Best one-thread and two-thread throughput over interleaved rounds, and their ratio."""
    one, two = [], []
    rounds = max(3, settings.rounds // 3)
    for _ in range(rounds):
        one.append(_throughput(decode, token, 1, settings.thread_seconds))
        two.append(_throughput(decode, token, 2, settings.thread_seconds))
    return max(one), max(two), max(two) / max(one)


def bar_threads(settings: Settings) -> Result:
    """Two threads sharing one RS256 Verifier: at least 1.7x one thread's throughput."""
    import jwt

    ours = _checked_verifier("RS256")
    token = TOKENS["RS256"]
    one, two, ratio = thread_scaling(ours, token, settings)
    public = KEYS["RS256"].public_key
    _, _, pyjwt_ratio = thread_scaling(
        lambda t: jwt.decode(t, public, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER), token, settings
    )
    # the control: cryptography's verify alone; if it does not scale either, the machine is busy, not fastjwt
    verify = floor_verifier("RS256", token)
    _, _, floor_ratio = thread_scaling(lambda _: verify(), token, settings)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    detail = (
        f"1 thread {one:,.0f}/s, 2 threads {two:,.0f}/s: {ratio:.2f}x, target >= 1.7x "
        f"(control, cryptography verify alone: {floor_ratio:.2f}x; PyJWT with a key object: {pyjwt_ratio:.2f}x; "
        f"{os.cpu_count()} CPUs, load average {load:.2f})"
    )
    return Result(
        "Two threads sharing one RS256 Verifier vs one thread (>= 1.7x)", "PASS" if ratio >= 1.7 else "FAIL", detail
    )


def bar_payload_size(settings: Settings) -> Result:
    """HS256 decode cost per payload byte at 1 KB, 16 KB and 256 KB, against PyJWT (and ryjwt where present)."""
    import jwt

    import fastjwt

    secret = KEYS["HS256"].secret
    sizes = {"1 KB": 1 << 10, "16 KB": 16 << 10, "256 KB": 256 << 10}
    rows = []
    per_byte: dict[str, dict[str, float]] = {}
    verifier = fastjwt.Verifier(secret, ["HS256"], audience=AUDIENCE, issuer=ISSUER)
    decoders: dict[str, Callable[[str], Any]] = {
        "fastjwt Verifier": verifier.decode,
        "fastjwt.decode": lambda t: fastjwt.decode(t, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER),
        "PyJWT": lambda t: jwt.decode(t, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER),
    }
    try:
        ry = BY_NAME["ryjwt (Rust)"].decoder("HS256")
    except Unsupported:
        pass
    else:
        decoders["ryjwt"] = ry
    for label, size in sizes.items():
        claims = sized_claims(size)
        token = jwt.encode(claims, secret, algorithm="HS256")
        for name, decode in decoders.items():
            assert decode(token) == claims, f"{name} decoded the {label} payload wrongly"
        timings = compare({name: (decode, token) for name, decode in decoders.items()}, settings)
        per_byte[label] = {name: t.best * 1e9 / size for name, t in timings.items()}
        cells = ", ".join(f"{name} {v:.2f}" for name, v in per_byte[label].items())
        speedup = per_byte[label]["PyJWT"] / per_byte[label]["fastjwt Verifier"]
        rows.append(f"{label:>6}: ns/byte {cells}; PyJWT/fastjwt {speedup:.1f}x")
    growth = per_byte["256 KB"]["fastjwt Verifier"] / per_byte["16 KB"]["fastjwt Verifier"]
    faster = all(v["fastjwt Verifier"] < v["PyJWT"] for v in per_byte.values())
    ok = growth <= 1.5 and faster
    detail = "\n      ".join(rows) + (
        f"\n      linear: ns/byte at 256 KB is {growth:.2f}x that at 16 KB (target <= 1.5x), "
        f"and faster than PyJWT at every size: {faster}"
    )
    return Result(
        "Decode cost per payload byte, 1 KB / 16 KB / 256 KB, vs PyJWT (linear)", "PASS" if ok else "FAIL", detail
    )


def breakdown(alg: str, settings: Settings) -> list[tuple[str, float]]:
    """What one ``alg`` Verifier decode is made of, timed from outside: ``[(step, seconds per call)]``.

    The steps every decode must take (the two Base64url decodes with ``fastjwt._core``, the strict JSON parse with
    ``fastjwt._core._json``, the ``cryptography`` signature check), their sum, the whole ``Verifier.decode`` and what
    the sum does not account for (finding the dots, the header-plan compare, the call into the key, the claim checks,
    result building). Where a bar is not met this says which part to move.
    """
    from fastjwt import _core
    from fastjwt._core import _json

    token = TOKENS[alg]
    _, payload_seg, sig_seg = token.split(".")
    payload = _core.b64url_decode(payload_seg)
    steps: dict[str, tuple[Callable[[Any], Any], Any]] = {
        "b64url_decode(payload)": (_core.b64url_decode, payload_seg),
        "b64url_decode(signature)": (_core.b64url_decode, sig_seg),
        "fastjwt._core._json.loads(payload)": (_json.loads, payload),
    }
    verify = floor_verifier(alg, token)
    steps[f"cryptography {alg} verify"] = (lambda _: verify(), None)
    whole = _checked_verifier(alg)
    cached = _checked_verifier(alg, cache=True)
    steps["Verifier.decode (whole)"] = (whole, token)
    steps["Verifier.decode, cache hit"] = (cached, token)
    timings = compare(steps, settings)
    parts = [name for name in steps if not name.startswith("Verifier")]
    total = sum(timings[name].best for name in parts)
    rows = [(name, timings[name].best) for name in parts]
    rows.append(("sum of the steps above", total))
    rows.append(("Verifier.decode (whole)", timings["Verifier.decode (whole)"].best))
    whole_time = timings["Verifier.decode (whole)"].best
    rows.append(("the rest: dots, header plan, key call, claim checks, result", whole_time - total))
    rows.append(("Verifier.decode, cache hit", timings["Verifier.decode, cache hit"].best))
    return rows


def print_breakdown(alg: str, settings: Settings) -> None:
    """Print :func:`breakdown` as a table."""
    rows = breakdown(alg, settings)
    width = max(len(name) for name, _ in rows)
    print(f"{alg} Verifier.decode, step by step (best batch, us per call):")
    for name, seconds in rows:
        print(f"  {name.ljust(width)}  {seconds * 1e6:8.3f}")
    print()


BARS: dict[str, Callable[[Settings], Result]] = {
    "ryjwt-decode": bar_ryjwt_decode,
    "ryjwt-encode": bar_ryjwt_encode,
    "drop-in": bar_dropin_vs_pyjwt,
    "floor-RS256": bar_floor("RS256"),
    "floor-ES256": bar_floor("ES256"),
    "floor-EdDSA": bar_floor("EdDSA"),
    "pem-encode": bar_pem_encode,
    "cache-vs-RS256": bar_cache_vs_rs256,
    "cache-vs-HS256": bar_cache_vs_hs256,
    "threads": bar_threads,
    "payload-size": bar_payload_size,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``make bars``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few short rounds: a smoke run, not a measurement")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds per comparison (default 15)")
    parser.add_argument("--only", default="", help="run the bars whose key contains this text")
    parser.add_argument("--breakdown", action="store_true", help="first print what HS256/RS256 decodes are made of")
    args = parser.parse_args(argv)
    settings = Settings(rounds=3, batch_seconds=0.002, thread_seconds=0.05) if args.quick else Settings()
    if args.rounds:
        settings.rounds = args.rounds

    import platform

    import fastjwt
    from benchmarks.run import fastjwt_core, machine_label

    print(f"machine: {machine_label()}")
    print(f"fastjwt: {fastjwt_core()} ({fastjwt.__file__}); python: {platform.python_version()}")
    print(f"method: best of {settings.rounds} interleaved batches of ~{settings.batch_seconds * 1e3:.0f} ms each\n")
    if args.breakdown:
        for alg in ("HS256", "RS256"):
            print_breakdown(alg, settings)
    failed = False
    for key, bar in BARS.items():
        if args.only and args.only not in key:
            continue
        try:
            result = bar(settings)
        except Exception as exc:  # a crash in one bar is reported, the others still run
            result = Result(key, "FAIL", f"error: {type(exc).__name__}: {exc}")
        print(result.line(), flush=True)
        failed |= result.status == "FAIL"
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
