"""RMSprop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from numpy.typing import NDArray

from fastopt import _kernels
from fastopt._jit import launch
from fastopt._validate import check_bool, check_real
from fastopt.flat import FlatParams
from fastopt.optim._base import DEFAULT_NONFINITE, Optimizer, check_lr

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, as torch.optim.RMSprop.

    With gradient :math:`g` (negated under ``maximize``):

    .. math::

        d &= g + \lambda p \\
        a &= \alpha a + (1 - \alpha) d^2 \\
        s &= a - \bar g^2 \text{ with } \bar g = \alpha \bar g + (1 - \alpha) d
             \text{ (centered), else } s = a \\
        r &= \sqrt{s} + \epsilon \quad
             \text{(or } \sqrt{s + \epsilon} \text{ with eps\_in\_sqrt)} \\
        b &= \mu b + d / r, \; p = p - \eta b \quad (\mu > 0);
             \text{ else } p = p - \eta d / r

    Parameters
    ----------
    params : ndarray or FlatParams
        The parameters, updated in place.
    lr : float, default 1e-2
        Learning rate :math:`\eta \ge 0`, or a
        :class:`~fastopt.schedules.Schedule` of the step count.
    alpha : float, default 0.99
        Smoothing constant :math:`\alpha \ge 0`.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added after the square root as torch does.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0` added to the gradient.
    momentum : float, default 0
        Momentum factor :math:`\mu \ge 0`; the buffer starts at zero.
    centered : bool, default False
        Normalise by the estimated variance instead of the second moment.
    maximize : bool, default False
        Ascend the objective instead of descending.
    eps_in_sqrt : bool, default False
        Put :math:`\epsilon` inside the square root, as the original RMSprop
        lecture notes and Keras do, instead of torch's placement outside.
    max_grad_norm : float, optional
        Clip the gradient to this global 2-norm inside each step (> 0; default
        None: off); see :attr:`Optimizer.max_grad_norm`.
    nonfinite : {"ignore", "skip", "raise"}, default "ignore"
        What a step does with a gradient holding NaN or Inf; see
        :attr:`Optimizer.nonfinite`.
    groups : list of dict, optional
        Parameter groups of a FlatParams (see :class:`fastopt.SGD`); per group:
        ``lr``, ``alpha``, ``eps``, ``weight_decay``, ``momentum``.
    """

    _defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
    }

    def __init__(
        self,
        params: NDArray[Any] | FlatParams,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
        eps_in_sqrt: bool = False,
        groups: Sequence[Mapping[str, Any]] | None = None,
        max_grad_norm: float | None = None,
        nonfinite: str = DEFAULT_NONFINITE,
    ) -> None:
        self.centered = check_bool("centered", centered)
        self.eps_in_sqrt = check_bool("eps_in_sqrt", eps_in_sqrt)
        self._uses_momentum = False
        hyper = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                 "momentum": momentum}  # fmt: skip
        super().__init__(params, hyper, groups, check_bool("maximize", maximize),
                         max_grad_norm, nonfinite)  # fmt: skip

    def _columns(self) -> tuple[str, ...]:
        return _kernels.RMSPROP_COLS

    def _check_group(self, values: dict[str, Any], index: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "lr": check_lr(values["lr"]),
            "alpha": check_real("alpha", values["alpha"]),
            "eps": check_real("eps", values["eps"]),
            "weight_decay": check_real("weight_decay", values["weight_decay"]),
            "momentum": check_real("momentum", values["momentum"]),
        }
        if index is not None and out["momentum"] > 0:
            self._uses_momentum = True
        return out

    def _check_change(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if (old["momentum"] > 0) != (new["momentum"] > 0):
            raise ValueError(
                f"momentum: cannot change from {old['momentum']} to {new['momentum']} "
                "after construction (the momentum buffer is allocated, or not, then)"
            )

    def _row(self, values: dict[str, Any]) -> list[float]:
        return [values["lr"], values["alpha"], values["eps"], values["weight_decay"],
                values["momentum"]]  # fmt: skip

    def _state_names(self) -> tuple[str, ...]:
        names: tuple[str, ...] = ("square_avg",)
        if self._uses_momentum:
            names += ("momentum_buffer",)
        if self.centered:
            names += ("grad_avg",)
        return names

    def _options(self) -> dict[str, Any]:
        return {"centered": self.centered, "eps_in_sqrt": self.eps_in_sqrt}

    def _apply(self, grad: NDArray[Any], gscale: float) -> None:
        s = self._state
        p = self._param
        empty = p[:0]
        launch(_kernels.rmsprop_, p.size, p, grad, s["square_avg"],
               s.get("grad_avg", empty), s.get("momentum_buffer", empty),
               self._chunks, self._hyper, gscale, self.centered,
               self.eps_in_sqrt)  # fmt: skip
