"""Gradient clipping: the functions against float64 NumPy, and fused clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest
from train_cases import IDS, OPTIMIZERS

import fastopt
from fastopt import _kernels, reference
from fastopt._jit import CHUNK
from fastopt.clip import blocks, clip_grad_norm, clip_grad_value

SIZES = (0, 1, 7, 1001, 40_009, 2**17 + 3)  # the last two take the parallel path
DTYPES = (np.float32, np.float64)


def _numpy_norm(arrays: list[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.sum(a.astype(np.float64) ** 2)) for a in arrays))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", SIZES)
def test_clip_grad_norm_flat(size: int, dtype: type) -> None:
    rng = np.random.default_rng(size)
    g = rng.standard_normal(size).astype(dtype)
    expected_norm = _numpy_norm([g])
    max_norm = 0.5 * expected_norm if size else 1.0
    g0 = g.copy()

    norm = clip_grad_norm(g, max_norm)

    assert norm == pytest.approx(expected_norm, rel=1e-12, abs=0.0)
    assert norm == pytest.approx(reference.global_norm(g0), rel=1e-12, abs=0.0)
    scale = reference.clip_scale(norm, max_norm)
    if size:
        assert scale < 1.0
        np.testing.assert_array_equal(g, g0 * dtype(scale))
        assert _numpy_norm([g]) == pytest.approx(max_norm, rel=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_grad_norm_list_and_flatparams(dtype: type) -> None:
    rng = np.random.default_rng(1)
    shapes = [(3, 4), (0,), (40_001,), (5,)]
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    originals = [a.copy() for a in arrays]
    expected = _numpy_norm(arrays)
    flat = fastopt.FlatParams([np.zeros(s, dtype) for s in shapes])
    for view, a in zip(flat.grads, arrays, strict=True):
        view[...] = a

    norm = clip_grad_norm(arrays, 2.0)
    flat_norm = clip_grad_norm(flat, 2.0)

    assert norm == pytest.approx(expected, rel=1e-12, abs=0.0)
    assert flat_norm == pytest.approx(expected, rel=1e-12, abs=0.0)
    scale = dtype(reference.clip_scale(norm, 2.0))
    for a, a0, view in zip(arrays, originals, flat.grads, strict=True):
        np.testing.assert_allclose(
            a, a0 * scale, rtol=1e-6 if dtype is np.float32 else 1e-15
        )
        np.testing.assert_allclose(view, a, rtol=1e-6 if dtype is np.float32 else 1e-15)


def test_clip_grad_norm_below_max_leaves_gradient_alone() -> None:
    g = np.random.default_rng(2).standard_normal(50_000)
    g0 = g.copy()
    norm = clip_grad_norm(g, 1e6)
    assert norm == pytest.approx(_numpy_norm([g0]), rel=1e-12)
    np.testing.assert_array_equal(g, g0)
    assert clip_grad_norm([], 1.0) == 0.0


def test_norm_independent_of_thread_count() -> None:
    x = np.random.default_rng(3).standard_normal(2**17 + 11).astype(np.float32)
    serial, parallel = _kernels.sumsq_blocks_
    a, b = np.empty(blocks(x.size)), np.empty(blocks(x.size))
    serial(x, a)
    parallel(x, b)
    np.testing.assert_array_equal(a, b)
    assert a.size == -(-x.size // CHUNK)


def test_norm_overflow_with_finite_elements() -> None:
    # Squares of 1e200 overflow float64, but the norm itself is representable.
    g = np.full(40_000, 1e200)
    g[7] = -3e200
    expected = 1e200 * math.sqrt(39_999 + 9.0)
    norm = clip_grad_norm(g, 1.0)
    assert norm == pytest.approx(expected, rel=1e-12)
    assert np.all(np.isfinite(g))
    assert _numpy_norm([g]) == pytest.approx(1.0, rel=1e-5)  # clipped to 1


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_norm(bad: float) -> None:
    g = np.ones(40_009)
    g[-1] = bad
    g0 = g.copy()
    with pytest.raises(FloatingPointError, match="grad"):
        clip_grad_norm(g, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(g, g0)
    assert not math.isfinite(clip_grad_norm(g, 1.0))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", (0, 1, 1001, 40_009))
def test_clip_grad_value(size: int, dtype: type) -> None:
    g = (np.random.default_rng(size).standard_normal(size) * 3).astype(dtype)
    if size:
        g[0] = np.nan
    expected = np.clip(g, -1.5, 1.5)
    clip_grad_value(g, 1.5)
    np.testing.assert_array_equal(g, expected)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda g: clip_grad_norm(g, 0.0), "max_norm"),
        (lambda g: clip_grad_norm(g, -1.0), "max_norm"),
        (lambda g: clip_grad_norm(g, float("nan")), "max_norm"),
        (lambda g: clip_grad_norm(g, "1"), "max_norm"),
        (lambda g: clip_grad_norm(g, 1.0, norm_type=1.0), "norm_type"),
        (lambda g: clip_grad_norm(g[::2], 1.0), "grad"),
        (lambda g: clip_grad_norm([g, g.astype(np.int64)], 1.0), r"grad\[1\]"),
        (lambda g: clip_grad_norm(g.tolist(), 1.0), r"grad\[0\]"),
        (lambda g: clip_grad_norm("g", 1.0), "grad"),
        (lambda g: clip_grad_value(g, -1.0), "clip_value"),
    ],
)
def test_bad_arguments(call, match: str) -> None:
    g = np.full(10, 5.0)
    with pytest.raises((TypeError, ValueError), match=match):
        call(g)
    np.testing.assert_array_equal(g, np.full(10, 5.0))


def test_read_only_gradient_is_refused() -> None:
    g = np.full(10, 5.0)
    g.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        clip_grad_norm(g, 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "cls", "opts"), OPTIMIZERS, ids=IDS)
def test_fused_clipping_equals_clip_then_step(name, cls, opts, dtype) -> None:
    rng = np.random.default_rng(4)
    size = 40_009
    p0 = rng.standard_normal(size).astype(dtype)
    fused_p, plain_p = p0.copy(), p0.copy()
    fused = cls(fused_p, max_grad_norm=30.0, **opts)
    plain = cls(plain_p, **opts)

    for t in range(12):
        # Norms around 20-400: some steps clip, some do not.
        g = (rng.standard_normal(size) * (0.1 + 2.0 * (t % 3))).astype(dtype)
        g_before = g.copy()
        fused.step(g)
        np.testing.assert_array_equal(g, g_before)  # fused never rewrites it
        norm = clip_grad_norm(g, 30.0)
        plain.step(g)
        assert fused.last_grad_norm == norm

    # Both paths scale by the same factor rounded to the dtype: same bits.
    np.testing.assert_array_equal(fused_p, plain_p)
    for key in fused.state:
        np.testing.assert_array_equal(fused.state[key], plain.state[key])


def test_max_grad_norm_validation_and_setter() -> None:
    p = np.zeros(3)
    for bad in (0.0, -1.0, float("-inf"), float("nan")):  # inf: measure only
        with pytest.raises(ValueError, match="max_grad_norm"):
            fastopt.Adam(p, max_grad_norm=bad)
    with pytest.raises(TypeError, match="max_grad_norm"):
        fastopt.SGD(p, max_grad_norm="1")
    opt = fastopt.SGD(p, lr=1.0)
    assert opt.max_grad_norm is None and opt.last_grad_norm is None
    opt.max_grad_norm = 1.0
    opt.step(np.array([3.0, 4.0, 0.0]))
    assert opt.last_grad_norm == 5.0
    np.testing.assert_allclose(p, [-0.6, -0.8, 0.0], rtol=1e-6)
    with pytest.raises(ValueError, match="max_grad_norm"):
        opt.max_grad_norm = -2.0
    assert opt.max_grad_norm == 1.0


def test_infinite_max_norm_measures_without_clipping():
    # torch's idiom clip_grad_norm_(params, inf): the norm, nothing scaled.
    g = np.full(1000, 3.0)
    assert clip_grad_norm(g, float("inf")) == pytest.approx(3.0 * math.sqrt(1000))
    np.testing.assert_array_equal(g, 3.0)
    opt = fastopt.SGD(np.zeros(1000), lr=0.1, max_grad_norm=np.inf)
    plain = fastopt.SGD(np.zeros(1000), lr=0.1)
    opt.step(g)
    plain.step(g)
    assert opt.last_grad_norm == pytest.approx(3.0 * math.sqrt(1000))
    np.testing.assert_array_equal(opt.params, plain.params)
