"""Schedules against closed forms written out here, against torch's schedulers,
through a JSON config round trip, and on bad input."""

from __future__ import annotations

import inspect
import json
import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from fastopt import schedules as S

REL, ABS = 1e-12, 1e-15


# Oracles: each schedule's formula written out independently of fastopt.
def ref_cosine(t: int, lr: float, T: int, lo: float) -> float:
    if t > T:
        return lo
    return lo + (lr - lo) * (1 + math.cos(math.pi * t / T)) / 2


def ref_step(t: int, lr: float, rate: float, every: int) -> float:
    out = lr
    for _ in range(t // every):
        out *= rate
    return out


def ref_linear(t: int, a: float, b: float, T: int) -> float:
    frac = min(t, T) / T
    return a * (1 - frac) + b * frac


def ref_exp(t: int, lr: float, gamma: float) -> float:
    with np.errstate(over="ignore"):
        return lr * float(np.power(gamma, float(t)))


def ref_multistep(t: int, lr: float, milestones: list[int], gamma: float) -> float:
    return lr * gamma ** sum(1 for m in milestones if t >= m)


def ref_poly(t: int, lr: float, T: int, power: float, end: float) -> float:
    return (lr - end) * (1 - min(t, T) / T) ** power + end


def ref_warmup_cosine(t: int, peak: float, W: int, T: int, a: float, b: float) -> float:
    if t < W:
        return ref_linear(t, a, peak, W)
    return ref_cosine(t - W, peak, T - W, b)


def ref_restarts(t: int, lr: float, T0: int, mult: int, lo: float) -> float:
    start, length = 0, T0
    while start + length <= t:  # the cycle starts are T0 * (1 + mult + mult^2 ...)
        start, length = start + length, length * mult
    return lo + (lr - lo) * (1 + math.cos(math.pi * (t - start) / length)) / 2


def ref_onecycle(
    t: int, lr: float, total: int, pct: float = 0.3, div: float = 25.0,
    fdiv: float = 1e4, anneal: str = "cos", three: bool = False,
) -> float:  # fmt: skip
    low = lr / div
    if three:
        knots = [(0.0, low), (pct * total - 1, lr), (2 * pct * total - 2, low)]
    else:
        knots = [(0.0, low), (pct * total - 1, lr)]
    knots.append((total - 1.0, low / fdiv))
    t = min(t, total - 1)
    k = next(i for i in range(1, len(knots)) if t <= knots[i][0] or i == len(knots) - 1)
    (x0, y0), (x1, y1) = knots[k - 1], knots[k]
    frac = (t - x0) / (x1 - x0)
    w = (1 - math.cos(math.pi * frac)) / 2 if anneal == "cos" else frac
    return y0 + (y1 - y0) * w


def ref_cyclic(
    t: int, lo: float, hi: float, up: int, down: int, mode: str = "triangular",
    gamma: float = 1.0,
) -> float:  # fmt: skip
    # Written as torch's CyclicLR documents it: a 1-based cycle and the position
    # x in [0, 1) within it.
    total = up + down
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    ratio = up / total
    height = (hi - lo) * (x / ratio if x <= ratio else (x - 1) / (ratio - 1))
    scale = {"triangular": 1.0, "triangular2": 0.5 ** (cycle - 1),
             "exp_range": gamma**t}[mode]  # fmt: skip
    return lo + height * scale


def ref_sequence(
    t: int, parts: list[Callable[[int], float]], bounds: list[int]
) -> float:
    starts = [0, *bounds]
    i = max(k for k, b in enumerate(starts) if t >= b)
    return parts[i](t - starts[i])


# (schedule, oracle, last interesting count): checked at every count up to twice
# past the end, and at a few large counts.
CASES: list[tuple[S.Schedule, Callable[[int], float], int]] = [
    (S.Constant(0.3), lambda t: 0.3, 5),
    (S.CosineAnnealing(0.1, 10, 0.001), lambda t: ref_cosine(t, 0.1, 10, 0.001), 10),
    (S.CosineAnnealing(1.0, 1), lambda t: ref_cosine(t, 1.0, 1, 0.0), 1),
    (S.StepDecay(0.1), lambda t: ref_step(t, 0.1, 0.5, 10), 40),
    (S.StepDecay(0.2, 0.9, 3), lambda t: ref_step(t, 0.2, 0.9, 3), 20),
    (S.Linear(0.1, 0.01, 7), lambda t: ref_linear(t, 0.1, 0.01, 7), 7),
    (S.Linear(0.0, 0.5, 4), lambda t: ref_linear(t, 0.0, 0.5, 4), 4),
    (S.Exponential(0.1, 0.9), lambda t: ref_exp(t, 0.1, 0.9), 30),
    (S.Exponential(0.1, 1.01), lambda t: ref_exp(t, 0.1, 1.01), 30),
    (S.MultiStep(0.1, [2, 5, 9]), lambda t: ref_multistep(t, 0.1, [2, 5, 9], 0.1), 9),
    (S.MultiStep(1.0, [1], 0.5), lambda t: ref_multistep(t, 1.0, [1], 0.5), 1),
    (S.Polynomial(0.1, 10), lambda t: ref_poly(t, 0.1, 10, 1.0, 0.0), 10),
    (S.Polynomial(0.1, 9, 2.5, 0.01), lambda t: ref_poly(t, 0.1, 9, 2.5, 0.01), 9),
    (S.LinearWarmup(0.1, 5), lambda t: ref_linear(t, 0.0, 0.1, 5), 5),
    (S.LinearWarmup(0.1, 4, 0.02), lambda t: ref_linear(t, 0.02, 0.1, 4), 4),
    (S.LinearWarmup(0.1, 0), lambda t: 0.1, 2),
    (
        S.WarmupCosine(1.0, 5, 20, 0.1, 0.01),
        lambda t: ref_warmup_cosine(t, 1.0, 5, 20, 0.1, 0.01),
        20,
    ),
    (S.WarmupCosine(0.5, 0, 8), lambda t: ref_warmup_cosine(t, 0.5, 0, 8, 0, 0), 8),
    (S.CosineWarmRestarts(0.1, 4), lambda t: ref_restarts(t, 0.1, 4, 1, 0.0), 12),
    (
        S.CosineWarmRestarts(0.1, 3, 2, 0.001),
        lambda t: ref_restarts(t, 0.1, 3, 2, 0.001),
        45,
    ),
    (S.CosineWarmRestarts(1.0, 1, 3), lambda t: ref_restarts(t, 1.0, 1, 3, 0.0), 40),
    (S.OneCycle(0.1, 20), lambda t: ref_onecycle(t, 0.1, 20), 20),
    (
        S.OneCycle(0.1, 10, 0.25, 10.0, 100.0, "linear"),
        lambda t: ref_onecycle(t, 0.1, 10, 0.25, 10.0, 100.0, "linear"),
        10,
    ),
    (
        S.OneCycle(1.0, 23, 0.35, three_phase=True),
        lambda t: ref_onecycle(t, 1.0, 23, 0.35, three=True),
        23,
    ),
    (
        S.Sequence([S.LinearWarmup(1.0, 3), S.CosineAnnealing(1.0, 6)], [3]),
        lambda t: ref_sequence(
            t, [lambda u: ref_linear(u, 0, 1, 3), lambda u: ref_cosine(u, 1, 6, 0)], [3]
        ),
        9,
    ),
    (
        S.Sequence(
            [
                S.Constant(0.01),
                S.Sequence([S.Exponential(1.0, 0.5), S.Constant(0.2)], [2]),
                S.StepDecay(0.1, 0.5, 2),
            ],
            [1, 6],
        ),
        lambda t: ref_sequence(
            t,
            [
                lambda u: 0.01,
                lambda u: ref_sequence(u, [lambda v: 0.5**v, lambda v: 0.2], [2]),
                lambda u: ref_step(u, 0.1, 0.5, 2),
            ],
            [1, 6],
        ),
        12,
    ),
    (S.Sequence([S.Constant(0.7)], []), lambda t: 0.7, 3),
    (S.Cyclic(0.01, 0.1, 4), lambda t: ref_cyclic(t, 0.01, 0.1, 4, 4), 24),
    (
        S.Cyclic(0.01, 0.1, 3, 5, "triangular2"),
        lambda t: ref_cyclic(t, 0.01, 0.1, 3, 5, "triangular2"),
        40,
    ),
    (
        S.Cyclic(0.1, 0.5, 2, 1, "exp_range", 0.95),
        lambda t: ref_cyclic(t, 0.1, 0.5, 2, 1, "exp_range", 0.95),
        30,
    ),
    (S.Cyclic(0.5, 0.1, 1), lambda t: ref_cyclic(t, 0.5, 0.1, 1, 1), 6),
]
CASE_IDS = [repr(s) for s, _, _ in CASES]


def counts(end: int) -> list[int]:
    return [*range(2 * end + 3), 10**3 + 1, 10**6]


@pytest.mark.parametrize(("sched", "oracle", "end"), CASES, ids=CASE_IDS)
def test_matches_closed_form(
    sched: S.Schedule, oracle: Callable[[int], float], end: int
) -> None:
    for t in counts(end):
        got = sched(t)
        assert type(got) is float
        assert got == pytest.approx(oracle(t), rel=REL, abs=ABS), t
        assert sched.get_lr(t) == got


@pytest.mark.parametrize(("sched", "oracle", "end"), CASES, ids=CASE_IDS)
def test_config_round_trip(
    sched: S.Schedule, oracle: Callable[[int], float], end: int
) -> None:
    config = sched.config()
    rebuilt = S.from_config(json.loads(json.dumps(config)))
    assert type(rebuilt) is type(sched)
    assert rebuilt.config() == config
    assert rebuilt == sched and hash(rebuilt) == hash(sched)
    assert [rebuilt(t) for t in counts(end)] == [sched(t) for t in counts(end)]


def test_every_schedule_is_exported_and_covered() -> None:
    public = {
        name
        for name, obj in vars(S).items()
        if inspect.isclass(obj)
        and issubclass(obj, S.Schedule)
        and obj is not S.Schedule
    }
    assert public <= set(S.__all__)
    assert public == {type(s).__name__ for s, _, _ in CASES}


def test_pure_function_of_the_count() -> None:
    sched = S.Sequence([S.OneCycle(0.1, 12), S.CosineWarmRestarts(0.1, 3, 2)], [12])
    ts = list(range(40))
    in_order = [sched(t) for t in ts]
    random.Random(0).shuffle(ts)
    assert [sched(t) for t in sorted(ts)] == in_order
    assert {t: sched(t) for t in ts} == dict(enumerate(in_order))


def test_landmarks() -> None:
    # Restarts come back to the initial rate exactly, and ends are hit exactly.
    restarts = S.CosineWarmRestarts(0.1, 3, 2, 0.001)
    assert [restarts(t) for t in (0, 3, 9, 21, 45)] == [0.1] * 5
    assert S.WarmupCosine(1.0, 5, 20, 0.1, 0.01)(5) == 1.0
    assert S.WarmupCosine(1.0, 5, 20, 0.1, 0.01)(20) == 0.01
    assert S.Linear(0.1, 0.01, 7)(7) == 0.01
    assert S.OneCycle(0.1, 20)(19) == pytest.approx(0.1 / 25 / 1e4, rel=REL)
    assert S.Exponential(1.0, 2.0)(10**5) == math.inf
    assert S.Exponential(0.0, 2.0)(10**5) == 0.0
    assert S.StepDecay(1.0, 2.0, 1)(10**5) == math.inf


def test_warmup_cosine_is_a_sequence_of_linear_and_cosine() -> None:
    joined = S.Sequence([S.Linear(0.1, 1.0, 5), S.CosineAnnealing(1.0, 15, 0.01)], [5])
    sched = S.WarmupCosine(1.0, 5, 20, 0.1, 0.01)
    for t in range(30):
        assert sched(t) == pytest.approx(joined(t), rel=REL, abs=ABS)


@pytest.mark.parametrize("t", [-1, -(10**9), np.int64(-2)])
def test_negative_count(t: Any) -> None:
    with pytest.raises(ValueError, match=r"^t: got -\d+; expected an int >= 0"):
        S.Constant(0.1)(t)


@pytest.mark.parametrize("t", [1.0, 0.5, True, False, "3", None, np.float64(2.0)])
def test_count_of_wrong_type(t: Any) -> None:
    with pytest.raises(TypeError, match=r"^t: got .*; expected an int >= 0"):
        S.LinearWarmup(0.1, 5)(t)


def test_numpy_integer_count() -> None:
    sched = S.OneCycle(0.1, 20)
    assert sched(np.int64(7)) == sched(7)
    assert type(sched(np.int32(7))) is float


# (factory, exception, pieces the message must contain: the argument, the value)
BAD: list[tuple[Callable[[], Any], type[Exception], list[str]]] = [
    (lambda: S.Constant(-0.1), ValueError, ["lr", "-0.1", ">= 0"]),
    (lambda: S.Constant(math.nan), ValueError, ["lr", "nan"]),
    (lambda: S.Constant("0.1"), TypeError, ["lr", "'0.1'", "real number"]),
    (lambda: S.CosineAnnealing(0.1, 0), ValueError, ["T_max", "got 0", ">= 1"]),
    (lambda: S.CosineAnnealing(0.1, 2.5), TypeError, ["T_max", "2.5", "int"]),
    (lambda: S.CosineAnnealing(-1.0, 5), ValueError, ["initial_lr", "-1.0"]),
    (lambda: S.CosineAnnealing(0.1, 5, -0.01), ValueError, ["eta_min", "-0.01"]),
    (lambda: S.StepDecay(0.1, -0.5), ValueError, ["drop_rate", "-0.5"]),
    (lambda: S.StepDecay(0.1, 0.0), ValueError, ["drop_rate", "> 0"]),
    (lambda: S.StepDecay(0.1, 0.5, 0), ValueError, ["epochs_drop", "got 0"]),
    (lambda: S.Linear(0.1, -0.1, 5), ValueError, ["final_lr", "-0.1"]),
    (lambda: S.Linear(0.1, 0.0, 0), ValueError, ["total_steps", "got 0"]),
    (lambda: S.Linear(0.1, 0.0, True), TypeError, ["total_steps", "True"]),
    (lambda: S.Exponential(0.1, 0.0), ValueError, ["gamma", "0.0", "> 0"]),
    (lambda: S.Exponential(0.1, -0.9), ValueError, ["gamma", "-0.9"]),
    (lambda: S.Exponential(0.1, math.inf), ValueError, ["gamma", "inf"]),
    (lambda: S.MultiStep(0.1, [5, 3]), ValueError, ["milestones", "[5, 3]"]),
    (lambda: S.MultiStep(0.1, [3, 3]), ValueError, ["milestones", "increasing"]),
    (lambda: S.MultiStep(0.1, [0, 3]), ValueError, ["milestones[0]", "got 0"]),
    (lambda: S.MultiStep(0.1, [2, 4.5]), ValueError, ["milestones[1]", "4.5"]),
    (lambda: S.MultiStep(0.1, 5), TypeError, ["milestones", "got 5"]),
    (
        lambda: S.MultiStep(0.1, np.array([4, 2])),
        ValueError,
        ["milestones", "[4, 2]", "increasing"],
    ),
    (lambda: S.MultiStep(0.1, [3], 0), ValueError, ["gamma", "> 0"]),
    (lambda: S.Polynomial(0.1, 10, 0.0), ValueError, ["power", "> 0"]),
    (lambda: S.Polynomial(0.1, 0), ValueError, ["total_steps", "got 0"]),
    (lambda: S.Polynomial(0.1, 10, 1.0, -1.0), ValueError, ["final_lr", "-1.0"]),
    (lambda: S.LinearWarmup(0.1, -1), ValueError, ["warmup_steps", "-1", ">= 0"]),
    (lambda: S.LinearWarmup(-0.1, 5), ValueError, ["peak_lr", "-0.1"]),
    (lambda: S.LinearWarmup(0.1, 5, -0.1), ValueError, ["initial_lr", "-0.1"]),
    (lambda: S.WarmupCosine(0.1, 10, 10), ValueError, ["warmup_steps", "[0, 10)"]),
    (lambda: S.WarmupCosine(0.1, 20, 10), ValueError, ["warmup_steps", "got 20"]),
    (lambda: S.WarmupCosine(0.1, 2, 0), ValueError, ["total_steps", "got 0"]),
    (lambda: S.WarmupCosine(0.1, 2, 9, final_lr=-1), ValueError, ["final_lr", "-1"]),
    (lambda: S.CosineWarmRestarts(0.1, 0), ValueError, ["T_0", "got 0"]),
    (lambda: S.CosineWarmRestarts(0.1, 5, 0), ValueError, ["T_mult", "got 0"]),
    (lambda: S.CosineWarmRestarts(0.1, 5, 1.5), TypeError, ["T_mult", "1.5"]),
    (lambda: S.OneCycle(0.1, 0), ValueError, ["total_steps", "got 0"]),
    (lambda: S.OneCycle(-0.1, 10), ValueError, ["max_lr", "-0.1"]),
    (lambda: S.OneCycle(0.1, 10, 1.5), ValueError, ["pct_start", "1.5", "[0, 1]"]),
    (
        lambda: S.OneCycle(0.1, 10, 0.1),
        ValueError,
        ["pct_start", "0.1", "1 < pct_start * total_steps"],
    ),
    (lambda: S.OneCycle(0.1, 10, 1.0), ValueError, ["pct_start", "< total_steps"]),
    (
        lambda: S.OneCycle(0.1, 10, 0.6, three_phase=True),
        ValueError,
        ["pct_start", "0.6", "(total_steps + 1) / 2"],
    ),
    (lambda: S.OneCycle(0.1, 10, div_factor=0), ValueError, ["div_factor", "> 0"]),
    (
        lambda: S.OneCycle(0.1, 10, final_div_factor=-1.0),
        ValueError,
        ["final_div_factor", "-1.0"],
    ),
    (lambda: S.OneCycle(0.1, 10, anneal="exp"), ValueError, ["anneal", "'exp'"]),
    (lambda: S.OneCycle(0.1, 10, three_phase=1), TypeError, ["three_phase", "1"]),
    (lambda: S.Cyclic(0.1, 1.0, 0), ValueError, ["step_size_up", "got 0"]),
    (lambda: S.Cyclic(0.1, 1.0, 5, 0), ValueError, ["step_size_down", "got 0"]),
    (lambda: S.Cyclic(0.1, 1.0, 5, 2.5), TypeError, ["step_size_down", "2.5"]),
    (lambda: S.Cyclic(-0.1, 1.0), ValueError, ["base_lr", "-0.1"]),
    (lambda: S.Cyclic(0.1, 1.0, mode="tri"), ValueError, ["mode", "'tri'"]),
    (lambda: S.Cyclic(0.1, 1.0, gamma=0.0), ValueError, ["gamma", "> 0"]),
    (lambda: S.Sequence([], []), ValueError, ["schedules", "empty"]),
    (
        lambda: S.Sequence([S.Constant(1.0), 0.5], [3]),
        TypeError,
        ["schedules[1]", "0.5", "Schedule"],
    ),
    (
        lambda: S.Sequence([S.Constant(1.0), S.Constant(2.0)], []),
        ValueError,
        ["boundaries", "got 0 boundaries for 2 schedules", "exactly 1"],
    ),
    (
        lambda: S.Sequence([S.Constant(1.0)] * 3, [5, 5]),
        ValueError,
        ["boundaries", "[5, 5]", "increasing"],
    ),
    (
        lambda: S.from_config({"name": "Nope"}),
        ValueError,
        ["config['name']", "'Nope'", "OneCycle"],
    ),
    (lambda: S.from_config(["Constant"]), ValueError, ["config", "'name'"]),
    (
        lambda: S.from_config({"name": "Sequence", "schedules": "x", "boundaries": []}),
        ValueError,
        ["config['schedules']", "'x'"],
    ),
    (
        lambda: S.from_config({"name": "Constant", "lr": -2.0}),
        ValueError,
        ["lr", "-2.0"],
    ),
]


@pytest.mark.parametrize(("factory", "exc", "pieces"), BAD, ids=range(len(BAD)))
def test_bad_input(
    factory: Callable[[], Any], exc: type[Exception], pieces: list[str]
) -> None:
    with pytest.raises(exc) as info:
        factory()
    message = str(info.value)
    for piece in pieces:
        assert piece in message
    assert "accepted" in message or "expected" in message


# torch parity: torch's lr after k scheduler.step() calls is our s(k).
TORCH: list[tuple[str, S.Schedule, float, Callable[[Any, Any], Any], int]] = [
    (
        "cosine",
        S.CosineAnnealing(0.1, 10, 0.001),
        0.1,
        lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
        11,  # torch's cosine rises again past T_max; ours stays at eta_min
    ),
    ("step", S.StepDecay(0.1, 0.5, 3), 0.1, lambda m, o: m.StepLR(o, 3, 0.5), 25),
    (
        "constant_factor",
        S.Sequence([S.Constant(0.05), S.Constant(0.1)], [4]),
        0.1,
        lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4),
        10,
    ),
    (
        "linear",
        S.Linear(0.05, 0.01, 8),
        0.1,
        lambda m, o: m.LinearLR(o, start_factor=0.5, end_factor=0.1, total_iters=8),
        15,
    ),
    (
        "exponential",
        S.Exponential(0.1, 0.9),
        0.1,
        lambda m, o: m.ExponentialLR(o, 0.9),
        40,
    ),
    (
        "multistep",
        S.MultiStep(0.1, [2, 5, 9], 0.3),
        0.1,
        lambda m, o: m.MultiStepLR(o, [2, 5, 9], 0.3),
        15,
    ),
    (
        "polynomial",
        S.Polynomial(0.1, 10, 2.0),
        0.1,
        lambda m, o: m.PolynomialLR(o, total_iters=10, power=2.0),
        15,
    ),
    (
        "warmup",
        S.LinearWarmup(0.1, 5, 0.01),
        0.1,
        lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
        10,
    ),
    (
        "restarts",
        S.CosineWarmRestarts(0.1, 4, 1, 0.001),
        0.1,
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4, eta_min=0.001),
        20,
    ),
    (
        "restarts_mult",
        S.CosineWarmRestarts(0.1, 3, 2, 0.001),
        0.1,
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
        50,
    ),
]
for _mode, _up, _down, _gamma in [
    ("triangular", 4, None, 1.0),
    ("triangular2", 3, 5, 1.0),
    ("exp_range", 2, 3, 0.9),
]:
    TORCH.append(
        (
            f"cyclic-{_mode}",
            S.Cyclic(0.01, 0.1, _up, _down, _mode, _gamma),
            0.1,
            lambda m, o, u=_up, d=_down, mode=_mode, g=_gamma: m.CyclicLR(
                o, 0.01, 0.1, u, d, mode=mode, gamma=g, cycle_momentum=False
            ),
            40,
        )
    )
for _total, _pct, _anneal, _three in [
    (20, 0.3, "cos", False),
    (10, 0.25, "linear", False),
    (23, 0.35, "cos", True),
    (31, 0.2, "linear", True),
    (7, 0.5, "cos", False),
]:
    TORCH.append(
        (
            f"onecycle-{_total}-{_pct}-{_anneal}-{_three}",
            S.OneCycle(0.1, _total, _pct, 10.0, 100.0, _anneal, _three),
            0.1,
            lambda m, o, T=_total, p=_pct, a=_anneal, three=_three: m.OneCycleLR(
                o,
                0.1,
                T,
                pct_start=p,
                anneal_strategy=a,
                div_factor=10.0,
                final_div_factor=100.0,
                three_phase=three,
                cycle_momentum=False,
            ),
            _total,  # torch raises past total_steps
        )
    )


@pytest.mark.parametrize(
    ("sched", "base_lr", "make", "n"),
    [case[1:] for case in TORCH],
    ids=[case[0] for case in TORCH],
)
def test_matches_torch(
    sched: S.Schedule, base_lr: float, make: Callable[[Any, Any], Any], n: int
) -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler = make(torch.optim.lr_scheduler, opt)
    theirs = []
    for _ in range(n):
        theirs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    ours = [sched(k) for k in range(n)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)
