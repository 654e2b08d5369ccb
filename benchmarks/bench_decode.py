"""Decode benchmarks: every contender verifies the same token (signature, ``exp``, ``aud``, ``iss``) per algorithm.

One pytest-benchmark group per operation ("HS256 decode", ...). Each row is checked once for correctness before it
is timed (:func:`benchmarks.contenders.check_decoder`); rows that cannot run here are skipped with the reason.
"""

from __future__ import annotations

import pytest

from benchmarks.common import ALGORITHMS, CLAIMS, TOKENS
from benchmarks.contenders import BY_NAME, LIBRARIES, Unsupported, prepared

DECODERS = [c.name for c in LIBRARIES if c.make_decoder is not None]


@pytest.mark.parametrize("library", DECODERS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_decode(benchmark, algorithm: str, library: str) -> None:  # type: ignore[no-untyped-def]
    """Time one ``decode(token)`` of ``library`` for ``algorithm``."""
    contender = BY_NAME[library]
    try:
        decode = prepared(contender, "decode", algorithm)
    except Unsupported as exc:
        pytest.skip(str(exc))
    benchmark.group = f"{algorithm} decode"
    benchmark.extra_info.update(library=library, operation="decode", algorithm=algorithm)
    result = benchmark(decode, TOKENS[algorithm])
    if not contender.floor:
        assert dict(result) == CLAIMS
