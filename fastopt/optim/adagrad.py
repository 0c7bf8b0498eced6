"""Adagrad."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from numpy.typing import NDArray

from fastopt import _kernels
from fastopt._jit import launch
from fastopt._validate import check_bool, check_real
from fastopt.flat import FlatParams
from fastopt.optim._base import DEFAULT_NONFINITE, Optimizer, check_lr

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad, as torch.optim.Adagrad.

    With gradient :math:`g` (negated under ``maximize``) and step :math:`t`
    counted from 1:

    .. math::

        d &= g + \lambda p \\
        \tilde\eta &= \eta / (1 + (t - 1)\,\delta) \\
        s &= s + d^2 \\
        p &= p - \tilde\eta\, d / (\sqrt{s} + \epsilon)

    Parameters
    ----------
    params : ndarray or FlatParams
        The parameters, updated in place.
    lr : float, default 1e-2
        Learning rate :math:`\eta \ge 0`, or a
        :class:`~fastopt.schedules.Schedule` of the step count.
    lr_decay : float, default 0
        :math:`\delta \ge 0`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0` added to the gradient.
    initial_accumulator_value : float, default 0
        The starting value of :math:`s` (>= 0), read once at construction.
    eps : float, default 1e-10
        :math:`\epsilon \ge 0`, added after the square root.
    maximize : bool, default False
        Ascend the objective instead of descending.
    max_grad_norm : float, optional
        Clip the gradient to this global 2-norm inside each step (> 0; default
        None: off); see :attr:`Optimizer.max_grad_norm`.
    nonfinite : {"ignore", "skip", "raise"}, default "ignore"
        What a step does with a gradient holding NaN or Inf; see
        :attr:`Optimizer.nonfinite`.
    groups : list of dict, optional
        Parameter groups of a FlatParams (see :class:`fastopt.SGD`); per group:
        ``lr``, ``lr_decay``, ``eps``, ``weight_decay``,
        ``initial_accumulator_value``.

    Notes
    -----
    A group's own ``initial_accumulator_value`` fills that group's :math:`s`.
    torch (2.13) accepts the key in a group but fills every group's ``sum``
    from the constructor's value; with the same value everywhere the two agree.
    """

    _defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "eps": 1e-10,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
    }

    def __init__(
        self,
        params: NDArray[Any] | FlatParams,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
        groups: Sequence[Mapping[str, Any]] | None = None,
        max_grad_norm: float | None = None,
        nonfinite: str = DEFAULT_NONFINITE,
    ) -> None:
        hyper = {"lr": lr, "lr_decay": lr_decay, "eps": eps,
                 "weight_decay": weight_decay,
                 "initial_accumulator_value": initial_accumulator_value}  # fmt: skip
        super().__init__(params, hyper, groups, check_bool("maximize", maximize),
                         max_grad_norm, nonfinite)  # fmt: skip

    def _columns(self) -> tuple[str, ...]:
        return _kernels.ADAGRAD_COLS

    def _check_group(self, values: dict[str, Any], index: int | None) -> dict[str, Any]:
        return {
            "lr": check_lr(values["lr"]),
            "lr_decay": check_real("lr_decay", values["lr_decay"]),
            "eps": check_real("eps", values["eps"]),
            "weight_decay": check_real("weight_decay", values["weight_decay"]),
            "initial_accumulator_value": check_real(
                "initial_accumulator_value", values["initial_accumulator_value"]
            ),
        }

    def _row(self, values: dict[str, Any]) -> list[float]:
        return [values["lr"], values["lr_decay"], values["eps"],
                values["weight_decay"]]  # fmt: skip

    def _state_names(self) -> tuple[str, ...]:
        return ("sum",)

    def _init_state(self) -> None:
        total = self._state["sum"]
        for lo, hi, g in self._chunks:
            total[lo:hi] = self.param_groups[g]["initial_accumulator_value"]

    def _apply(self, grad: NDArray[Any], gscale: float) -> None:
        p = self._param
        launch(_kernels.adagrad_, p.size, p, grad, self._state["sum"], self._chunks,
               self._hyper, self._step, gscale)  # fmt: skip
