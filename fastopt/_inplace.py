"""Careful in-place NumPy forms of the update rules, for benchmarks only.

These are what a NumPy user who cares about speed writes: every operation
writes into the state buffers or into one preallocated scratch buffer
(``arrays["scratch"]``) through ``out=`` arguments, so a step allocates nothing,
but it still makes one pass over memory per operation.  Hyperparameters are the
optimizer classes' defaults, as in :mod:`fastopt._naive`; ``tests/test_bench.py``
checks that each computes fastopt's step.  :mod:`fastopt.reference` remains the
specification.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

Arrays = dict[str, NDArray[Any]]


def sgd(a: Arrays, t: int, lr: float = 1e-3) -> None:
    tmp = a["scratch"]
    np.multiply(a["grad"], -lr, out=tmp)
    a["param"] += tmp


def _momentum_buffer(a: Arrays, t: int, mu: float) -> NDArray[Any]:
    buf = a["momentum_buffer"]
    if t == 1:
        np.copyto(buf, a["grad"])
    else:
        buf *= mu
        buf += a["grad"]
    return buf


def momentum(a: Arrays, t: int, lr: float = 1e-3, mu: float = 0.9) -> None:
    buf = _momentum_buffer(a, t, mu)
    tmp = a["scratch"]
    np.multiply(buf, -lr, out=tmp)
    a["param"] += tmp


def nesterov(a: Arrays, t: int, lr: float = 1e-3, mu: float = 0.9) -> None:
    buf = _momentum_buffer(a, t, mu)
    tmp = a["scratch"]
    np.multiply(buf, mu, out=tmp)
    tmp += a["grad"]
    tmp *= -lr
    a["param"] += tmp


def adam(
    a: Arrays,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> None:
    p, g, m, v, tmp = a["param"], a["grad"], a["exp_avg"], a["exp_avg_sq"], a["scratch"]
    if weight_decay:
        p *= 1.0 - lr * weight_decay
    m *= beta1
    np.multiply(g, 1.0 - beta1, out=tmp)
    m += tmp
    v *= beta2
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - beta2
    v += tmp
    np.sqrt(v, out=tmp)
    tmp *= 1.0 / math.sqrt(1.0 - beta2**t)
    tmp += eps
    np.divide(m, tmp, out=tmp)
    tmp *= -lr / (1.0 - beta1**t)
    p += tmp


def adamw(a: Arrays, t: int) -> None:
    adam(a, t, weight_decay=1e-2)


def rmsprop(
    a: Arrays, t: int, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8
) -> None:
    g, s, tmp = a["grad"], a["square_avg"], a["scratch"]
    s *= alpha
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - alpha
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= -lr
    a["param"] += tmp


def adagrad(a: Arrays, t: int, lr: float = 1e-2, eps: float = 1e-10) -> None:
    g, s, tmp = a["grad"], a["sum"], a["scratch"]
    np.multiply(g, g, out=tmp)
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= -lr
    a["param"] += tmp


STEPS: dict[str, Callable[[Arrays, int], None]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adam": adam,
    "adamw": adamw,
    "rmsprop": rmsprop,
    "adagrad": adagrad,
}
