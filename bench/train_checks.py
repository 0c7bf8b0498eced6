"""Cost of the non-finite check and of fused clipping, beside a plain Adam step.

Run: ``python bench/train_checks.py [size] [rounds]`` (default 1e7 float32,
15 rounds).  Variants run interleaved, round after round, so that a noisy
machine slows them alike; the medians are printed side by side.  The gradient
is restored from a copy before every timed call (outside the timing), so that
clip-then-step really scales each time.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import fastopt
from fastopt import _kernels
from fastopt._jit import launch
from fastopt.clip import blocks


def main() -> None:
    size = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    rng = np.random.default_rng(0)
    g0 = rng.standard_normal(size).astype(np.float32)
    g = g0.copy()
    max_norm = 0.5 * float(np.sqrt(np.dot(g0.astype(np.float64), g0)))
    partials = np.empty(blocks(size))

    def adam(**kw: object) -> fastopt.Adam:
        return fastopt.Adam(rng.standard_normal(size).astype(np.float32), lr=1e-6,
                            **kw)  # fmt: skip

    plain, skip, fused, then = adam(), adam(nonfinite="skip"), adam(), adam()
    fused.max_grad_norm = max_norm
    variants = {
        "adam step": lambda: plain.step(g),
        "adam step, nonfinite=skip": lambda: skip.step(g),
        "finite check alone": lambda: launch(
            _kernels.nonfinite_blocks_, size, g, partials
        ),
        "adam step, fused clipping": lambda: fused.step(g),
        "clip_grad_norm, then step": lambda: (
            fastopt.clip_grad_norm(g, max_norm),
            then.step(g),
        ),
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    for r in range(rounds + 1):  # round 0 compiles and warms up
        for name, fn in variants.items():
            np.copyto(g, g0)
            t = time.perf_counter()
            fn()
            if r:
                times[name].append(time.perf_counter() - t)
    base = float(np.median(times["adam step"]))
    print(f"size {size:.0e} float32, median of {rounds} rounds")
    for name, ts in times.items():
        med = float(np.median(ts))
        print(f"  {name:<28} {med * 1e3:7.3f} ms  ({med / base:5.2f} x adam step)")


if __name__ == "__main__":
    main()
