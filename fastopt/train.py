"""A plain mini-batch training loop, :func:`fit`."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

import numpy as np
from numpy.typing import NDArray

from fastopt._validate import check_int
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
    An optional ``loss(x, y)`` method, the loss alone, lets :func:`fit` score
    validation data without computing a gradient.
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
    val_loss : list of float
        With ``validation`` data, the mean loss on it after each epoch.
    steps : int
        Updates applied in this run (skipped steps excluded).
    skipped_steps : int
        Steps the optimizer skipped for a non-finite gradient in this run.
    """

    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
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
    validation: tuple[NDArray[Any], NDArray[Any]] | None = None,
    on_epoch: Callable[[int, History], object] | None = None,
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
    validation : (X_val, y_val), optional
        Scored after each epoch, in batches of ``batch_size``, into
        ``History.val_loss``: by ``model.loss`` where the model has one, else by
        ``loss_and_grad`` (whose gradient is then discarded).
    on_epoch : callable, optional
        Called as ``on_epoch(epoch, history)`` after each epoch (counted from
        1), for example to step a :class:`~fastopt.ReduceLROnPlateau` on
        ``history.val_loss[-1]``; returning True stops the run there.
    progress : bool, optional
        Show a progress line on stderr.  Default: only when stderr is a
        terminal and the run has lasted over a second.

    Returns
    -------
    History
    """
    _check_model(model, optimizer)
    X, y = _check_data(X, y)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(
                f"validation: got {type(validation).__name__}; expected a pair "
                "(X_val, y_val)"
            )
        validation = _check_data(*validation)
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(f"on_epoch: got {on_epoch!r:.80}; expected a callable")
    epochs = check_int("epochs", epochs, 0)
    batch_size = check_int("batch_size", batch_size, 1)
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
            if validation is not None:
                history.val_loss.append(_mean_loss(model, *validation, batch_size))
            bar.show(epoch + 1, history.loss[-1])
            if on_epoch is not None and on_epoch(epoch + 1, history) is True:
                break
    finally:
        optimizer.max_grad_norm = saved_norm
        bar.close()
        history.steps = optimizer.step_count - steps0
        history.skipped_steps = optimizer.skipped_steps - skipped0
    return history


def _mean_loss(
    model: Model, X: NDArray[Any], y: NDArray[Any], batch_size: int
) -> float:
    """The loss on ``(X, y)``, batch by batch, weighted by batch size."""
    score = getattr(model, "loss", None)
    if not callable(score):
        score = None
    total = 0.0
    for lo in range(0, len(X), batch_size):
        xb, yb = X[lo : lo + batch_size], y[lo : lo + batch_size]
        if score is not None:
            loss = _check_loss("model.loss", score(xb, yb))
        else:
            loss = _batch_loss(model, xb, yb)
        total += loss * len(xb)
    if score is None:
        model.params.zero_grad()  # the gradient of scoring is not a training step's
    return total / len(X)


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
    return _check_loss("model.loss_and_grad", loss)


def _check_loss(source: str, loss: Any) -> float:
    number = isinstance(loss, (int, float, np.integer, np.floating)) or (
        isinstance(loss, np.ndarray) and loss.size == 1
    )
    if isinstance(loss, (bool, np.bool_)) or not number:
        raise TypeError(
            f"{source}: returned {loss!r:.80}; expected a number (the loss)"
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
