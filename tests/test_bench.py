"""The timing helpers behind ``fastopt bench``: what they time must be the rule.

The naive and reference forms that the benchmarks compare against must compute
the same step as fastopt with the same hyperparameters, or the speed-ups mean
nothing; the byte counts must follow the state each rule keeps; the ceiling
kernel must touch every buffer it claims to.
"""

from __future__ import annotations

import numpy as np
import pytest

from fastopt import _bench, _inplace, _naive
from fastopt._warmup import OPTIMIZERS

NAMES = list(OPTIMIZERS)


@pytest.mark.parametrize("form", ["naive", "inplace", "reference"])
@pytest.mark.parametrize("name", NAMES)
def test_numpy_forms_compute_fastopts_step(name, form):
    param, grad = _bench.problem(1001, "float64", seed=3)
    ours = OPTIMIZERS[name](param.copy())
    arrays = {"param": param.copy(), "grad": grad}
    arrays.update({key: np.zeros_like(param) for key in _bench.STATE[name]})
    arrays["scratch"] = np.empty_like(param)
    rule = {"naive": _naive.STEPS, "inplace": _inplace.STEPS,
            "reference": _bench.REFERENCE}[form][name]  # fmt: skip
    for t in range(1, 6):
        ours.step(grad)
        rule(arrays, t)

    # The textbook forms round differently (bias corrections divided out
    # separately), hence a tolerance rather than equality.
    np.testing.assert_allclose(arrays["param"], ours.params, rtol=1e-12, atol=1e-14)
    for key, buf in ours.state.items():
        np.testing.assert_allclose(arrays[key], buf, rtol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", NAMES)
def test_state_names_are_the_optimizers(name):
    assert set(_bench.STATE[name]) == set(OPTIMIZERS[name](np.zeros(3)).state)


@pytest.mark.parametrize(
    ("name", "dtype", "expected"),
    [("adam", "float32", 28), ("adamw", "float64", 56), ("momentum", "float32", 20),
     ("sgd", "float32", 12), ("rmsprop", "float32", 20), ("adagrad", "float64", 40)],
)  # fmt: skip
def test_bytes_per_element(name, dtype, expected):
    assert _bench.bytes_per_element(name, dtype) == expected


@pytest.mark.parametrize("build", ["serial", "parallel", "launch"])
@pytest.mark.parametrize("streams", [1, 2, 3, 4])
def test_ceiling_kernel_reads_and_writes_every_buffer(streams, build):
    n = 40_000  # above the threshold: "launch" takes the parallel build
    grad = np.arange(n, dtype=np.float32)
    buffers = [np.full(n, k, np.float32) for k in range(streams)]
    step = _bench.ceiling_step(streams, n, "float32", build, [grad, *buffers])
    step()
    step()
    for k, buf in enumerate(buffers):
        np.testing.assert_array_equal(buf, k + 2 * grad)


@pytest.mark.parametrize("impl", ["fastopt", "kernel", "serial", "parallel"])
def test_kernel_forms_update_in_place(impl):
    param, grad = _bench.problem(100, "float32")
    step = _bench.step_fn("adam", impl, param, grad)
    step()  # the parameters are a copy: the problem's stay as they were
    np.testing.assert_array_equal(param, _bench.problem(100, "float32")[0])


def test_median_seconds_collects_enough_samples():
    calls = []
    seconds = _bench.median_seconds(lambda: calls.append(1), repeat=3,
                                    min_sample=1e-5, min_total=1e-3)  # fmt: skip
    assert 0 < seconds < 1e-3
    assert len(calls) >= 5  # warm-up, calibration, at least three samples


@pytest.mark.parametrize(
    ("text", "sizes"), [("1e3,1e5", [1000, 100000]), ("7", [7]), ("3e7", [30000000])]
)
def test_parse_sizes(text, sizes):
    assert _bench.parse_sizes(text) == sizes


@pytest.mark.parametrize("text", ["0", "-5", "1.5", "abc", "", "inf", "1e3,,1e5"])
def test_parse_sizes_refuses(text):
    with pytest.raises(ValueError, match=r"sizes: got .*; accepted: whole numbers"):
        _bench.parse_sizes(text)


def test_run_refuses_bad_arguments():
    with pytest.raises(ValueError, match="optimizers: got 'lion'"):
        _bench.run(["lion"])
    with pytest.raises(ValueError, match="sizes: got"):
        _bench.run(["adam"], [0])
    with pytest.raises(ValueError, match="repeat: got 0"):
        _bench.run(["adam"], [10], repeat=0)
