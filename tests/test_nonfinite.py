"""Non-finite gradients: "skip" and "raise" change nothing, "ignore" checks nothing."""

from __future__ import annotations

import numpy as np
import pytest
from train_cases import IDS, OPTIMIZERS, assert_same, snapshot

import fastopt
from fastopt import _kernels
from fastopt.clip import NonFiniteGradientError, blocks

# (size, position of the bad element, its value, dtype): first, middle and last
# element, a block boundary, sizes on both sides of the parallel threshold.
BAD = [
    (7, 0, np.nan, np.float64),
    (7, 6, np.inf, np.float32),
    (40_009, 40_008, np.nan, np.float32),
    (40_009, 16_384, -np.inf, np.float64),
    (40_009, 20_000, np.inf, np.float32),
]


def _run(cls, opts, dtype, size, policy, clip, bad_at=None, bad=np.nan):
    """Three good steps; then, with ``bad_at``, a bad one; then two good ones."""
    rng = np.random.default_rng(size)
    p = rng.standard_normal(size).astype(dtype)
    opt = cls(p, nonfinite=policy, max_grad_norm=clip, **opts)
    grads = [rng.standard_normal(size).astype(dtype) for _ in range(5)]
    for g in grads[:3]:
        opt.step(g)
    before = snapshot(opt)
    if bad_at is not None:
        g = grads[3].copy()
        g[bad_at] = bad
        if policy == "raise":
            with pytest.raises(NonFiniteGradientError, match="NaN or Inf"):
                opt.step(g)
        else:
            opt.step(g)
        assert_same(snapshot(opt), before)
    for g in grads[3:]:
        opt.step(g)
    return opt


@pytest.mark.parametrize("clip", [None, 1.0], ids=["noclip", "clip"])
@pytest.mark.parametrize("policy", ["skip", "raise"])
@pytest.mark.parametrize(("size", "at", "bad", "dtype"), BAD)
@pytest.mark.parametrize(("name", "cls", "opts"), OPTIMIZERS, ids=IDS)
def test_bad_step_changes_nothing(name, cls, opts, size, at, bad, dtype, policy, clip):
    hit = _run(cls, opts, dtype, size, policy, clip, bad_at=at, bad=bad)
    clean = _run(cls, opts, dtype, size, policy, clip)

    # The run that met the bad gradient equals the one that never did.
    assert_same(snapshot(hit), snapshot(clean))
    assert hit.skipped_steps == (1 if policy == "skip" else 0)
    assert clean.skipped_steps == 0


@pytest.mark.parametrize("clip", [None, 1.0], ids=["noclip", "clip"])
def test_ignore_lets_nan_through(clip) -> None:
    p = np.zeros(40_009, np.float32)
    opt = fastopt.Adam(p, nonfinite="ignore", max_grad_norm=clip)
    g = np.ones_like(p)
    g[-1] = np.nan
    opt.step(g)
    assert opt.step_count == 1 and opt.skipped_steps == 0
    assert np.isnan(p).any()


def test_overflowing_norm_of_finite_gradient_is_not_skipped() -> None:
    p = np.zeros(40_000)
    opt = fastopt.SGD(p, lr=1.0, nonfinite="skip", max_grad_norm=1.0)
    opt.step(np.full(40_000, 1e200))
    assert opt.skipped_steps == 0 and opt.step_count == 1
    assert opt.last_grad_norm == pytest.approx(1e200 * 200.0, rel=1e-12)
    np.testing.assert_allclose(p, -1.0 / 200.0, rtol=1e-6)


def test_skipped_steps_in_state_dict() -> None:
    p = np.zeros(5)
    opt = fastopt.Adam(p, nonfinite="skip")
    opt.step(np.full(5, np.inf))
    opt.step(np.ones(5))
    sd = opt.state_dict()
    assert sd["skipped_steps"] == 1 and sd["step"] == 1
    other = fastopt.Adam(np.zeros(5), nonfinite="skip")
    other.load_state_dict(sd)
    assert other.skipped_steps == 1 and other.step_count == 1
    with pytest.raises(ValueError, match="skipped_steps"):
        other.load_state_dict({**sd, "skipped_steps": -1})


def test_bad_policy_names_the_argument() -> None:
    p = np.zeros(3)
    for bad in ("Skip", "warn", None, 1):
        with pytest.raises(ValueError, match=r"nonfinite.*accepted: 'ignore', 'skip'"):
            fastopt.RMSprop(p, nonfinite=bad)
    opt = fastopt.SGD(p)
    with pytest.raises(ValueError, match="nonfinite"):
        opt.nonfinite = "drop"
    assert opt.nonfinite == "ignore"
    opt.nonfinite = "raise"
    with pytest.raises(FloatingPointError):
        opt.step(np.array([0.0, np.nan, 0.0]))


def test_flatparams_gradient_checked() -> None:
    flat = fastopt.FlatParams([np.zeros(4), np.zeros(3)])
    opt = fastopt.Adagrad(flat, nonfinite="skip")
    flat.grads[1][2] = np.inf
    opt.step()
    assert opt.skipped_steps == 1
    np.testing.assert_array_equal(flat.data, np.zeros(7))


@pytest.mark.parametrize("build", [0, 1], ids=["serial", "parallel"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 16_384, 16_385, 2**17 + 3])
def test_nonfinite_kernel_finds_every_position(size, dtype, build) -> None:
    kernel = _kernels.nonfinite_blocks_[build]
    x = np.random.default_rng(size).standard_normal(size).astype(dtype)
    x[0] = -0.0
    partials = np.empty(blocks(size))
    kernel(x, partials)
    assert partials.sum() == 0.0
    for at in sorted({0, size // 2, min(16_384, size - 1), size - 1}):
        for bad in (np.nan, np.inf, -np.inf):
            y = x.copy()
            y[at] = bad
            kernel(y, partials)
            assert np.isnan(partials[at // 16_384])
            assert np.count_nonzero(partials) == 1
