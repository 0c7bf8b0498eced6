"""fit(): the mini-batch loop, on the shipped Iris problem."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

import fastopt
from fastopt.examples import MLP, load_iris, rosenbrock
from fastopt.schedules import StepDecay
from fastopt.train import _Progress


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris()
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def test_iris_data() -> None:
    X, y = load_iris()
    assert X.shape == (150, 4) and y.shape == (150,)
    assert np.bincount(y).tolist() == [50, 50, 50]
    # Two facts of Fisher's table: the first row and the column means.
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_allclose(X.mean(axis=0), [5.8433, 3.0573, 3.758, 1.1993],
                               atol=1e-4)  # fmt: skip


def test_mlp_gradient_matches_finite_differences(iris) -> None:
    X, y = iris
    model = MLP(4, 5, 3, seed=1)
    model.loss_and_grad(X[:20], y[:20])
    grad = model.params.grad.copy()
    numeric = np.empty_like(grad)
    for i in range(grad.size):
        keep = model.params.data[i]
        model.params.data[i] = keep + 1e-6
        up = model.loss(X[:20], y[:20])
        model.params.data[i] = keep - 1e-6
        down = model.loss(X[:20], y[:20])
        model.params.data[i] = keep
        numeric[i] = (up - down) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_fit_reduces_the_loss(iris) -> None:
    X, y = iris
    model = MLP(4, 16, 3, seed=0)
    before = model.loss(X, y)
    opt = fastopt.Adam(model.params, lr=0.05)
    history = fastopt.fit(model, X, y, opt, epochs=15, batch_size=16, seed=0)
    after = model.loss(X, y)
    assert len(history.loss) == len(history.lr) == 15
    assert history.steps == 15 * 10 and opt.step_count == 150
    assert after < 0.2 * before
    assert history.loss[-1] < 0.5 * history.loss[0]
    accuracy = np.mean(np.argmax(model.logits(X), axis=1) == y)
    assert accuracy > 0.9


def _trained(iris, seed, dtype=np.float64):
    X, y = iris
    model = MLP(4, 8, 3, seed=0, dtype=dtype)
    opt = fastopt.SGD(model.params, lr=0.1, momentum=0.9)
    history = fastopt.fit(model, X, y, opt, epochs=4, batch_size=32, seed=seed)
    return model.params.data.copy(), history


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_is_reproducible_with_a_seed(iris, dtype) -> None:
    p1, h1 = _trained(iris, 7, dtype)
    p2, h2 = _trained(iris, 7, dtype)
    p3, h3 = _trained(iris, 8, dtype)
    np.testing.assert_array_equal(p1, p2)
    assert h1 == h2
    assert not np.array_equal(p1, p3)
    assert h1.loss != h3.loss


def test_fit_with_schedule_and_clipping(iris) -> None:
    X, y = iris
    model = MLP(4, 8, 3, seed=0)
    opt = fastopt.Adam(model.params, lr=0.01)
    s = StepDecay(0.1, drop_rate=0.5, epochs_drop=10)  # steps: 10 per epoch here
    history = fastopt.fit(model, X, y, opt, epochs=3, batch_size=15, seed=0,
                          schedule=s, max_grad_norm=0.5)  # fmt: skip
    assert history.lr == [s(9), s(19), s(29)] == [0.1, 0.05, 0.025]
    assert opt.lr is s
    assert opt.max_grad_norm is None  # the clipping was for that run only
    assert opt.last_grad_norm is not None


def test_validation_loss_and_on_epoch(iris) -> None:
    # Validation is scored by model.loss after each epoch; on_epoch sees the
    # history so far and stops the run by returning True.
    X, y = iris
    held = np.arange(150) % 3 == 0
    train = ~held
    model = MLP(4, 8, 3, seed=0)
    opt = fastopt.Adam(model.params, lr=0.05)
    seen = []

    def on_epoch(epoch, history):
        seen.append((epoch, len(history.val_loss)))
        return epoch == 4

    history = fastopt.fit(model, X[train], y[train], opt, epochs=10, batch_size=25,
                          seed=0, validation=(X[held], y[held]),
                          on_epoch=on_epoch)  # fmt: skip
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert len(history.loss) == len(history.val_loss) == 4
    assert history.val_loss[-1] == pytest.approx(model.loss(X[held], y[held]))
    assert history.val_loss[-1] < history.val_loss[0]


def test_validation_without_a_loss_method_uses_loss_and_grad() -> None:
    # _Quadratic has only loss_and_grad: its gradient is discarded after scoring.
    model = _Quadratic()
    opt = fastopt.SGD(model.params, lr=0.5)
    rows = (np.zeros((3, 1)), np.zeros(3))
    history = fastopt.fit(model, np.zeros((4, 1)), np.zeros(4), opt, epochs=2,
                          batch_size=4, validation=rows)  # fmt: skip
    # One step per epoch: p = 0.5, then 0.75, in each of the 3 elements.
    assert history.val_loss == [
        pytest.approx(1.5 * (p - 1.0) ** 2) for p in (0.5, 0.75)
    ]
    np.testing.assert_array_equal(model.params.grad, 0.0)


def test_fit_without_shuffle_visits_rows_in_order() -> None:
    seen = []

    class Recorder:
        def __init__(self) -> None:
            self.params = fastopt.FlatParams([np.zeros(2)])

        def loss_and_grad(self, xb, yb) -> float:
            seen.extend(xb.tolist())
            return 0.0

    model = Recorder()
    opt = fastopt.SGD(model.params)
    fastopt.fit(model, np.arange(5.0), np.arange(5.0), opt, batch_size=2,
                shuffle=False, epochs=2)  # fmt: skip
    assert seen == [0, 1, 2, 3, 4] * 2


class _Quadratic:
    """loss = |p - target|^2 / 2 on every batch; a model whose faults tests set."""

    def __init__(self, fault: str = "") -> None:
        self.params = fastopt.FlatParams([np.zeros(3)])
        self.fault = fault

    def loss_and_grad(self, xb, yb):
        if self.fault == "replace":
            self.params.grad = np.zeros(5)
        elif self.fault == "dtype":
            with warnings.catch_warnings():  # deprecated in NumPy 2.5
                warnings.simplefilter("ignore", DeprecationWarning)
                self.params.grad.dtype = np.float32  # retypes the buffer in place
        else:
            self.params.grad[:] = self.params.data - 1.0
        if self.fault == "loss":
            return np.ones(3)
        return 0.5 * float(np.sum((self.params.data - 1.0) ** 2))


@pytest.mark.parametrize(("fault", "error", "match"), [
    ("replace", AttributeError, r"grad: the buffer is fixed"),
    ("dtype", ValueError, r"params\.grad"),
    ("loss", TypeError, "expected a number"),
])  # fmt: skip
def test_bad_model_is_reported(fault, error, match) -> None:
    model = _Quadratic(fault)
    opt = fastopt.SGD(model.params, lr=0.1)
    with pytest.raises(error, match=match):
        fastopt.fit(model, np.zeros((4, 1)), np.zeros(4), opt)
    assert opt.step_count == 0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"X": np.zeros((4, 1)), "y": np.zeros(3)}, "rows"),
    ({"X": np.zeros((0, 1)), "y": np.zeros(0)}, "no rows"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 2.0}, "batch_size"),
    ({"epochs": -1}, "epochs"),
    ({"progress": "yes"}, "progress"),
    ({"max_grad_norm": 0.0}, "max_grad_norm"),
    ({"validation": np.zeros((4, 1))}, "validation: got ndarray"),
    ({"validation": (np.zeros((4, 1)), np.zeros(3))}, "rows"),
    ({"on_epoch": 3}, "on_epoch: got 3"),
])  # fmt: skip
def test_bad_arguments(kwargs, match) -> None:
    model = _Quadratic()
    opt = fastopt.SGD(model.params, lr=0.1)
    args = {"X": np.zeros((4, 1)), "y": np.zeros(4), **kwargs}
    with pytest.raises((TypeError, ValueError), match=match):
        fastopt.fit(model, optimizer=opt, **args)
    assert opt.step_count == 0


def test_optimizer_must_update_the_model() -> None:
    model = _Quadratic()
    other = fastopt.SGD(fastopt.FlatParams([np.zeros(3)]))
    with pytest.raises(ValueError, match=r"model\.params"):
        fastopt.fit(model, np.zeros((4, 1)), np.zeros(4), other)
    with pytest.raises(TypeError, match="FlatParams"):
        fastopt.fit(object(), np.zeros((4, 1)), np.zeros(4), other)


def test_progress_line() -> None:
    stream = io.StringIO()
    bar = _Progress(3, True, stream)
    for epoch in range(1, 4):
        bar.show(epoch, 0.5 / epoch)
    bar.close()
    out = stream.getvalue()
    assert out.count("\r") == 3 and out.endswith("\n")
    assert "epoch 3/3" in out and "loss 0.1667" in out
    quiet = io.StringIO()  # automatic mode, not a terminal: nothing
    auto = _Progress(3, None, quiet)
    auto.show(3, 0.1)
    auto.close()
    assert quiet.getvalue() == ""


def test_fit_prints_nothing_by_default(iris, capsys) -> None:
    X, y = iris
    model = MLP(4, 4, 3)
    fastopt.fit(model, X, y, fastopt.Adam(model.params), epochs=2)
    assert capsys.readouterr() == ("", "")


def test_rosenbrock_gradient() -> None:
    g = np.zeros(2)
    assert rosenbrock(np.array([1.0, 1.0]), g) == 0.0
    np.testing.assert_array_equal(g, [0.0, 0.0])
    assert rosenbrock(np.array([-1.0, 1.0]), g) == 4.0
    np.testing.assert_array_equal(g, [-4.0, 0.0])
