"""How fast each optimizer converges on two small problems.

``python -m fastopt.compare`` (or ``fastopt compare``) runs every optimizer on

- Rosenbrock's function from (-1, 1), full gradient, float64, counting steps
  until the loss stays below 1e-4; and
- a 4-16-3 tanh MLP on the Iris data that ships with fastopt (standardised
  inputs, cross-entropy, mini-batches of 16 from a fixed seed, float64),
  counting epochs (10 steps each) until the loss on all 150 rows stays below
  0.05,

and prints, per optimizer, the learning rate, the count to the threshold and
the final loss.  Each learning rate was tuned once on the grid
:data:`LR_GRID` by ``--tune``: the rate after which the loss stays below the
threshold soonest.  Other defaults are torch's (momentum
0.9 for Momentum and Nesterov, AdamW's weight decay 1e-2).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import fastopt
from fastopt.examples import MLP, load_iris, rosenbrock
from fastopt.optim import Optimizer
from fastopt.train import fit

__all__ = ["LR_GRID", "LRS", "Result", "main", "run", "table", "tune"]

OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "SGD": fastopt.SGD,
    "Momentum": fastopt.Momentum,
    "Nesterov": fastopt.Nesterov,
    "Adam": fastopt.Adam,
    "AdamW": fastopt.AdamW,
    "RMSprop": fastopt.RMSprop,
    "Adagrad": fastopt.Adagrad,
}

LR_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)

# Chosen by `python -m fastopt.compare --tune` (see the module docstring).
LRS = {
    "rosenbrock": {"SGD": 1e-3, "Momentum": 3e-3, "Nesterov": 1e-3, "Adam": 1e-3,
                   "AdamW": 1e-3, "RMSprop": 3e-4, "Adagrad": 3e-1},
    "iris": {"SGD": 1e-1, "Momentum": 3e-1, "Nesterov": 3e-2, "Adam": 3e-2,
             "AdamW": 1e-2, "RMSprop": 3e-3, "Adagrad": 1e-1},
}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    name: str
    unit: str
    threshold: float
    length: int
    quick_length: int


PROBLEMS = {
    "rosenbrock": Problem("rosenbrock", "steps", 1e-4, 10_000, 1_000),
    "iris": Problem("iris", "epochs", 0.05, 200, 20),
}


@dataclass
class Result:
    """One optimizer on one problem."""

    problem: str
    optimizer: str
    lr: float
    unit: str
    threshold: float
    to_threshold: int | None  # steps or epochs until it stays below; None: never
    first_below: int | None  # steps or epochs until it first dips below
    final_loss: float
    curve: list[float] = field(repr=False, default_factory=list)


def run(problem: str, optimizer: str, lr: float, quick: bool = False) -> Result:
    """Train ``optimizer`` at ``lr`` on ``problem`` and summarise the run."""
    prob = PROBLEMS[problem]
    length = prob.quick_length if quick else prob.length
    with np.errstate(all="ignore"):  # a diverging rate overflows; it is reported
        if problem == "rosenbrock":
            curve = _rosenbrock_curve(OPTIMIZERS[optimizer], lr, length)
        else:
            curve = _iris_curve(OPTIMIZERS[optimizer], lr, length)
    hit = _settled(curve, prob.threshold)
    first = next((t for t, f in enumerate(curve) if f < prob.threshold), None)
    return Result(problem, optimizer, lr, prob.unit, prob.threshold, hit, first,
                  curve[-1], curve)  # fmt: skip


def _settled(curve: list[float], threshold: float) -> int | None:
    """The first index from which every value is below ``threshold``, or None.

    Not the first crossing: that would credit a rate whose loss oscillates
    back above the threshold.
    """
    above = [t for t, f in enumerate(curve) if not f < threshold]
    last_above = above[-1] if above else -1
    return None if last_above == len(curve) - 1 else last_above + 1


def table(quick: bool = False, lrs: dict[str, dict[str, float]] | None = None
          ) -> list[Result]:  # fmt: skip
    """Every optimizer on every problem at its tuned learning rate."""
    lrs = LRS if lrs is None else lrs
    return [
        run(problem, name, lrs[problem][name], quick)
        for problem in PROBLEMS
        for name in OPTIMIZERS
    ]


def tune(quick: bool = False) -> dict[str, dict[str, float]]:
    """The learning rate per problem and optimizer, chosen on :data:`LR_GRID`.

    The rate after which the loss stays below the threshold soonest; if none
    gets there, the rate with the lowest final loss.
    """
    chosen: dict[str, dict[str, float]] = {}
    for problem in PROBLEMS:
        chosen[problem] = {}
        for name in OPTIMIZERS:
            runs = [run(problem, name, lr, quick) for lr in LR_GRID]
            good = [r for r in runs if r.to_threshold is not None]
            if good:
                best = min(good, key=lambda r: (r.to_threshold, r.final_loss))
            else:
                best = min(runs, key=lambda r: _finite_or_inf(r.final_loss))
            chosen[problem][name] = best.lr
    return chosen


def format_table(results: Sequence[Result]) -> str:
    lines = [
        f"{'problem':<11} {'optimizer':<9} {'lr':>7} {'stays below':>12} "
        f"{'first below':>12} {'final loss':>11}"
    ]
    for r in results:
        lines.append(
            f"{r.problem:<11} {r.optimizer:<9} {r.lr:>7g} "
            f"{_count(r.to_threshold, r.unit):>12} {_count(r.first_below, r.unit):>12} "
            f"{r.final_loss:>11.3g}"
        )
    return "\n".join(lines)


def _count(n: int | None, unit: str) -> str:
    return "never" if n is None else f"{n} {unit}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison; ``--plot out.png`` also draws the loss curves."""
    parser = argparse.ArgumentParser(
        prog="fastopt compare",
        description="Steps to a loss threshold per optimizer on Rosenbrock's "
        "function and an MLP on Iris.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the steps, for a smoke test")  # fmt: skip
    parser.add_argument("--plot", metavar="PATH",
                        help="write the loss curves (needs matplotlib)")  # fmt: skip
    parser.add_argument("--tune", action="store_true",
                        help="choose each learning rate on the grid first")  # fmt: skip
    args = parser.parse_args(argv)
    plt = _pyplot() if args.plot else None
    if args.plot and plt is None:
        print(
            "--plot: matplotlib is not installed; install it with "
            "`pip install 'fastopt[plot]'`",
            file=sys.stderr,
        )
        return 1

    lrs = None
    if args.tune:
        print("tuning the learning rates on", LR_GRID, file=sys.stderr)
        lrs = tune(args.quick)
        print(f"chosen: {lrs}")
    results = table(args.quick, lrs)
    for problem in PROBLEMS.values():
        print(
            f"{problem.name}: loss threshold {problem.threshold:g}, "
            f"{problem.quick_length if args.quick else problem.length} "
            f"{problem.unit} at most"
        )
    print(format_table(results))
    if plt is not None:
        _plot(plt, results, args.plot)
        print(f"wrote {args.plot}")
    return 0


def _rosenbrock_curve(cls: Callable[..., Optimizer], lr: float, steps: int
                      ) -> list[float]:  # fmt: skip
    """The loss before each step, and after the last."""
    p = np.array([-1.0, 1.0])
    g = np.zeros(2)
    opt = cls(p, lr=lr)
    curve = []
    for _ in range(steps):
        f = rosenbrock(p, g)
        curve.append(f)
        if not math.isfinite(f):
            return curve
        opt.step(g)
    curve.append(rosenbrock(p, g))
    return curve


def _iris_curve(cls: Callable[..., Optimizer], lr: float, epochs: int
                ) -> list[float]:  # fmt: skip
    """The loss on all rows before training and after each epoch."""
    X, y = load_iris()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = MLP(4, 16, 3, seed=0)
    opt = cls(model.params, lr=lr)
    rng = np.random.default_rng(0)
    curve = [model.loss(X, y)]
    for _ in range(epochs):
        fit(model, X, y, opt, epochs=1, batch_size=16, seed=rng, progress=False)
        curve.append(model.loss(X, y))
        if not math.isfinite(curve[-1]):
            break
    return curve


def _finite_or_inf(x: float) -> float:
    return x if math.isfinite(x) else math.inf


def _pyplot() -> Any:
    """matplotlib.pyplot on a file-only backend, or None when not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _plot(plt: Any, results: Sequence[Result], path: str) -> None:
    fig, axes = plt.subplots(1, len(PROBLEMS), figsize=(11, 4))
    for ax, problem in zip(axes, PROBLEMS.values(), strict=True):
        for r in results:
            if r.problem == problem.name:
                ax.semilogy(_positive(r.curve), label=f"{r.optimizer} ({r.lr:g})")
        ax.axhline(problem.threshold, color="grey", linestyle=":")
        ax.set_title(problem.name)
        ax.set_xlabel(problem.unit)
        ax.set_ylabel("loss")
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _positive(curve: list[float]) -> list[float]:
    return [max(v, 1e-300) for v in curve]


if __name__ == "__main__":
    sys.exit(main())
