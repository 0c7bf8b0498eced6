"""A plain mini-batch training loop, :func:`fit`."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

import numpy as np
from numpy.typing import NDArray

from fastopt.flat import FlatParams
from fastopt.optim import Optimizer
from fastopt.schedules import Schedule

__all__ = ["History", "Model", "fit"]

# In automatic mode the progress line appears only once a run has lasted this
# long, so short runs print nothing.
_PROGRESS_AFTER_S = 1.0


class Model(Protocol):
    """What :func:`fit` trains.

    ``params`` holds every trainable array.  ``loss_and_grad(xb, yb)`` returns
    the mean loss on a batch as a number and puts the gradient of that loss
    into ``params.grad`` (which :func:`fit` zeroes first, so adding works too).
    """

    params: FlatParams

    def loss_and_grad(self, xb: NDArray[Any], yb: NDArray[Any]) -> float: ...


@dataclass
class History:
    """What :func:`fit` records, one entry per epoch.

    Attributes
    ----------
    loss : list of float
        The mean training loss over the epoch's batches, weighted by batch size
        (each batch's loss is taken before its update).
    lr : list of float
        The first group's learning rate in the epoch's last step.
    steps : int
        Updates applied in this run (skipped steps excluded).
    skipped_steps : int
        Steps the optimizer skipped for a non-finite gradient in this run.
    """

    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    steps: int = 0
    skipped_steps: int = 0


def fit(
    model: Model,
    X: NDArray[Any],
    y: NDArray[Any],
    optimizer: Optimizer,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = None,
    schedule: Schedule | None = None,
    max_grad_norm: float | None = None,
    progress: bool | None = None,
) -> History:
    """Train ``model`` on ``(X, y)`` by mini-batch steps of ``optimizer``.

    Parameters
    ----------
    model : Model
        Has ``params`` (a FlatParams) and ``loss_and_grad(xb, yb)``.
    X, y : ndarray
        Inputs and targets; rows are examples (the same number in both).
    optimizer : Optimizer
        Built on ``model.params``; it keeps its state, so calling fit again
        continues the run.
    epochs : int, default 1
        Passes over the data (>= 0).
    batch_size : int, default 32
        Rows per step (>= 1); the last batch of an epoch may be smaller.
    shuffle : bool, default True
        Draw a new order of the rows each epoch.
    seed : int or numpy.random.Generator, optional
        Seed of the shuffling; the same seed gives the same run, bit for bit.
    schedule : Schedule, optional
        Becomes the optimizer's ``lr`` (and stays so after fit returns);
        default: the optimizer's own ``lr``, a number or a schedule.
    max_grad_norm : float, optional
        Clip each step's gradient to this global norm, fused into the update,
        for this run only; default: the optimizer's own setting.
    progress : bool, optional
        Show a progress line on stderr.  Default: only when stderr is a
        terminal and the run has lasted over a second.

    Returns
    -------
    History
    """
    _check_model(model, optimizer)
    X, y = _check_data(X, y)
    epochs = _check_count("epochs", epochs, 0)
    batch_size = _check_count("batch_size", batch_size, 1)
    rng = np.random.default_rng(seed)
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress: got {progress!r}; expected True, False or None")
    saved_norm = optimizer.max_grad_norm
    if max_grad_norm is not None:
        optimizer.max_grad_norm = max_grad_norm
    if schedule is not None:
        optimizer.lr = schedule

    history = History()
    bar = _Progress(epochs, progress)
    n = len(X)
    steps0, skipped0 = optimizer.step_count, optimizer.skipped_steps
    try:
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            total = 0.0
            lr = math.nan
            for lo in range(0, n, batch_size):
                idx = order[lo : lo + batch_size]
                total += _batch_loss(model, X[idx], y[idx]) * len(idx)
                lr = optimizer.current_lr[0]
                optimizer.step()
            history.loss.append(total / n)
            history.lr.append(lr)
            bar.show(epoch + 1, history.loss[-1])
    finally:
        optimizer.max_grad_norm = saved_norm
        bar.close()
        history.steps = optimizer.step_count - steps0
        history.skipped_steps = optimizer.skipped_steps - skipped0
    return history


def _batch_loss(model: Model, xb: NDArray[Any], yb: NDArray[Any]) -> float:
    params = model.params
    params.zero_grad()
    loss = model.loss_and_grad(xb, yb)
    g = params.grad
    if (
        not isinstance(g, np.ndarray)
        or g.size != params.size
        or g.dtype != params.dtype
    ):
        raise ValueError(
            "model.loss_and_grad: left params.grad as "
            f"{getattr(g, 'size', '?')} elements of {getattr(g, 'dtype', type(g))}; "
            f"expected {params.size} elements of {params.dtype} (write into the "
            "buffer, do not replace it)"
        )
    number = isinstance(loss, (int, float, np.integer, np.floating)) or (
        isinstance(loss, np.ndarray) and loss.size == 1
    )
    if isinstance(loss, (bool, np.bool_)) or not number:
        raise TypeError(
            f"model.loss_and_grad: returned {loss!r:.80}; expected a number (the loss)"
        )
    return float(loss)


def _check_model(model: Any, optimizer: Any) -> None:
    params = getattr(model, "params", None)
    if not isinstance(params, FlatParams):
        raise TypeError(
            f"model: its .params is {type(params).__name__}; expected a FlatParams"
        )
    if not callable(getattr(model, "loss_and_grad", None)):
        raise TypeError("model: expected a loss_and_grad(xb, yb) method")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer: got {type(optimizer).__name__}; expected a fastopt optimizer"
        )
    if optimizer.params is not params:
        raise ValueError(
            "optimizer: it updates other parameters than model.params; build it on "
            "model.params"
        )


def _check_data(X: Any, y: Any) -> tuple[NDArray[Any], NDArray[Any]]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X, y: expected arrays with one row per example")
    if len(X) != len(y):
        raise ValueError(
            f"X, y: got {len(X)} rows in X and {len(y)} in y; expected equal"
        )
    if len(X) == 0:
        raise ValueError("X: got no rows; expected at least one example")
    return X, y


def _check_count(name: str, value: Any, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: got {value!r}; expected an int >= {low}")
    if value < low:
        raise ValueError(f"{name}: got {value}; expected an int >= {low}")
    return int(value)


class _Progress:
    """One self-overwriting status line on stderr."""

    def __init__(self, epochs: int, enabled: bool | None,
                 stream: TextIO | None = None) -> None:  # fmt: skip
        self.stream = stream if stream is not None else sys.stderr
        self.epochs = epochs
        self.auto = enabled is None
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.start = time.perf_counter()
        self.shown = False

    def show(self, epoch: int, loss: float) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        if (
            self.auto
            and not self.shown
            and (elapsed < _PROGRESS_AFTER_S or epoch == self.epochs)
        ):
            return
        width = 24
        done = width * epoch // max(self.epochs, 1)
        bar = "#" * done + "." * (width - done)
        self.stream.write(
            f"\rfit [{bar}] epoch {epoch}/{self.epochs}  loss {loss:.4g}  "
            f"{elapsed:.1f}s"
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
