"""The one place that sets how fastopt compiles its kernels.

Every kernel is written once as a plain Python function and compiled twice: a
serial dispatcher for small buffers (no thread-pool start-up cost) and a parallel
one for large buffers.  ``numba.prange`` is an ordinary ``range`` in the serial
build, so both builds run the same source.
"""

from __future__ import annotations

import functools
import threading
import types
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

# error_model="numpy": division by zero gives inf/nan instead of raising, which
# lets LLVM vectorise loops that divide (3.5-7x faster here).  No fast-math
# flags: the non-finite checks must see NaN and Inf, and float64 results must
# match the NumPy reference to the last bits.
_OPTIONS: dict[str, Any] = {"cache": True, "error_model": "numpy", "nogil": True}

# Elements per work item of a parallel kernel.  Large enough that scheduling a
# chunk costs nothing next to streaming it, small enough that two threads get
# even shares of a 1e5-element buffer.
CHUNK = 1 << 14

# Buffers with fewer elements take the serial kernel (measured crossover: see
# README, "Serial and parallel paths").
PARALLEL_THRESHOLD = 1 << 15


def kernel_pair(fn: Callable[..., Any], reduction: bool = False) -> tuple[Any, Any]:
    """Compile ``fn`` lazily as a (serial, parallel) pair of Numba dispatchers.

    ``reduction=True`` lets LLVM reassociate floating-point sums so that a
    block's sum is vectorised.  The order then depends on the compiled code,
    never on the number of threads, since blocks are fixed in size.
    """
    if getattr(numba.config, "DISABLE_JIT", False):
        return _quiet(fn), _quiet(fn)
    options = dict(_OPTIONS)
    if reduction:
        options["fastmath"] = {"reassoc"}
    serial = numba.njit(parallel=False, **options)(fn)
    parallel = numba.njit(parallel=True, **options)(_renamed(fn, "_parallel"))
    return serial, parallel


def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` run as plain Python (NUMBA_DISABLE_JIT=1), without NumPy warnings.

    Compiled with ``error_model="numpy"``, a kernel turns ``inf * 0`` or an
    overflow into NaN or Inf silently; as Python on NumPy scalars the same
    arithmetic warns.  Like a dispatcher, the wrapper has ``py_func``.
    """

    @functools.wraps(fn)
    def run(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args)

    run.py_func = fn  # type: ignore[attr-defined]
    return run


def _renamed(fn: Callable[..., Any], suffix: str) -> Callable[..., Any]:
    """A copy of ``fn`` under another qualified name.

    Numba's on-disk cache is keyed by the function's qualified name and not by
    the ``parallel`` flag, so the two builds of one function need two names or
    they load each other's machine code.
    """
    copy = types.FunctionType(
        fn.__code__, fn.__globals__, fn.__name__ + suffix, fn.__defaults__,
        fn.__closure__,
    )  # fmt: skip
    copy.__qualname__ = fn.__qualname__ + suffix
    copy.__doc__ = fn.__doc__
    return copy


# Numba's default "workqueue" threading layer aborts the process when two Python
# threads enter parallel kernels at once.  One parallel call runs at a time; a
# thread that finds the pool busy runs the serial kernel instead of waiting.
_pool = threading.Lock()


def launch(pair: tuple[Any, Any], size: int, *args: Any) -> Any:
    """Run the serial or the parallel build of a kernel pair on ``args``."""
    serial, parallel = pair
    if size < PARALLEL_THRESHOLD or not _pool.acquire(blocking=False):
        return serial(*args)
    try:
        return parallel(*args)
    finally:
        _pool.release()
