"""Concurrency: threads decoding through shared Verifiers (with and without the verified-token cache), mixing valid,
expired and forged tokens for several keys; every result must be exactly right.

``run_workload`` is shared with ``fuzz/concurrency_soak.py``, which runs the full 8 x 50,000.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from thread_workers import run_workers

import fastjwt as jwt
from fastjwt.api_jwk import PyJWK, PyJWKSet
from fastjwt.exceptions import ExpiredSignatureError, InvalidAlgorithmError, InvalidSignatureError


#: (algorithm, signing key, verifying key, forger's key of the same kind)
def _key_table() -> list[tuple[str, Any, Any, Any]]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key, ec_forger = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ed_key, ed_forger = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    return [
        ("HS256", b"a" * 32, b"a" * 32, b"b" * 32),
        ("HS512", b"c" * 64, b"c" * 64, b"d" * 64),
        ("RS256", rsa_key, rsa_key.public_key(), rsa_forger),
        ("ES256", ec_key, ec_key.public_key(), ec_forger),
        ("EdDSA", ed_key, ed_key.public_key(), ed_forger),
    ]


@dataclass
class Case:
    """One token, the verifier it goes to and the expected outcome (a payload or an exception class)."""

    token: str
    verifier: jwt.Verifier
    expected: dict[str, Any] | type[Exception]


def build_cases(n_tokens_per_key: int = 6) -> list[Case]:
    """Valid, expired, forged and wrong-algorithm tokens for five keys, each routed to cached and uncached
    Verifiers, plus a key-set Verifier that picks the key by ``kid``."""
    now = int(time.time())
    table = _key_table()
    jwks = []
    for i, (alg, _sign, verify, _forge) in enumerate(table):
        if alg.startswith("HS"):
            continue
        data = __import__("json").loads(jwt.get_algorithm_by_name(alg).to_jwk(verify))
        jwks.append(dict(data, kid=f"k{i}", alg=alg))
    keyset = PyJWKSet.from_dict({"keys": jwks})
    assert all(isinstance(k, PyJWK) for k in keyset.keys)
    asym_algs = [row[0] for row in table if not row[0].startswith("HS")]
    set_verifiers = [jwt.Verifier(keyset, asym_algs, cache=c) for c in (False, True)]
    cases: list[Case] = []
    for i, (alg, sign, verify, forge) in enumerate(table):
        verifiers = [jwt.Verifier(verify, [alg], cache=c) for c in (False, True)]
        headers = {"kid": f"k{i}"}
        targets = verifiers + (set_verifiers if not alg.startswith("HS") else [])
        for j in range(n_tokens_per_key):
            good = {"sub": f"user-{i}-{j}", "exp": now + 3600, "n": j}
            expired = {"sub": f"old-{i}-{j}", "exp": now - 3600 - j}
            tokens: list[tuple[str, dict[str, Any] | type[Exception]]] = [
                (jwt.encode(good, sign, algorithm=alg, headers=headers), good),
                (jwt.encode(expired, sign, algorithm=alg, headers=headers), ExpiredSignatureError),
                (jwt.encode(good, forge, algorithm=alg, headers=headers), InvalidSignatureError),
            ]
            valid = tokens[0][0]
            h, _, s = valid.split(".")
            tampered = jwt.encode({**good, "sub": "admin"}, sign, algorithm=alg, headers=headers).split(".")[1]
            tokens.append((f"{h}.{tampered}.{s}", InvalidSignatureError))
            other_alg = "HS384" if alg != "HS384" else "HS256"
            tokens.append((jwt.encode(good, b"z" * 48, algorithm=other_alg, headers=headers), InvalidAlgorithmError))
            for tok, expected in tokens:
                for verifier in targets:
                    cases.append(Case(tok, verifier, expected))
    return cases


def run_workload(cases: list[Case], threads: int, per_thread: int, seed: int = 0) -> tuple[int, list[str]]:
    """Decode ``per_thread`` random cases in each of ``threads`` threads; return (decodes done, problems)."""
    problems: list[str] = []
    done = [0] * threads

    def work(t: int) -> None:
        rng = random.Random(seed * 1000 + t)
        for _ in range(per_thread):
            case = cases[rng.randrange(len(cases))]
            try:
                got: Any = case.verifier.decode(case.token)
            except Exception as error:  # compared with the case's expected class below
                got = error
            expected = case.expected
            ok = got == expected if isinstance(expected, dict) else type(got) is expected
            if not ok and len(problems) < 20:
                problems.append(f"thread {t}: expected {expected!r}, got {got!r}")
            done[t] += 1

    problems += run_workers(work, [(t,) for t in range(threads)])
    return sum(done), problems


def test_shared_verifiers_give_exact_results_under_threads() -> None:
    cases = build_cases(3)
    done, problems = run_workload(cases, threads=8, per_thread=1500)
    assert problems == []
    assert done == 8 * 1500


def test_every_case_is_right_single_threaded_first() -> None:
    # Guards the workload itself: each case is right when decoded alone, so a threaded failure means a race.
    for case in build_cases(1):
        try:
            got: Any = case.verifier.decode(case.token)
        except Exception as error:
            got = error
        if isinstance(case.expected, dict):
            assert got == case.expected
        else:
            assert type(got) is case.expected


def test_cached_token_is_not_served_after_exp_while_threads_hammer_it() -> None:
    clock = [1_700_000_000.0]
    verifier = jwt.Verifier(b"a" * 32, ["HS256"], cache=True, now=lambda: clock[0])
    tok = jwt.encode({"exp": 1_700_000_010}, b"a" * 32, algorithm="HS256")
    assert verifier.decode(tok) == {"exp": 1_700_000_010}
    flipped = threading.Event()

    def hammer() -> None:  # a token served after the flip, or any other error, ends the worker and is reported
        for _ in range(3000):
            seen_flip = flipped.is_set()
            try:
                verifier.decode(tok)
            except ExpiredSignatureError:
                continue
            assert not seen_flip, "served after exp"

    def flip() -> None:  # released with the hammering workers: exp passes while they run
        clock[0] = 1_700_000_010.0
        flipped.set()

    assert run_workers(lambda work: work(), [(hammer,)] * 4 + [(flip,)]) == []
    with pytest.raises(ExpiredSignatureError):
        verifier.decode(tok)
