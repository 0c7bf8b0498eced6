"""Plain NumPy implementations of every update rule: the executable specification.

Each function applies one step to one group of parameters, in place, written for
clarity rather than speed (it allocates temporaries freely).  The compiled
kernels must match these operation for operation: in float64 they agree to the
last bits, in float32 to rounding.  Scalars derived per step (bias corrections,
decayed learning rates) are computed in float64 and rounded once to the
parameter dtype, as the kernels do.

``gscale`` multiplies the gradient before anything else: -1 for ``maximize``,
a clipping factor, or both.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def sgd(
    param: Array,
    grad: Array,
    momentum_buffer: Array | None,
    *,
    first: bool,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    gscale: float = 1.0,
) -> None:
    """SGD as torch.optim.SGD defines it.

    d = gscale*g + weight_decay*p
    b = d on the first step, else momentum*b + (1 - dampening)*d
    d = d + momentum*b if nesterov, else b      (only when momentum != 0)
    p = p - lr*d
    """
    f = param.dtype.type
    d = grad * f(gscale)
    if weight_decay != 0.0:
        d = d + f(weight_decay) * param
    if momentum != 0.0:
        assert momentum_buffer is not None
        if first:
            momentum_buffer[...] = d
        else:
            momentum_buffer[...] = (
                momentum_buffer * f(momentum) + f(1.0 - dampening) * d
            )
        d = d + f(momentum) * momentum_buffer if nesterov else momentum_buffer
    param[...] = param + f(-lr) * d


def adam(
    param: Array,
    grad: Array,
    exp_avg: Array,
    exp_avg_sq: Array,
    max_exp_avg_sq: Array | None,
    *,
    step: int,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled: bool = False,
    gscale: float = 1.0,
) -> None:
    """Adam (``decoupled=False``, L2 decay added to the gradient) or AdamW.

    AdamW first shrinks the parameter: p = p*(1 - lr*weight_decay).  Then, with
    d = gscale*g (+ weight_decay*p for Adam) and step t counted from 1:
    m = m + (1 - beta1)*(d - m)
    v = beta2*v + (1 - beta2)*d*d;  vmax = max(vmax, v) with amsgrad
    p = p - lr/(1 - beta1**t) * m / (sqrt(v) * (1/sqrt(1 - beta2**t)) + eps)
    eps is added after the square root, as in torch.  torch divides sqrt(v) by
    sqrt(1 - beta2**t); multiplying by the reciprocal (computed once per step in
    float64) differs from that by at most an ulp and saves a division per
    element.
    """
    f = param.dtype.type
    inv_bc2_sqrt = f(1.0 / math.sqrt(1.0 - beta2 ** np.float64(step)))
    neg_step_size = f(-(lr / (1.0 - beta1 ** np.float64(step))))
    d = grad * f(gscale)
    p = param
    if decoupled:
        p = p * f(1.0 - lr * weight_decay)
    elif weight_decay != 0.0:
        d = d + f(weight_decay) * p
    exp_avg[...] = exp_avg + f(1.0 - beta1) * (d - exp_avg)
    exp_avg_sq[...] = exp_avg_sq * f(beta2) + f(1.0 - beta2) * d * d
    v = exp_avg_sq
    if amsgrad:
        assert max_exp_avg_sq is not None
        max_exp_avg_sq[...] = np.maximum(max_exp_avg_sq, exp_avg_sq)
        v = max_exp_avg_sq
    param[...] = p + neg_step_size * exp_avg / (np.sqrt(v) * inv_bc2_sqrt + f(eps))


def adamw(
    param: Array,
    grad: Array,
    exp_avg: Array,
    exp_avg_sq: Array,
    max_exp_avg_sq: Array | None,
    *,
    step: int,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    gscale: float = 1.0,
) -> None:
    """AdamW: Adam with decoupled weight decay (see :func:`adam`)."""
    adam(
        param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step=step, lr=lr,
        beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
        amsgrad=amsgrad, decoupled=True, gscale=gscale,
    )  # fmt: skip


def rmsprop(
    param: Array,
    grad: Array,
    square_avg: Array,
    grad_avg: Array | None,
    momentum_buffer: Array | None,
    *,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    eps_in_sqrt: bool = False,
    gscale: float = 1.0,
) -> None:
    """RMSprop as torch.optim.RMSprop defines it.

    d = gscale*g + weight_decay*p
    a = alpha*a + (1 - alpha)*d*d
    centered: ga = ga + (1 - alpha)*(d - ga); s = a - ga*ga, else s = a
    r = sqrt(s) + eps   (torch), or sqrt(s + eps) with eps_in_sqrt
    momentum > 0: b = momentum*b + d/r; p = p - lr*b, else p = p - lr*d/r
    """
    f = param.dtype.type
    w = f(1.0 - alpha)
    d = grad * f(gscale)
    if weight_decay != 0.0:
        d = d + f(weight_decay) * param
    square_avg[...] = square_avg * f(alpha) + w * d * d
    s = square_avg
    if centered:
        assert grad_avg is not None
        grad_avg[...] = grad_avg + w * (d - grad_avg)
        s = square_avg - grad_avg * grad_avg
    r = np.sqrt(s + f(eps)) if eps_in_sqrt else np.sqrt(s) + f(eps)
    if momentum > 0.0:
        assert momentum_buffer is not None
        momentum_buffer[...] = momentum_buffer * f(momentum) + d / r
        param[...] = param + f(-lr) * momentum_buffer
    else:
        param[...] = param + f(-lr) * d / r


def adagrad(
    param: Array,
    grad: Array,
    state_sum: Array,
    *,
    step: int,
    lr: float,
    lr_decay: float = 0.0,
    eps: float = 1e-10,
    weight_decay: float = 0.0,
    gscale: float = 1.0,
) -> None:
    """Adagrad as torch.optim.Adagrad defines it.

    d = gscale*g + weight_decay*p
    clr = lr / (1 + (t - 1)*lr_decay), step t counted from 1
    s = s + d*d
    p = p - clr*d / (sqrt(s) + eps)
    """
    f = param.dtype.type
    clr = f(-(lr / (1.0 + (step - 1) * lr_decay)))
    d = grad * f(gscale)
    if weight_decay != 0.0:
        d = d + f(weight_decay) * param
    state_sum[...] = state_sum + d * d
    param[...] = param + clr * d / (np.sqrt(state_sum) + f(eps))


def global_norm(grads: Array) -> float:
    """The 2-norm of a gradient buffer, summed in float64."""
    g = np.asarray(grads, dtype=np.float64).ravel()
    return float(np.sqrt(np.dot(g, g)))


def clip_scale(total_norm: float, max_norm: float) -> float:
    """torch's clip_grad_norm_ factor: min(1, max_norm / (total_norm + 1e-6))."""
    return min(1.0, max_norm / (total_norm + 1e-6))
