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
