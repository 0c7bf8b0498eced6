"""Learning-rate schedules: pure functions of an integer step count.

A schedule ``s`` maps a count ``t`` (0, 1, 2, ...) to a learning rate, ``s(t)``
(also ``s.get_lr(t)``).  It keeps no state, so a run that resumes at step ``t``
sees exactly the rates it would have seen.  An optimizer given a schedule as its
``lr`` uses ``s(t)`` for its step ``t + 1``, where ``t`` counts the steps already
taken, so the first step uses ``s(0)``.

Each schedule describes itself by :meth:`Schedule.config`, a JSON-compatible
dict, and :func:`from_config` rebuilds it: that is how state dicts and
checkpoints carry schedules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from fastopt._validate import check_real

__all__ = ["CosineAnnealing", "Schedule", "StepDecay", "from_config"]


class Schedule:
    """Base class: a learning rate as a pure function of the step count."""

    _registry: ClassVar[dict[str, type[Schedule]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Schedule._registry[cls.__name__] = cls

    def __call__(self, t: int) -> float:
        t = _check_count(t)
        return float(self._value(t))

    def get_lr(self, t: int) -> float:
        """The learning rate at count ``t``; the same as ``self(t)``."""
        return self(t)

    def _value(self, t: int) -> float:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """A JSON-compatible description; :func:`from_config` rebuilds the schedule."""
        return {"name": type(self).__name__, **self._args()}

    def _args(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def _from_args(cls, args: dict[str, Any]) -> Schedule:
        return cls(**args)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schedule) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._args().items())
        return f"{type(self).__name__}({args})"


def from_config(config: Mapping[str, Any]) -> Schedule:
    """Rebuild a schedule from :meth:`Schedule.config`."""
    if not isinstance(config, Mapping) or "name" not in config:
        raise ValueError(
            f"config: got {config!r:.80}; expected a dict with a 'name' key"
        )
    cls = Schedule._registry.get(str(config["name"]))
    if cls is None:
        raise ValueError(
            f"config['name']: got {config['name']!r}; accepted: "
            f"{sorted(Schedule._registry)}"
        )
    args = {k: v for k, v in config.items() if k != "name"}
    return cls._from_args(args)


class CosineAnnealing(Schedule):
    r"""Cosine annealing from ``initial_lr`` to ``eta_min`` over ``T_max`` steps.

    .. math:: \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})
              (1 + \cos(\pi t / T_{max}))

    for ``0 <= t <= T_max``, and ``eta_min`` after (torch's closed form of
    ``CosineAnnealingLR``, which instead rises again past ``T_max``; use
    ``CosineWarmRestarts`` for restarts).
    """

    def __init__(self, initial_lr: float, T_max: int, eta_min: float = 0.0) -> None:
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.T_max = _check_positive_int("T_max", T_max)
        self.eta_min = check_real("eta_min", eta_min)

    def _value(self, t: int) -> float:
        if t >= self.T_max:
            return self.eta_min
        cos = math.cos(math.pi * t / self.T_max)
        return self.eta_min + 0.5 * (self.initial_lr - self.eta_min) * (1.0 + cos)

    def _args(self) -> dict[str, Any]:
        return {"initial_lr": self.initial_lr, "T_max": self.T_max,
                "eta_min": self.eta_min}  # fmt: skip


class StepDecay(Schedule):
    r"""Multiply the rate by ``drop_rate`` every ``epochs_drop`` steps.

    .. math:: \eta_t = \eta_0 \cdot r^{\lfloor t / n \rfloor}

    (torch's ``StepLR`` with ``step_size = epochs_drop`` and ``gamma = drop_rate``).
    """

    def __init__(
        self, initial_lr: float, drop_rate: float = 0.5, epochs_drop: int = 10
    ) -> None:
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.drop_rate = check_real("drop_rate", drop_rate)
        self.epochs_drop = _check_positive_int("epochs_drop", epochs_drop)

    def _value(self, t: int) -> float:
        return self.initial_lr * self.drop_rate ** (t // self.epochs_drop)

    def _args(self) -> dict[str, Any]:
        return {"initial_lr": self.initial_lr, "drop_rate": self.drop_rate,
                "epochs_drop": self.epochs_drop}  # fmt: skip


def _check_count(t: Any) -> int:
    if isinstance(t, bool) or not isinstance(t, int | np.integer):
        raise TypeError(f"t: got {t!r}; expected an int >= 0")
    if t < 0:
        raise ValueError(f"t: got {t}; expected an int >= 0")
    return int(t)


def _check_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name}: got {value!r}; accepted: an int >= 1")
    if value < 1:
        raise ValueError(f"{name}: got {value}; accepted: an int >= 1")
    return int(value)
