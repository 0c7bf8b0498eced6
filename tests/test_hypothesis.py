"""Property tests: every kernel, through its class, against the NumPy reference
on hostile values (zeros, signed zeros, subnormals, the largest and smallest
magnitudes, and in one test NaN and Inf), random sizes and option sets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastopt import _jit, _kernels, reference
from tests.cases import TOL, Reference, all_options, option_id

OPTIONS = all_options()
SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Sizes: empty, tiny, odd, and one above the parallel threshold (a short drawn
# pattern is tiled up to the size, so large sizes cost nothing to generate).
SIZES = st.sampled_from([0, 1, 2, 3, 7, 64, 257, 1000, _jit.PARALLEL_THRESHOLD + 3])
LRS = st.sampled_from([0.0, 5e-324, 1e-8, 1e-3, 0.1, 1.0, 10.0, 1e6])


def _values(dtype, finite: bool):
    width = 32 if dtype == np.float32 else 64
    if finite:
        elements = st.floats(allow_nan=False, allow_infinity=False, width=width)
    else:
        elements = st.one_of(
            st.floats(width=width),
            st.sampled_from([np.nan, np.inf, -np.inf]),
        )
    return hnp.arrays(dtype, st.integers(1, 24), elements=elements)


@st.composite
def problems(draw, dtype, finite=True):
    """(case, opts, params, [grads]) with hostile values."""
    case, opts = draw(st.sampled_from(OPTIONS))
    opts = {**opts, "lr": draw(LRS)}
    n = draw(SIZES)
    values = _values(dtype, finite)
    params = np.resize(draw(values), n)
    steps = draw(st.integers(1, 4))
    grads = [np.resize(draw(values), n) for _ in range(steps)]
    return case, opts, params, grads


def _run(case, opts, params, grads):
    with np.errstate(all="ignore"):  # overflow to Inf is expected here
        opt = case.cls(params.copy(), **opts)
        ref = Reference(opt, case, opts)
        for g in grads:
            opt.step(g)
            ref.step(g)
    return opt, ref


def _assert_agree(opt, ref, dtype, exact):
    label = option_id(ref.case, ref.opts)
    pairs = [(opt.params.reshape(-1), ref.param)]
    pairs += [(opt.state[k], ref.state[k]) for k in sorted(opt.state)]
    for got, want in pairs:
        if exact:
            assert np.array_equal(got, want, equal_nan=True), label
        else:
            np.testing.assert_allclose(got, want, **TOL[dtype], equal_nan=True)


@SETTINGS
@given(problems(np.float64))
def test_float64_matches_reference_on_hostile_finite_values(problem):
    case, opts, params, grads = problem
    opt, ref = _run(case, opts, params, grads)
    _assert_agree(opt, ref, np.dtype(np.float64), exact=True)


@SETTINGS
@given(problems(np.float32))
def test_float32_matches_reference_on_hostile_finite_values(problem):
    case, opts, params, grads = problem
    opt, ref = _run(case, opts, params, grads)
    _assert_agree(opt, ref, np.dtype(np.float32), exact=False)


@SETTINGS
@given(problems(np.float64, finite=False))
def test_nan_and_inf_propagate_as_in_the_reference(problem):
    case, opts, params, grads = problem
    opt, ref = _run(case, opts, params, grads)
    _assert_agree(opt, ref, np.dtype(np.float64), exact=True)


@SETTINGS
@given(
    st.sampled_from([np.float32, np.float64]),
    st.sampled_from([0, 1, 5, _jit.CHUNK - 1, _jit.CHUNK + 1, 3 * _jit.CHUNK + 7]),
    st.data(),
)
def test_blocked_norm_matches_reference(dtype, n, data):
    # The global norm as clipping computes it: block sums of squares in float64.
    x = np.resize(data.draw(_values(dtype, finite=False)), n)
    partials = np.empty(-(-n // _jit.CHUNK))
    _jit.launch(_kernels.sumsq_blocks_, n, x, partials)
    with np.errstate(all="ignore"):
        got = float(np.sqrt(partials.sum()))
        want = reference.global_norm(x)
    if np.isfinite(want):
        assert got == pytest.approx(want, rel=1e-12, abs=0.0)
    else:
        assert not np.isfinite(got) and np.isnan(got) == np.isnan(want)
