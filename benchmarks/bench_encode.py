"""Encode benchmarks: every contender signs the same claims with the same key per algorithm.

One pytest-benchmark group per operation ("RS256 encode", ...). Each row's output is checked once (PyJWT verifies it
back to the same claims) before it is timed; rows that cannot run here are skipped with the reason.
"""

from __future__ import annotations

import pytest

from benchmarks.common import ALGORITHMS, CLAIMS
from benchmarks.contenders import BY_NAME, LIBRARIES, Unsupported, prepared

ENCODERS = [c.name for c in LIBRARIES if c.make_encoder is not None]


@pytest.mark.parametrize("library", ENCODERS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_encode(benchmark, algorithm: str, library: str) -> None:  # type: ignore[no-untyped-def]
    """Time one ``encode(claims)`` of ``library`` for ``algorithm``."""
    contender = BY_NAME[library]
    try:
        encode = prepared(contender, "encode", algorithm)
    except Unsupported as exc:
        pytest.skip(str(exc))
    benchmark.group = f"{algorithm} encode"
    benchmark.extra_info.update(library=library, operation="encode", algorithm=algorithm)
    claims = dict(CLAIMS)
    benchmark(encode, claims)
    assert claims == CLAIMS, f"{library} changed the claims it was given"
