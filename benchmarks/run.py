"""Run the benchmark suite and report it: ``make bench`` (``python benchmarks/run.py``).

1. Runs pytest-benchmark over ``benchmarks/bench_*.py`` with JSON output (under ``.benchmarks/``).
2. Prints, per operation ("HS256 decode", ...), each contender's median microseconds per call and its ratio to
   fastjwt's prepared objects (``Signer``/``Verifier``, cache off), plus every skipped contender with the reason.
3. Writes ``docs/bench-chart.png`` (grouped horizontal bars, log scale, labelled with CPU, Python and date) and
   ``docs/benchmarks.md`` (the tables and the chart reference) for the README.

``--quick`` shortens the timing (for a look, not for publishing); ``-k EXPR`` selects benchmarks as pytest does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REFERENCE = "fastjwt Signer / Verifier"
OPERATIONS = ("encode", "decode")
#: the pip distribution behind each contender's import name, for the versions line
DISTRIBUTIONS = {
    "fastjwt": "fastjwt",
    "jwt": "PyJWT",
    "jose": "python-jose",
    "joserfc": "joserfc",
    "authlib": "Authlib",
    "jwcrypto": "jwcrypto",
    "oxyjwt": "oxyjwt",
    "ryjwt": "ryjwt",
    "cryptography": "cryptography",
}


#: fastjwt in blues, PyJWT in greens, the Rust peers in reds, the floor in grey
CHART_COLORS = {
    "fastjwt Verifier (cache hit)": "#08306b",
    "fastjwt Signer / Verifier": "#2171b5",
    "fastjwt drop-in": "#6baed6",
    "PyJWT (PEM/secret per call)": "#a1d99b",
    "PyJWT (key objects)": "#31a354",
    "python-jose": "#fdae6b",
    "joserfc": "#e6550d",
    "authlib": "#9e9ac8",
    "jwcrypto": "#756bb1",
    "oxyjwt (Rust)": "#fc9272",
    "ryjwt (Rust)": "#cb181d",
    "cryptography primitive (floor)": "#636363",
}


@dataclass(frozen=True)
class Row:
    """One timed benchmark: a contender on one operation."""

    group: str
    library: str
    algorithm: str
    operation: str
    median_us: float
    min_us: float
    rounds: int


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_label(when: dt.datetime | None = None) -> str:
    """``CPU, N cores · Python X.Y.Z · OpenSSL … · date``: what the numbers were measured on."""
    from cryptography.hazmat.backends.openssl.backend import backend

    when = when or dt.datetime.now(dt.timezone.utc)
    return (
        f"{cpu_model()}, {os.cpu_count()} cores · {platform.python_implementation()} {platform.python_version()} · "
        f"{backend.openssl_version_text()} · {when:%Y-%m-%d}"
    )


def versions() -> dict[str, str]:
    """Installed version of each contender's distribution (``-`` where absent)."""
    from importlib import metadata

    found = {}
    for dist in DISTRIBUTIONS.values():
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "-"
    return found


def fastjwt_core() -> str:
    """Which fastjwt core the run used: compiled or the pure-Python twin."""
    try:
        import fastjwt
    except ImportError:
        return "not importable"
    flag = getattr(fastjwt, "HAS_EXTENSION", None)
    if flag is None:
        return "unknown (no HAS_EXTENSION)"
    return "compiled core" if flag else "pure-Python core"


def load_rows(results: dict[str, Any]) -> list[Row]:
    """The rows of a pytest-benchmark JSON document (only benchmarks that carry our ``extra_info``)."""
    rows = []
    for bench in results.get("benchmarks", []):
        info = bench.get("extra_info", {})
        stats = bench["stats"]
        if "library" in info:
            group, library = bench.get("group") or f"{info['algorithm']} {info['operation']}", info["library"]
            algorithm, operation = info["algorithm"], info["operation"]
        else:  # a benchmark module that is not a contender matrix (e.g. the middleware's): reported by its test name
            group, library, algorithm, operation = bench.get("group") or "other", bench["name"], "", "other"
        rows.append(
            Row(
                group=group,
                library=library,
                algorithm=algorithm,
                operation=operation,
                median_us=stats["median"] * 1e6,
                min_us=stats["min"] * 1e6,
                rounds=stats["rounds"],
            )
        )
    return rows


def group_order(rows: list[Row]) -> list[str]:
    """Groups ordered encode then decode, algorithms in the suite's order."""
    from benchmarks.common import ALGORITHMS

    def key(group: str) -> tuple[int, int, str]:
        alg, _, op = group.partition(" ")
        return (
            OPERATIONS.index(op) if op in OPERATIONS else len(OPERATIONS),
            ALGORITHMS.index(alg) if alg in ALGORITHMS else len(ALGORITHMS),
            group,
        )

    return sorted({r.group for r in rows}, key=key)


def format_us(value: float) -> str:
    """Microseconds with about three significant digits."""
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio_text(value: float, reference: float | None) -> str:
    """``t / t_fastjwt`` as ``12.3x``, or ``-`` without a reference row."""
    if not reference:
        return "-"
    ratio = value / reference
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"


def group_tables(rows: list[Row]) -> dict[str, list[tuple[Row, str]]]:
    """Per group, rows sorted fastest first, each with its ratio to the fastjwt reference row."""
    by_group: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_group[row.group].append(row)
    tables = {}
    for group in group_order(rows):
        members = sorted(by_group[group], key=lambda r: r.median_us)
        ref = next((r.median_us for r in members if r.library == REFERENCE), None)
        tables[group] = [(r, ratio_text(r.median_us, ref)) for r in members]
    return tables


def render_text(rows: list[Row]) -> str:
    """The terminal report: one table per operation."""
    out = []
    for group, members in group_tables(rows).items():
        width = max(len(r.library) for r, _ in members)
        out.append(f"\n{group}  (median us per call; ratio = time / {REFERENCE})")
        out.append(f"  {'library'.ljust(width)}  {'us/call':>10}  {'ratio':>8}")
        for row, ratio in members:
            out.append(f"  {row.library.ljust(width)}  {format_us(row.median_us):>10}  {ratio:>8}")
    return "\n".join(out)


def render_markdown(rows: list[Row], *, label: str, core: str, skipped: list[str], command: str) -> str:
    """``docs/benchmarks.md``: a summary table (us per call), one table per operation with ratios, and notes."""
    from benchmarks.contenders import LIBRARIES

    groups = group_order([r for r in rows if r.operation in OPERATIONS])
    times = {(r.library, r.group): r.median_us for r in rows}
    libraries = [c.name for c in LIBRARIES if any((c.name, g) in times for g in groups)]
    lines = [
        "# Benchmarks",
        "",
        "<!-- generated by benchmarks/run.py (`make bench`); do not edit by hand -->",
        "",
        f"Measured on {label}; fastjwt on its {core}. Median microseconds per call (lower is better), every",
        "contender in one process on the same keys and tokens; each decode checks the signature, `exp`, `aud` and",
        "`iss`, and was checked once (expected claims back; tampered, expired, wrong-`aud` and wrong-`iss` tokens",
        f"rejected) before it was timed. Reproduce with `{command}`.",
        "",
        "![benchmark chart](bench-chart.png)",
        "",
        "| library | " + " | ".join(groups) + " |",
        "|---|" + "---:|" * len(groups),
    ]
    for lib in libraries:
        cells = [format_us(times[(lib, g)]) if (lib, g) in times else "-" for g in groups]
        name = f"**{lib}**" if lib.startswith("fastjwt") else lib
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", f"## Per operation (ratio = time / {REFERENCE}; below 1 is faster than fastjwt)", ""]
    for group, members in group_tables(rows).items():
        lines += [f"### {group}", "", "| library | us/call | ratio |", "|---|---:|---:|"]
        for row, ratio in members:
            lines.append(f"| {row.library} | {format_us(row.median_us)} | {ratio} |")
        lines.append("")
    lines += ["## Contenders", "", "| library | how it is called |", "|---|---|"]
    for contender in LIBRARIES:
        lines.append(f"| {contender.name} | {contender.note} |")
    lines += [
        "",
        "## Method",
        "",
        "- `make bench` (`python benchmarks/run.py`) runs pytest-benchmark over `benchmarks/bench_*.py`: at least 5",
        "  rounds and 0.4 s per benchmark, 200 warm-up iterations, garbage collector off; the median is reported.",
        "  Keys: RSA-2048 (RS256 and PS256 share it), P-256, Ed25519, a 41-byte HMAC secret; a 7-claim payload.",
        "- Keys are prepared the fastest way each library offers (key objects, imported JWKs); the rows that say",
        "  so pass PEM strings or the secret on every call, as most PyJWT users do.",
        "- ryjwt installs on Python >= 3.12 only: `make bench PYTHON=python3.12 VENV=.venv312` includes it.",
        "- The ratio bars of issue 3 (fastjwt vs ryjwt, vs PyJWT, vs the `cryptography` floor, cache, threads,",
        "  payload size) are measured by `make bars` (`python benchmarks/bars.py`): interleaved batches in one",
        "  process, best of 15 rounds, PASS or FAIL per bar.",
        "- Requests per second through the ASGI middleware, in uvicorn: `python benchmarks/bench_middleware.py`.",
    ]
    if skipped:
        lines += ["", "## Not measured here", ""]
        lines += [f"- {reason}" for reason in skipped]
    lines.append("")
    return "\n".join(lines)


def render_chart(rows: list[Row], path: Path, *, label: str, core: str) -> None:
    """Grouped horizontal bars on a log scale: one panel per operation, one group per algorithm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.common import ALGORITHMS
    from benchmarks.contenders import LIBRARIES

    rows = [r for r in rows if r.operation in OPERATIONS]
    present = {r.library for r in rows}
    libraries = [c.name for c in LIBRARIES if c.name in present]
    colors = {lib: CHART_COLORS.get(lib, "#999999") for lib in libraries}
    times = {(r.library, r.operation, r.algorithm): r.median_us for r in rows}
    operations = [op for op in OPERATIONS if any(r.operation == op for r in rows)]
    algorithms = [a for a in ALGORITHMS if any(r.algorithm == a for r in rows)]
    bar = 0.8 / max(len(libraries), 1)
    height = max(6.0, 0.16 * len(libraries) * len(algorithms) + 2.5)
    fig, axes = plt.subplots(1, len(operations), figsize=(16, height), sharey=True, squeeze=False)
    for ax, op in zip(axes[0], operations, strict=True):
        for j, lib in enumerate(libraries):
            ys, xs = [], []
            for i, alg in enumerate(algorithms):
                if (lib, op, alg) in times:
                    ys.append(i + (j - (len(libraries) - 1) / 2) * bar)
                    xs.append(times[(lib, op, alg)])
            if not xs:
                continue
            ax.barh(
                ys,
                xs,
                height=bar * 0.95,
                color=colors[lib],
                label=lib,
                edgecolor="black" if lib.startswith("fastjwt") else "none",
                linewidth=0.6,
            )
            for y, x in zip(ys, xs, strict=True):
                ax.text(x * 1.04, y, format_us(x), va="center", fontsize=6)
        ax.set_xscale("log")
        ax.set_title(f"{op} (us per call, log scale; lower is better)")
        ax.set_yticks(range(len(algorithms)), algorithms)
        ax.grid(axis="x", which="both", alpha=0.3)
        ax.set_xlim(right=ax.get_xlim()[1] * 3)
    axes[0][0].invert_yaxis()  # shared y: first algorithm and first library on top; inverting each panel undoes it
    handles, labels = axes[0][0].get_legend_handles_labels()
    seen = dict(zip(labels, handles, strict=True))
    for ax in axes[0][1:]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, h)
    ordered = [lib for lib in libraries if lib in seen]
    fig.legend([seen[lib] for lib in ordered], ordered, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle(f"fastjwt vs peers: {label}\nfastjwt on its {core}", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def skipped_reasons(pytest_output: str) -> list[str]:
    """The distinct reasons in pytest's ``-rs`` summary (``SKIPPED [3] benchmarks/bench_decode.py:24: reason``)."""
    reasons: list[str] = []
    for line in pytest_output.splitlines():
        if line.startswith("SKIPPED"):
            _, _, rest = line.partition("] ")
            reason = rest.split(": ", 1)[-1].strip()
            if reason not in reasons:
                reasons.append(reason)
    return reasons


def run_pytest(files: list[Path], json_path: Path, log_path: Path, *, quick: bool, select: str | None) -> int:
    """pytest-benchmark over ``files``; its output goes to ``log_path``; returns pytest's exit code."""
    timing = (
        ["--benchmark-min-rounds=3", "--benchmark-max-time=0.05"]
        if quick
        else ["--benchmark-min-rounds=5", "--benchmark-max-time=0.4"]
    )
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", "-p", "no:warnings",
        "--benchmark-enable", "--benchmark-disable-gc", "--benchmark-warmup=on", "--benchmark-warmup-iterations=200",
        f"--benchmark-json={json_path}", *timing, *([f"-k={select}"] if select else []), *map(str, files),
    ]  # fmt: skip
    json_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        return subprocess.call(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``make bench``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short timings, for a look only")
    parser.add_argument("-k", dest="select", help="pytest -k expression selecting benchmarks")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="where benchmarks.md and the chart go")
    parser.add_argument("--no-docs", action="store_true", help="print the tables only")
    parser.add_argument("--from-json", type=Path, help="report an earlier run's JSON instead of running")
    args = parser.parse_args(argv)

    from benchmarks.contenders import LIBRARIES

    failures: list[str] = []
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    json_path = args.from_json or ROOT / ".benchmarks" / f"results-{tag}.json"
    log_path = ROOT / ".benchmarks" / f"pytest-{tag}.log"
    label = machine_label()
    core = fastjwt_core()
    print(f"machine: {label}")
    print(f"fastjwt: {core}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    skipped: list[str] = []
    unavailable: set[str] = set()
    for contender in LIBRARIES:
        reason = contender.unavailable()
        if reason:
            unavailable.add(reason)
            skipped.append(f"{contender.name}: {reason}")
            print(f"skipping {contender.name}: {reason}")

    if args.from_json is None:
        # pytest-benchmark modules only: a bench_*.py without test functions is a script of its own (the middleware's)
        files = [f for f in sorted((ROOT / "benchmarks").glob("bench_*.py")) if "def test_" in f.read_text()]
        print(f"running {', '.join(f.name for f in files)} (log: {log_path.relative_to(ROOT)}) ...", flush=True)
        code = run_pytest(files, json_path, log_path, quick=args.quick, select=args.select)
        output = log_path.read_text()
        if code not in (0, 1):  # 1: some benchmark failed; the others are still reported below
            print(output[-4000:])
            print(f"pytest could not run the benchmarks (exit {code}); see {log_path}")
            return code or 1
        failures = [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))]
        for line in failures:
            print(line)
        for reason in skipped_reasons(output):
            if reason not in unavailable:
                skipped.append(reason)
                print(f"skipped: {reason}")

    rows = load_rows(json.loads(json_path.read_text()))
    if not rows:
        print("no benchmark results")
        return 1
    print(render_text(rows))
    if not args.no_docs:
        command = "make bench" if sys.version_info < (3, 12) else ("make bench PYTHON=python3.12 VENV=.venv312")
        md = render_markdown(rows, label=label, core=core, skipped=skipped, command=command)
        args.docs.mkdir(parents=True, exist_ok=True)
        (args.docs / "benchmarks.md").write_text(md)
        try:
            render_chart(rows, args.docs / "bench-chart.png", label=label, core=core)
        except ImportError as exc:
            print(f"no chart: {exc} (pip install -r benchmarks/requirements.txt)")
        else:
            print(f"\nwrote {args.docs / 'benchmarks.md'} and {args.docs / 'bench-chart.png'}")
    if args.from_json is None and failures:
        print(f"{len(failures)} benchmark(s) failed; see {log_path}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
