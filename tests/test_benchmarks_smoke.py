"""The benchmark suite still works: its modules import, a few benchmarks run one round (``--benchmark-disable`` in
``addopts`` makes the ``benchmark`` fixture call them once), the correctness gate refuses decoders that do not
verify, and the report and bar code produce what ``make bench``/``make bars`` print."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bars, bench_decode, bench_encode, run  # noqa: E402
from benchmarks.common import ALGORITHMS, AUDIENCE, BAD_TOKENS, CLAIMS, ISSUER, KEYS, TOKENS  # noqa: E402
from benchmarks.contenders import (  # noqa: E402
    BY_NAME,
    LIBRARIES,
    Unsupported,
    check_decoder,
    check_encoder,
)

# Rows whose libraries are test dependencies, so they run in `make test` on both fastjwt cores.
DECODE_CASES = [
    ("HS256", "fastjwt Signer / Verifier"),
    ("RS256", "fastjwt drop-in"),
    ("ES256", "fastjwt Verifier (cache hit)"),
    ("EdDSA", "PyJWT (key objects)"),
    ("PS256", "cryptography primitive (floor)"),
]
ENCODE_CASES = [
    ("HS256", "fastjwt Signer / Verifier"),
    ("ES256", "fastjwt drop-in"),
    ("EdDSA", "PyJWT (PEM/secret per call)"),
    ("HS256", "cryptography primitive (floor)"),
]


@pytest.mark.parametrize(("algorithm", "library"), DECODE_CASES)
def test_decode_benchmark_runs_once(benchmark: Any, algorithm: str, library: str) -> None:
    assert BY_NAME[library].unavailable() is None
    bench_decode.test_decode(benchmark, algorithm, library)
    assert benchmark.group == f"{algorithm} decode"
    assert benchmark.extra_info == {"library": library, "operation": "decode", "algorithm": algorithm}


@pytest.mark.parametrize(("algorithm", "library"), ENCODE_CASES)
def test_encode_benchmark_runs_once(benchmark: Any, algorithm: str, library: str) -> None:
    assert BY_NAME[library].unavailable() is None
    bench_encode.test_encode(benchmark, algorithm, library)
    assert benchmark.group == f"{algorithm} encode"


def test_every_peer_of_the_issue_is_a_contender() -> None:
    names = {c.module for c in LIBRARIES}
    assert {"fastjwt", "jwt", "jose", "joserfc", "authlib", "jwcrypto", "oxyjwt", "ryjwt", "cryptography"} <= names
    assert [c.name for c in LIBRARIES if "encode" in c.reference_for] == ["fastjwt Signer / Verifier"]
    assert {c.name for c in LIBRARIES if c.module == "fastjwt"} == {
        "fastjwt drop-in",
        "fastjwt Signer / Verifier",
        "fastjwt Verifier (cache hit)",
    }


def test_a_missing_library_is_unsupported_with_its_reason() -> None:
    from benchmarks.contenders import Contender

    ghost = Contender("ghost", "no_such_module_fastjwt_bench", None, lambda alg: lambda token: {})
    reason = ghost.unavailable()
    assert reason is not None and "no_such_module_fastjwt_bench is not installed" in reason
    with pytest.raises(Unsupported, match="not installed"):
        ghost.decoder("HS256")
    future = Contender("future", "jwt", None, None, min_python=(99, 0))
    with pytest.raises(Unsupported, match=r"needs Python >= 99\.0"):
        future.encoder("HS256")


def test_bad_tokens_are_each_wrong_in_exactly_one_way() -> None:
    import jwt

    for alg in ALGORITHMS:
        key = KEYS[alg].public_key
        assert jwt.decode(TOKENS[alg], key, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER) == CLAIMS
        bad = BAD_TOKENS[alg]
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(bad["signature"], key, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)
        with pytest.raises(jwt.ExpiredSignatureError):
            jwt.decode(bad["exp"], key, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)
        with pytest.raises(jwt.InvalidAudienceError):
            jwt.decode(bad["aud"], key, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)
        with pytest.raises(jwt.InvalidIssuerError):
            jwt.decode(bad["iss"], key, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)


def _pyjwt_decoder(**options: bool) -> Any:
    import jwt

    key = KEYS["HS256"].secret

    def decode(token: str) -> Any:
        return jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER, options=options)

    return decode


@pytest.mark.parametrize(
    ("options", "accepted"),
    [
        ({"verify_signature": False}, "signature"),
        ({"verify_exp": False}, "exp"),
        ({"verify_aud": False}, "aud"),
        ({"verify_iss": False}, "iss"),
    ],
)
def test_the_gate_refuses_a_decoder_that_skips_a_check(options: dict[str, bool], accepted: str) -> None:
    contender = BY_NAME["PyJWT (key objects)"]
    with pytest.raises(AssertionError, match=f"accepted a token with a bad {accepted}"):
        check_decoder(contender, "HS256", _pyjwt_decoder(**options))
    check_decoder(contender, "HS256", _pyjwt_decoder())  # the fully checking one passes


def test_the_gate_refuses_a_no_op_and_a_wrong_result() -> None:
    contender = BY_NAME["PyJWT (key objects)"]
    with pytest.raises(AssertionError):
        check_decoder(contender, "HS256", lambda token: dict(CLAIMS))
    with pytest.raises(AssertionError, match="decoded"):
        check_decoder(contender, "HS256", lambda token: {"sub": "someone"})


def test_the_gate_refuses_an_encoder_with_the_wrong_key() -> None:
    import jwt

    contender = BY_NAME["PyJWT (key objects)"]
    with pytest.raises(jwt.InvalidSignatureError):
        check_encoder(contender, "HS256", lambda claims: jwt.encode(claims, b"x" * 40, algorithm="HS256"))


def _bench(group: str, library: str, median_s: float) -> dict[str, Any]:
    alg, _, op = group.partition(" ")
    return {
        "group": group,
        "extra_info": {"library": library, "operation": op, "algorithm": alg},
        "stats": {"median": median_s, "min": median_s * 0.9, "rounds": 10},
    }


SAMPLE = {
    "benchmarks": [
        _bench("HS256 decode", "PyJWT (key objects)", 30e-6),
        _bench("HS256 decode", "fastjwt Signer / Verifier", 2e-6),
        _bench("HS256 encode", "fastjwt Signer / Verifier", 1e-6),
        _bench("RS256 decode", "ryjwt (Rust)", 15e-6),
        {
            "group": "middleware",
            "name": "test_asgi_hit",
            "extra_info": {},
            "stats": {"median": 9e-6, "min": 8e-6, "rounds": 3},
        },
    ]
}


def test_report_tables_and_ratios() -> None:
    rows = run.load_rows(SAMPLE)
    assert run.group_order(rows) == ["HS256 encode", "HS256 decode", "RS256 decode", "middleware"]
    other = [r for r in rows if r.group == "middleware"]  # a benchmark without our extra_info: by its test name
    assert [(r.library, r.operation, round(r.median_us, 6)) for r in other] == [("test_asgi_hit", "other", 9.0)]
    text = run.render_text(rows)
    assert "test_asgi_hit" in text.split("middleware")[1]
    decode_table = text.split("HS256 decode")[1].split("RS256 decode")[0]
    lines = [line.split() for line in decode_table.splitlines()[2:] if line.strip()]  # past title and header
    assert lines[0][-2:] == ["2.00", "1.00x"] and lines[1][-2:] == ["30.0", "15.0x"]
    assert text.split("RS256 decode")[1].split("middleware")[0].rstrip().endswith("-")  # no fastjwt row: no ratio
    md = run.render_markdown(rows, label="TEST CPU", core="compiled core", skipped=["x: y"], command="make bench")
    assert "| library | HS256 encode | HS256 decode | RS256 decode |" in md  # the summary has our groups only
    assert "### middleware" in md and "| test_asgi_hit | 9.00 | - |" in md
    assert "| **fastjwt Signer / Verifier** | 1.00 | 2.00 | - |" in md
    assert "| PyJWT (key objects) | 30.0 | 15.0x |" in md
    assert "TEST CPU" in md and "![benchmark chart](bench-chart.png)" in md and "- x: y" in md


def test_skip_reasons_are_collected_once_each() -> None:
    output = (
        "SKIPPED [2] benchmarks/bench_decode.py:24: python-jose: python-jose does not implement PS256\n"
        "SKIPPED [1] benchmarks/bench_encode.py:24: python-jose: python-jose does not implement PS256\n"
        "SKIPPED [5] benchmarks/bench_encode.py:24: ryjwt needs Python >= 3.12 (this is 3.11)\n"
        "5 passed, 8 skipped\n"
    )
    assert run.skipped_reasons(output) == [
        "python-jose: python-jose does not implement PS256",
        "ryjwt needs Python >= 3.12 (this is 3.11)",
    ]


def test_compare_times_every_contender() -> None:
    settings = bars.Settings(rounds=2, batch_seconds=0.001)
    timings = bars.compare({"sum": (sum, [1, 2, 3]), "len": (len, "abc")}, settings)
    assert set(timings) == {"sum", "len"}
    for timing in timings.values():
        assert 0 < timing.best <= timing.median


def test_a_bar_prints_its_ratio_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    code = bars.main(["--quick", "--only", "drop-in"])
    out = capsys.readouterr().out
    verdict = [line for line in out.splitlines() if "HS256 drop-in fastjwt.decode vs PyJWT" in line]
    assert len(verdict) == 1
    status = verdict[0].split()[0]
    assert status in {"PASS", "FAIL"}
    assert code == (1 if status == "FAIL" else 0)
    assert "target >= 15x faster" in out


def test_breakdown_names_every_step_and_adds_up() -> None:
    rows = dict(bars.breakdown("HS256", bars.Settings(rounds=2, batch_seconds=0.001)))
    steps = [
        "b64url_decode(payload)",
        "b64url_decode(signature)",
        "fastjwt._core._json.loads(payload)",
        "cryptography HS256 verify",
    ]
    for step in steps:
        assert rows[step] > 0
    parts = [
        v
        for k, v in rows.items()
        if k
        not in {
            "sum of the steps above",
            "Verifier.decode (whole)",
            "Verifier.decode, cache hit",
            "the rest: dots, header plan, key call, claim checks, result",
        }
    ]
    assert abs(sum(parts) - rows["sum of the steps above"]) < 1e-12
    assert (
        abs(
            rows["Verifier.decode (whole)"]
            - rows["sum of the steps above"]
            - rows["the rest: dots, header plan, key call, claim checks, result"]
        )
        < 1e-12
    )


def test_a_ratio_bar_with_a_floor_says_how_much_of_the_target_it_takes() -> None:
    def slow(_: object) -> int:
        return sum(range(400))

    def fast(_: object) -> int:
        return sum(range(100))

    result = bars.ratio_bar(
        "slow vs fast",
        ("slow", slow, None),
        ("fast", fast, None),
        at_most=0.8,
        settings=bars.Settings(rounds=2, batch_seconds=0.002),
        floor=("half of slow", lambda _: sum(range(200)), None),
    )
    assert result.status == "FAIL"
    floor_line = [line for line in result.detail.splitlines() if "floor, half of slow:" in line]
    assert len(floor_line) == 1
    assert "x fast's time" in floor_line[0] and "of the target's" in floor_line[0]
