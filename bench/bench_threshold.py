"""Serial against parallel builds of each kernel around PARALLEL_THRESHOLD.

Both dispatchers of a kernel pair are called directly, on sizes 2^12 to 2^18,
so that the crossover of each rule can be read from its groups
(``fastopt._jit.PARALLEL_THRESHOLD`` is one value, 2^15, for every kernel).
``sumsq`` is the global-norm reduction and ``scale`` the clipping multiply.
"""

from __future__ import annotations

import numpy as np
import pytest

from fastopt import _bench, _kernels
from fastopt._jit import CHUNK

RULES = ("sgd", "momentum", "adam", "rmsprop", "adagrad")

pytestmark = pytest.mark.benchmark(max_time=0.1)


def _call(name, build, n, dtype):
    """The direct call of one build, and the bytes it moves per element."""
    index = ("serial", "parallel").index(build)
    itemsize = np.dtype(dtype).itemsize
    if name == "sumsq":
        x, _ = _bench.problem(n, dtype)
        partials = np.empty(-(-n // CHUNK))
        kernel = _kernels.sumsq_blocks_[index]
        return (lambda: kernel(x, partials)), itemsize
    if name == "scale":
        x = np.ones(n, dtype)
        kernel = _kernels.scale_[index]
        return (lambda: kernel(x, 1.0)), 2 * itemsize
    step = _bench.step_fn(name, build, *_bench.problem(n, dtype))
    return step, _bench.bytes_per_element(name, dtype)


@pytest.mark.parametrize("build", ["serial", "parallel"])
@pytest.mark.parametrize("name", [*RULES, "sumsq", "scale"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_threshold(bench, dtype, name, threshold_size, build):
    step, nbytes = _call(name, build, threshold_size, dtype)
    streams = _bench.streams(name) if name in RULES else None
    bench(
        step,
        group=f"threshold {name} {dtype} n=2^{threshold_size.bit_length() - 1}",
        n=threshold_size,
        bytes_per_element=nbytes,
        ceiling=(streams, dtype) if streams else None,
    )
