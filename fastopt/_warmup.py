"""Compile kernels ahead of time, and name the kernel call behind each optimizer.

Kernels compile lazily: importing fastopt compiles nothing, and the first step
of each rule compiles its kernel (or loads it from Numba's on-disk cache, which
takes a fraction of the time).  :func:`warmup` moves that cost to a moment of
the caller's choosing, such as start-up, before the first timed step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fastopt import _jit, _kernels
from fastopt._validate import flat_view
from fastopt.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
)

__all__ = ["OPTIMIZERS", "kernel_call", "warmup"]

# The optimizers known by name to warmup() and to ``fastopt bench``.
OPTIMIZERS: dict[str, Callable[[NDArray[Any]], Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}

DTYPES = ("float32", "float64")

Pair = tuple[Any, Any]


def kernel_call(opt: Optimizer, grad: NDArray[Any]) -> tuple[Pair, tuple[Any, ...]]:
    """The kernel pair and the arguments that ``opt.step(grad)`` would launch.

    The step number passed is that of the next step.  The arguments are those
    of each class's ``_apply``, so a direct call to either build of the pair
    (serial or parallel) runs exactly the compiled signature that the class
    runs: ``tests/test_warmup.py`` checks that both give the same result.
    """
    p = opt._param
    empty = p[:0]
    s = opt._state
    g = flat_view(grad)
    gscale = opt._sign
    step = opt.step_count + 1
    if isinstance(opt, Adam):
        args: tuple[Any, ...] = (
            p, g, s["exp_avg"], s["exp_avg_sq"], s.get("max_exp_avg_sq", empty),
            opt._chunks, opt._hyper, step, gscale, opt.amsgrad,
            opt.decoupled_weight_decay,
        )  # fmt: skip
        return _kernels.adam_, args
    if isinstance(opt, SGD):
        args = (p, g, s.get("momentum_buffer", empty), opt._chunks, opt._hyper,
                gscale, step == 1)  # fmt: skip
        return _kernels.sgd_, args
    if isinstance(opt, RMSprop):
        args = (p, g, s["square_avg"], s.get("grad_avg", empty),
                s.get("momentum_buffer", empty), opt._chunks, opt._hyper, gscale,
                opt.centered, opt.eps_in_sqrt)  # fmt: skip
        return _kernels.rmsprop_, args
    if isinstance(opt, Adagrad):
        args = (p, g, s["sum"], opt._chunks, opt._hyper, step, gscale)
        return _kernels.adagrad_, args
    raise TypeError(
        f"opt: got {type(opt).__name__}; accepted: {', '.join(sorted(OPTIMIZERS))}"
    )


def check_optimizers(optimizers: Iterable[str] | str | None) -> list[str]:
    """Optimizer names, validated; None means all of them."""
    if optimizers is None:
        return list(OPTIMIZERS)
    names = [optimizers] if isinstance(optimizers, str) else list(optimizers)
    for name in names:
        if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
            raise ValueError(
                f"optimizers: got {name!r}; accepted: {', '.join(OPTIMIZERS)}"
            )
    return [name.lower() for name in names]


def check_dtypes(dtypes: Iterable[Any] | str) -> list[np.dtype[Any]]:
    """Buffer dtypes, validated: float32 and float64 (names or numpy dtypes)."""
    values = [dtypes] if isinstance(dtypes, str) else list(dtypes)
    out = []
    for value in values:
        try:
            dtype = np.dtype(value)
        except TypeError:
            dtype = None
        if dtype is None or dtype.name not in DTYPES:
            raise ValueError(f"dtypes: got {value!r}; accepted: {', '.join(DTYPES)}")
        out.append(dtype)
    return out


def warmup(
    optimizers: Iterable[str] | str | None = None,
    dtypes: Iterable[Any] | str = ("float32",),
    parallel: bool = True,
    clipping: bool = True,
) -> list[str]:
    """Compile (or load from the disk cache) the kernels of some optimizers now.

    Each kernel runs once on a tiny buffer, with the argument types that the
    optimizer classes pass, so that their first real step starts at once.

    Parameters
    ----------
    optimizers : str or iterable of str, optional
        Names among ``sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad``
        (case-insensitive).  Default: all.  Optimizers that share a kernel (SGD
        and its momentum forms; Adam and AdamW) compile it once.
    dtypes : str or iterable, default ("float32",)
        Buffer dtypes to compile for: float32, float64.
    parallel : bool, default True
        Also compile the parallel build, used from
        ``fastopt._jit.PARALLEL_THRESHOLD`` elements up.
    clipping : bool, default True
        Also compile the gradient checks: the blocked norm and finiteness
        reductions behind ``max_grad_norm`` and ``nonfinite``, and the kernels of
        :func:`clip_grad_norm` and :func:`clip_grad_value`.

    Returns
    -------
    list of str
        What was compiled or loaded, as ``"<kernel> <dtype> <build>"``.
    """
    names = check_optimizers(optimizers)
    kinds = check_dtypes(dtypes)
    if not isinstance(parallel, bool):
        raise TypeError(f"parallel: got {parallel!r}; accepted: True, False")
    if not isinstance(clipping, bool):
        raise TypeError(f"clipping: got {clipping!r}; accepted: True, False")

    done: list[str] = []
    seen: set[tuple[int, str]] = set()
    for name in names:
        for dtype in kinds:
            opt = OPTIMIZERS[name](np.zeros(8, dtype))
            grad = np.ones(8, dtype)
            pair, args = kernel_call(opt, grad)
            if (id(pair), dtype.name) in seen:
                continue
            seen.add((id(pair), dtype.name))
            kernel = pair[0].py_func.__name__.lstrip("_") + "_"
            opt.step(grad)
            done.append(f"{kernel} {dtype.name} serial")
            if parallel:
                with _jit._pool:
                    pair[1](*args)
                done.append(f"{kernel} {dtype.name} parallel")
    if clipping:
        for dtype in kinds:
            done += _warm_checks(dtype, parallel)
    return done


def _warm_checks(dtype: np.dtype[Any], parallel: bool) -> list[str]:
    x = np.ones(8, dtype)
    partials = np.zeros(1, np.float64)
    calls: list[tuple[Pair, tuple[Any, ...]]] = [
        (_kernels.sumsq_blocks_, (x, partials)),
        (_kernels.nonfinite_blocks_, (x, partials)),
        (_kernels.scale_, (x, 1.0)),
        (_kernels.clamp_, (x, -1.0, 1.0)),
    ]
    done = []
    for pair, args in calls:
        kernel = pair[0].py_func.__name__.lstrip("_") + "_"
        pair[0](*args)
        done.append(f"{kernel} {dtype.name} serial")
        if parallel:
            with _jit._pool:
                pair[1](*args)
            done.append(f"{kernel} {dtype.name} parallel")
    return done
