"""Stochastic gradient descent with momentum, and its two named variants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from numpy.typing import NDArray

from fastopt import _kernels
from fastopt._jit import launch
from fastopt._validate import check_bool, check_real
from fastopt.flat import FlatParams
from fastopt.optim._base import DEFAULT_NONFINITE, Optimizer, check_lr

__all__ = ["SGD", "Momentum", "Nesterov"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum, as torch.optim.SGD.

    With gradient :math:`g` (negated under ``maximize``), per step:

    .. math::

        d &= g + \lambda p \\
        b &= d \text{ on the first step, else } \mu b + (1 - \tau) d \\
        d &= d + \mu b \text{ (Nesterov) or } d = b \quad (\mu \neq 0) \\
        p &= p - \eta d

    Parameters
    ----------
    params : ndarray or FlatParams
        The parameters, updated in place: a C-contiguous float32 or float64 array
        of any shape, or a FlatParams.
    lr : float, default 1e-3
        Learning rate :math:`\eta \ge 0`, or a
        :class:`~fastopt.schedules.Schedule` of the step count.
    momentum : float, default 0
        Momentum factor :math:`\mu \ge 0`.
    dampening : float, default 0
        Dampening :math:`\tau \ge 0` applied to the gradient in the buffer.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient.
    nesterov : bool, default False
        torch's form of Nesterov momentum; needs ``momentum > 0`` and
        ``dampening == 0``.
    maximize : bool, default False
        Ascend the objective instead of descending.
    max_grad_norm : float, optional
        Clip the gradient to this global 2-norm inside each step (> 0; default
        None: off); see :attr:`Optimizer.max_grad_norm`.
    nonfinite : {"ignore", "skip", "raise"}, default "ignore"
        What a step does with a gradient holding NaN or Inf; see
        :attr:`Optimizer.nonfinite`.
    groups : list of dict, optional
        Parameter groups of a FlatParams: each dict has ``"params"`` (indices,
        names or views of its arrays) and any hyperparameter above except
        ``maximize``.  Arrays in no group form a last group with the defaults.

    Notes
    -----
    torch's Nesterov form keeps the parameters at the look-ahead point of the
    textbook (Sutskever et al.) method: with velocity :math:`v = -\eta b`, the
    textbook iterate :math:`\theta` and torch's :math:`p` satisfy
    :math:`p = \theta + \mu v`, so both are the same method for a constant
    learning rate (shown in ``tests/test_nesterov.py``).  The textbook momentum
    rule :math:`v = \mu v + g;\ \theta = \theta - \eta v` is torch's with zero
    dampening; :class:`Momentum` and :class:`Nesterov` name these two.

    The momentum buffer is allocated at construction when a group uses
    momentum; a group's momentum cannot switch between zero and non-zero later.
    """

    _defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-3,
        "momentum": 0.0,
        "dampening": 0.0,
        "weight_decay": 0.0,
        "nesterov": False,
    }

    def __init__(
        self,
        params: NDArray[Any] | FlatParams,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        groups: Sequence[Mapping[str, Any]] | None = None,
        max_grad_norm: float | None = None,
        nonfinite: str = DEFAULT_NONFINITE,
    ) -> None:
        hyper = {"lr": lr, "momentum": momentum, "dampening": dampening,
                 "weight_decay": weight_decay, "nesterov": nesterov}  # fmt: skip
        self._uses_momentum = False
        super().__init__(params, hyper, groups, check_bool("maximize", maximize),
                         max_grad_norm, nonfinite)  # fmt: skip

    def _columns(self) -> tuple[str, ...]:
        return _kernels.SGD_COLS

    def _check_group(self, values: dict[str, Any], index: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "lr": check_lr(values["lr"]),
            "momentum": check_real("momentum", values["momentum"]),
            "dampening": check_real("dampening", values["dampening"]),
            "weight_decay": check_real("weight_decay", values["weight_decay"]),
            "nesterov": check_bool("nesterov", values["nesterov"]),
        }
        if out["nesterov"] and (out["momentum"] <= 0 or out["dampening"] != 0):
            raise ValueError(
                "nesterov: Nesterov momentum needs momentum > 0 and dampening == 0; "
                f"got momentum={out['momentum']}, dampening={out['dampening']}"
            )
        if index is not None and out["momentum"] != 0:
            self._uses_momentum = True
        return out

    def _check_change(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if (old["momentum"] == 0) != (new["momentum"] == 0):
            raise ValueError(
                f"momentum: cannot change from {old['momentum']} to {new['momentum']} "
                "after construction (the momentum buffer is allocated, or not, then)"
            )

    def _row(self, values: dict[str, Any]) -> list[float]:
        return [values["lr"], values["momentum"], values["dampening"],
                values["weight_decay"], float(values["nesterov"])]  # fmt: skip

    def _state_names(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if self._uses_momentum else ()

    def _apply(self, grad: NDArray[Any], gscale: float) -> None:
        buf = self._state.get("momentum_buffer", self._param[:0])
        p = self._param
        launch(_kernels.sgd_, p.size, p, grad, buf, self._chunks, self._hyper, gscale,
               self._step == 1)  # fmt: skip


class Momentum(SGD):
    """Heavy-ball momentum, ``v = momentum*v + g; p = p - lr*v``.

    The same as ``SGD(params, lr, momentum)`` with zero dampening.
    """

    def __init__(self, params: NDArray[Any] | FlatParams, lr: float = 1e-3,
                 momentum: float = 0.9, weight_decay: float = 0.0, *,
                 maximize: bool = False,
                 groups: Sequence[Mapping[str, Any]] | None = None,
                 max_grad_norm: float | None = None,
                 nonfinite: str = DEFAULT_NONFINITE,
                 ) -> None:  # fmt: skip
        super().__init__(params, lr, momentum, 0.0, weight_decay, False,
                         maximize=maximize, groups=groups,
                         max_grad_norm=max_grad_norm,
                         nonfinite=nonfinite)  # fmt: skip


class Nesterov(SGD):
    """Nesterov momentum in torch's form: ``SGD(..., nesterov=True)``.

    See :class:`SGD`'s Notes for how it relates to the look-ahead form.
    """

    def __init__(self, params: NDArray[Any] | FlatParams, lr: float = 1e-3,
                 momentum: float = 0.9, weight_decay: float = 0.0, *,
                 maximize: bool = False,
                 groups: Sequence[Mapping[str, Any]] | None = None,
                 max_grad_norm: float | None = None,
                 nonfinite: str = DEFAULT_NONFINITE,
                 ) -> None:  # fmt: skip
        super().__init__(params, lr, momentum, 0.0, weight_decay, True,
                         maximize=maximize, groups=groups,
                         max_grad_norm=max_grad_norm,
                         nonfinite=nonfinite)  # fmt: skip
