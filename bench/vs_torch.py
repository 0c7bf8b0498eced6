"""fastopt against torch.optim, interleaved round by round (needs torch).

Run: ``python bench/vs_torch.py [--sizes 1e3,1e7] [--rounds 60] [--dtype float32]``.

pytest-benchmark times one benchmark after another, so a neighbour that takes
a core for a few seconds slows one row and not the next; on a shared machine
that moves a 1e7-element step by 10-20%.  Here every variant of a rule runs
once per round, in turn, and each round gives a ratio to fastopt's time in the
same round.  The table shows the median time of each variant, the median of
those per-round ratios and its interquartile range: a ratio whose range
straddles 1.0 is not a measured difference.

Variants: fastopt's class API; torch's ``fused=True`` and ``foreach=True``
(each on one flat tensor with the same hyperparameters, with torch's own
thread count); and the bandwidth ceiling, the trivial in-place kernel over the
same buffers (:func:`fastopt._bench.ceiling_step`).  At sizes where one call
takes microseconds, a sample is a batch of calls.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numba
import numpy as np
import torch

import fastopt
from fastopt import _bench
from fastopt.cli import size_label, time_label

RULES = {
    "adam": (fastopt.Adam, torch.optim.Adam, {"lr": 1e-3}),
    "momentum": (fastopt.SGD, torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9}),
}


def variants(name: str, n: int, dtype: str) -> dict[str, Callable[[], object]]:
    ours, theirs, kwargs = RULES[name]
    param, grad = _bench.problem(n, dtype)
    opt = ours(param.copy(), **kwargs)
    out: dict[str, Callable[[], object]] = {"fastopt": lambda: opt.step(grad)}
    for mode in ("fused", "foreach"):
        tensor = torch.from_numpy(param.copy())
        tensor.grad = torch.from_numpy(grad)
        out[f"torch {mode}"] = theirs([tensor], **kwargs, **{mode: True}).step
    for build in ("serial", "parallel"):
        out[f"ceiling {build}"] = _bench.ceiling_step(
            _bench.streams(name), n, dtype, build
        )
    return out


def measure(
    calls: dict[str, Callable[[], object]], rounds: int
) -> dict[str, list[float]]:
    """Seconds per call of each variant, one sample per variant per round."""
    batch = {}
    for key, fn in calls.items():
        fn()  # compiles, or loads from the cache; allocates torch's state
        t0 = time.perf_counter()
        fn()
        batch[key] = max(1, int(2e-3 / max(time.perf_counter() - t0, 1e-9)))
    times: dict[str, list[float]] = {key: [] for key in calls}
    for _ in range(rounds):
        for key, fn in calls.items():
            t0 = time.perf_counter()
            for _ in range(batch[key]):
                fn()
            times[key].append((time.perf_counter() - t0) / batch[key])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e3,1e7")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--rules", default=",".join(RULES))
    args = parser.parse_args()
    print(
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), numba "
        f"threads {numba.get_num_threads()}, {args.dtype}, "
        f"{args.rounds} interleaved rounds"
    )
    print(f"{'rule':9} {'size':>5} {'variant':17} {'median':>9} "
          f"{'x fastopt':>10} {'IQR of ratio':>14}")  # fmt: skip
    for name in args.rules.split(","):
        for n in _bench.parse_sizes(args.sizes):
            times = measure(variants(name, n, args.dtype), args.rounds)
            base = np.array(times["fastopt"])
            for key, ts in times.items():
                ratio = np.array(ts) / base
                q1, q3 = np.percentile(ratio, [25, 75])
                print(f"{name:9} {size_label(n):>5} {key:17} "
                      f"{time_label(float(np.median(ts))):>9} "
                      f"{np.median(ratio):9.2f}x {q1:6.2f}-{q3:<6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
