"""Adam and AdamW."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from numpy.typing import NDArray

from fastopt import _kernels
from fastopt._jit import launch
from fastopt._validate import check_betas, check_bool, check_real
from fastopt.flat import FlatParams
from fastopt.optim._base import DEFAULT_NONFINITE, Optimizer, check_lr

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam, as torch.optim.Adam.

    With gradient :math:`g` (negated under ``maximize``) and step :math:`t`
    counted from 1:

    .. math::

        d &= g + \lambda p \quad \text{(L2; AdamW instead sets }
             p = p (1 - \eta\lambda)\text{)} \\
        m &= \beta_1 m + (1 - \beta_1) d \\
        v &= \beta_2 v + (1 - \beta_2) d^2, \quad
             \hat v = \max(\hat v, v) \text{ with AMSGrad} \\
        p &= p - \frac{\eta}{1 - \beta_1^t}\,
             \frac{m}{\sqrt{v} / \sqrt{1 - \beta_2^t} + \epsilon}

    Parameters
    ----------
    params : ndarray or FlatParams
        The parameters, updated in place: a C-contiguous float32 or float64 array
        of any shape, or a FlatParams.
    lr : float, default 1e-3
        Learning rate :math:`\eta \ge 0`, or a
        :class:`~fastopt.schedules.Schedule` of the step count.
    betas : (float, float), default (0.9, 0.999)
        :math:`\beta_1, \beta_2`, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added after the square root (as in torch; optax
        also offers it inside).
    weight_decay : float, default 0
        :math:`\lambda \ge 0`: an L2 penalty added to the gradient (coupled), or
        with ``decoupled_weight_decay`` the AdamW shrinkage.
    amsgrad : bool, default False
        Use the running maximum of :math:`v` (AMSGrad).
    maximize : bool, default False
        Ascend the objective instead of descending.
    decoupled_weight_decay : bool, default False
        Apply weight decay as AdamW does.
    max_grad_norm : float, optional
        Clip the gradient to this global 2-norm inside each step (> 0; default
        None: off); see :attr:`Optimizer.max_grad_norm`.
    nonfinite : {"ignore", "skip", "raise"}, default "ignore"
        What a step does with a gradient holding NaN or Inf; see
        :attr:`Optimizer.nonfinite`.
    groups : list of dict, optional
        Parameter groups of a FlatParams (see :class:`fastopt.SGD`); per group:
        ``lr``, ``betas``, ``eps``, ``weight_decay``.
    """

    _defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
    }

    def __init__(
        self,
        params: NDArray[Any] | FlatParams,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
        groups: Sequence[Mapping[str, Any]] | None = None,
        max_grad_norm: float | None = None,
        nonfinite: str = DEFAULT_NONFINITE,
    ) -> None:
        self.amsgrad = check_bool("amsgrad", amsgrad)
        self.decoupled_weight_decay = check_bool(
            "decoupled_weight_decay", decoupled_weight_decay
        )
        hyper = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, hyper, groups, check_bool("maximize", maximize),
                         max_grad_norm, nonfinite)  # fmt: skip

    def _columns(self) -> tuple[str, ...]:
        return _kernels.ADAM_COLS

    def _check_group(self, values: dict[str, Any], index: int | None) -> dict[str, Any]:
        return {
            "lr": check_lr(values["lr"]),
            "betas": check_betas(values["betas"]),
            "eps": check_real("eps", values["eps"]),
            "weight_decay": check_real("weight_decay", values["weight_decay"]),
        }

    def _row(self, values: dict[str, Any]) -> list[float]:
        b1, b2 = values["betas"]
        return [values["lr"], b1, b2, values["eps"], values["weight_decay"]]

    def _state_names(self) -> tuple[str, ...]:
        names = ("exp_avg", "exp_avg_sq")
        return (*names, "max_exp_avg_sq") if self.amsgrad else names

    def _options(self) -> dict[str, Any]:
        return {"amsgrad": self.amsgrad, "decoupled": self.decoupled_weight_decay}

    def _apply(self, grad: NDArray[Any], gscale: float) -> None:
        s = self._state
        p = self._param
        vmax = s["max_exp_avg_sq"] if self.amsgrad else p[:0]
        launch(_kernels.adam_, p.size, p, grad, s["exp_avg"], s["exp_avg_sq"], vmax,
               self._chunks, self._hyper, self._step, gscale, self.amsgrad,
               self.decoupled_weight_decay)  # fmt: skip


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, as torch.optim.AdamW.

    Each step first shrinks the parameters, :math:`p = p (1 - \eta\lambda)`, and
    then applies :class:`Adam`'s update without the L2 term.  The parameters are
    those of :class:`Adam`; ``weight_decay`` defaults to 1e-2 as in torch.
    """

    _defaults: ClassVar[dict[str, Any]] = {**Adam._defaults, "weight_decay": 1e-2}

    def __init__(
        self,
        params: NDArray[Any] | FlatParams,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        groups: Sequence[Mapping[str, Any]] | None = None,
        max_grad_norm: float | None = None,
        nonfinite: str = DEFAULT_NONFINITE,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad,
                         maximize=maximize, decoupled_weight_decay=True,
                         groups=groups, max_grad_norm=max_grad_norm,
                         nonfinite=nonfinite)  # fmt: skip
