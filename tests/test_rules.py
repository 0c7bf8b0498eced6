"""Every kernel against the NumPy reference, over many steps, options and sizes."""

from __future__ import annotations

import numpy as np
import pytest

import fastopt
from tests.cases import SIZES, TOL, Reference, all_options, option_id

OPTIONS = all_options()
STEPS = 200


def _assert_same(opt: fastopt.Optimizer, ref: Reference, dtype: np.dtype) -> None:
    params = opt.params
    got = params.data if isinstance(params, fastopt.FlatParams) else params
    np.testing.assert_allclose(got.reshape(-1), ref.param, **TOL[dtype])
    assert set(opt.state) == set(ref.state)
    for k in opt.state:
        np.testing.assert_allclose(opt.state[k], ref.state[k], **TOL[dtype], err_msg=k)


def _grads(rng: np.random.Generator, n: int, dtype: np.dtype, steps: int):
    # Gradients of mixed scales, with exact zeros, so that every branch of the
    # rules (eps dominating, large moments) is exercised.
    for t in range(steps):
        g = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 1)
        g[rng.random(n) < 0.05] = 0.0
        yield t, g.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize(
    ("case", "opts"), OPTIONS, ids=[option_id(c, o) for c, o in OPTIONS]
)
def test_kernel_matches_reference(case, opts, dtype):
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(abs(hash(option_id(case, opts))) % 2**32)
    for n in SIZES[:4]:
        param = rng.standard_normal(n).astype(dtype)
        opt = case.cls(param, **opts)
        ref = Reference(opt, case, opts)
        for _, g in _grads(rng, n, dtype, STEPS):
            opt.step(g)
            ref.step(g)
        _assert_same(opt, ref, dtype)
        assert opt.step_count == STEPS


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize(
    ("case", "opts"), OPTIONS, ids=[option_id(c, o) for c, o in OPTIONS]
)
def test_parallel_path_matches_reference(case, opts, dtype):
    dtype = np.dtype(dtype)
    n = SIZES[-1]
    assert n >= fastopt._jit.PARALLEL_THRESHOLD
    rng = np.random.default_rng(7)
    param = rng.standard_normal((n // 7, 7)).astype(dtype)  # any shape works
    opt = case.cls(param, **opts)
    ref = Reference(opt, case, opts)
    for _, g in _grads(rng, param.size, dtype, 30):
        opt.step(g.reshape(param.shape))
        ref.step(g)
    _assert_same(opt, ref, dtype)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_groups_in_one_pass_match_reference(name, dtype):
    from tests.cases import CASE_BY_NAME

    case = CASE_BY_NAME[name]
    rng = np.random.default_rng(3)
    shapes = [(3, 5), (0,), (1,), (40_000,), (17, 2), (6,)]
    fp = fastopt.FlatParams([rng.standard_normal(s) for s in shapes], dtype=dtype)
    overrides = {
        "SGD": [{"lr": 0.01, "weight_decay": 0.2}, {"momentum": 0.5}],
        "Adam": [{"lr": 0.02, "betas": (0.8, 0.99)}, {"eps": 1e-3}],
        "AdamW": [{"weight_decay": 0.0}, {"lr": 0.05, "weight_decay": 0.3}],
        "RMSprop": [{"alpha": 0.9, "momentum": 0.5}, {"lr": 0.001}],
        "Adagrad": [{"lr_decay": 0.1, "initial_accumulator_value": 0.3}, {"eps": 1e-3}],
    }[name]
    groups = [
        {"params": [3, "0"], **overrides[0]},
        {"params": [fp.params[4]], **overrides[1]},
    ]
    base = {"SGD": {"momentum": 0.9, "weight_decay": 0.01}}.get(name, {})
    opt = case.cls(fp, groups=groups, **base)
    assert [g["params"] for g in opt.param_groups] == [[3, 0], [4], [1, 2, 5]]
    ref = Reference(opt, case, {})
    for _, g in _grads(rng, fp.size, np.dtype(dtype), 50):
        fp.grad[...] = g
        opt.step()
        ref.step(g)
    _assert_same(opt, ref, np.dtype(dtype))


def test_float64_is_bit_identical_to_reference():
    # The kernels mirror the reference operation for operation; in float64
    # nothing but the operation order could make them differ.
    from tests.cases import CASES

    rng = np.random.default_rng(11)
    for case in CASES:
        for opts in case.options():
            param = rng.standard_normal(257)
            opt = case.cls(param, **opts)
            ref = Reference(opt, case, opts)
            for _, g in _grads(rng, 257, np.dtype(np.float64), 20):
                opt.step(g)
                ref.step(g)
            assert np.array_equal(param, ref.param), option_id(case, opts)
