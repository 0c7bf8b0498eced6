"""Textbook NumPy forms of the update rules: the baseline that benchmarks beat.

Each function applies one step the way a tutorial writes it, with whole-array
expressions that allocate a temporary per operation and new state arrays per
step.  ``arrays`` maps ``"param"``, ``"grad"`` and the optimizer's state names
to arrays; the new arrays are stored back under the same keys.  Step numbers
``t`` count from 1.  Hyperparameters are the optimizer classes' defaults, so
that a naive step and ``fastopt``'s agree to rounding
(``tests/test_bench.py`` checks it in float64).

This is for comparison only: :mod:`fastopt.reference` is the specification.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

Arrays = dict[str, NDArray[Any]]


def sgd(a: Arrays, t: int, lr: float = 1e-3) -> None:
    a["param"] = a["param"] - lr * a["grad"]


def momentum(a: Arrays, t: int, lr: float = 1e-3, mu: float = 0.9) -> None:
    v = a["grad"] if t == 1 else mu * a["momentum_buffer"] + a["grad"]
    a["momentum_buffer"] = v
    a["param"] = a["param"] - lr * v


def nesterov(a: Arrays, t: int, lr: float = 1e-3, mu: float = 0.9) -> None:
    g = a["grad"]
    v = g if t == 1 else mu * a["momentum_buffer"] + g
    a["momentum_buffer"] = v
    a["param"] = a["param"] - lr * (g + mu * v)


def adam(
    a: Arrays,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> None:
    p, g = a["param"], a["grad"]
    if weight_decay:
        p = p - lr * weight_decay * p
    m = beta1 * a["exp_avg"] + (1 - beta1) * g
    v = beta2 * a["exp_avg_sq"] + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    a["param"] = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    a["exp_avg"], a["exp_avg_sq"] = m, v


def adamw(a: Arrays, t: int) -> None:
    adam(a, t, weight_decay=1e-2)


def rmsprop(
    a: Arrays, t: int, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8
) -> None:
    g = a["grad"]
    s = alpha * a["square_avg"] + (1 - alpha) * g**2
    a["param"] = a["param"] - lr * g / (np.sqrt(s) + eps)
    a["square_avg"] = s


def adagrad(a: Arrays, t: int, lr: float = 1e-2, eps: float = 1e-10) -> None:
    g = a["grad"]
    s = a["sum"] + g**2
    a["param"] = a["param"] - lr * g / (np.sqrt(s) + eps)
    a["sum"] = s


STEPS: dict[str, Callable[[Arrays, int], None]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adam": adam,
    "adamw": adamw,
    "rmsprop": rmsprop,
    "adagrad": adagrad,
}
