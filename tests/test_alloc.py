"""No hidden allocations: a step allocates nothing the size of the buffers, and
the state holds exactly the buffers its rule needs.

tracemalloc sees NumPy's array data and, through the allocator Numba's runtime
uses, arrays allocated inside compiled code (checked below), so a temporary
the size of the parameters, in Python or in a kernel, shows up in the peak.
"""

from __future__ import annotations

import tracemalloc

import numba
import numpy as np
import pytest

import fastopt
from fastopt import _jit, _kernels

requires_jit = pytest.mark.skipif(
    numba.config.DISABLE_JIT, reason="measures the compiled kernels' allocations"
)

N = 10_000_000
LIMIT = 1 << 20  # bytes: far below one float32 buffer (40 MB)

# (id, constructor, number of state buffers the rule needs)
RULES = [
    ("SGD", lambda p: fastopt.SGD(p, lr=0.01), 0),
    ("SGD momentum", lambda p: fastopt.SGD(p, lr=0.01, momentum=0.9), 1),
    ("Nesterov", lambda p: fastopt.Nesterov(p, lr=0.01), 1),
    ("Adam", lambda p: fastopt.Adam(p), 2),
    ("Adam amsgrad", lambda p: fastopt.Adam(p, amsgrad=True), 3),
    ("AdamW", lambda p: fastopt.AdamW(p), 2),
    ("AdamW amsgrad", lambda p: fastopt.AdamW(p, amsgrad=True), 3),
    ("RMSprop", lambda p: fastopt.RMSprop(p), 1),
    ("RMSprop momentum", lambda p: fastopt.RMSprop(p, momentum=0.9), 2),
    ("RMSprop centered", lambda p: fastopt.RMSprop(p, momentum=0.9, centered=True), 3),
    ("Adagrad", lambda p: fastopt.Adagrad(p), 1),
    ("Adam maximize", lambda p: fastopt.Adam(p, maximize=True), 2),
]  # fmt: skip


@pytest.fixture(scope="module")
def buffers():
    rng = np.random.default_rng(0)
    return rng.standard_normal(N, np.float32), rng.standard_normal(N, np.float32)


@requires_jit
@pytest.mark.parametrize(
    ("make", "n_state"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_steps_allocate_nothing_of_buffer_size(buffers, make, n_state):
    param, grad = buffers
    p = param.copy()
    tracemalloc.start()
    try:
        opt = make(p)
        built = tracemalloc.get_traced_memory()[1]
        opt.step(grad)  # warm-up: compilation or cache loading allocates
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(3):
            opt.step(grad)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert N >= _jit.PARALLEL_THRESHOLD  # the parallel path is the one measured
    assert peak < LIMIT, f"a step allocated {peak} bytes at peak"
    # Construction allocates the state buffers and nothing else of that size.
    state_bytes = n_state * N * 4
    assert state_bytes <= built < state_bytes + LIMIT


@pytest.mark.parametrize(
    ("make", "n_state"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_state_is_what_the_rule_needs(make, n_state, dtype):
    p = np.ones(1001, dtype)
    opt = make(p)
    assert len(opt.state) == n_state
    for buf in opt.state.values():
        assert buf.dtype == dtype and buf.shape == (1001,) and buf.flags.c_contiguous
        assert not np.may_share_memory(buf, p)
    assert sum(b.nbytes for b in opt.state.values()) == n_state * p.nbytes


@requires_jit
def test_norm_allocates_only_its_partials(buffers):
    x, _ = buffers
    partials = np.empty(-(-N // _jit.CHUNK))
    _jit.launch(_kernels.sumsq_blocks_, N, x, partials)
    tracemalloc.start()
    try:
        _jit.launch(_kernels.sumsq_blocks_, N, x, partials)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < LIMIT


def test_tracemalloc_sees_allocations_inside_compiled_code():
    # Guards the method: if Numba's allocations went unseen, the limits above
    # would prove nothing.
    @numba.njit
    def allocate(n):
        a = np.empty(n)
        a[0] = 1.0
        return a[0]

    allocate(10)
    tracemalloc.start()
    try:
        allocate(N)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak >= 8 * N
