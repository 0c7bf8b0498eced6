"""fastopt against torch.optim's CPU implementations (skipped without torch).

Rows: ``fastopt`` (class API), ``torch fused`` (``fused=True``) and ``torch
foreach`` (``foreach=True``, torch's default on CPU when it can), each on one
flat tensor with the same hyperparameters.  torch uses its own thread count
(``torch.get_num_threads()``, recorded in extra_info), Numba its own.
"""

from __future__ import annotations

import pytest

from fastopt import _bench
from fastopt.cli import size_label

torch = pytest.importorskip("torch")

TORCH = {
    "adam": (torch.optim.Adam, {"lr": 1e-3}),
    "momentum": (torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9}),
}


@pytest.mark.parametrize("impl", ["fastopt", "torch fused", "torch foreach"])
@pytest.mark.parametrize("name", list(TORCH))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch(bench, benchmark, dtype, name, size, impl):
    param, grad = _bench.problem(size, dtype)
    if impl == "fastopt":
        step = _bench.step_fn(name, "fastopt", param, grad)
    else:
        cls, kwargs = TORCH[name]
        tensor = torch.from_numpy(param.copy())
        tensor.grad = torch.from_numpy(grad)
        mode = {"fused": True} if impl == "torch fused" else {"foreach": True}
        step = cls([tensor], **kwargs, **mode).step
        benchmark.extra_info["torch_threads"] = torch.get_num_threads()
    bench(
        step,
        group=f"torch {name} {dtype} n={size_label(size)}",
        n=size,
        bytes_per_element=_bench.bytes_per_element(name, dtype),
        ceiling=(_bench.streams(name), dtype),
    )
