"""Compiled update kernels: one in-place pass over flat buffers per step.

Every kernel here mutates its buffers in place and validates nothing: the
optimizer classes check dtypes, sizes and hyperparameters before calling.  All
buffers are 1-D and C-contiguous; the parameter and state buffers share one
dtype (float32 or float64) and the gradient has that dtype too.

A buffer is walked as a table of chunks, ``chunks[c] = (start, stop, group)``,
so that one call serves every parameter group, each chunk reading its group's
row of ``hyper`` (float64).  Per-step scalars such as bias corrections are
derived once per chunk in float64 and then rounded to the buffer dtype, so the
element loop runs entirely in that dtype, as torch does.

``gscale`` multiplies every gradient element before use: -1 for ``maximize``,
the clipping factor for fused clipping, or their product.  Each kernel matches
the function of the same name in :mod:`fastopt.reference` operation for
operation, so float64 results agree to the last bits.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from fastopt._jit import CHUNK, kernel_pair

# Column layout of each rule's ``hyper`` table.
SGD_COLS = ("lr", "momentum", "dampening", "weight_decay", "nesterov")
ADAM_COLS = ("lr", "beta1", "beta2", "eps", "weight_decay")
RMSPROP_COLS = ("lr", "alpha", "eps", "weight_decay", "momentum")
ADAGRAD_COLS = ("lr", "lr_decay", "eps", "weight_decay")


def _sgd(param, grad, buf, chunks, hyper, gscale, first):
    """SGD with momentum, dampening, Nesterov and L2 weight decay.

    Mutates ``param`` and ``buf`` (the momentum buffer, empty when no group uses
    momentum).  ``first`` is True on the first step, when the buffer is set to
    the gradient instead of being decayed.  Matches ``reference.sgd``.
    """
    for c in prange(chunks.shape[0]):
        lo, hi, g = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        f = param.dtype.type
        lr = f(-hyper[g, 0])
        mu = f(hyper[g, 1])
        damp = f(1.0 - hyper[g, 2])
        wd = f(hyper[g, 3])
        nesterov = hyper[g, 4] != 0.0
        s = f(gscale)
        x, gr = param[lo:hi], grad[lo:hi]
        if mu == 0.0:
            for i in range(hi - lo):
                d = gr[i] * s
                if wd != 0.0:
                    d = d + wd * x[i]
                x[i] = x[i] + lr * d
        else:
            bu = buf[lo:hi]
            for i in range(hi - lo):
                d = gr[i] * s
                if wd != 0.0:
                    d = d + wd * x[i]
                if first:
                    b = d
                else:
                    b = bu[i] * mu + damp * d
                bu[i] = b
                if nesterov:
                    d = d + mu * b
                else:
                    d = b
                x[i] = x[i] + lr * d


def _adam(
    param,
    grad,
    exp_avg,
    exp_avg_sq,
    max_sq,
    chunks,
    hyper,
    step,
    gscale,
    amsgrad,
    decoupled,
):
    """Adam (L2 weight decay) or AdamW (``decoupled``), optionally AMSGrad.

    Mutates ``param``, ``exp_avg``, ``exp_avg_sq`` and, with ``amsgrad``,
    ``max_sq`` (empty otherwise).  ``step`` is the 1-based count of this update.
    Matches ``reference.adam`` and ``reference.adamw``.
    """
    for c in prange(chunks.shape[0]):
        lo, hi, g = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        f = param.dtype.type
        lr, beta1, beta2 = hyper[g, 0], hyper[g, 1], hyper[g, 2]
        # A multiply by 1/sqrt(bias correction), not a divide by it: Adam has
        # three slow vector operations per element (two divisions, a square
        # root) and this removes one; the result moves by at most an ulp.
        inv_bc2_sqrt = f(1.0 / math.sqrt(1.0 - beta2 ** np.float64(step)))
        neg_step_size = f(-(lr / (1.0 - beta1 ** np.float64(step))))
        w1 = f(1.0 - beta1)
        b2 = f(beta2)
        w2 = f(1.0 - beta2)
        eps = f(hyper[g, 3])
        wd = f(hyper[g, 4])
        decay = f(1.0 - lr * hyper[g, 4])
        s = f(gscale)
        x, gr, ma, va = param[lo:hi], grad[lo:hi], exp_avg[lo:hi], exp_avg_sq[lo:hi]
        vm = max_sq[lo:hi] if amsgrad else max_sq
        for i in range(hi - lo):
            d = gr[i] * s
            p = x[i]
            if decoupled:
                p = p * decay
            elif wd != 0.0:
                d = d + wd * p
            m = ma[i]
            m = m + w1 * (d - m)
            v = va[i] * b2 + w2 * d * d
            ma[i] = m
            va[i] = v
            if amsgrad:
                vmax = vm[i]
                if v > vmax or v != v:
                    vmax = v
                vm[i] = vmax
                v = vmax
            x[i] = p + neg_step_size * m / (np.sqrt(v) * inv_bc2_sqrt + eps)


def _rmsprop(
    param, grad, square_avg, grad_avg, buf, chunks, hyper, gscale, centered, eps_in_sqrt
):
    """RMSprop, optionally centered, with momentum and L2 weight decay.

    Mutates ``param``, ``square_avg``, ``grad_avg`` (empty unless ``centered``)
    and ``buf`` (empty when no group uses momentum).  With ``eps_in_sqrt`` the
    denominator is ``sqrt(avg + eps)`` instead of torch's ``sqrt(avg) + eps``;
    both are written ``sqrt(avg + e_in) + e_out`` with one of the two zero, which
    rounds exactly as either form.  Each combination of ``centered`` and momentum
    has its own loop: with the choice made inside one loop, LLVM left the loop
    scalar (4x slower).  Matches ``reference.rmsprop``.
    """
    for c in prange(chunks.shape[0]):
        lo, hi, g = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        f = param.dtype.type
        lr = f(-hyper[g, 0])
        alpha = f(hyper[g, 1])
        w = f(1.0 - hyper[g, 1])
        eps = f(hyper[g, 2])
        e_in = eps if eps_in_sqrt else f(0.0)
        e_out = f(0.0) if eps_in_sqrt else eps
        wd = f(hyper[g, 3])
        mu = f(hyper[g, 4])
        s = f(gscale)
        x, gr, sa = param[lo:hi], grad[lo:hi], square_avg[lo:hi]
        if centered:
            ag = grad_avg[lo:hi]
            if mu > 0.0:
                bu = buf[lo:hi]
                for i in range(hi - lo):
                    d = gr[i] * s
                    if wd != 0.0:
                        d = d + wd * x[i]
                    sq = sa[i] * alpha + w * d * d
                    sa[i] = sq
                    ga = ag[i] + w * (d - ag[i])
                    ag[i] = ga
                    b = bu[i] * mu + d / (np.sqrt(sq - ga * ga + e_in) + e_out)
                    bu[i] = b
                    x[i] = x[i] + lr * b
            else:
                for i in range(hi - lo):
                    d = gr[i] * s
                    if wd != 0.0:
                        d = d + wd * x[i]
                    sq = sa[i] * alpha + w * d * d
                    sa[i] = sq
                    ga = ag[i] + w * (d - ag[i])
                    ag[i] = ga
                    x[i] = x[i] + lr * d / (np.sqrt(sq - ga * ga + e_in) + e_out)
        elif mu > 0.0:
            bu = buf[lo:hi]
            for i in range(hi - lo):
                d = gr[i] * s
                if wd != 0.0:
                    d = d + wd * x[i]
                sq = sa[i] * alpha + w * d * d
                sa[i] = sq
                b = bu[i] * mu + d / (np.sqrt(sq + e_in) + e_out)
                bu[i] = b
                x[i] = x[i] + lr * b
        else:
            for i in range(hi - lo):
                d = gr[i] * s
                if wd != 0.0:
                    d = d + wd * x[i]
                sq = sa[i] * alpha + w * d * d
                sa[i] = sq
                x[i] = x[i] + lr * d / (np.sqrt(sq + e_in) + e_out)


def _adagrad(param, grad, state_sum, chunks, hyper, step, gscale):
    """Adagrad with learning-rate decay and L2 weight decay.

    Mutates ``param`` and ``state_sum``.  ``step`` is the 1-based count of this
    update.  Matches ``reference.adagrad``.
    """
    for c in prange(chunks.shape[0]):
        lo, hi, g = chunks[c, 0], chunks[c, 1], chunks[c, 2]
        f = param.dtype.type
        clr = f(-(hyper[g, 0] / (1.0 + (step - 1) * hyper[g, 1])))
        eps = f(hyper[g, 2])
        wd = f(hyper[g, 3])
        s = f(gscale)
        x, gr, ss = param[lo:hi], grad[lo:hi], state_sum[lo:hi]
        for i in range(hi - lo):
            d = gr[i] * s
            if wd != 0.0:
                d = d + wd * x[i]
            acc = ss[i] + d * d
            ss[i] = acc
            x[i] = x[i] + clr * d / (np.sqrt(acc) + eps)


def _sumsq_blocks(x, partials):
    """Sum of squares of ``x`` in float64, block by block, into ``partials``.

    Block b covers ``x[b*CHUNK:(b+1)*CHUNK]``; ``partials`` needs
    ``ceil(x.size / CHUNK)`` slots.  Each block is summed in a fixed order, so
    the result does not depend on the number of threads.  Mutates only
    ``partials``.  A NaN or Inf anywhere makes the total non-finite.
    """
    n = x.size
    for b in prange(partials.size):
        xb = x[b * CHUNK : min((b + 1) * CHUNK, n)]
        acc = 0.0
        for i in range(xb.size):
            v = np.float64(xb[i])
            acc += v * v
        partials[b] = acc


def _nonfinite_blocks(x, partials):
    """Mark the blocks of ``x`` that hold a NaN or an Inf.

    Block b (as in :func:`_sumsq_blocks`) sums ``x[i] * 0`` into
    ``partials[b]``: 0 when every element is finite, NaN otherwise (``Inf * 0``
    and ``NaN * 0`` are NaN).  Branch-free, so the loop is vectorised.  Mutates
    only ``partials``; needs ``ceil(x.size / CHUNK)`` slots.
    """
    n = x.size
    for b in prange(partials.size):
        xb = x[b * CHUNK : min((b + 1) * CHUNK, n)]
        zero = xb.dtype.type(0)
        acc = zero
        for i in range(xb.size):
            acc += xb[i] * zero
        partials[b] = acc


def _scale(x, factor):
    """Multiply ``x`` in place by ``factor`` rounded to its dtype."""
    f = x.dtype.type(factor)
    for i in prange(x.size):
        x[i] = x[i] * f


def _clamp(x, lo, hi):
    """Clamp ``x`` in place to ``[lo, hi]``; NaN stays NaN."""
    a = x.dtype.type(lo)
    b = x.dtype.type(hi)
    for i in prange(x.size):
        v = x[i]
        if v < a:
            v = a
        elif v > b:
            v = b
        x[i] = v


sgd_ = kernel_pair(_sgd)
adam_ = kernel_pair(_adam)
rmsprop_ = kernel_pair(_rmsprop)
adagrad_ = kernel_pair(_adagrad)
sumsq_blocks_ = kernel_pair(_sumsq_blocks, reduction=True)
nonfinite_blocks_ = kernel_pair(_nonfinite_blocks, reduction=True)
scale_ = kernel_pair(_scale)
clamp_ = kernel_pair(_clamp)
