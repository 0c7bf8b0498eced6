"""Bad input: each row is refused with an error that names the argument, and
leaves the parameters, the state and the step count exactly as they were."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import fastopt
from tests.cases import CASE_BY_NAME, Reference
from tests.snapshot import assert_unchanged, same_bits, snapshot


def ones(n=6, dtype=np.float64):
    return np.ones(n, dtype)


def read_only():
    a = ones()
    a.flags.writeable = False
    return a


# -- construction ----------------------------------------------------------------

# (id, params factory, constructor, error type, pattern the message must match)
CONSTRUCTION = [
    (
        "int32",
        lambda: ones(6, np.int32),
        fastopt.Adam,
        TypeError,
        "params: got dtype int32",
    ),
    (
        "int64",
        lambda: ones(6, np.int64),
        fastopt.SGD,
        TypeError,
        "params: got dtype int64",
    ),
    (
        "float16",
        lambda: ones(6, np.float16),
        fastopt.Adam,
        TypeError,
        "params: got dtype float16",
    ),
    (
        "longdouble",
        lambda: ones(6, np.longdouble),
        fastopt.Adam,
        TypeError,
        "params: got dtype",
    ),
    (
        "complex",
        lambda: ones(6, np.complex128),
        fastopt.RMSprop,
        TypeError,
        "params: got dtype complex128",
    ),
    (
        "bool",
        lambda: ones(6, bool),
        fastopt.Adagrad,
        TypeError,
        "params: got dtype bool",
    ),
    (
        "object",
        lambda: ones(6, object),
        fastopt.Adam,
        TypeError,
        "params: got dtype object",
    ),
    (
        "big-endian",
        lambda: ones(6, ">f8"),
        fastopt.SGD,
        TypeError,
        "params: got dtype >f8",
    ),
    (
        "strided",
        lambda: ones(12)[::2],
        fastopt.Adam,
        ValueError,
        "params: the array is not C-contiguous",
    ),
    (
        "transposed",
        lambda: np.ones((3, 4)).T,
        fastopt.SGD,
        ValueError,
        "params: the array is not C-contiguous",
    ),
    (
        "fortran",
        lambda: np.ones((3, 4), order="F"),
        fastopt.AdamW,
        ValueError,
        "params: the array is not C-contiguous",
    ),
    (
        "read-only",
        read_only,
        fastopt.Adam,
        ValueError,
        "params: the array is read-only",
    ),
    ("list", lambda: [1.0, 2.0], fastopt.Adam, TypeError, "params: got list"),
    (
        "list of arrays",
        lambda: [np.zeros(2), np.zeros(3)],
        fastopt.SGD,
        TypeError,
        r"params: got list; .*pack them: fastopt\.FlatParams\(arrays\)",
    ),
    ("scalar", lambda: 1.0, fastopt.SGD, TypeError, "params: got float"),
]


@pytest.mark.parametrize(
    ("make", "cls", "exc", "match"),
    [row[1:] for row in CONSTRUCTION],
    ids=[row[0] for row in CONSTRUCTION],
)
def test_bad_params(make, cls, exc, match):
    params = make()
    before = np.array(params, copy=True) if isinstance(params, np.ndarray) else None
    with pytest.raises(exc, match=match):
        cls(params)
    if before is not None:
        assert same_bits(params, before)


def test_flat_params_refuses_complex_arrays():
    with pytest.raises(TypeError, match=r"arrays\['w'\]: expected a real numeric"):
        fastopt.FlatParams({"w": np.ones(3, complex)}, dtype=np.float64)
    with pytest.raises(TypeError, match="dtype: got dtype complex128"):
        fastopt.FlatParams({"w": np.ones(3, complex)})


# (id, constructor call on a fresh float64 array, error type, pattern)
HYPER = [
    (
        "lr<0",
        lambda p: fastopt.Adam(p, lr=-1),
        ValueError,
        r"Invalid lr: -1; accepted: >= 0",
    ),
    (
        "lr=nan",
        lambda p: fastopt.SGD(p, lr=float("nan")),
        ValueError,
        "Invalid lr: nan",
    ),
    (
        "lr=inf",
        lambda p: fastopt.RMSprop(p, lr=float("inf")),
        ValueError,
        "Invalid lr: inf",
    ),
    (
        "lr=str",
        lambda p: fastopt.Adam(p, lr="0.1"),
        TypeError,
        "lr: got '0.1'; expected a real",
    ),
    ("lr=True", lambda p: fastopt.Adam(p, lr=True), TypeError, "lr: got True"),
    ("lr=None", lambda p: fastopt.Adagrad(p, lr=None), TypeError, "lr: got None"),
    ("eps<0", lambda p: fastopt.Adam(p, eps=-1e-8), ValueError, "Invalid eps: -1e-08"),
    (
        "eps<0 rmsprop",
        lambda p: fastopt.RMSprop(p, eps=-1.0),
        ValueError,
        "Invalid eps",
    ),
    (
        "wd<0 adam",
        lambda p: fastopt.Adam(p, weight_decay=-0.1),
        ValueError,
        "Invalid weight_decay: -0.1",
    ),
    (
        "wd<0 adamw",
        lambda p: fastopt.AdamW(p, weight_decay=-0.1),
        ValueError,
        "Invalid weight_decay",
    ),
    (
        "wd<0 sgd",
        lambda p: fastopt.SGD(p, weight_decay=-1),
        ValueError,
        "Invalid weight_decay",
    ),
    (
        "momentum<0 sgd",
        lambda p: fastopt.SGD(p, momentum=-0.9),
        ValueError,
        "Invalid momentum: -0.9",
    ),
    (
        "momentum<0 rmsprop",
        lambda p: fastopt.RMSprop(p, momentum=-0.1),
        ValueError,
        "Invalid momentum",
    ),
    (
        "dampening<0",
        lambda p: fastopt.SGD(p, momentum=0.9, dampening=-1),
        ValueError,
        "Invalid dampening",
    ),
    ("alpha<0", lambda p: fastopt.RMSprop(p, alpha=-1), ValueError, "Invalid alpha"),
    (
        "lr_decay<0",
        lambda p: fastopt.Adagrad(p, lr_decay=-1),
        ValueError,
        "Invalid lr_decay",
    ),
    (
        "init_acc<0",
        lambda p: fastopt.Adagrad(p, initial_accumulator_value=-1),
        ValueError,
        "Invalid initial_accumulator_value",
    ),
    (
        "beta1=1",
        lambda p: fastopt.Adam(p, betas=(1.0, 0.9)),
        ValueError,
        r"betas\[0\]\): 1.0; accepted: \[0, 1\)",
    ),
    (
        "beta2=1",
        lambda p: fastopt.Adam(p, betas=(0.9, 1.0)),
        ValueError,
        r"betas\[1\]\): 1.0",
    ),
    (
        "beta1<0",
        lambda p: fastopt.AdamW(p, betas=(-0.1, 0.9)),
        ValueError,
        r"betas\[0\]\): -0.1",
    ),
    (
        "betas len 1",
        lambda p: fastopt.Adam(p, betas=(0.9,)),
        ValueError,
        r"Invalid betas: \(0.9,\); expected a pair",
    ),
    (
        "betas len 3",
        lambda p: fastopt.Adam(p, betas=(0.9, 0.99, 0.999)),
        ValueError,
        "Invalid betas",
    ),
    (
        "betas float",
        lambda p: fastopt.Adam(p, betas=0.9),
        ValueError,
        "Invalid betas: 0.9",
    ),
    (
        "betas str item",
        lambda p: fastopt.Adam(p, betas=(0.9, "x")),
        TypeError,
        r"betas\[1\]\): got 'x'",
    ),
    (
        "nesterov, no momentum",
        lambda p: fastopt.SGD(p, nesterov=True),
        ValueError,
        "nesterov: .*momentum > 0",
    ),
    (
        "nesterov, dampening",
        lambda p: fastopt.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
        ValueError,
        "nesterov: .*dampening == 0",
    ),
    (
        "nesterov=1",
        lambda p: fastopt.SGD(p, momentum=0.9, nesterov=1),
        TypeError,
        "nesterov: got 1",
    ),
    ("maximize=1", lambda p: fastopt.SGD(p, maximize=1), TypeError, "maximize: got 1"),
    (
        "amsgrad=str",
        lambda p: fastopt.Adam(p, amsgrad="yes"),
        TypeError,
        "amsgrad: got 'yes'",
    ),
    (
        "centered=None",
        lambda p: fastopt.RMSprop(p, centered=None),
        TypeError,
        "centered: got None",
    ),
    (
        "groups on ndarray",
        lambda p: fastopt.Adam(p, groups=[{"params": [0]}]),
        TypeError,
        "groups: parameter groups need a FlatParams",
    ),
]


@pytest.mark.parametrize(
    ("build", "exc", "match"), [row[1:] for row in HYPER], ids=[row[0] for row in HYPER]
)
def test_bad_hyperparameters(build, exc, match):
    p = np.linspace(-1, 1, 6)
    before = p.copy()
    with pytest.raises(exc, match=match):
        build(p)
    assert same_bits(p, before)


def flat():
    return fastopt.FlatParams({"w": np.ones((2, 3)), "b": np.ones(4)})


# (id, groups, error type, pattern)
GROUPS = [
    (
        "unknown key",
        [{"params": [0], "foo": 1}],
        ValueError,
        r"groups\[0\]: unknown hyperparameters \['foo'\]; accepted: \['betas'",
    ),
    (
        "flag in a group",
        [{"params": [0], "amsgrad": True}],
        ValueError,
        r"groups\[0\]: unknown hyperparameters \['amsgrad'\]",
    ),
    (
        "duplicate across groups",
        [{"params": [0]}, {"params": ["w"]}],
        ValueError,
        r"groups\[1\]: array 'w' is already in groups\[0\]",
    ),
    (
        "duplicate within a group",
        [{"params": [1, 1]}],
        ValueError,
        r"groups\[0\]: array 'b' is already in groups\[0\]",
    ),
    (
        "index out of range",
        [{"params": [2]}],
        IndexError,
        "params: index 2 is out of range for 2 arrays",
    ),
    ("bool index", [{"params": [True]}], TypeError, "params: got a bool True"),
    ("unknown name", [{"params": ["z"]}], KeyError, "params: no array named 'z'"),
    (
        "foreign array",
        [{"params": [np.ones((2, 3))]}],
        ValueError,
        "params: the array is not one of this FlatParams' views",
    ),
    (
        "no params key",
        [{"lr": 0.1}],
        TypeError,
        r"groups\[0\]: got \{'lr': 0.1\}; expected a dict with a 'params' list",
    ),
    (
        "params not a list",
        [{"params": 0}],
        TypeError,
        r"groups\[0\]\['params'\]: got int",
    ),
    ("params a str", [{"params": "w"}], TypeError, r"groups\[0\]\['params'\]: got str"),
    (
        "groups a dict",
        {"params": [0]},
        TypeError,
        "groups: got dict; expected a list of dicts",
    ),
    ("group lr<0", [{"params": [0], "lr": -1}], ValueError, "Invalid lr: -1"),
    (
        "group betas",
        [{"params": [0], "betas": (0.9, 1.5)}],
        ValueError,
        r"betas\[1\]\): 1.5",
    ),
]


@pytest.mark.parametrize(
    ("groups", "exc", "match"),
    [row[1:] for row in GROUPS],
    ids=[row[0] for row in GROUPS],
)
def test_bad_groups(groups, exc, match):
    fp = flat()
    before = fp.data.copy()
    with pytest.raises(exc, match=match):
        fastopt.Adam(fp, groups=groups)
    assert same_bits(fp.data, before)


# -- step ------------------------------------------------------------------------


def adam():
    opt = fastopt.Adam(np.linspace(-1, 1, 6), amsgrad=True)
    opt.step(np.full(6, 0.5))  # non-trivial state to protect
    return opt


def sgd():
    opt = fastopt.SGD(np.linspace(-1, 1, 6), lr=0.1, momentum=0.9)
    opt.step(np.full(6, 0.5))
    return opt


def on_a_slice():
    """An optimizer on elements 0..5 of a 12-element buffer, and that buffer."""
    buffer = np.linspace(-1, 1, 12)
    opt = fastopt.Adam(buffer[:6])
    opt.step(np.full(6, 0.5))
    opt.buffer = buffer
    return opt


# (id, optimizer factory, the bad call, error type, pattern)
STEP = [
    (
        "grad size",
        adam,
        lambda o: o.step(ones(5)),
        ValueError,
        "grad: got 5 elements .*expected 6",
    ),
    (
        "grad dtype",
        adam,
        lambda o: o.step(ones(6, np.float32)),
        TypeError,
        "grad: got dtype float32; expected float64",
    ),
    (
        "grad int",
        sgd,
        lambda o: o.step(ones(6, np.int64)),
        TypeError,
        "grad: got dtype int64",
    ),
    (
        "grad complex",
        sgd,
        lambda o: o.step(ones(6, complex)),
        TypeError,
        "grad: got dtype complex128",
    ),
    (
        "grad big-endian",
        adam,
        lambda o: o.step(ones(6, ">f8")),
        TypeError,
        "grad: got dtype >f8",
    ),
    (
        "grad strided",
        adam,
        lambda o: o.step(ones(12)[::2]),
        ValueError,
        "grad: the array is not C-contiguous",
    ),
    (
        "grad transposed",
        sgd,
        lambda o: o.step(np.ones((2, 3)).T),
        ValueError,
        "grad: the array is not C-contiguous",
    ),
    (
        "grad broadcast",
        adam,
        lambda o: o.step(np.broadcast_to(1.0, (6,))),
        ValueError,
        "grad: the array is not C-contiguous",
    ),
    ("grad list", adam, lambda o: o.step([1.0] * 6), TypeError, "grad: got list"),
    (
        "grad missing",
        adam,
        lambda o: o.step(),
        TypeError,
        "grad: required when the optimizer updates a plain array",
    ),
    (
        "grad is params",
        adam,
        lambda o: o.step(o.params),
        ValueError,
        "grad: shares memory with the parameters",
    ),
    (
        "grad is a view of params",
        sgd,
        lambda o: o.step(o.params.reshape(2, 3)),
        ValueError,
        "grad: shares memory with the parameters",
    ),
    (
        "grad overlaps params",
        on_a_slice,
        lambda o: o.step(o.buffer[3:9]),
        ValueError,
        "grad: shares memory with the parameters",
    ),
    (
        "grad is state",
        adam,
        lambda o: o.step(o.state["exp_avg"]),
        ValueError,
        r"grad: shares memory with the optimizer's state\['exp_avg'\]",
    ),
    (
        "grad is momentum",
        sgd,
        lambda o: o.step(o.state["momentum_buffer"]),
        ValueError,
        r"state\['momentum_buffer'\]",
    ),
    (
        "zero_grad, plain array",
        adam,
        lambda o: o.zero_grad(),
        TypeError,
        "zero_grad: only a FlatParams",
    ),
    (
        "set lr<0",
        adam,
        lambda o: o.param_groups[0].__setitem__("lr", -1),
        ValueError,
        "Invalid lr: -1",
    ),
    (
        "set .lr<0",
        sgd,
        lambda o: setattr(o, "lr", -1.0),
        ValueError,
        "Invalid lr: -1.0",
    ),
    (
        "set unknown key",
        adam,
        lambda o: o.param_groups[0].__setitem__("momentum", 0.9),
        KeyError,
        "'momentum' is not a hyperparameter of Adam",
    ),
    (
        "set params",
        adam,
        lambda o: o.param_groups[0].__setitem__("params", [0]),
        KeyError,
        "params: a group's arrays are fixed",
    ),
    (
        "momentum to 0",
        sgd,
        lambda o: o.param_groups[0].__setitem__("momentum", 0.0),
        ValueError,
        "momentum: cannot change from 0.9 to 0.0",
    ),
    (
        "set betas",
        adam,
        lambda o: o.param_groups[0].__setitem__("betas", (0.9, 1.0)),
        ValueError,
        r"betas\[1\]\)",
    ),
    (
        "replace a state buffer",
        adam,
        lambda o: o.state.__setitem__("exp_avg", np.zeros(3)),
        TypeError,
        r"state\['exp_avg'\]: the state buffers cannot be replaced",
    ),
    (
        "grad is a state view",
        adam,
        lambda o: o.step(o.state["exp_avg_sq"]),
        ValueError,
        r"grad: shares memory with the optimizer's state\['exp_avg_sq'\]",
    ),
]


@pytest.mark.parametrize(
    ("make", "call", "exc", "match"),
    [row[1:] for row in STEP],
    ids=[row[0] for row in STEP],
)
def test_bad_step_or_setting(make, call, exc, match):
    opt = make()
    before = snapshot(opt)
    with pytest.raises(exc, match=match):
        call(opt)
    assert_unchanged(opt, before)


def test_state_views_write_through_but_cannot_retype_the_buffers():
    # A step with a zeroed first moment equals a step from a fresh optimizer
    # whose second moment is the same; retyping a view leaves the kernels'
    # buffers as they were (a smaller dtype would make them overrun).
    opt = adam()
    twin = adam()
    opt.state["exp_avg"][...] = 0.0
    twin.load_state_dict({**twin.state_dict(),
                          "state": {**twin.state_dict()["state"],
                                    "exp_avg": np.zeros(6)}})  # fmt: skip
    view = opt.state["exp_avg_sq"]
    with warnings.catch_warnings():  # deprecated in NumPy 2.5
        warnings.simplefilter("ignore", DeprecationWarning)
        view.dtype = np.float32  # the view now has 12 elements
        view.shape = (3, 4)
    opt.step(np.full(6, 0.25))
    twin.step(np.full(6, 0.25))
    assert same_bits(opt.params, twin.params)
    assert opt.state_dict()["state"]["exp_avg_sq"].shape == (6,)
    assert set(opt.state) == {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}


def test_a_checked_gradient_is_not_kept_alive():
    import gc
    import weakref

    opt = adam()
    g = np.full(6, 0.25)
    opt.step(g)
    opt.step(g)  # the same array: its aliasing check is not repeated
    ref = weakref.ref(g)
    del g
    gc.collect()
    assert ref() is None
    with pytest.raises(ValueError, match="shares memory with the parameters"):
        opt.step(opt.params)


def test_array_subclasses_are_updated_in_place(tmp_path):
    # A matrix stays 2-D through reshape(-1) and a memmap is a subclass: both
    # are updated through plain 1-D views of their memory.
    plain = fastopt.Adam(np.linspace(-1, 1, 4))
    matrix = np.linspace(-1, 1, 4).reshape(2, 2).view(np.matrix)
    on_matrix = fastopt.Adam(matrix)
    mapped = np.memmap(tmp_path / "p.dat", np.float64, "w+", shape=(4,))
    mapped[:] = np.linspace(-1, 1, 4)
    on_memmap = fastopt.Adam(mapped)
    for g in (np.arange(4.0), np.arange(4.0).reshape(1, 4).view(np.matrix)):
        for opt in (plain, on_matrix, on_memmap):
            opt.step(g)
    assert same_bits(np.asarray(matrix).ravel(), plain.params)
    assert same_bits(np.asarray(mapped), plain.params)


def test_a_kernel_that_fails_to_run_leaves_the_step_count(monkeypatch):
    opt = adam()
    before = snapshot(opt)

    def fail(*args):
        raise RuntimeError("compilation failed")

    monkeypatch.setattr(opt, "_apply", fail)
    with pytest.raises(RuntimeError, match="compilation failed"):
        opt.step(np.ones(6))
    assert_unchanged(opt, before)
    assert opt.step_count == 1


def test_grad_may_be_read_only_and_any_shape():
    # The gradient is only read: a read-only or differently shaped (same size,
    # C-contiguous) array is fine and gives the same result.
    a, b = adam(), adam()
    g = np.arange(6.0)
    ro = g.reshape(3, 2).copy()
    ro.flags.writeable = False
    a.step(g)
    b.step(ro)
    assert same_bits(a.params, b.params)


# -- load_state_dict ---------------------------------------------------------------


def sd_of(opt):
    return opt.state_dict()


def edit(**changes):
    """A state dict of ``adam()`` with top-level keys replaced (None: removed)."""

    def make(opt):
        sd = opt.state_dict()
        for k, v in changes.items():
            if v is None:
                sd.pop(k)
            else:
                sd[k] = v(sd) if callable(v) else v
        return sd

    return make


def group_edit(**changes):
    return edit(param_groups=lambda sd: [{**sd["param_groups"][0], **changes}])


def state_edit(**arrays):
    return edit(state=lambda sd: {**sd["state"], **arrays})


# (id, state dict from the target optimizer, error type, pattern)
LOAD = [
    (
        "another optimizer",
        lambda o: sd_of(sgd()),
        ValueError,
        r"state_dict\['optimizer'\]: got 'SGD'; this optimizer has 'Adam'",
    ),
    (
        "another size",
        lambda o: sd_of(fastopt.Adam(ones(7), amsgrad=True)),
        ValueError,
        r"state_dict\['size'\]: got 7; this optimizer has 6",
    ),
    (
        "another dtype",
        lambda o: sd_of(fastopt.Adam(ones(6, np.float32), amsgrad=True)),
        ValueError,
        r"state_dict\['dtype'\]: got 'float32'",
    ),
    (
        "another flag",
        lambda o: sd_of(fastopt.Adam(ones(6))),
        ValueError,
        r"state_dict\['options'\]",
    ),
    (
        "not a dict",
        lambda o: [1, 2],
        TypeError,
        "state_dict: got list; expected a dict",
    ),
    (
        "missing optimizer",
        edit(optimizer=None),
        ValueError,
        r"state_dict\['optimizer'\]: got '<missing>'",
    ),
    ("missing step", edit(step=None), ValueError, r"state_dict\['step'\]: got None"),
    ("missing state", edit(state=None), ValueError, r"state_dict\['state'\]: got None"),
    (
        "missing param_groups",
        edit(param_groups=None),
        ValueError,
        r"state_dict\['param_groups'\]: expected 1 groups",
    ),
    (
        "step float",
        edit(step=3.0),
        ValueError,
        r"state_dict\['step'\]: got 3.0; expected an int",
    ),
    ("step str", edit(step="3"), ValueError, r"state_dict\['step'\]: got '3'"),
    ("step bool", edit(step=True), ValueError, r"state_dict\['step'\]: got True"),
    ("step<0", edit(step=-1), ValueError, r"state_dict\['step'\]: got -1"),
    (
        "step >= 2**63-1",
        edit(step=2**63 - 1),
        ValueError,
        r"state_dict\['step'\]: got 9223372036854775807",
    ),
    (
        "two groups",
        edit(param_groups=lambda sd: sd["param_groups"] * 2),
        ValueError,
        r"state_dict\['param_groups'\]: expected 1 groups",
    ),
    (
        "group not a dict",
        edit(param_groups=[1]),
        TypeError,
        r"state_dict\['param_groups'\]\[0\]: got int",
    ),
    (
        "group params",
        group_edit(params=[1]),
        ValueError,
        r"state_dict\['param_groups'\]\[0\]\['params'\]: got \[1\]",
    ),
    (
        "group extra key",
        group_edit(momentum=0.9),
        ValueError,
        r"state_dict\['param_groups'\]\[0\]: keys",
    ),
    ("group lr<0", group_edit(lr=-0.1), ValueError, "Invalid lr: -0.1"),
    ("group betas", group_edit(betas=(0.9,)), ValueError, "Invalid betas"),
    (
        "state keys",
        edit(state=lambda sd: {"exp_avg": sd["state"]["exp_avg"]}),
        ValueError,
        r"state_dict\['state'\]: got \['exp_avg'\]; expected",
    ),
    ("state a list", edit(state=[1]), ValueError, r"state_dict\['state'\]: got \[1\]"),
    (
        "state array a list",
        state_edit(exp_avg=[0.0] * 6),
        ValueError,
        r"state_dict\['state'\]\['exp_avg'\]: got list",
    ),
    (
        "state array size",
        state_edit(exp_avg_sq=np.zeros(5)),
        ValueError,
        r"\['exp_avg_sq'\]: got \(5,\); expected an array of shape \(6,\)",
    ),
    (
        "state array 2-d",
        state_edit(exp_avg=np.zeros((2, 3))),
        ValueError,
        r"\['exp_avg'\]: got \(2, 3\)",
    ),
    (
        "state array dtype",
        state_edit(max_exp_avg_sq=np.zeros(6, np.float32)),
        TypeError,
        r"\['max_exp_avg_sq'\]: got dtype float32; expected float64",
    ),
]


@pytest.mark.parametrize(
    ("make_sd", "exc", "match"), [row[1:] for row in LOAD], ids=[row[0] for row in LOAD]
)
def test_bad_state_dict(make_sd, exc, match):
    opt = adam()
    sd = make_sd(opt)
    opt.step(np.full(6, -0.25))  # differ from the state dict taken above
    before = snapshot(opt)
    with pytest.raises(exc, match=match):
        opt.load_state_dict(sd)
    assert_unchanged(opt, before)


# -- shapes and aliasing that are allowed ---------------------------------------------


def test_zero_dimensional_params_are_one_element():
    # A 0-d array is a single parameter: it is updated in place like a 1-element
    # array, and keeps its shape.
    p0, p1 = np.array(0.5), np.array([0.5])
    a, b = fastopt.Adam(p0, lr=0.1), fastopt.Adam(p1, lr=0.1)
    for g in (0.3, -1.0, 2.0):
        a.step(np.array(g))
        b.step(np.array([g]))
    assert p0.shape == () and a.params.shape == ()
    assert same_bits(p0.reshape(1), p1)
    assert same_bits(a.state["exp_avg"], b.state["exp_avg"])


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_two_optimizers_on_one_buffer_update_it_in_turn(name):
    # Allowed and defined: each optimizer keeps its own state and updates the
    # shared parameters in place when it steps, so two steps compose exactly as
    # the reference applied twice.  (Stepping both from two threads at once is a
    # data race on the parameters and is not supported.)
    case = CASE_BY_NAME[name]
    opts = {"SGD": {"lr": 0.1, "momentum": 0.9}, "Adam": {}, "RMSprop": {}}[name]
    rng = np.random.default_rng(0)
    p = rng.standard_normal(1001)
    first, second = case.cls(p, **opts), case.cls(p, **opts)
    ref1 = Reference(first, case, opts)
    ref2 = Reference(second, case, opts)
    for _ in range(5):
        g = rng.standard_normal(1001)
        first.step(g)
        ref1.step(g)
        ref2.param[...] = ref1.param
        second.step(g)
        ref2.step(g)
        ref1.param[...] = ref2.param
    assert np.array_equal(p, ref2.param)
    assert first.step_count == second.step_count == 5
    for k in first.state:
        assert np.array_equal(first.state[k], ref1.state[k])
        assert np.array_equal(second.state[k], ref2.state[k])
