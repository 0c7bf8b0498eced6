"""Exact snapshots of an optimizer, to show that a failed call changed nothing."""

from __future__ import annotations

from typing import Any

import numpy as np

import fastopt


def flat_params(opt: fastopt.Optimizer) -> np.ndarray:
    params = opt.params
    data = params.data if isinstance(params, fastopt.FlatParams) else params
    return data.reshape(-1)


def snapshot(opt: fastopt.Optimizer) -> dict[str, Any]:
    """Copies of everything a step or a load may change, bit for bit."""
    return {
        "params": flat_params(opt).copy(),
        "state": {k: v.copy() for k, v in opt.state.items()},
        "step": opt.step_count,
        "groups": [dict(g) for g in opt.param_groups],
        "hyper": opt._hyper.copy(),
    }


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal dtype, shape and bytes: NaN payloads and signed zeros included."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def assert_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert same_bits(a["params"], b["params"]), "params differ"
    assert a["state"].keys() == b["state"].keys()
    for k in a["state"]:
        assert same_bits(a["state"][k], b["state"][k]), f"state[{k!r}] differs"
    assert a["step"] == b["step"]
    assert a["groups"] == b["groups"]
    assert same_bits(a["hyper"], b["hyper"]), "hyperparameter table differs"


def assert_unchanged(opt: fastopt.Optimizer, before: dict[str, Any]) -> None:
    assert_same(snapshot(opt), before)
