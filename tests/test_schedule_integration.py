"""A Schedule as an optimizer's learning rate: step t + 1 uses s(t)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from train_cases import IDS, OPTIMIZERS, assert_same, snapshot

import fastopt
from fastopt.schedules import CosineAnnealing, StepDecay

SIZE = 40_009


def _grads(n: int, dtype: type, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(SIZE).astype(dtype) for _ in range(n)]


def _opts(opts: dict, lr) -> dict:
    return {**opts, "lr": lr}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "cls", "opts"), OPTIMIZERS, ids=IDS)
def test_schedule_equals_setting_lr_each_step(name, cls, opts, dtype) -> None:
    s = CosineAnnealing(opts["lr"], T_max=15, eta_min=opts["lr"] / 10)
    p0 = np.random.default_rng(1).standard_normal(SIZE).astype(dtype)
    sched_p, manual_p = p0.copy(), p0.copy()
    scheduled = cls(sched_p, **_opts(opts, s))
    manual = cls(manual_p, **opts)

    for t, g in enumerate(_grads(20, dtype)):
        assert scheduled.current_lr == [s(t)]
        scheduled.step(g)
        manual.lr = s(t)
        manual.step(g)

    assert scheduled.lr is s
    assert_same(snapshot(scheduled), snapshot(manual))


def test_group_schedule_and_number() -> None:
    s = StepDecay(0.1, drop_rate=0.5, epochs_drop=3)
    arrays = {"w": np.ones(30_000), "b": np.ones(10_009)}
    sched = fastopt.Adam(fastopt.FlatParams(arrays), lr=0.01,
                         groups=[{"params": ["w"], "lr": s}])  # fmt: skip
    manual = fastopt.Adam(fastopt.FlatParams(arrays), lr=0.01,
                          groups=[{"params": ["w"], "lr": 0.1}])  # fmt: skip
    for t, g in enumerate(_grads(8, np.float64, seed=2)):
        sched.params.grad[:] = g
        manual.params.grad[:] = g
        assert sched.current_lr == [s(t), 0.01]
        sched.step()
        manual.param_groups[0]["lr"] = s(t)
        manual.step()
    assert sched.param_groups[0]["lr"] is s
    assert sched.param_groups[1]["lr"] == 0.01
    assert_same(snapshot(sched), snapshot(manual))


@pytest.mark.parametrize(("name", "cls", "opts"), OPTIMIZERS, ids=IDS)
def test_state_dict_round_trip_resumes_exactly(name, cls, opts) -> None:
    s = CosineAnnealing(opts["lr"], T_max=12)
    grads = _grads(15, np.float64, seed=3)
    p0 = np.random.default_rng(4).standard_normal(SIZE)
    straight = cls(p0.copy(), **_opts(opts, s))
    for g in grads:
        straight.step(g)

    first = cls(p0.copy(), **_opts(opts, s))
    for g in grads[:6]:
        first.step(g)
    sd = first.state_dict()
    plain = json.loads(json.dumps(sd["param_groups"]))
    assert plain[0]["lr"] == s.config()
    resumed = cls(first.params.copy(), **_opts(opts, 0.5))
    resumed.load_state_dict(sd)
    assert resumed.lr == s and resumed.lr is not s
    for g in grads[6:]:
        resumed.step(g)

    assert_same(snapshot(resumed), snapshot(straight))


def test_bad_schedule_config_in_state_dict_changes_nothing() -> None:
    opt = fastopt.SGD(np.zeros(4), lr=CosineAnnealing(0.1, T_max=5))
    opt.step(np.ones(4))
    sd = opt.state_dict()
    target = fastopt.SGD(np.zeros(4), lr=0.3)
    for bad in ({"name": "Nope"}, {"name": "CosineAnnealing", "T_max": 0,
                                   "initial_lr": 0.1}):  # fmt: skip
        broken = {**sd, "param_groups": [{**sd["param_groups"][0], "lr": bad}]}
        with pytest.raises(ValueError, match=r"\['lr'\]"):
            target.load_state_dict(broken)
        assert target.lr == 0.3 and target.step_count == 0


def test_skipped_steps_do_not_advance_the_schedule() -> None:
    s = StepDecay(1.0, drop_rate=0.5, epochs_drop=1)
    p = np.zeros(3)
    opt = fastopt.SGD(p, lr=s, nonfinite="skip")
    opt.step(np.ones(3))  # s(0) = 1
    opt.step(np.full(3, np.nan))  # skipped
    assert opt.current_lr == [0.5]
    opt.step(np.ones(3))  # s(1) = 0.5
    np.testing.assert_array_equal(p, -1.5)


def test_lr_setter_accepts_schedule_and_validates() -> None:
    opt = fastopt.RMSprop(np.zeros(3))
    s = CosineAnnealing(0.2, T_max=4)
    opt.lr = s
    assert opt.lr is s and opt.defaults["lr"] is s
    opt.lr = 0.05
    assert opt.current_lr == [0.05]
    with pytest.raises(TypeError, match="lr"):
        opt.lr = "0.1"
    with pytest.raises(TypeError, match="lr"):
        fastopt.Adam(np.zeros(3), lr=lambda t: 0.1)
