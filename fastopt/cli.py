"""The ``fastopt`` command: ``fastopt bench``, ``fastopt compare``, ``fastopt warmup``.

Installed as a console script and run by ``python -m fastopt``.  Results go to
stdout, progress and errors to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "compare":
        return _compare(args[1:])
    parser = _parser()
    ns = parser.parse_args(args)
    if ns.command is None:
        parser.print_help()
        return 0
    command: Callable[[argparse.Namespace, argparse.ArgumentParser], int] = ns.run
    return command(ns, ns.parser)


def _parser() -> argparse.ArgumentParser:
    from fastopt import __version__
    from fastopt._bench import DEFAULT_OPTIMIZERS, DEFAULT_SIZES
    from fastopt._warmup import OPTIMIZERS

    parser = argparse.ArgumentParser(
        prog="fastopt",
        description="Fused, in-place Numba optimizer updates: benchmarks and tools.",
    )
    parser.add_argument("--version", action="version", version=f"fastopt {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    bench = commands.add_parser(
        "bench",
        help="time the update rules against NumPy and a bandwidth ceiling",
        description=(
            "Time each optimizer's step (class API) against the in-place NumPy "
            "reference, the textbook NumPy form, and a trivial in-place kernel "
            "that moves the same bytes (the ceiling), all in this run."
        ),
    )
    bench.add_argument(
        "--optimizers", type=_names, default=list(DEFAULT_OPTIMIZERS),
        help=f"comma-separated, among {','.join(OPTIMIZERS)} "
        f"(default: {','.join(DEFAULT_OPTIMIZERS)})",
    )  # fmt: skip
    bench.add_argument(
        "--sizes", type=_sizes, default=list(DEFAULT_SIZES),
        help="comma-separated element counts (default: 1e3,1e5,1e7)",
    )  # fmt: skip
    bench.add_argument(
        "--dtype", type=_dtypes, default=["float32"],
        help="float32, float64 or both, comma-separated (default: float32)",
    )  # fmt: skip
    bench.add_argument(
        "--threads", type=_positive, default=None,
        help="Numba threads for the parallel kernels (default: Numba's default)",
    )  # fmt: skip
    bench.add_argument(
        "--repeat", type=_positive, default=5,
        help="timed samples per measurement; the median is shown (default: 5)",
    )  # fmt: skip
    bench.add_argument("--json", metavar="PATH", help="also write the results here")
    bench.set_defaults(run=_bench, parser=bench)

    commands.add_parser(
        "compare",
        help="run fastopt.compare (arguments: see `fastopt compare --help`)",
        add_help=False,
    )

    warm = commands.add_parser(
        "warmup",
        help="compile the kernels now (or load them from the disk cache)",
        description="Compile kernels ahead of the first step: fastopt.warmup().",
    )
    warm.add_argument(
        "--optimizers", type=_names, default=None,
        help=f"comma-separated, among {','.join(OPTIMIZERS)} (default: all)",
    )  # fmt: skip
    warm.add_argument(
        "--dtype", type=_dtypes, default=["float32"],
        help="float32, float64 or both, comma-separated (default: float32)",
    )  # fmt: skip
    warm.add_argument(
        "--serial-only", action="store_true", help="skip the parallel builds"
    )
    warm.set_defaults(run=_warmup, parser=warm)
    return parser


# -- option types: each raises ArgumentTypeError with the accepted values ----------


def _names(text: str) -> list[str]:
    from fastopt._warmup import check_optimizers

    try:
        return check_optimizers(text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("optimizers: ", "")) from exc


def _sizes(text: str) -> list[int]:
    from fastopt._bench import parse_sizes

    try:
        return parse_sizes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("sizes: ", "")) from exc


def _dtypes(text: str) -> list[str]:
    from fastopt._warmup import check_dtypes

    try:
        return [d.name for d in check_dtypes(text.split(","))]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("dtypes: ", "")) from exc


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {text!r}; accepted: an int >= 1")
    return value


# -- commands ---------------------------------------------------------------------


def _bench(ns: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import numba

    from fastopt import _bench

    if ns.threads is not None:
        most = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
        if ns.threads > most:
            parser.error(
                f"argument --threads: got {ns.threads}; accepted: 1 to {most} "
                "(numba.config.NUMBA_NUM_THREADS)"
            )
        numba.set_num_threads(ns.threads)

    def progress(line: str) -> None:
        print(f"fastopt bench: {line}", file=sys.stderr, flush=True)

    rows = _bench.run(ns.optimizers, ns.sizes, ns.dtype, ns.repeat, progress)
    print(format_table(rows))
    if ns.json:
        with open(ns.json, "w", encoding="utf-8") as f:
            json.dump(_report(rows, ns.repeat), f, indent=2)
            f.write("\n")
        print(f"fastopt bench: results written to {ns.json}", file=sys.stderr)
    return 0


def _warmup(ns: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import time

    from fastopt._warmup import warmup

    t0 = time.perf_counter()
    done = warmup(ns.optimizers, ns.dtype, parallel=not ns.serial_only)
    for line in done:
        print(line)
    elapsed = time.perf_counter() - t0
    print(f"fastopt warmup: {len(done)} kernels in {elapsed:.1f} s", file=sys.stderr)
    return 0


def _compare(argv: list[str]) -> int:
    try:
        compare = importlib.import_module("fastopt.compare")
    except ModuleNotFoundError as exc:
        if exc.name != "fastopt.compare":
            raise
        print(
            "fastopt compare: not available in this installation (the module "
            "fastopt.compare is missing); available commands: bench, warmup",
            file=sys.stderr,
        )
        return 2
    status = compare.main(argv)
    return int(status or 0)


# -- output -----------------------------------------------------------------------

LABELS = {"sgd": "SGD", "momentum": "SGD-momentum", "nesterov": "Nesterov",
          "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
          "adagrad": "Adagrad"}  # fmt: skip


def format_table(rows: Sequence[Any]) -> str:
    """The bench results as an aligned text table, one line per row."""
    header = ("optimizer", "dtype", "size", "step", "GB/s", "% ceiling",
              "vs reference", "vs in-place", "vs naive")  # fmt: skip
    lines = [header]
    for r in rows:
        lines.append((
            LABELS.get(r.optimizer, r.optimizer), r.dtype, size_label(r.size),
            time_label(r.seconds), f"{r.gb_per_s:.1f}",
            f"{100 * r.share_of_ceiling:.0f}%", f"{r.speedup_reference:.1f}x",
            f"{r.speedup_inplace:.1f}x", f"{r.speedup_naive:.1f}x",
        ))  # fmt: skip
    widths = [max(len(line[k]) for line in lines) for k in range(len(header))]
    out = []
    for line in lines:
        cells = [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
        cells += [cell.rjust(w) for cell, w in zip(line[2:], widths[2:], strict=True)]
        out.append("  ".join(cells))
    out.insert(1, "-" * len(out[0]))
    out.append("")
    out.append(
        "step: median time per step (class API); GB/s: bytes the rule must move "
        "(read grad and each buffer, write each buffer) per second; % ceiling: of "
        "a trivial in-place kernel moving the same bytes, measured in this run; "
        "vs reference / in-place / naive: speed-up over the NumPy reference "
        "(fastopt.reference, written for clarity), a careful in-place NumPy form "
        "(out= into preallocated scratch, no allocation) and the textbook NumPy "
        "form (a new array per operation)."
    )
    return "\n".join(out)


def size_label(n: int) -> str:
    """``1e7`` for 10_000_000, ``3e7`` for 30_000_000, else the digits."""
    exponent = len(str(n)) - 1
    mantissa, rest = divmod(n, 10**exponent)
    if exponent >= 3 and rest == 0:
        return f"{mantissa}e{exponent}"
    return str(n)


def time_label(seconds: float) -> str:
    """A time with a unit that keeps three significant figures readable."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _report(rows: Sequence[Any], repeat: int) -> dict[str, Any]:
    import numba
    import numpy

    from fastopt import __version__
    from fastopt._jit import PARALLEL_THRESHOLD

    return {
        "fastopt": __version__,
        "numba": numba.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "threads": numba.get_num_threads(),
        "parallel_threshold": PARALLEL_THRESHOLD,
        "repeat": repeat,
        "results": [r.as_dict() for r in rows],
    }
