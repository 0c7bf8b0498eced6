"""Reduce the learning rate when a metric stops improving (torch's ReduceLROnPlateau).

Unlike the schedules, this depends on the metrics it is shown, not on the step
count alone, so it keeps state of its own: save :meth:`state_dict` beside the
optimizer's checkpoint to resume it exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fastopt._validate import check_int, check_real
from fastopt.optim import Optimizer
from fastopt.schedules import Schedule

__all__ = ["ReduceLROnPlateau"]

_CONFIG = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
           "min_lr", "eps")  # fmt: skip


class ReduceLROnPlateau:
    """Multiply each group's learning rate by ``factor`` when a metric stalls.

    Call :meth:`step` with the metric once per epoch (or per evaluation).  A
    value counts as an improvement when it beats the best so far by more than
    ``threshold`` (relative: ``best * (1 - threshold)`` in ``"min"`` mode,
    ``best * (1 + threshold)`` in ``"max"``; absolute: ``best -+ threshold``).
    After more than ``patience`` calls without one, every group's rate becomes
    ``max(lr * factor, min_lr)`` (a change smaller than ``eps`` is not made),
    and the next ``cooldown`` calls count no bad epochs.  A NaN metric is
    never an improvement.  These are the rules and defaults of torch's
    ``ReduceLROnPlateau``.

    Parameters
    ----------
    optimizer : Optimizer
        Its groups' learning rates must be numbers, not schedules.
    mode : {"min", "max"}, default "min"
        Whether a lower or a higher metric is better.
    factor : float, default 0.1
        In [0, 1).
    patience : int, default 10
        Calls without improvement tolerated before a reduction (>= 0).
    threshold : float, default 1e-4
        The least improvement that counts (>= 0).
    threshold_mode : {"rel", "abs"}, default "rel"
    cooldown : int, default 0
        Calls after a reduction during which bad epochs are not counted (>= 0).
    min_lr : float or sequence of float, default 0
        The lowest rate, for every group or one per group (>= 0).
    eps : float, default 1e-8
        The smallest change of a rate that is applied (>= 0).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer: got {type(optimizer).__name__}; expected a fastopt "
                "Optimizer"
            )
        groups = optimizer.param_groups
        for k, group in enumerate(groups):
            if isinstance(group["lr"], Schedule):
                raise TypeError(
                    f"optimizer: param_groups[{k}]['lr'] is a schedule "
                    f"({group['lr']!r:.60}); ReduceLROnPlateau needs numeric rates"
                )
        if mode not in ("min", "max"):
            raise ValueError(f"mode: got {mode!r}; accepted: 'min', 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"threshold_mode: got {threshold_mode!r}; accepted: 'rel', 'abs'"
            )
        if isinstance(min_lr, (list, tuple, np.ndarray)):
            if len(min_lr) != len(groups):
                raise ValueError(
                    f"min_lr: got {len(min_lr)} values for {len(groups)} parameter "
                    "groups; accepted: one number, or one per group"
                )
            min_lrs = [check_real(f"min_lr[{k}]", v) for k, v in enumerate(min_lr)]
        else:
            min_lrs = [check_real("min_lr", min_lr)] * len(groups)
        self.optimizer = optimizer
        self.mode = mode
        self.factor = check_real("factor", factor, 0.0, 1.0, high_open=True)
        self.patience = check_int("patience", patience)
        self.threshold = check_real("threshold", threshold)
        self.threshold_mode = threshold_mode
        self.cooldown = check_int("cooldown", cooldown)
        self.min_lrs = min_lrs
        self.eps = check_real("eps", eps)

        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0

    def step(self, metric: Any) -> None:
        """Take one epoch's metric; reduce the rates if it has stalled too long."""
        number = isinstance(metric, (int, float, np.integer, np.floating)) or (
            isinstance(metric, np.ndarray) and metric.size == 1
        )
        if isinstance(metric, (bool, np.bool_)) or not number:
            raise TypeError(f"metric: got {metric!r:.80}; expected a number")
        current = float(metric)

        self.last_epoch += 1
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

    @property
    def last_lr(self) -> list[float]:
        """Each group's current learning rate."""
        return [float(g["lr"]) for g in self.optimizer.param_groups]

    def _is_better(self, value: float) -> bool:
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return value < self.best * (1.0 - self.threshold)
            return value < self.best - self.threshold
        if self.threshold_mode == "rel":
            return value > self.best * (1.0 + self.threshold)
        return value > self.best + self.threshold

    def _reduce(self) -> None:
        for group, low in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
            lr = group["lr"]
            if isinstance(lr, Schedule):
                raise TypeError(
                    f"optimizer: a group's lr became a schedule ({lr!r:.60}); "
                    "ReduceLROnPlateau needs numeric rates"
                )
            new = max(lr * self.factor, low)
            if lr - new > self.eps:
                group["lr"] = new

    def state_dict(self) -> dict[str, Any]:
        """The counters and the settings, as plain numbers and strings."""
        return {
            "config": {key: getattr(self, _attr(key)) for key in _CONFIG},
            "best": self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "cooldown_counter": self.cooldown_counter,
            "last_epoch": self.last_epoch,
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict`; the settings must be this object's."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"state_dict: got {type(state_dict).__name__}; expected a dict"
            )
        mine = self.state_dict()["config"]
        config = state_dict.get("config")
        if not isinstance(config, Mapping) or dict(config) != mine:
            raise ValueError(
                f"state_dict['config']: got {config!r:.200}; this object has {mine}"
            )
        best = state_dict.get("best")
        if isinstance(best, bool) or not isinstance(best, (int, float, np.floating)):
            raise ValueError(f"state_dict['best']: got {best!r}; expected a number")
        counters = {}
        for key in ("num_bad_epochs", "cooldown_counter", "last_epoch"):
            counters[key] = check_int(f"state_dict[{key!r}]", state_dict.get(key))

        self.best = float(best)
        for key, value in counters.items():
            setattr(self, key, value)


def _attr(key: str) -> str:
    return "min_lrs" if key == "min_lr" else key
