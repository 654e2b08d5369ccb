"""Coverage-guided differential fuzzing with atheris (libFuzzer) over fuzz/targets.py.

Usage: .venv/bin/python fuzz/fuzz_atheris.py -max_total_time=60 [-jobs=1] [corpus_dir ...]
(the Makefile's ``make fuzz FUZZ_SECONDS=60`` runs this; it falls back to fuzz_hypothesis.py without atheris).
The pure-Python modules are instrumented for coverage; the compiled core is exercised through them and compared
with its twin. A Finding (or a crash) stops the run and libFuzzer writes the input to ``crash-*``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

with atheris.instrument_imports(include=["fastjwt", "targets"]):
    import targets


def main() -> None:
    """Seed the corpus directory (if given and empty) and hand over to libFuzzer."""
    corpus = [a for a in sys.argv[1:] if not a.startswith("-")]
    for directory in corpus:
        os.makedirs(directory, exist_ok=True)
        if not os.listdir(directory):
            for i, seed in enumerate(targets.seeds()):
                Path(directory, f"seed-{i}").write_bytes(seed)
    atheris.Setup(sys.argv, targets.check_all)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
