"""Trajectories match torch.optim's to float rounding (skipped without torch)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.cases import all_options, option_id

torch = pytest.importorskip("torch")

OPTIONS = [(c, o) for c, o in all_options() if not o.get("eps_in_sqrt")]
# torch accumulates float32 rounding along a different operation order (fused
# multiply-adds in its vectorised kernels), so float32 agrees less tightly.
TORCH_TOL = {np.float64: {"rtol": 1e-10, "atol": 1e-12},
             np.float32: {"rtol": 1e-4, "atol": 1e-5}}  # fmt: skip


def _torch_optimizer(name, tensor, opts):
    kw = dict(opts)
    kw.pop("eps_in_sqrt", None)  # fastopt's option; torch has only eps outside
    if name == "AdamW":
        kw.pop("decoupled_weight_decay", None)
    return getattr(torch.optim, name)([tensor], **kw)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize(
    ("case", "opts"), OPTIONS, ids=[option_id(c, o) for c, o in OPTIONS]
)
def test_trajectory_matches_torch(case, opts, dtype):
    rng = np.random.default_rng(5)
    n = 301
    x = rng.standard_normal(n).astype(dtype)
    t = torch.tensor(x.copy(), requires_grad=False)
    ours = case.cls(x, **opts)
    theirs = _torch_optimizer(case.name, t, opts)
    for _ in range(100):
        g = (rng.standard_normal(n) * 0.5).astype(dtype)
        ours.step(g)
        t.grad = torch.from_numpy(g.copy())
        theirs.step()
    np.testing.assert_allclose(x, t.numpy(), **TORCH_TOL[dtype])
    state = theirs.state[t]
    for key, buf in ours.state.items():
        np.testing.assert_allclose(
            buf, state[key].numpy(), **TORCH_TOL[dtype], err_msg=key
        )


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_defaults_match_torch(name):
    import inspect

    import fastopt

    ours = inspect.signature(getattr(fastopt, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for key, p in ours.items():
        if key in theirs and p.default is not inspect.Parameter.empty:
            default = theirs[key].default
            if isinstance(default, torch.Tensor):
                default = default.item()
            assert p.default == default, key


GROUP_CASES = {
    "SGD": ({"momentum": 0.9, "weight_decay": 1e-2}, {"lr": 0.05, "dampening": 0.1}),
    "Adam": ({"amsgrad": True, "weight_decay": 1e-2}, {"lr": 3e-3, "eps": 1e-3}),
    "AdamW": ({"betas": (0.8, 0.99)}, {"weight_decay": 0.1, "betas": (0.5, 0.9)}),
    "RMSprop": ({"centered": True, "momentum": 0.5}, {"alpha": 0.9, "eps": 1e-3}),
    "Adagrad": ({"lr_decay": 1e-2}, {"lr": 0.1, "weight_decay": 1e-2}),
}


@pytest.mark.parametrize("clip", [None, 0.5], ids=["noclip", "clip"])
@pytest.mark.parametrize("name", list(GROUP_CASES))
def test_groups_clipping_and_lr_change_match_torch(name, clip):
    # Two groups with their own hyperparameters, fused clipping against torch's
    # clip_grad_norm_, and a learning-rate change halfway: 60 steps in float64.
    import fastopt

    rng = np.random.default_rng(11)
    shapes = [(3, 4), (5,), (2, 3, 2), ()]
    arrays = {f"a{i}": rng.standard_normal(s) for i, s in enumerate(shapes)}
    flat = fastopt.FlatParams(arrays)
    tensors = [torch.tensor(a.copy()) for a in arrays.values()]
    opts, group = GROUP_CASES[name]
    ours = getattr(fastopt, name)(
        flat, **opts, groups=[{"params": ["a1", "a3"], **group}], max_grad_norm=clip
    )
    theirs = getattr(torch.optim, name)(
        [{"params": tensors[0::2]}, {"params": tensors[1::2], **group}], **opts
    )
    for step in range(60):
        grads = [rng.standard_normal(s) for s in shapes]
        for view, g in zip(flat.grads, grads, strict=True):
            view[...] = g
        for tensor, g in zip(tensors, grads, strict=True):
            tensor.grad = torch.tensor(g.copy())
        if clip is not None:
            norm = torch.nn.utils.clip_grad_norm_(tensors, clip)
        if step == 30:
            ours.lr = 3e-3
            for g in theirs.param_groups:
                g["lr"] = 3e-3
        ours.step()
        theirs.step()
        if clip is not None:
            assert ours.last_grad_norm == pytest.approx(float(norm), rel=1e-12)
    expected = np.concatenate([t.numpy().ravel() for t in tensors])
    np.testing.assert_allclose(flat.data, expected, **TORCH_TOL[np.float64])


@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_schedule_drives_adam_like_torch(three_phase):
    import fastopt

    rng = np.random.default_rng(3)
    x = rng.standard_normal(50)
    t = torch.tensor(x.copy())
    total = 40
    ours = fastopt.Adam(
        x, lr=fastopt.schedules.OneCycle(0.1, total, three_phase=three_phase)
    )
    theirs = torch.optim.Adam([t], lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        theirs, 0.1, total_steps=total, cycle_momentum=False, three_phase=three_phase
    )
    for _ in range(total):
        g = rng.standard_normal(50)
        ours.step(g)
        t.grad = torch.tensor(g.copy())
        theirs.step()
        sched.step()
    np.testing.assert_allclose(x, t.numpy(), **TORCH_TOL[np.float64])
