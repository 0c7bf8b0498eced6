"""The benchmark suite (pytest-benchmark), run from the repository root.

    pytest --benchmark-only                        # the suite, sizes 1e3, 1e5, 1e7
    pytest --benchmark-only --bench-sizes=1e3,1e5,1e7,3e7
    FASTOPT_BENCH_SIZES=1e7 pytest --benchmark-only -k "adam and float32"
    pytest --benchmark-only --benchmark-json=bench.json

Each benchmark runs for about 0.2 s (``--benchmark-max-time`` changes it).
Without ``--benchmark-only`` (or ``--benchmark-enable``), a plain ``pytest``
runs each benchmark once, untimed, at 1e3 elements: a smoke test that keeps
the suite working without spending minutes on it.

Every timed result carries in ``extra_info`` the elements, the bytes the rule
must move per step, elements/s and GB/s from the median time and, where a
bandwidth ceiling applies, the ceiling's GB/s and the share reached (see
:mod:`fastopt._bench`).  A summary of those is printed at the end of the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from fastopt import _bench
from fastopt.cli import size_label, time_label

SMOKE_SIZE = 1_000
MAX_TIME = "0.2"  # seconds per benchmark, unless --benchmark-max-time says
DEFAULT_SIZES = "1e3,1e5,1e7"
# Around fastopt._jit.PARALLEL_THRESHOLD = 2**15.
THRESHOLD_SIZES = [2**k for k in range(12, 19)]

_RESULTS = pytest.StashKey[list[dict[str, Any]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--bench-sizes",
        default=None,
        help="element counts for the benchmark suite, comma-separated (default: "
        f"$FASTOPT_BENCH_SIZES or {DEFAULT_SIZES}; 3e7 is opt-in)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RESULTS] = []
    sizes(config)  # a bad --bench-sizes stops the run before collection
    # pytest-benchmark's runs each benchmark for a second: 1.0 s x ~450 benchmarks
    # is too long for a default run.  An explicit --benchmark-max-time wins.
    args = config.invocation_params.args
    if not any(str(a).startswith("--benchmark-max-time") for a in args):
        config.option.benchmark_max_time = MAX_TIME


def timed(config: pytest.Config) -> bool:
    """Whether this run times the benchmarks (else: one untimed call each)."""
    return bool(
        config.getoption("benchmark_only") or config.getoption("benchmark_enable")
    )


def sizes(config: pytest.Config) -> list[int]:
    if not timed(config):
        return [SMOKE_SIZE]
    text = (
        config.getoption("--bench-sizes")
        or os.environ.get("FASTOPT_BENCH_SIZES")
        or DEFAULT_SIZES
    )
    try:
        return _bench.parse_sizes(text)
    except ValueError as exc:
        raise pytest.UsageError(f"--bench-sizes / FASTOPT_BENCH_SIZES: {exc}") from exc


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    config = metafunc.config
    if "size" in metafunc.fixturenames:
        metafunc.parametrize("size", sizes(config), ids=size_label)
    if "threshold_size" in metafunc.fixturenames:
        values = THRESHOLD_SIZES if timed(config) else [2**15]
        metafunc.parametrize(
            "threshold_size", values, ids=lambda n: f"2^{n.bit_length() - 1}"
        )


@pytest.fixture
def benchmark(benchmark: Any, request: pytest.FixtureRequest) -> Any:
    """pytest-benchmark's fixture, untimed unless benchmarks were asked for."""
    if not timed(request.config):
        benchmark.disabled = True
    return benchmark


_CEILINGS: dict[tuple[int, int, str], float] = {}


@pytest.fixture
def bench(benchmark: Any, request: pytest.FixtureRequest) -> Callable[..., None]:
    """Warm up, time ``step`` in a group, and record its throughput.

    ``bytes_per_element`` is what the step must move per element; with
    ``ceiling=(streams, dtype)`` the result also records the share of the
    bandwidth ceiling for that many in-place buffers, measured once per run.
    """

    def run(
        step: Callable[[], object],
        *,
        group: str,
        n: int,
        bytes_per_element: int,
        ceiling: tuple[int, str] | None = None,
    ) -> None:
        step()  # compiles (or loads from the disk cache) outside the timing
        benchmark.group = group
        benchmark(step)
        info = benchmark.extra_info
        info["elements"] = n
        info["bytes_per_step"] = n * bytes_per_element
        if benchmark.stats is None:
            return
        median = benchmark.stats.stats.median
        info["elements_per_s"] = n / median
        info["GB/s"] = n * bytes_per_element / median / 1e9
        if ceiling is not None:
            key = (ceiling[0], n, str(np.dtype(ceiling[1])))
            if key not in _CEILINGS:
                _CEILINGS[key] = _bench.ceiling_seconds(*key)
            info["ceiling_GB/s"] = n * bytes_per_element / _CEILINGS[key] / 1e9
            info["share_of_ceiling"] = _CEILINGS[key] / median
        request.config.stash[_RESULTS].append(
            {"group": group, "name": request.node.name, "median": median, **info}
        )

    return run


def pytest_terminal_summary(
    terminalreporter: Any, exitstatus: int, config: pytest.Config
) -> None:
    results = config.stash.get(_RESULTS, [])
    if not results:
        return
    tr = terminalreporter
    tr.section("fastopt throughput (median)")
    tr.write_line(f"{'group':34} {'test':50} {'median':>9} {'GB/s':>7} {'ceiling':>8}")
    for r in sorted(results, key=lambda r: (r["group"], r["median"])):
        share = r.get("share_of_ceiling")
        pct = f"{100 * share:.0f}%" if share is not None else ""
        tr.write_line(
            f"{r['group']:34.34} {r['name']:50.50} {time_label(r['median']):>9} "
            f"{r['GB/s']:7.1f} {pct:>8}"
        )
