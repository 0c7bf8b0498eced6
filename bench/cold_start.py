"""Cold start: import fastopt and take a first Adam step, in a fresh process.

Run from the repository root (or anywhere fastopt is importable):

    python bench/cold_start.py [--size N] [--dtype float32] [--repeat 5]

Three measurements, each in a new Python process:

- cold: Numba's cache directory (``NUMBA_CACHE_DIR``) is a new empty folder, so
  the first step compiles the Adam kernel;
- warm: the same folder again, now holding the compiled kernel, so the first
  step loads it from disk (the median of ``--repeat`` processes);
- each prints the time to ``import fastopt`` and to the end of the first step,
  measured inside the process, and the parent adds the process's wall time
  (interpreter start-up included).

A size at or above ``fastopt._jit.PARALLEL_THRESHOLD`` (32768) times the
parallel build instead of the serial one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import fastopt
t1 = time.perf_counter()
n, dtype = int(sys.argv[1]), sys.argv[2]
param = np.zeros(n, dtype=dtype)
opt = fastopt.Adam(param, lr=1e-3)
opt.step(np.ones(n, dtype=dtype))
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "step": t2 - t1, "total": t2 - t0}))
"""


def child(cache: str, size: int, dtype: str) -> dict[str, float]:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(size), dtype],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    return {**json.loads(proc.stdout), "process": wall}


def line(label: str, t: dict[str, float]) -> str:
    return (
        f"{label:6} import fastopt {t['import']:6.3f} s   first Adam step "
        f"{t['step']:6.3f} s   import + step {t['total']:6.3f} s   "
        f"process {t['process']:6.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fastopt-numba-cache-") as cache:
        cold = child(cache, args.size, args.dtype)
        warm = [child(cache, args.size, args.dtype) for _ in range(args.repeat)]
    median = {k: statistics.median(t[k] for t in warm) for k in warm[0]}
    print(f"Adam, n={args.size}, {args.dtype}; warm: median of {args.repeat}")
    print(line("cold", cold))
    print(line("warm", median))


if __name__ == "__main__":
    main()
