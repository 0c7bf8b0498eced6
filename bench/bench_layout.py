"""One flat array against 100 arrays, at the same total size (float32).

Rows: ``one array`` (one optimizer on one buffer), ``FlatParams x100`` (one
optimizer over a FlatParams of 100 arrays: still one kernel call per step) and
``100 optimizers`` (one optimizer per array: 100 calls per step, the layout a
per-tensor loop gives).
"""

from __future__ import annotations

import numpy as np
import pytest

from fastopt import FlatParams, _bench
from fastopt._warmup import OPTIMIZERS
from fastopt.cli import size_label

LAYOUTS = ("one array", "FlatParams x100", "100 optimizers")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", ["adam", "momentum"])
def test_layout(bench, name, size, layout):
    cls = OPTIMIZERS[name]
    param, grad = _bench.problem(size, "float32")
    if layout == "one array":
        opt = cls(param)

        def step():
            opt.step(grad)

    elif layout == "FlatParams x100":
        fp = FlatParams(np.array_split(param, 100))
        fp.grad[...] = grad
        flat = cls(fp)

        def step():
            flat.step()

    else:
        pieces = zip(np.array_split(param, 100), np.array_split(grad, 100), strict=True)
        pairs = [(cls(p.copy()), g.copy()) for p, g in pieces]

        def step():
            for opt, g in pairs:
                opt.step(g)

    bench(
        step,
        group=f"layout {name} float32 n={size_label(size)}",
        n=size,
        bytes_per_element=_bench.bytes_per_element(name, "float32"),
        ceiling=(_bench.streams(name), "float32"),
    )
