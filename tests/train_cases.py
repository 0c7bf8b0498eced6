"""Every optimizer class, with a few option sets, for the training-feature tests."""

from __future__ import annotations

from typing import Any

import numpy as np

import fastopt

# (id, class, constructor options): each class at least once, and the options
# that change which state buffers exist or how the gradient enters.
OPTIMIZERS: list[tuple[str, type[fastopt.Optimizer], dict[str, Any]]] = [
    ("SGD", fastopt.SGD, {"lr": 0.05}),
    ("SGD-momentum-wd-max", fastopt.SGD,
     {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.1,
      "maximize": True}),
    ("Momentum", fastopt.Momentum, {"lr": 0.05}),
    ("Nesterov", fastopt.Nesterov, {"lr": 0.05, "weight_decay": 0.01}),
    ("Adam", fastopt.Adam, {"lr": 0.01}),
    ("Adam-amsgrad-max", fastopt.Adam,
     {"lr": 0.01, "amsgrad": True, "maximize": True, "weight_decay": 0.1}),
    ("AdamW", fastopt.AdamW, {"lr": 0.01}),
    ("RMSprop-centered-momentum", fastopt.RMSprop,
     {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("RMSprop", fastopt.RMSprop, {"lr": 0.01}),
    ("Adagrad", fastopt.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
]  # fmt: skip

IDS = [name for name, _, _ in OPTIMIZERS]


def snapshot(opt: fastopt.Optimizer) -> dict[str, Any]:
    """Copies of everything a step may change."""
    params = opt.params
    flat = params.data if isinstance(params, fastopt.FlatParams) else params
    return {
        "params": np.array(flat, copy=True),
        "state": {k: v.copy() for k, v in opt.state.items()},
        "step": opt.step_count,
    }


def assert_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Bit-identical snapshots (NaN equal to NaN)."""
    assert a["step"] == b["step"]
    np.testing.assert_array_equal(a["params"], b["params"], strict=True)
    assert a["state"].keys() == b["state"].keys()
    for k in a["state"]:
        np.testing.assert_array_equal(a["state"][k], b["state"][k], strict=True)
