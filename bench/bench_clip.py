"""Gradient clipping fused into the step, against clipping first.

Rows: ``no clipping`` (the plain step), ``fused`` (``max_grad_norm=`` on the
optimizer: the norm pass, then the step scaling the gradient as it reads it)
and ``clip then step`` (``fastopt.clip.clip_grad_norm`` scales the gradient in
place, then the plain step).  The last two are skipped until the optimizers
take ``max_grad_norm`` and ``fastopt.clip`` exists.  Bytes: the step's, plus
one read of the gradient for the norm (the least any clipping must move).
"""

from __future__ import annotations

import importlib

import pytest

from fastopt import _bench
from fastopt._warmup import OPTIMIZERS
from fastopt.cli import size_label

MAX_NORM = 1.0  # well below the norm of a standard normal gradient: always clips


def _clip_grad_norm():
    try:
        clip = importlib.import_module("fastopt.clip")
    except ModuleNotFoundError:
        pytest.skip("fastopt.clip is not there yet")
    if not hasattr(clip, "clip_grad_norm"):
        pytest.skip("fastopt.clip has no clip_grad_norm")
    return clip.clip_grad_norm


@pytest.mark.parametrize("mode", ["no clipping", "fused", "clip then step"])
@pytest.mark.parametrize("name", ["adam", "momentum"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip(bench, dtype, name, size, mode):
    cls = OPTIMIZERS[name]
    param, grad = _bench.problem(size, dtype)
    grad = grad.copy()  # clip-then-step scales it in place
    nbytes = _bench.bytes_per_element(name, dtype)
    if mode == "fused":
        try:
            opt = cls(param, max_grad_norm=MAX_NORM)
        except TypeError:
            pytest.skip(f"{cls.__name__} does not take max_grad_norm yet")

        def step():
            opt.step(grad)

    elif mode == "clip then step":
        clip_grad_norm = _clip_grad_norm()
        opt = cls(param)

        def step():
            clip_grad_norm(grad, MAX_NORM)
            opt.step(grad)

    else:
        opt = cls(param)

        def step():
            opt.step(grad)

    if mode != "no clipping":
        nbytes += grad.itemsize
    bench(
        step,
        group=f"clip {name} {dtype} n={size_label(size)}",
        n=size,
        bytes_per_element=nbytes,
    )
