"""The textbook momentum and look-ahead Nesterov forms against torch's forms.

The source formulas write Nesterov momentum with the gradient taken at the
look-ahead point:

    v_t = mu * v_{t-1} - lr * grad f(theta_{t-1} + mu * v_{t-1})
    theta_t = theta_{t-1} + v_t

torch (and fastopt) keep ``p = theta + mu * v`` instead, and with ``b = -v / lr``
the same iteration reads

    b_t = mu * b_{t-1} + grad f(p_{t-1})
    p_t = p_{t-1} - lr * (grad f(p_{t-1}) + mu * b_t)

so the two forms visit the same points after the change of variables.
"""

from __future__ import annotations

import numpy as np
import pytest

import fastopt

# An ill-conditioned quadratic, f(x) = 0.5 * sum(a * (x - c)**2).
RNG = np.random.default_rng(11)
A = np.exp(RNG.uniform(-3, 2, size=257))
C = RNG.standard_normal(257)


def grad_f(x: np.ndarray) -> np.ndarray:
    return A * (x - C)


@pytest.mark.parametrize("mu", [0.5, 0.9, 0.99])
def test_torch_nesterov_is_lookahead_nesterov_after_change_of_variables(mu):
    lr = 0.05
    theta = RNG.standard_normal(257)
    v = np.zeros_like(theta)
    p = theta.copy()
    opt = fastopt.SGD(p, lr=lr, momentum=mu, nesterov=True)
    for _ in range(300):
        v = mu * v - lr * grad_f(theta + mu * v)
        theta = theta + v
        opt.step(grad_f(p))
        np.testing.assert_allclose(p, theta + mu * v, rtol=1e-11, atol=1e-12)
        np.testing.assert_allclose(
            opt.state["momentum_buffer"], -v / lr, rtol=1e-10, atol=1e-12
        )


def test_nesterov_class_is_sgd_with_nesterov():
    x1 = RNG.standard_normal(100)
    x2 = x1.copy()
    a = fastopt.Nesterov(x1, lr=0.01, momentum=0.8)
    b = fastopt.SGD(x2, lr=0.01, momentum=0.8, nesterov=True)
    for _ in range(50):
        a.step(np.cos(x1))
        b.step(np.cos(x2))
    np.testing.assert_array_equal(x1, x2)


def test_textbook_heavy_ball_is_momentum_with_zero_dampening():
    """``v = beta*v + g; theta -= lr*v``, the source formula, is ``Momentum``."""
    lr, beta = 0.02, 0.9
    theta = RNG.standard_normal(257)
    v = np.zeros_like(theta)
    p = theta.copy()
    opt = fastopt.Momentum(p, lr=lr, momentum=beta)
    for _ in range(200):
        v = beta * v + grad_f(theta)
        theta = theta - lr * v
        opt.step(grad_f(p))
    np.testing.assert_allclose(p, theta, rtol=1e-12, atol=1e-13)


def test_rmsprop_eps_in_sqrt_is_the_textbook_form():
    lr, alpha, eps = 0.01, 0.9, 1e-6
    theta = RNG.standard_normal(257)
    s = np.zeros_like(theta)
    p = theta.copy()
    opt = fastopt.RMSprop(p, lr=lr, alpha=alpha, eps=eps, eps_in_sqrt=True)
    for _ in range(200):
        g = grad_f(theta)
        s = alpha * s + (1 - alpha) * g * g
        theta = theta - lr * g / np.sqrt(s + eps)
        opt.step(grad_f(p))
    np.testing.assert_allclose(p, theta, rtol=1e-11, atol=1e-12)
