"""Timing of the update rules, shared by ``fastopt bench`` and the ``bench/`` suite.

Each rule is timed five ways on the same data: fastopt's class API, the NumPy
reference (:mod:`fastopt.reference`: op for op the kernel, written for clarity, with
temporaries), a careful in-place NumPy form (:mod:`fastopt._inplace`: ``out=`` into
one scratch buffer, no allocation), the textbook NumPy form (:mod:`fastopt._naive`:
a new array per operation), and a bandwidth ceiling.  The ceiling is a trivial
in-place kernel that reads and writes the same buffers as the rule
(``a[i] += grad[i]`` on each state buffer), so the share of it that a rule
reaches says how close the rule is to moving its bytes at the speed the machine
moves bytes, measured in the same run.

Throughput counts the bytes a rule must move per element: it reads the gradient and
every in-place buffer (parameters and state) and writes back each in-place buffer.
Adam in float32: read p, g, m, v and write p, m, v, 28 bytes. Compile time is kept
out of every timing by a warm-up call.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numba import prange
from numpy.typing import NDArray

from fastopt import _inplace, _naive, reference
from fastopt._jit import kernel_pair, launch
from fastopt._warmup import OPTIMIZERS, check_dtypes, check_optimizers, kernel_call

__all__ = ["DEFAULT_OPTIMIZERS", "DEFAULT_SIZES", "IMPLS", "Row", "bytes_per_element",
           "ceiling_seconds", "ceiling_step", "median_seconds", "parse_sizes",
           "problem", "run", "step_fn"]  # fmt: skip

DEFAULT_OPTIMIZERS = ("adam", "adamw", "momentum", "rmsprop", "adagrad")
DEFAULT_SIZES = (1_000, 100_000, 10_000_000)

# How a rule may be run: the class API, its kernel through fastopt's
# serial/parallel rule, either build of the kernel directly, the in-place NumPy
# reference, the textbook NumPy form.
IMPLS = ("fastopt", "kernel", "serial", "parallel", "reference", "inplace", "naive")

Arrays = dict[str, NDArray[Any]]

# The state buffers each rule updates in place (besides the parameters), with
# the optimizer classes' default options.
STATE: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("momentum_buffer",),
    "nesterov": ("momentum_buffer",),
    "adam": ("exp_avg", "exp_avg_sq"),
    "adamw": ("exp_avg", "exp_avg_sq"),
    "rmsprop": ("square_avg",),
    "adagrad": ("sum",),
}


def _ref_sgd(a: Arrays, t: int) -> None:
    reference.sgd(a["param"], a["grad"], None, first=t == 1, lr=1e-3)


def _ref_momentum(a: Arrays, t: int) -> None:
    reference.sgd(a["param"], a["grad"], a["momentum_buffer"], first=t == 1,
                  lr=1e-3, momentum=0.9)  # fmt: skip


def _ref_nesterov(a: Arrays, t: int) -> None:
    reference.sgd(a["param"], a["grad"], a["momentum_buffer"], first=t == 1,
                  lr=1e-3, momentum=0.9, nesterov=True)  # fmt: skip


def _ref_adam(a: Arrays, t: int) -> None:
    reference.adam(a["param"], a["grad"], a["exp_avg"], a["exp_avg_sq"], None,
                   step=t, lr=1e-3)  # fmt: skip


def _ref_adamw(a: Arrays, t: int) -> None:
    reference.adamw(a["param"], a["grad"], a["exp_avg"], a["exp_avg_sq"], None,
                    step=t, lr=1e-3)  # fmt: skip


def _ref_rmsprop(a: Arrays, t: int) -> None:
    reference.rmsprop(a["param"], a["grad"], a["square_avg"], None, None, lr=1e-2)


def _ref_adagrad(a: Arrays, t: int) -> None:
    reference.adagrad(a["param"], a["grad"], a["sum"], step=t, lr=1e-2)


REFERENCE: dict[str, Callable[[Arrays, int], None]] = {
    "sgd": _ref_sgd,
    "momentum": _ref_momentum,
    "nesterov": _ref_nesterov,
    "adam": _ref_adam,
    "adamw": _ref_adamw,
    "rmsprop": _ref_rmsprop,
    "adagrad": _ref_adagrad,
}


def streams(name: str) -> int:
    """The number of buffers a rule reads and writes in place (parameters too)."""
    return 1 + len(STATE[name])


def bytes_per_element(name: str, dtype: Any) -> int:
    """Bytes a rule must move per element: read grad + each buffer, write each."""
    return (2 * streams(name) + 1) * int(np.dtype(dtype).itemsize)


# -- the bandwidth ceiling ------------------------------------------------------


def _touch1(grad: NDArray[Any], a: NDArray[Any]) -> None:
    for i in prange(grad.size):
        a[i] = a[i] + grad[i]


def _touch2(grad: NDArray[Any], a: NDArray[Any], b: NDArray[Any]) -> None:
    for i in prange(grad.size):
        a[i] = a[i] + grad[i]
        b[i] = b[i] + grad[i]


def _touch3(
    grad: NDArray[Any], a: NDArray[Any], b: NDArray[Any], c: NDArray[Any]
) -> None:
    for i in prange(grad.size):
        a[i] = a[i] + grad[i]
        b[i] = b[i] + grad[i]
        c[i] = c[i] + grad[i]


def _touch4(
    grad: NDArray[Any],
    a: NDArray[Any],
    b: NDArray[Any],
    c: NDArray[Any],
    d: NDArray[Any],
) -> None:
    for i in prange(grad.size):
        a[i] = a[i] + grad[i]
        b[i] = b[i] + grad[i]
        c[i] = c[i] + grad[i]
        d[i] = d[i] + grad[i]


_TOUCH = {1: kernel_pair(_touch1), 2: kernel_pair(_touch2),
          3: kernel_pair(_touch3), 4: kernel_pair(_touch4)}  # fmt: skip


def ceiling_step(
    n_streams: int,
    n: int,
    dtype: Any,
    build: str,
    arrays: Sequence[NDArray[Any]] | None = None,
) -> Callable[[], None]:
    """One pass of the trivial kernel over ``n_streams`` in-place buffers + grad.

    ``build`` is ``"serial"``, ``"parallel"`` or ``"launch"`` (fastopt's rule:
    serial below ``PARALLEL_THRESHOLD`` elements).  ``arrays`` (the gradient,
    then the buffers) are made here unless given.
    """
    pair = _TOUCH[n_streams]
    if arrays is None:
        grad = np.full(n, 1e-3, dtype=dtype)
        arrays = (grad, *(np.zeros(n, dtype=dtype) for _ in range(n_streams)))
    args = tuple(arrays)
    if build == "launch":
        return lambda: launch(pair, n, *args)
    kernel = pair[("serial", "parallel").index(build)]
    return lambda: kernel(*args)


def ceiling_seconds(n_streams: int, n: int, dtype: Any, repeat: int = 5) -> float:
    """Median time of the faster build (serial or parallel) of the trivial kernel."""
    return min(
        median_seconds(ceiling_step(n_streams, n, dtype, build), repeat)
        for build in ("serial", "parallel")
    )


# -- timing ---------------------------------------------------------------------


def median_seconds(
    step: Callable[[], object],
    repeat: int = 5,
    min_sample: float = 2e-4,
    min_total: float = 0.05,
) -> float:
    """Median seconds per call of ``step``.

    One untimed call first (it compiles, or loads from the cache).  A sample
    runs ``step`` enough times in a row to last ``min_sample`` seconds, so that
    timer resolution does not matter for microsecond steps; samples are taken
    until there are ``repeat`` of them and they add up to ``min_total``
    seconds.  Many short samples make the median robust to a stall (another
    process taking a core away from a parallel kernel for a time slice).
    """
    step()
    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    number = max(1, min(100_000, math.ceil(min_sample / max(first, 1e-9))))
    samples = [first] if number == 1 else []
    total = first
    enabled = gc.isenabled()
    gc.disable()
    try:
        while len(samples) < repeat or (total < min_total and len(samples) < 10_000):
            t0 = time.perf_counter()
            for _ in range(number):
                step()
            elapsed = time.perf_counter() - t0
            samples.append(elapsed / number)
            total += elapsed
    finally:
        if enabled:
            gc.enable()
    return float(np.median(samples))


def problem(n: int, dtype: Any, seed: int = 0) -> tuple[NDArray[Any], NDArray[Any]]:
    """Starting parameters and a gradient, both standard normal."""
    rng = np.random.default_rng(seed)
    param = rng.standard_normal(n, dtype=np.dtype(dtype).type)
    grad = rng.standard_normal(n, dtype=np.dtype(dtype).type)
    return param, grad


def step_fn(
    name: str, impl: str, param: NDArray[Any], grad: NDArray[Any]
) -> Callable[[], None]:
    """A call that applies one step of rule ``name`` by ``impl`` (see IMPLS).

    Each works on its own copy of ``param`` and its own state; ``grad`` is
    shared and only read.  The kernel forms repeat the second step (the first
    sets up state and, for SGD, reads no momentum buffer).
    """
    if impl not in IMPLS:
        raise ValueError(f"impl: got {impl!r}; accepted: {', '.join(IMPLS)}")
    if impl in ("reference", "inplace", "naive"):
        arrays: Arrays = {"param": param.copy(), "grad": grad}
        for key in STATE[name]:
            arrays[key] = np.zeros_like(param)
        if impl == "inplace":
            arrays["scratch"] = np.empty_like(param)
        rule = {"reference": REFERENCE, "inplace": _inplace.STEPS,
                "naive": _naive.STEPS}[impl][name]  # fmt: skip
        count = [0]

        def numpy_step() -> None:
            count[0] += 1
            rule(arrays, count[0])

        return numpy_step
    opt = OPTIMIZERS[name](param.copy())
    if impl == "fastopt":
        return lambda: opt.step(grad)
    opt.step(grad)
    pair, args = kernel_call(opt, grad)
    if impl == "kernel":
        return lambda: launch(pair, param.size, *args)
    if impl == "serial":
        return lambda: pair[0](*args)
    return lambda: pair[1](*args)


# -- the fastopt bench table ----------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of ``fastopt bench``: a rule at one size and dtype.

    Times are median seconds per step: fastopt's class API, the in-place NumPy
    reference, the textbook NumPy form, and the bandwidth ceiling (the faster
    build of the trivial kernel over as many buffers).  ``share_of_ceiling`` is
    the ceiling's time over fastopt's.
    """

    optimizer: str
    dtype: str
    size: int
    bytes_per_element: int
    seconds: float
    reference_seconds: float
    inplace_seconds: float
    naive_seconds: float
    ceiling_seconds: float

    @property
    def elements_per_s(self) -> float:
        return self.size / self.seconds

    @property
    def gb_per_s(self) -> float:
        return self.size * self.bytes_per_element / self.seconds / 1e9

    @property
    def ceiling_gb_per_s(self) -> float:
        return self.size * self.bytes_per_element / self.ceiling_seconds / 1e9

    @property
    def share_of_ceiling(self) -> float:
        return self.ceiling_seconds / self.seconds

    @property
    def speedup_reference(self) -> float:
        return self.reference_seconds / self.seconds

    @property
    def speedup_inplace(self) -> float:
        return self.inplace_seconds / self.seconds

    @property
    def speedup_naive(self) -> float:
        return self.naive_seconds / self.seconds

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in (
            "elements_per_s",
            "gb_per_s",
            "ceiling_gb_per_s",
            "share_of_ceiling",
            "speedup_reference",
            "speedup_inplace",
            "speedup_naive",
        ):
            out[key] = getattr(self, key)  # fmt: skip
        return out


def parse_sizes(text: str) -> list[int]:
    """Sizes from ``"1e3,1e5,1e7"``: whole numbers >= 1, in any float notation."""
    sizes = []
    for item in text.split(","):
        try:
            value = float(item)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value >= 1 and value == int(value)):
            raise ValueError(
                f"sizes: got {item.strip()!r}; accepted: whole numbers >= 1, such "
                "as 1000 or 1e7, separated by commas"
            )
        sizes.append(int(value))
    return sizes


def run(
    optimizers: Iterable[str] = DEFAULT_OPTIMIZERS,
    sizes: Sequence[int] = DEFAULT_SIZES,
    dtypes: Iterable[Any] = ("float32",),
    repeat: int = 5,
    progress: Callable[[str], None] | None = None,
) -> list[Row]:
    """Time each optimizer at each size and dtype; one Row per combination.

    ``progress`` receives a short line before each measurement.
    """
    names = check_optimizers(optimizers)
    kinds = check_dtypes(dtypes)
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes):
        raise ValueError(f"sizes: got {list(sizes)!r}; accepted: ints >= 1")
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat: got {repeat!r}; accepted: an int >= 1")

    ceilings: dict[tuple[int, int, str], float] = {}
    rows: list[Row] = []
    total = len(names) * len(sizes) * len(kinds)
    for dtype in kinds:
        for n in sizes:
            param, grad = problem(n, dtype)
            for name in names:
                if progress is not None:
                    progress(f"[{len(rows) + 1}/{total}] {name} {dtype.name} n={n}")
                times = {}
                for impl in ("fastopt", "reference", "inplace", "naive"):
                    times[impl] = median_seconds(
                        step_fn(name, impl, param, grad), repeat
                    )
                key = (streams(name), n, dtype.name)
                if key not in ceilings:
                    ceilings[key] = ceiling_seconds(*key, repeat=repeat)
                rows.append(Row(name, dtype.name, n, bytes_per_element(name, dtype),
                                times["fastopt"], times["reference"], times["inplace"],
                                times["naive"],
                                ceilings[key]))  # fmt: skip
    return rows
