"""Learning-rate schedules: pure functions of an integer step count.

A schedule ``s`` maps a count ``t`` (0, 1, 2, ...) to a learning rate, ``s(t)``
(also ``s.get_lr(t)``).  It keeps no state, so a run that resumes at step ``t``
sees exactly the rates it would have seen.  An optimizer given a schedule as its
``lr`` uses ``s(t)`` for its step ``t + 1``, where ``t`` counts the steps already
taken, so the first step uses ``s(0)``.

Each schedule's docstring says what it gives at ``t = 0``, where it ends, what it
does past the end, and how it relates to torch's ``lr_scheduler`` (whose rate
after ``k`` calls of ``scheduler.step()`` is ``s(k)``) or optax.  Schedules run
one after another with :class:`Sequence`.

Each schedule describes itself by :meth:`Schedule.config`, a JSON-compatible
dict, and :func:`from_config` rebuilds it: that is how state dicts and
checkpoints carry schedules.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from fastopt._validate import check_bool, check_int, check_real

__all__ = [
    "Constant",
    "CosineAnnealing",
    "CosineWarmRestarts",
    "Cyclic",
    "Exponential",
    "Linear",
    "LinearWarmup",
    "MultiStep",
    "OneCycle",
    "Polynomial",
    "Schedule",
    "Sequence",
    "StepDecay",
    "WarmupCosine",
    "from_config",
]


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
    ``drop_rate`` > 0; above 1 the rate grows, up to ``inf``.

    Some tutorials write step decay as
    ``initial_lr * drop_rate ** floor((1 + epoch) / epochs_drop)``, which drops
    one count earlier: that is ``s(epoch + 1)`` here.
    """

    def __init__(
        self, initial_lr: float, drop_rate: float = 0.5, epochs_drop: int = 10
    ) -> None:
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.drop_rate = _check_positive_real("drop_rate", drop_rate)
        self.epochs_drop = _check_positive_int("epochs_drop", epochs_drop)

    def _value(self, t: int) -> float:
        return _scaled_power(self.initial_lr, self.drop_rate, t // self.epochs_drop)

    def _args(self) -> dict[str, Any]:
        return {"initial_lr": self.initial_lr, "drop_rate": self.drop_rate,
                "epochs_drop": self.epochs_drop}  # fmt: skip


class Constant(Schedule):
    """The same rate ``lr`` at every count."""

    def __init__(self, lr: float) -> None:
        self.lr = check_real("lr", lr)

    def _value(self, t: int) -> float:
        return self.lr

    def _args(self) -> dict[str, Any]:
        return {"lr": self.lr}


class Linear(Schedule):
    r"""Straight line from ``initial_lr`` at ``t = 0`` to ``final_lr`` at
    ``t = total_steps``, then ``final_lr``.

    .. math:: \eta_t = \eta_0 + (\eta_T - \eta_0) \min(t, T) / T

    The rate may rise or fall.  torch's ``LinearLR(start_factor, end_factor,
    total_iters)`` on a base rate ``lr`` is ``Linear(lr * start_factor,
    lr * end_factor, total_iters)``; optax's ``linear_schedule`` is the same line.
    """

    def __init__(self, initial_lr: float, final_lr: float, total_steps: int) -> None:
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.final_lr = check_real("final_lr", final_lr)
        self.total_steps = _check_positive_int("total_steps", total_steps)

    def _value(self, t: int) -> float:
        if t >= self.total_steps:
            return self.final_lr
        return _lerp(self.initial_lr, self.final_lr, t / self.total_steps)

    def _args(self) -> dict[str, Any]:
        return {"initial_lr": self.initial_lr, "final_lr": self.final_lr,
                "total_steps": self.total_steps}  # fmt: skip


class Exponential(Schedule):
    r"""Multiply the rate by ``gamma`` at every count: :math:`\eta_t = \eta_0\gamma^t`.

    ``gamma`` > 0; with ``gamma > 1`` the rate grows without end and becomes
    ``inf`` once it leaves the float range.  torch's ``ExponentialLR``.
    """

    def __init__(self, initial_lr: float, gamma: float) -> None:
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.gamma = _check_positive_real("gamma", gamma)

    def _value(self, t: int) -> float:
        return _scaled_power(self.initial_lr, self.gamma, t)

    def _args(self) -> dict[str, Any]:
        return {"initial_lr": self.initial_lr, "gamma": self.gamma}


class MultiStep(Schedule):
    r"""Multiply the rate by ``gamma`` at each count in ``milestones``.

    .. math:: \eta_t = \eta_0 \gamma^{\#\{m \in \text{milestones} : m \le t\}}

    ``milestones`` are strictly increasing ints >= 1 (the rate at a milestone
    is already the reduced one); ``gamma`` > 0.  torch's ``MultiStepLR``.
    """

    def __init__(
        self, initial_lr: float, milestones: Iterable[int], gamma: float = 0.1
    ) -> None:
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.milestones = _check_increasing("milestones", milestones)
        self.gamma = _check_positive_real("gamma", gamma)

    def _value(self, t: int) -> float:
        drops = bisect.bisect_right(self.milestones, t)
        return _scaled_power(self.initial_lr, self.gamma, drops)

    def _args(self) -> dict[str, Any]:
        return {"initial_lr": self.initial_lr, "milestones": list(self.milestones),
                "gamma": self.gamma}  # fmt: skip


class Polynomial(Schedule):
    r"""Polynomial decay from ``initial_lr`` to ``final_lr`` over ``total_steps``.

    .. math:: \eta_t = \eta_T + (\eta_0 - \eta_T)(1 - \min(t, T) / T)^p

    ``final_lr`` from ``t = total_steps`` on; ``power`` > 0 (1 is a straight
    line).  torch's ``PolynomialLR(total_iters, power)`` always decays to 0: it
    is ``final_lr=0``.  optax's ``polynomial_schedule`` is the same curve.
    """

    def __init__(
        self,
        initial_lr: float,
        total_steps: int,
        power: float = 1.0,
        final_lr: float = 0.0,
    ) -> None:
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.total_steps = _check_positive_int("total_steps", total_steps)
        self.power = _check_positive_real("power", power)
        self.final_lr = check_real("final_lr", final_lr)

    def _value(self, t: int) -> float:
        if t >= self.total_steps:
            return self.final_lr
        left: float = (1.0 - t / self.total_steps) ** self.power
        return self.final_lr + (self.initial_lr - self.final_lr) * left

    def _args(self) -> dict[str, Any]:
        return {"initial_lr": self.initial_lr, "total_steps": self.total_steps,
                "power": self.power, "final_lr": self.final_lr}  # fmt: skip


class LinearWarmup(Schedule):
    r"""Straight line from ``initial_lr`` at ``t = 0`` to ``peak_lr`` at
    ``t = warmup_steps``, then ``peak_lr`` for ever.

    ``warmup_steps`` >= 0 (0: constant ``peak_lr``).  torch's ``LinearLR(
    start_factor=initial_lr / peak_lr, end_factor=1, total_iters=warmup_steps)``
    on a base rate ``peak_lr`` (torch needs ``initial_lr > 0``).
    """

    def __init__(
        self, peak_lr: float, warmup_steps: int, initial_lr: float = 0.0
    ) -> None:
        self.peak_lr = check_real("peak_lr", peak_lr)
        self.warmup_steps = _check_nonnegative_int("warmup_steps", warmup_steps)
        self.initial_lr = check_real("initial_lr", initial_lr)

    def _value(self, t: int) -> float:
        if t >= self.warmup_steps:
            return self.peak_lr
        return _lerp(self.initial_lr, self.peak_lr, t / self.warmup_steps)

    def _args(self) -> dict[str, Any]:
        return {"peak_lr": self.peak_lr, "warmup_steps": self.warmup_steps,
                "initial_lr": self.initial_lr}  # fmt: skip


class WarmupCosine(Schedule):
    r"""Linear warm-up to ``peak_lr``, then cosine decay to ``final_lr``.

    With :math:`W` = ``warmup_steps`` and :math:`T` = ``total_steps``:

    .. math:: \eta_t = \eta_0 + (\eta_{peak} - \eta_0)\, t / W
              \quad (t < W)

    .. math:: \eta_t = \eta_T + \tfrac12(\eta_{peak} - \eta_T)
              (1 + \cos(\pi (t - W) / (T - W))) \quad (W \le t \le T)

    and ``final_lr`` for ``t >= T``.  ``total_steps`` counts the warm-up too,
    and ``0 <= warmup_steps < total_steps``.  This is optax's
    ``warmup_cosine_decay_schedule(init_value=initial_lr, peak_value=peak_lr,
    warmup_steps, decay_steps=total_steps, end_value=final_lr)``.  torch has no
    single scheduler for it.
    """

    def __init__(
        self,
        peak_lr: float,
        warmup_steps: int,
        total_steps: int,
        initial_lr: float = 0.0,
        final_lr: float = 0.0,
    ) -> None:
        self.peak_lr = check_real("peak_lr", peak_lr)
        self.warmup_steps = _check_nonnegative_int("warmup_steps", warmup_steps)
        self.total_steps = _check_positive_int("total_steps", total_steps)
        if self.warmup_steps >= self.total_steps:
            raise ValueError(
                f"warmup_steps: got {warmup_steps}; accepted: an int in "
                f"[0, total_steps) = [0, {self.total_steps}), since the warm-up "
                "is part of total_steps"
            )
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.final_lr = check_real("final_lr", final_lr)

    def _value(self, t: int) -> float:
        warmup, total = self.warmup_steps, self.total_steps
        if t < warmup:
            return _lerp(self.initial_lr, self.peak_lr, t / warmup)
        if t >= total:
            return self.final_lr
        return _cosine(self.peak_lr, self.final_lr, (t - warmup) / (total - warmup))

    def _args(self) -> dict[str, Any]:
        return {"peak_lr": self.peak_lr, "warmup_steps": self.warmup_steps,
                "total_steps": self.total_steps, "initial_lr": self.initial_lr,
                "final_lr": self.final_lr}  # fmt: skip


class CosineWarmRestarts(Schedule):
    r"""Cosine annealing from ``initial_lr`` towards ``eta_min``, restarted at
    ``initial_lr`` after each cycle (SGDR).

    The first cycle has ``T_0`` counts, each next one ``T_mult`` times as many.
    With :math:`T_{cur}` the counts since the last restart and :math:`T_i` the
    current cycle's length,

    .. math:: \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})
              (1 + \cos(\pi T_{cur} / T_i)),

    so ``eta_min`` itself is never reached; the schedule has no end.
    ``T_0`` and ``T_mult`` are ints >= 1.  torch's
    ``CosineAnnealingWarmRestarts``, with the cycle found in integer arithmetic.
    """

    def __init__(
        self, initial_lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0
    ) -> None:
        self.initial_lr = check_real("initial_lr", initial_lr)
        self.T_0 = _check_positive_int("T_0", T_0)
        self.T_mult = _check_positive_int("T_mult", T_mult)
        self.eta_min = check_real("eta_min", eta_min)

    def _value(self, t: int) -> float:
        if self.T_mult == 1:
            t_cur, t_i = t % self.T_0, self.T_0
        else:
            # cycles grow geometrically, so this loop runs O(log t) times
            t_cur, t_i = t, self.T_0
            while t_cur >= t_i:
                t_cur -= t_i
                t_i *= self.T_mult
        return _cosine(self.initial_lr, self.eta_min, t_cur / t_i)

    def _args(self) -> dict[str, Any]:
        return {"initial_lr": self.initial_lr, "T_0": self.T_0,
                "T_mult": self.T_mult, "eta_min": self.eta_min}  # fmt: skip


class OneCycle(Schedule):
    r"""The 1cycle policy: up from ``max_lr / div_factor`` to ``max_lr``, then
    down to ``max_lr / div_factor / final_div_factor``.

    The rise ends at count ``pct_start * total_steps - 1`` and the fall at
    ``total_steps - 1``; each phase anneals by a half cosine (``anneal="cos"``)
    or a straight line (``"linear"``).  With ``three_phase=True`` the rate
    comes back down to the initial rate by count ``2 * pct_start * total_steps -
    2``, and the last phase falls from there to the minimum.  From ``t =
    total_steps`` on the rate stays at the minimum.

    The values are those of torch's ``OneCycleLR`` (``anneal`` is its
    ``anneal_strategy``) for ``t < total_steps``; torch raises beyond
    ``total_steps`` steps and extrapolates its last phase at ``t = total_steps``.
    Only the rate is scheduled: torch's momentum cycling is not part of this.
    Every phase must span a positive number of counts, so ``pct_start *
    total_steps > 1`` (and, for three phases, ``2 * pct_start * total_steps - 1
    < total_steps``).
    """

    def __init__(
        self,
        max_lr: float,
        total_steps: int,
        pct_start: float = 0.3,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        anneal: str = "cos",
        three_phase: bool = False,
    ) -> None:
        self.max_lr = check_real("max_lr", max_lr)
        self.total_steps = _check_positive_int("total_steps", total_steps)
        self.pct_start = check_real("pct_start", pct_start, 0.0, 1.0)
        self.div_factor = _check_positive_real("div_factor", div_factor)
        self.final_div_factor = _check_positive_real(
            "final_div_factor", final_div_factor
        )
        if anneal not in ("cos", "linear"):
            raise ValueError(f"anneal: got {anneal!r}; accepted: 'cos', 'linear'")
        self.anneal = anneal
        self.three_phase = check_bool("three_phase", three_phase)

        initial = self.max_lr / self.div_factor
        minimum = initial / self.final_div_factor
        rise_end = self.pct_start * self.total_steps - 1
        last_end = float(self.total_steps - 1)
        if self.three_phase:
            ends = [rise_end, 2 * self.pct_start * self.total_steps - 2, last_end]
            rates = [initial, self.max_lr, initial, minimum]
        else:
            ends = [rise_end, last_end]
            rates = [initial, self.max_lr, minimum]
        if not all(a < b for a, b in zip([0.0, *ends[:-1]], ends, strict=True)):
            accepted = "1 < pct_start * total_steps < total_steps"
            if self.three_phase:
                accepted = "1 < pct_start * total_steps < (total_steps + 1) / 2"
            raise ValueError(
                f"pct_start: got {pct_start!r} with total_steps={total_steps}, which "
                f"leaves a phase without counts; accepted: {accepted}"
            )
        self._ends = ends
        self._rates = rates

    def _value(self, t: int) -> float:
        if t >= self.total_steps:
            return self._rates[-1]
        start = 0.0
        for i, end in enumerate(self._ends):
            if t <= end or i == len(self._ends) - 1:
                break
            start = end
        pct = (t - start) / (end - start)
        if self.anneal == "cos":
            return _cosine(self._rates[i], self._rates[i + 1], pct)
        return (self._rates[i + 1] - self._rates[i]) * pct + self._rates[i]

    def _args(self) -> dict[str, Any]:
        return {"max_lr": self.max_lr, "total_steps": self.total_steps,
                "pct_start": self.pct_start, "div_factor": self.div_factor,
                "final_div_factor": self.final_div_factor, "anneal": self.anneal,
                "three_phase": self.three_phase}  # fmt: skip


class Cyclic(Schedule):
    r"""Cyclical learning rates: a triangle between ``base_lr`` and ``max_lr``.

    Each cycle rises linearly from ``base_lr`` for ``step_size_up`` counts and
    falls back for ``step_size_down`` counts (default: as many as up).  The
    height of the triangle is scaled by ``mode``:

    - ``"triangular"``: the full height in every cycle;
    - ``"triangular2"``: halved in each new cycle (1, 1/2, 1/4, ...);
    - ``"exp_range"``: multiplied by ``gamma ** t`` (the count, not the cycle).

    ``s(0) = base_lr`` and the peak ``max_lr`` comes at ``t = step_size_up``
    (scaled as above).  The schedule has no end.  The values are those of
    torch's ``CyclicLR`` with ``scale_fn=None``; only the rate is scheduled
    (torch also cycles the momentum by default).  ``max_lr`` may be below
    ``base_lr``, which turns each triangle upside down, as in torch.
    """

    MODES: ClassVar[tuple[str, ...]] = ("triangular", "triangular2", "exp_range")

    def __init__(
        self,
        base_lr: float,
        max_lr: float,
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
    ) -> None:
        self.base_lr = check_real("base_lr", base_lr)
        self.max_lr = check_real("max_lr", max_lr)
        self.step_size_up = _check_positive_int("step_size_up", step_size_up)
        self.step_size_down = (
            None
            if step_size_down is None
            else _check_positive_int("step_size_down", step_size_down)
        )
        if mode not in self.MODES:
            raise ValueError(
                f"mode: got {mode!r}; accepted: "
                + ", ".join(repr(m) for m in self.MODES)
            )
        self.mode = mode
        self.gamma = _check_positive_real("gamma", gamma)

    def _value(self, t: int) -> float:
        up = self.step_size_up
        down = up if self.step_size_down is None else self.step_size_down
        cycle, pos = divmod(t, up + down)
        frac = pos / up if pos <= up else (up + down - pos) / down
        if self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 0.5**cycle
        else:
            scale = _scaled_power(1.0, self.gamma, t)
        return self.base_lr + (self.max_lr - self.base_lr) * frac * scale

    def _args(self) -> dict[str, Any]:
        return {"base_lr": self.base_lr, "max_lr": self.max_lr,
                "step_size_up": self.step_size_up,
                "step_size_down": self.step_size_down, "mode": self.mode,
                "gamma": self.gamma}  # fmt: skip


class Sequence(Schedule):
    """Run ``schedules`` one after another, switching at ``boundaries``.

    ``schedules[0]`` gives the rate for ``t < boundaries[0]``; ``schedules[i]``
    takes over at ``t = boundaries[i - 1]`` and sees its own count restart at 0:
    the rate is ``schedules[i](t - boundaries[i - 1])``.  The last schedule runs
    for ever.  ``boundaries`` are strictly increasing ints >= 1, one fewer than
    the schedules.

    This is optax's ``join_schedules``.  torch's ``SequentialLR`` differs: its
    schedulers chain on the optimizer's current rate and step in place, so the
    result depends on each scheduler's recursive form; build the same
    schedule here from closed forms instead.
    """

    def __init__(
        self, schedules: Iterable[Schedule], boundaries: Iterable[int]
    ) -> None:
        self.schedules = list(schedules)
        if not self.schedules:
            raise ValueError("schedules: got an empty list; accepted: >= 1 schedule")
        for i, s in enumerate(self.schedules):
            if not isinstance(s, Schedule):
                raise TypeError(f"schedules[{i}]: got {s!r:.80}; expected a Schedule")
        self.boundaries = _check_increasing("boundaries", boundaries)
        if len(self.boundaries) != len(self.schedules) - 1:
            raise ValueError(
                f"boundaries: got {len(self.boundaries)} boundaries for "
                f"{len(self.schedules)} schedules; accepted: exactly "
                f"{len(self.schedules) - 1}, one fewer than the schedules"
            )

    def _value(self, t: int) -> float:
        i = bisect.bisect_right(self.boundaries, t)
        start = self.boundaries[i - 1] if i else 0
        return self.schedules[i](t - start)

    def _args(self) -> dict[str, Any]:
        return {"schedules": [s.config() for s in self.schedules],
                "boundaries": list(self.boundaries)}  # fmt: skip

    @classmethod
    def _from_args(cls, args: dict[str, Any]) -> Schedule:
        configs = args.get("schedules")
        if not isinstance(configs, list):
            raise ValueError(
                f"config['schedules']: got {configs!r:.80}; expected a list of "
                "schedule configs"
            )
        rest = {k: v for k, v in args.items() if k != "schedules"}
        return cls([from_config(c) for c in configs], **rest)


def _lerp(start: float, end: float, frac: float) -> float:
    return start + (end - start) * frac


def _cosine(start: float, end: float, frac: float) -> float:
    """Half a cosine from ``start`` (``frac = 0``) to ``end`` (``frac = 1``)."""
    return end + 0.5 * (start - end) * (1.0 + math.cos(math.pi * frac))


def _scaled_power(scale: float, base: float, k: int) -> float:
    """``scale * base**k``; ``inf`` where that leaves the float range."""
    try:
        return scale * base**k
    except OverflowError:
        return math.inf if scale > 0 else 0.0


def _check_count(t: Any) -> int:
    if isinstance(t, bool) or not isinstance(t, int | np.integer):
        raise TypeError(f"t: got {t!r}; expected an int >= 0")
    if t < 0:
        raise ValueError(f"t: got {t}; expected an int >= 0")
    return int(t)


def _check_positive_int(name: str, value: Any) -> int:
    return check_int(name, value, 1)


def _check_nonnegative_int(name: str, value: Any) -> int:
    return check_int(name, value, 0)


def _check_positive_real(name: str, value: Any) -> float:
    v = check_real(name, value)
    if v == 0.0:
        raise ValueError(f"Invalid {name}: {value!r}; accepted: > 0")
    return v


def _check_increasing(name: str, values: Any) -> tuple[int, ...]:
    """Strictly increasing ints >= 1, as a tuple."""
    accepted = "strictly increasing ints >= 1"
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise TypeError(f"{name}: got {values!r:.80}; accepted: a list of {accepted}")
    items = list(values)
    for i, v in enumerate(items):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"{name}[{i}]: got {v!r}; accepted: {accepted}")
    items = [int(v) for v in items]
    for i in range(1, len(items)):
        if items[i] <= items[i - 1]:
            raise ValueError(
                f"{name}: got {items}; accepted: {accepted} "
                f"({name}[{i}] = {items[i]} does not exceed {items[i - 1]})"
            )
    return tuple(items)
