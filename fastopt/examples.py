"""Small problems to train on: Rosenbrock's function, Iris, and a NumPy MLP.

The Iris data ships with the package as ``fastopt/data/iris.csv`` (150 rows:
sepal and petal length and width in cm, and the species), from R. A. Fisher,
"The use of multiple measurements in taxonomic problems", Annals of Eugenics 7
(1936), as distributed by the UCI Machine Learning Repository, with rows 35
and 38 corrected to Fisher's values as the UCI notes describe.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fastopt.flat import FlatParams

__all__ = ["MLP", "load_iris", "rosenbrock"]

IRIS_SPECIES = ("setosa", "versicolor", "virginica")


def rosenbrock(p: NDArray[Any], grad: NDArray[Any]) -> float:
    """Rosenbrock's function of ``p = (x, y)``; writes its gradient into ``grad``.

    ``f = (1 - x)**2 + 100 (y - x**2)**2``, minimum 0 at (1, 1).
    """
    x, y = float(p[0]), float(p[1])
    r = y - x * x
    grad[0] = -2.0 * (1.0 - x) - 400.0 * x * r
    grad[1] = 200.0 * r
    return (1.0 - x) * (1.0 - x) + 100.0 * r * r


def load_iris() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The Iris data: ``X`` (150, 4) in cm and ``y`` (150,) class indices 0-2.

    ``y[i]`` indexes :data:`IRIS_SPECIES`.
    """
    text = resources.files("fastopt").joinpath("data/iris.csv").read_text("ascii")
    rows = [line.split(",") for line in text.splitlines()[1:] if line]
    X = np.array([[float(v) for v in row[:4]] for row in rows])
    y = np.array([IRIS_SPECIES.index(row[4]) for row in rows], dtype=np.int64)
    return X, y


class MLP:
    """A one-hidden-layer tanh network with a softmax cross-entropy loss.

    ``logits = tanh(x W1 + b1) W2 + b2``; the loss is the mean cross-entropy
    of integer class labels.  The weights live in ``params`` (a FlatParams,
    arrays ``W1 b1 W2 b2``), drawn from ``seed`` with variance 1/fan-in.
    Follows :class:`fastopt.train.Model`.
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, seed: int = 0,
                 dtype: Any = np.float64) -> None:  # fmt: skip
        rng = np.random.default_rng(seed)
        self.params = FlatParams(
            {
                "W1": rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in),
                "b1": np.zeros(n_hidden),
                "W2": rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden),
                "b2": np.zeros(n_out),
            },
            dtype=dtype,
        )
        self.W1, self.b1, self.W2, self.b2 = self.params.params
        self.gW1, self.gb1, self.gW2, self.gb2 = self.params.grads

    def logits(self, x: NDArray[Any]) -> NDArray[Any]:
        h = np.tanh(x @ self.W1 + self.b1)
        out: NDArray[Any] = h @ self.W2 + self.b2
        return out

    def loss(self, x: NDArray[Any], y: NDArray[Any]) -> float:
        """The mean cross-entropy on ``(x, y)``, without touching the gradient."""
        z = self.logits(x.astype(self.params.dtype, copy=False))
        return float(np.mean(_logsumexp(z) - z[np.arange(len(y)), y]))

    def loss_and_grad(self, xb: NDArray[Any], yb: NDArray[Any]) -> float:
        """The mean cross-entropy on a batch; its gradient goes to ``params.grad``."""
        x = xb.astype(self.params.dtype, copy=False)
        h = np.tanh(x @ self.W1 + self.b1)
        z = h @ self.W2 + self.b2
        lse = _logsumexp(z)
        rows = np.arange(len(yb))
        loss = float(np.mean(lse - z[rows, yb]))

        dz = np.exp(z - lse[:, None])
        dz[rows, yb] -= 1.0
        dz /= len(yb)
        self.gW2[...] = h.T @ dz
        self.gb2[...] = dz.sum(axis=0)
        dh = (dz @ self.W2.T) * (1.0 - h * h)
        self.gW1[...] = x.T @ dh
        self.gb1[...] = dh.sum(axis=0)
        return loss


def _logsumexp(z: NDArray[Any]) -> NDArray[Any]:
    m = z.max(axis=1)
    out: NDArray[Any] = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
    return out
