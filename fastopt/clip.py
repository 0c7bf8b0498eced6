"""Gradient clipping, in place, and the gradient checks the optimizers share.

The global norm is summed in fixed blocks of ``CHUNK`` elements, each in
float64, and the block sums are then added in order, so the norm has the same
bits whatever the number of threads.  :func:`fastopt.reference.global_norm` and
:func:`fastopt.reference.clip_scale` are the specification.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fastopt import _kernels
from fastopt._jit import CHUNK, launch
from fastopt._validate import check_buffer, check_real, flat_view
from fastopt.flat import FlatParams
from fastopt.reference import clip_scale

__all__ = ["NonFiniteGradientError", "clip_grad_norm", "clip_grad_value"]


class NonFiniteGradientError(FloatingPointError):
    """A gradient holds NaN or Inf (raised under ``nonfinite="raise"``)."""


def clip_grad_norm(
    grad: NDArray[Any] | FlatParams | Sequence[NDArray[Any]],
    max_norm: float,
    norm_type: float = 2.0,
    *,
    error_if_nonfinite: bool = False,
) -> float:
    """Scale gradients in place so that their global 2-norm is at most ``max_norm``.

    As torch's ``clip_grad_norm_``: with ``total`` the 2-norm of all elements
    together, every element is multiplied by ``max_norm / (total + 1e-6)`` when
    that factor is below 1, and left alone otherwise.

    Parameters
    ----------
    grad : ndarray, FlatParams or sequence of ndarray
        The gradient: one C-contiguous, writable float32 or float64 array, the
        ``.grad`` buffer of a FlatParams, or several arrays clipped together.
    max_norm : float
        The largest norm allowed, > 0; ``inf`` computes the norm and scales
        nothing (as in torch).
    norm_type : float, default 2.0
        Only the 2-norm is implemented.
    error_if_nonfinite : bool, default False
        Raise :class:`NonFiniteGradientError` (nothing modified) when the norm is
        NaN or Inf.  Otherwise a NaN norm leaves the gradient alone and an
        infinite one scales it by 0, as torch does.

    Returns
    -------
    float
        The total norm before clipping.
    """
    arrays = _arrays(grad)
    max_norm = check_max_norm("max_norm", max_norm)
    if norm_type != 2.0:
        raise ValueError(f"norm_type: got {norm_type!r}; accepted: 2.0")

    partials = [np.empty(blocks(a.size)) for a in arrays]
    total = total_norm(arrays, partials)
    if error_if_nonfinite and not math.isfinite(total):
        raise NonFiniteGradientError(
            f"grad: the total norm is {total}; the gradient holds NaN or Inf"
        )
    scale = clip_scale(total, max_norm)
    if scale < 1.0:
        for a in arrays:
            launch(_kernels.scale_, a.size, a.reshape(-1), scale)
    return total


def clip_grad_value(
    grad: NDArray[Any] | FlatParams | Sequence[NDArray[Any]], clip_value: float
) -> None:
    """Clamp every gradient element in place to ``[-clip_value, clip_value]``.

    NaN stays NaN.  ``grad`` is as in :func:`clip_grad_norm`; ``clip_value``
    is a finite number >= 0.
    """
    arrays = _arrays(grad)
    v = check_real("clip_value", clip_value)

    for a in arrays:
        launch(_kernels.clamp_, a.size, a.reshape(-1), -v, v)


def check_max_norm(name: str, value: Any) -> float:
    """A real number > 0, or ``inf``: the norm is computed and nothing is clipped.

    ``inf`` is torch's idiom for measuring the norm without clipping.
    """
    number = isinstance(value, (int, float, np.integer, np.floating))
    if number and not isinstance(value, (bool, np.bool_)):
        if value == math.inf:
            return math.inf
        if not value > 0.0:  # also NaN
            raise ValueError(
                f"Invalid {name}: {value!r}; accepted: a number > 0 (inf: never clip)"
            )
    return check_real(name, value)


def blocks(size: int) -> int:
    """The number of block sums a buffer of ``size`` elements needs."""
    return -(-size // CHUNK)


def total_norm(
    arrays: Sequence[NDArray[Any]], partials: Sequence[NDArray[Any]]
) -> float:
    """The 2-norm of all elements of ``arrays`` (1-D), using ``partials`` as scratch.

    ``partials[k]`` holds ``blocks(arrays[k].size)`` float64 slots.  When the
    sum of squares overflows although every element is finite (float64 values
    beyond about 1e154), the norm is recomputed with the elements divided by
    their largest magnitude, chunk by chunk, so it is exact up to rounding.
    The result is NaN or Inf only when an element is, or when the norm itself
    exceeds the float64 range.
    """
    total = 0.0
    for a, part in zip(arrays, partials, strict=True):
        launch(_kernels.sumsq_blocks_, a.size, a, part)
        total += float(part.sum())
    overflow = total == math.inf and all(
        all_finite(a, p) for a, p in zip(arrays, partials, strict=True)
    )
    return _rescaled_norm(arrays) if overflow else math.sqrt(total)


def all_finite(x: NDArray[Any], partials: NDArray[Any]) -> bool:
    """Whether the 1-D array ``x`` holds no NaN or Inf (``partials`` as scratch)."""
    launch(_kernels.nonfinite_blocks_, x.size, x, partials)
    return bool(partials.sum() == 0.0)


def _rescaled_norm(arrays: Sequence[NDArray[Any]]) -> float:
    biggest = max(
        (float(max(-a.min(), a.max())) for a in arrays if a.size), default=0.0
    )
    acc = 0.0
    for a in arrays:
        for lo in range(0, a.size, CHUNK):
            v = a[lo : lo + CHUNK].astype(np.float64) / biggest
            acc += float(np.dot(v, v))
    return biggest * math.sqrt(acc)


def _arrays(grad: Any) -> list[NDArray[Any]]:
    if isinstance(grad, FlatParams):
        return [grad.grad]
    if isinstance(grad, np.ndarray):
        return [flat_view(check_buffer("grad", grad))]
    if isinstance(grad, (list, tuple)):
        return [flat_view(check_buffer(f"grad[{k}]", a)) for k, a in enumerate(grad)]
    raise TypeError(
        f"grad: got {type(grad).__name__}; expected an ndarray, a FlatParams or a "
        "list of ndarrays"
    )
