"""state_dict and load_state_dict: exact resumes; bad dicts change nothing."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import fastopt
from tests.cases import all_options, option_id

OPTIONS = all_options()


def _grads(n, steps, dtype, seed=3):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n).astype(dtype) for _ in range(steps)]


def _snapshot(opt):
    sd = opt.state_dict()
    params = opt.params
    flat = params.data if isinstance(params, fastopt.FlatParams) else params
    return np.array(flat, copy=True), sd


def _assert_same(opt, snap):
    flat0, sd0 = snap
    params = opt.params
    flat = params.data if isinstance(params, fastopt.FlatParams) else params
    np.testing.assert_array_equal(flat, flat0)
    sd = opt.state_dict()
    assert sd["step"] == sd0["step"]
    assert sd["param_groups"] == sd0["param_groups"]
    for k, v in sd0["state"].items():
        np.testing.assert_array_equal(sd["state"][k], v)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize(
    ("case", "opts"), OPTIONS, ids=[option_id(c, o) for c, o in OPTIONS]
)
def test_round_trip_resumes_bit_for_bit(case, opts, dtype):
    n, k, steps = 1001, 7, 20
    grads = _grads(n, steps, dtype)
    x0 = np.random.default_rng(0).standard_normal(n).astype(dtype)

    straight = x0.copy()
    opt = case.cls(straight, **opts)
    for g in grads:
        opt.step(g)

    first = x0.copy()
    opt1 = case.cls(first, **opts)
    for g in grads[:k]:
        opt1.step(g)
    sd = copy.deepcopy(opt1.state_dict())
    resumed = first.copy()
    opt2 = case.cls(resumed, **opts)
    opt2.load_state_dict(sd)
    assert opt2.step_count == k
    for g in grads[k:]:
        opt2.step(g)
    np.testing.assert_array_equal(resumed, straight)
    for key, buf in opt.state.items():
        np.testing.assert_array_equal(opt2.state[key], buf, err_msg=key)


def test_state_dict_holds_plain_values_and_copies():
    x = np.ones(10)
    opt = fastopt.Adam(x, lr=0.1)
    opt.step(np.ones(10))
    sd = opt.state_dict()
    assert type(sd["step"]) is int and sd["step"] == 1
    assert all(type(v) is np.ndarray for v in sd["state"].values())
    before = sd["state"]["exp_avg"].copy()
    opt.step(np.ones(10))
    np.testing.assert_array_equal(sd["state"]["exp_avg"], before)
    other = fastopt.Adam(np.ones(10), lr=0.1)
    other.load_state_dict(sd)
    sd["state"]["exp_avg"][:] = 99.0
    assert not np.any(other.state["exp_avg"] == 99.0)


def test_round_trip_keeps_groups_and_changed_lr():
    fp = fastopt.FlatParams({"w": np.ones((4, 3)), "b": np.zeros(3)})
    opt = fastopt.AdamW(fp, lr=0.1, groups=[{"params": ["b"], "weight_decay": 0.0}])
    fp.grad[:] = 0.5
    opt.step()
    opt.lr = 0.01
    opt.param_groups[0]["eps"] = 1e-6
    sd = opt.state_dict()

    fp2 = fastopt.FlatParams({"w": np.ones((4, 3)), "b": np.zeros(3)})
    opt2 = fastopt.AdamW(fp2, lr=0.1, groups=[{"params": ["b"], "weight_decay": 0.0}])
    opt2.load_state_dict(sd)
    assert opt2.lr == 0.01
    assert opt2.param_groups[0]["eps"] == 1e-6
    assert opt2.param_groups[0]["weight_decay"] == 0.0
    assert opt2.param_groups[1]["weight_decay"] == 1e-2
    fp2.data[:] = fp.data
    fp.grad[:] = fp2.grad[:] = -0.25
    opt.step()
    opt2.step()
    np.testing.assert_array_equal(fp.data, fp2.data)


def _adam_after_steps(n=50, dtype=np.float64, **kw):
    x = np.linspace(-1, 1, n).astype(dtype)
    opt = fastopt.Adam(x, **kw)
    for g in _grads(n, 3, dtype):
        opt.step(g)
    return opt


def _bad(sd, path, value):
    sd = copy.deepcopy(sd)
    target = sd
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return sd


BAD = [
    ("optimizer", (("optimizer",), "SGD"), ValueError),
    ("size", (("size",), 49), ValueError),
    ("dtype", (("dtype",), "float32"), ValueError),
    ("amsgrad", (("options",), {"amsgrad": True, "decoupled": False}), ValueError),
    ("step float", (("step",), 3.0), ValueError),
    ("step negative", (("step",), -1), ValueError),
    ("step missing", (("step",), KeyError), ValueError),
    ("groups", (("param_groups",), []), ValueError),
    ("group lr", (("param_groups", 0, "lr"), -1.0), ValueError),
    ("group betas", (("param_groups", 0, "betas"), (0.9, 1.0)), ValueError),
    ("group key", (("param_groups", 0, "momentum"), 0.9), ValueError),
    ("state key", (("state", "exp_avg"), KeyError), ValueError),
    ("state shape", (("state", "exp_avg"), np.zeros(49)), ValueError),
    ("state dtype", (("state", "exp_avg"), np.zeros(50, np.float32)), TypeError),
    ("state list", (("state", "exp_avg"), [0.0] * 50), ValueError),
]


@pytest.mark.parametrize(("what", "edit", "exc"), BAD, ids=[b[0] for b in BAD])
def test_bad_state_dict_raises_and_changes_nothing(what, edit, exc):
    source = _adam_after_steps(lr=0.3)
    sd = _bad(source.state_dict(), *edit)
    opt = _adam_after_steps(lr=0.01)
    snap = _snapshot(opt)
    with pytest.raises(exc, match=r"state_dict\["):
        opt.load_state_dict(sd)
    _assert_same(opt, snap)
    assert opt.lr == 0.01


def test_state_dict_from_another_optimizer_is_refused():
    x = np.zeros(8)
    sgd = fastopt.SGD(x, lr=0.1, momentum=0.9)
    sgd.step(np.ones(8))
    adam = fastopt.Adam(np.zeros(8))
    snap = _snapshot(adam)
    with pytest.raises(ValueError, match=r"'optimizer'.*'SGD'.*'Adam'"):
        adam.load_state_dict(sgd.state_dict())
    _assert_same(adam, snap)


def test_repr_names_the_settings_and_each_group():
    flat = fastopt.FlatParams({"w": np.zeros((3, 4)), "b": np.zeros(4)})
    opt = fastopt.AdamW(flat, groups=[{"params": ["b"], "weight_decay": 0.0}],
                        max_grad_norm=1.0)  # fmt: skip
    opt.step(np.ones(16))
    text = repr(opt)
    assert text.splitlines()[0] == (
        "AdamW(size=16, dtype=float64, step=1, maximize=False, amsgrad=False, "
        "decoupled=True, max_grad_norm=1.0, nonfinite='ignore')"
    )
    assert (
        "group 0 (b): lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0" in text
    )
    assert "group 1 (w): " in text and "weight_decay=0.01" in text
    assert (
        repr(opt.state) == "StateBuffers(exp_avg: float64[16], exp_avg_sq: float64[16])"
    )


def _copy_by(how, obj):
    import copy
    import pickle

    return copy.deepcopy(obj) if how == "deepcopy" else pickle.loads(pickle.dumps(obj))


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("flat", [False, True], ids=["ndarray", "FlatParams"])
@pytest.mark.parametrize(
    "make",
    [
        lambda p: fastopt.SGD(p, lr=0.1, momentum=0.9, max_grad_norm=1.0),
        lambda p: fastopt.Adam(p, amsgrad=True, nonfinite="skip"),
        lambda p: fastopt.RMSprop(p, centered=True, momentum=0.5),
        lambda p: fastopt.Adagrad(p, lr=fastopt.schedules.Exponential(0.1, 0.9)),
    ],
    ids=["SGD", "Adam", "RMSprop", "Adagrad"],
)
def test_a_copied_optimizer_continues_like_the_original(make, flat, how):
    # The copy owns copies of the buffers: its views (state, FlatParams params
    # and grads) write through to them, and it steps on exactly as the original.
    rng = np.random.default_rng(0)
    start = rng.standard_normal(12)
    grads = [rng.standard_normal(12) for _ in range(6)]
    params = fastopt.FlatParams({"w": start[:8].reshape(2, 4), "b": start[8:]})
    opt = make(params if flat else start.copy())
    for g in grads[:3]:
        opt.step(g)
    twin = _copy_by(how, opt)
    assert twin.step_count == 3
    for g in grads[3:]:
        opt.step(g)
        if flat:
            twin.params.grad[...] = g
            twin.step()
        else:
            twin.step(g)
    _assert_same(twin, _snapshot(opt))
    if flat:
        assert twin.params is not opt.params
        assert np.shares_memory(twin.params.params[0], twin.params.data)
        np.testing.assert_array_equal(twin.params.params[1], twin.params.data[8:])
    for name in twin.state:
        twin.state[name][...] = 0.0  # the views write through to the copy's buffers
    assert all(not np.any(b) for b in twin.state_dict()["state"].values())
    assert any(np.any(b) for b in opt.state_dict()["state"].values())
