"""Each rule against NumPy and the bandwidth ceiling, one group per rule, dtype, size.

Rows: ``fastopt`` (class API: validation + kernel), ``kernel`` (the kernel pair
through fastopt's serial/parallel rule, no validation), ``reference`` (the NumPy
reference, written for clarity), ``inplace`` (careful NumPy: ``out=`` into
preallocated scratch), ``naive`` (textbook NumPy, a temporary per operation) and
``ceiling`` (a trivial in-place kernel moving the same bytes).
"""

from __future__ import annotations

import functools

import pytest

from fastopt import _bench
from fastopt.cli import size_label

NAMES = ("sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad")
ROWS = ("fastopt", "kernel", "reference", "inplace", "naive", "ceiling")

problem = functools.lru_cache(maxsize=1)(_bench.problem)


@pytest.mark.parametrize("impl", ROWS)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rule(bench, dtype, name, size, impl):
    streams = _bench.streams(name)
    if impl == "ceiling":
        step = _bench.ceiling_step(streams, size, dtype, "launch")
    else:
        step = _bench.step_fn(name, impl, *problem(size, dtype))
    bench(
        step,
        group=f"{name} {dtype} n={size_label(size)}",
        n=size,
        bytes_per_element=_bench.bytes_per_element(name, dtype),
        ceiling=(streams, dtype),
    )
