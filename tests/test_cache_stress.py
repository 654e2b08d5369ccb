"""Threaded stress of the verified-token cache: the paths where a borrowed reference would be used after free.

Eight threads share one cached Verifier with a key source whose lookup runs Python code, and a ``now=`` clock
that also runs Python code: both sometimes clear the cache or decode another token from inside the decode that
called them. Tokens expire while the run goes on, and a small cache (in entries and bytes) evicts all the time.
Every result must be exactly right: the token's own claims, as a fresh object, or ``ExpiredSignatureError`` for a
token whose ``exp`` has passed.

``make test`` runs it for a short time on each core; ``make asan`` runs it longer under AddressSanitizer
(``FASTJWT_STRESS_SECONDS``), and ``fuzz/cache_stress.py`` runs it on its own.
"""

from __future__ import annotations

import os
import random
import threading
import time
from typing import Any

import fastjwt
from fastjwt.exceptions import ExpiredSignatureError

SECRET = b"stress-secret-" + b"k" * 32
START = 2_000_000_000.0


class VirtualClock:
    """A monotonic clock the run advances; reading it sometimes runs the side effect it is given."""

    def __init__(self) -> None:
        self.value = START
        self.epoch = 0  # how many times the clock went back to START
        self.lock = threading.Lock()
        self.side_effect: Any = None
        self.local = threading.local()

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.value += seconds

    def read(self) -> float:
        return self.value

    def __call__(self) -> float:
        if self.side_effect is not None and not getattr(self.local, "busy", False):
            self.local.busy = True  # a decode made by the side effect reads the clock too: no recursion
            try:
                self.side_effect()
            finally:
                self.local.busy = False
        return self.value


class KeySource:
    """A key source in Python: builds a JWK per lookup and sometimes clears the cache while it is asked."""

    def __init__(self) -> None:
        k = fastjwt.utils.base64url_encode(SECRET).decode()
        self.jwk = fastjwt.PyJWK({"kty": "oct", "kid": "stress", "alg": "HS256", "k": k})
        self.verifier: fastjwt.Verifier | None = None
        self.rng = random.Random(7)

    def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:
        scratch = {"kid": kid, "seen": [kid] * 3}  # Python work (allocations that may run the collector)
        if self.verifier is not None and self.rng.random() < 0.02:
            self.verifier.clear_cache()
        assert scratch["kid"] == "stress"
        return self.jwk


def build_tokens(count: int, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    tokens = []
    for i in range(count):
        claims = {
            "sub": f"user-{i}",
            "exp": int(START) + rng.randint(1, 400),  # expires at some point of the run
            "roles": [f"role-{i}", "reader"],
            "ctx": {"n": i, "tags": ["a", "b"]},
            "pad": "p" * rng.randint(0, 3000),  # some entries are large: the byte bound evicts too
        }
        tokens.append((fastjwt.encode(claims, SECRET, "HS256", headers={"kid": "stress"}), claims))
    return tokens


def run_stress(seconds: float, threads: int = 8, seed: int = 1) -> tuple[int, list[str]]:
    """Decode from ``threads`` threads for ``seconds``; return the number of decodes and every wrong outcome."""
    rng = random.Random(seed)
    clock = VirtualClock()
    source = KeySource()
    verifier = fastjwt.Verifier(source, ["HS256"], cache=16, cache_max_bytes=64 << 10, now=clock, cache_ttl=50)
    source.verifier = verifier
    tokens = build_tokens(64, rng)
    side_rng = random.Random(seed + 1)

    def side_effect() -> None:
        roll = side_rng.random()
        if roll < 0.01:
            verifier.clear_cache()
        elif roll < 0.03:
            other, _ = tokens[side_rng.randrange(len(tokens))]
            try:
                verifier.decode(other)
            except ExpiredSignatureError:
                pass

    clock.side_effect = side_effect
    problems: list[str] = []
    counts = [0] * threads
    stop = threading.Event()

    def worker(index: int) -> None:
        local = random.Random(seed * 100 + index)
        try:
            while not stop.is_set():
                tok, claims = tokens[local.randrange(len(tokens))]
                epoch = clock.epoch
                try:
                    got = verifier.decode(tok) if local.random() < 0.8 else verifier.decode_complete(tok)["payload"]
                except ExpiredSignatureError:
                    # within one epoch the clock only moves forward: the token must have expired by now
                    if clock.epoch == epoch and claims["exp"] > clock.read():
                        problems.append(f"{claims['sub']}: expired at {clock.read()} (exp {claims['exp']})")
                    continue
                if got != claims:
                    problems.append(f"{claims['sub']}: got {got.get('sub')!r} {sorted(got)}")
                    continue
                got["roles"].append("admin")  # the caller's own copy: must never reach the next caller
                got["ctx"]["tags"].clear()
                got["sub"] = "mallory"
                counts[index] += 1
        except BaseException as exc:  # any other exception is a failure of the run, never swallowed
            problems.append(f"thread {index}: {exc!r}")
            stop.set()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.is_set():
        clock.advance(0.5)  # 400 virtual seconds (every token's lifetime) pass in 800 steps
        if clock.read() > START + 420:
            with clock.lock:
                clock.epoch += 1
                clock.value = START  # back to the start: the tokens are valid again, the cache refills
        time.sleep(0.0005)
    stop.set()
    for thread in workers:
        thread.join()
    return sum(counts), problems


def test_threaded_cache_stress() -> None:
    seconds = float(os.environ.get("FASTJWT_STRESS_SECONDS", "2"))
    done, problems = run_stress(seconds)
    assert problems == []
    assert done > 100  # the run did decode (the threads were not all stuck or failing)
