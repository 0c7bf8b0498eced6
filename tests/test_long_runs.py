"""Long runs: the step count is an exact integer, and bias corrections stay
accurate after millions (or trillions) of steps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fastopt.optim._base import MAX_STEP
from tests.cases import Reference, all_options, option_id
from tests.snapshot import assert_unchanged, snapshot

OPTIONS = all_options()


def _resume_at(case, opts, step, n=257, seed=0):
    """An optimizer and its reference, both set to ``step`` with random state."""
    rng = np.random.default_rng(seed)
    opt = case.cls(rng.standard_normal(n), **opts)
    sd = opt.state_dict()
    sd["step"] = step
    # Second moments and accumulators are non-negative; the rest any sign.
    sd["state"] = {
        k: np.abs(rng.standard_normal(n)) if k in ("exp_avg_sq", "max_exp_avg_sq",
                                                   "square_avg", "sum")
        else rng.standard_normal(n)
        for k in sd["state"]
    }  # fmt: skip
    if "grad_avg" in sd["state"]:  # centered: square_avg >= grad_avg**2
        sd["state"]["square_avg"] += sd["state"]["grad_avg"] ** 2
    if "max_exp_avg_sq" in sd["state"]:
        sd["state"]["max_exp_avg_sq"] = np.maximum(
            sd["state"]["max_exp_avg_sq"], sd["state"]["exp_avg_sq"]
        )
    opt.load_state_dict(sd)
    ref = Reference(opt, case, opts)
    ref.step_count = step
    return opt, ref, rng


@pytest.mark.parametrize("start", [10**7, 2**40, 2**62], ids=["1e7", "2^40", "2^62"])
@pytest.mark.parametrize(
    ("case", "opts"), OPTIONS, ids=[option_id(c, o) for c, o in OPTIONS]
)
def test_resumed_at_a_high_step_matches_reference(case, opts, start):
    opt, ref, rng = _resume_at(case, opts, start)
    for _ in range(3):
        g = rng.standard_normal(257)
        opt.step(g)
        ref.step(g)
    assert opt.step_count == start + 3 and type(opt.step_count) is int
    assert type(opt.state_dict()["step"]) is int
    assert np.array_equal(opt.params, ref.param)
    for k in opt.state:
        assert np.array_equal(opt.state[k], ref.state[k]), k


@pytest.mark.parametrize("step", [1, 10**7, 2**40])
def test_adam_bias_correction_is_accurate_at_high_steps(step):
    # With beta2 = 1 - 1e-9 the correction 1 - beta2**t is far from 1 even at
    # 1e7 steps; the update must match it computed as -expm1(t * log(beta2)).
    from tests.cases import CASE_BY_NAME

    case = CASE_BY_NAME["Adam"]
    b1, b2 = 0.9, 1.0 - 1e-9
    opts = {"lr": 1e-3, "betas": (b1, b2), "eps": 0.0}
    opt, _, _ = _resume_at(case, opts, step - 1, n=4)
    sd = opt.state_dict()
    sd["state"] = {"exp_avg": np.zeros(4), "exp_avg_sq": np.zeros(4)}
    opt.load_state_dict(sd)
    before = opt.params.copy()
    g = np.array([1.0, -2.0, 0.5, 3.0])
    opt.step(g)

    bc1 = -math.expm1(step * math.log(b1))
    bc2 = -math.expm1(step * math.log1p(-(1.0 - b2)))  # 1 - b2 is exact
    m, v = (1 - b1) * g, (1 - b2) * g * g
    expected = -1e-3 / bc1 * m / (np.sqrt(v) / math.sqrt(bc2))
    np.testing.assert_allclose(opt.params - before, expected, rtol=1e-10)


def test_step_count_stops_at_the_int64_limit():
    from tests.cases import CASE_BY_NAME

    case = CASE_BY_NAME["Adagrad"]
    opt, _, _ = _resume_at(case, {"lr_decay": 0.5}, MAX_STEP - 1, n=3)
    opt.step(np.ones(3))
    assert opt.step_count == MAX_STEP == 2**63 - 1
    before = snapshot(opt)
    with pytest.raises(OverflowError, match="step: the step count"):
        opt.step(np.ones(3))
    assert_unchanged(opt, before)
