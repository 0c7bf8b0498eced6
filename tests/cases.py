"""The one table of optimizer cases that drives the tests.

Each case names an optimizer class, its option grid, and how the NumPy
reference applies the same rule to one group's slice of the buffers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import fastopt
from fastopt import reference

# Tolerances, defined once: float64 must agree to near machine precision, float32
# to a few units in the last place accumulated over hundreds of steps.
TOL = {
    np.dtype(np.float64): {"rtol": 1e-12, "atol": 1e-14},
    np.dtype(np.float32): {"rtol": 2e-5, "atol": 1e-6},
}

SIZES = (0, 1, 7, 1001, 40_009)  # 40_009 > the serial/parallel threshold


@dataclass(frozen=True)
class Case:
    name: str
    cls: type[fastopt.Optimizer]
    grid: dict[str, tuple[Any, ...]]
    ref: Callable[..., None] = field(repr=False)

    def options(self) -> Iterator[dict[str, Any]]:
        keys = list(self.grid)
        for values in itertools.product(*(self.grid[k] for k in keys)):
            opts = dict(zip(keys, values, strict=True))
            if opts.get("nesterov") and (
                opts.get("momentum", 0) == 0 or opts.get("dampening", 0) != 0
            ):
                continue
            yield opts


def _sgd(p, g, st, hp, opts, step):
    reference.sgd(
        p, g, st.get("momentum_buffer"), first=step == 1, lr=hp["lr"],
        momentum=hp["momentum"], dampening=hp["dampening"],
        weight_decay=hp["weight_decay"], nesterov=hp["nesterov"],
        gscale=-1.0 if opts.get("maximize") else 1.0,
    )  # fmt: skip


def _adam(p, g, st, hp, opts, step):
    b1, b2 = hp["betas"]
    reference.adam(
        p, g, st["exp_avg"], st["exp_avg_sq"], st.get("max_exp_avg_sq"), step=step,
        lr=hp["lr"], beta1=b1, beta2=b2, eps=hp["eps"],
        weight_decay=hp["weight_decay"], amsgrad=opts.get("amsgrad", False),
        decoupled=opts.get("decoupled_weight_decay", False),
        gscale=-1.0 if opts.get("maximize") else 1.0,
    )  # fmt: skip


def _adamw(p, g, st, hp, opts, step):
    b1, b2 = hp["betas"]
    reference.adamw(
        p, g, st["exp_avg"], st["exp_avg_sq"], st.get("max_exp_avg_sq"), step=step,
        lr=hp["lr"], beta1=b1, beta2=b2, eps=hp["eps"],
        weight_decay=hp["weight_decay"], amsgrad=opts.get("amsgrad", False),
        gscale=-1.0 if opts.get("maximize") else 1.0,
    )  # fmt: skip


def _rmsprop(p, g, st, hp, opts, step):
    reference.rmsprop(
        p, g, st["square_avg"], st.get("grad_avg"), st.get("momentum_buffer"),
        lr=hp["lr"], alpha=hp["alpha"], eps=hp["eps"],
        weight_decay=hp["weight_decay"], momentum=hp["momentum"],
        centered=opts.get("centered", False),
        eps_in_sqrt=opts.get("eps_in_sqrt", False),
        gscale=-1.0 if opts.get("maximize") else 1.0,
    )  # fmt: skip


def _adagrad(p, g, st, hp, opts, step):
    reference.adagrad(
        p, g, st["sum"], step=step, lr=hp["lr"], lr_decay=hp["lr_decay"],
        eps=hp["eps"], weight_decay=hp["weight_decay"],
        gscale=-1.0 if opts.get("maximize") else 1.0,
    )  # fmt: skip


CASES = [
    Case("SGD", fastopt.SGD, {
        "lr": (0.05,), "momentum": (0.0, 0.9), "dampening": (0.0, 0.3),
        "nesterov": (False, True), "weight_decay": (0.0, 0.1),
        "maximize": (False, True),
    }, _sgd),
    Case("Adam", fastopt.Adam, {
        "lr": (0.01,), "betas": ((0.9, 0.999), (0.5, 0.9)), "weight_decay": (0.0, 0.1),
        "amsgrad": (False, True), "maximize": (False, True),
        "decoupled_weight_decay": (False, True),
    }, _adam),
    Case("AdamW", fastopt.AdamW, {
        "lr": (0.01,), "weight_decay": (0.0, 0.1), "amsgrad": (False, True),
        "maximize": (False, True),
    }, _adamw),
    Case("RMSprop", fastopt.RMSprop, {
        "lr": (0.01,), "alpha": (0.99, 0.5), "weight_decay": (0.0, 0.1),
        "momentum": (0.0, 0.8), "centered": (False, True),
        "eps_in_sqrt": (False, True), "maximize": (False, True),
    }, _rmsprop),
    Case("Adagrad", fastopt.Adagrad, {
        "lr": (0.1,), "lr_decay": (0.0, 0.01), "weight_decay": (0.0, 0.1),
        "initial_accumulator_value": (0.0, 0.5), "maximize": (False, True),
    }, _adagrad),
]  # fmt: skip

CASE_BY_NAME = {c.name: c for c in CASES}

# Keys passed to the constructor that are not per-group hyperparameters.
FLAGS = {"amsgrad", "maximize", "decoupled_weight_decay", "centered", "eps_in_sqrt"}


def all_options() -> list[tuple[Case, dict[str, Any]]]:
    return [(case, opts) for case in CASES for opts in case.options()]


def option_id(case: Case, opts: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in opts.items() if k != "lr"]
    return case.name + "[" + ",".join(parts) + "]"


class Reference:
    """Applies a case's reference rule group by group to copies of the buffers."""

    def __init__(self, opt: fastopt.Optimizer, case: Case, opts: dict[str, Any]):
        self.case = case
        self.opts = opts
        params = opt.params
        flat = params.data if isinstance(params, fastopt.FlatParams) else params
        self.param = np.array(flat, copy=True).reshape(-1)
        self.state = {k: v.copy() for k, v in opt.state.items()}
        self.step_count = 0
        self.segments = []  # (lo, hi, group hyperparameters)
        offsets = (
            params.offsets
            if isinstance(params, fastopt.FlatParams)
            else np.array([0, self.param.size])
        )
        for group in opt.param_groups:
            hp = {k: group[k] for k in group if k != "params"}
            for i in group["params"]:
                self.segments.append((int(offsets[i]), int(offsets[i + 1]), hp))

    def step(self, grad: np.ndarray) -> None:
        self.step_count += 1
        g = grad.reshape(-1)
        for lo, hi, hp in self.segments:
            st = {k: v[lo:hi] for k, v in self.state.items()}
            self.case.ref(
                self.param[lo:hi], g[lo:hi], st, hp, self.opts, self.step_count
            )
