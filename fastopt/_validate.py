"""Argument checks shared by the public classes and functions.

Every check raises before anything is mutated, with a message that names the
argument, the value received and what is accepted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_dtype(name: str, dtype: np.dtype[Any]) -> None:
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name}: got dtype {dtype}; accepted: float32, float64")


def check_buffer(name: str, a: Any, writable: bool = True) -> NDArray[Any]:
    """An ndarray that the kernels may use in place, without copying."""
    if not isinstance(a, np.ndarray):
        hint = ""
        if isinstance(a, (list, tuple, dict)):
            hint = " (to update several arrays, pack them: fastopt.FlatParams(arrays))"
        raise TypeError(
            f"{name}: got {type(a).__name__}; expected a numpy.ndarray "
            f"(float32 or float64, C-contiguous) or a FlatParams{hint}"
        )
    check_dtype(name, a.dtype)
    if not a.flags.c_contiguous:
        raise ValueError(
            f"{name}: the array is not C-contiguous; updating a copy would leave "
            "yours untouched, so pass np.ascontiguousarray(...) and use that array"
        )
    if writable and not a.flags.writeable:
        raise ValueError(f"{name}: the array is read-only; a writable one is needed")
    if a.dtype.byteorder not in "=|" and a.dtype.byteorder != _NATIVE:
        raise ValueError(f"{name}: got a non-native byte order ({a.dtype.str})")
    return a


_NATIVE = "<" if np.little_endian else ">"


def check_grad(grad: Any, param: NDArray[Any]) -> NDArray[Any]:
    """A gradient matching ``param`` in size and dtype, read through a flat view."""
    if not isinstance(grad, np.ndarray):
        raise TypeError(f"grad: got {type(grad).__name__}; expected a numpy.ndarray")
    if grad.dtype != param.dtype:
        raise TypeError(
            f"grad: got dtype {grad.dtype}; expected {param.dtype}, the parameters' "
            "dtype"
        )
    if grad.size != param.size:
        raise ValueError(
            f"grad: got {grad.size} elements (shape {grad.shape}); expected "
            f"{param.size}, the number of parameters"
        )
    if not grad.flags.c_contiguous:
        raise ValueError("grad: the array is not C-contiguous")
    return flat_view(grad)


def flat_view(a: NDArray[Any]) -> NDArray[Any]:
    """A C-contiguous array as a 1-D plain ndarray over the same memory.

    Subclasses (``np.memmap``, ``np.matrix``, ...) become plain views, so that
    every kernel sees a 1-D array: a matrix stays 2-D through ``reshape(-1)``.
    """
    if type(a) is not np.ndarray:
        a = a.view(np.ndarray)
    return a.reshape(-1)


def check_real(name: str, value: Any, low: float = 0.0, high: float = math.inf,
               high_open: bool = False) -> float:  # fmt: skip
    """A finite real number in [low, high] (or [low, high) with ``high_open``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{name}: got {value!r}; expected a real number")
    v = float(value)
    if high_open:
        ok = low <= v < high
        accepted = f"[{low:g}, {high:g})"
    else:
        ok = low <= v <= high
        accepted = f"[{low:g}, {high:g}]" if high < math.inf else f">= {low:g}"
    if not ok or not math.isfinite(v):
        raise ValueError(f"Invalid {name}: {value!r}; accepted: {accepted}")
    return v


def check_int(name: str, value: Any, low: int = 0) -> int:
    """An int (or NumPy integer, not a bool) >= ``low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: got {value!r}; accepted: an int >= {low}")
    if value < low:
        raise ValueError(f"{name}: got {value}; accepted: an int >= {low}")
    return int(value)


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: got {value!r}; expected True or False")
    return bool(value)


def check_betas(value: Any) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(
            f"Invalid betas: {value!r}; expected a pair (beta1, beta2), each in [0, 1)"
        )
    b1 = check_real("beta parameter at index 0 (betas[0])", value[0], 0.0, 1.0, True)
    b2 = check_real("beta parameter at index 1 (betas[1])", value[1], 0.0, 1.0, True)
    return b1, b2
