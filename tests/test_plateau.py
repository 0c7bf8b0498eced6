"""ReduceLROnPlateau: its rules written out, torch's scheduler, state round trips."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastopt
from fastopt import ReduceLROnPlateau


def two_groups(lr=1.0):
    flat = fastopt.FlatParams({"w": np.zeros(3), "b": np.zeros(2)})
    return fastopt.SGD(flat, lr=0.5 * lr, groups=[{"params": ["w"], "lr": lr}])


# Metrics with plateaus, improvements below and above the threshold, and a NaN.
METRICS = [5.0, 4.0, 4.0, 4.0, 3.9999, 4.1, 3.0, 3.0, 3.0, 3.0, math.nan, 2.0,
           2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]  # fmt: skip

SETTINGS = [
    {"patience": 2},
    {"patience": 1, "cooldown": 2},
    {"patience": 0, "factor": 0.5, "min_lr": [0.2, 0.1]},
    {"patience": 1, "threshold": 0.5, "threshold_mode": "abs"},
    {"patience": 1, "mode": "max"},
    {"patience": 2, "mode": "max", "threshold_mode": "abs", "threshold": 0.0},
    {"patience": 0, "factor": 0.5, "min_lr": 0.3, "eps": 0.2},
]


def test_rates_follow_the_rules_written_out():
    # patience 2: the third bad epoch in a row reduces both groups' rates.
    opt = two_groups()
    plateau = ReduceLROnPlateau(opt, patience=2)
    seen = []
    for m in [3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 2.0, 2.0]:
        plateau.step(m)
        seen.append(plateau.last_lr)
    assert seen[:3] == [[1.0, 0.5]] * 3
    assert seen[3] == [0.1, 0.05]  # the third call in a row without improvement
    assert seen[4:7] == [[0.1, 0.05]] * 3
    assert seen[7] == pytest.approx([0.01, 0.005])
    assert opt.current_lr == pytest.approx([0.01, 0.005])


@pytest.mark.parametrize("kwargs", SETTINGS, ids=[str(s) for s in SETTINGS])
def test_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours = two_groups()
    plateau = ReduceLROnPlateau(ours, **kwargs)
    params = [torch.zeros(3), torch.zeros(2)]
    theirs = torch.optim.SGD([{"params": [params[0]]},
                              {"params": [params[1]], "lr": 0.5}], lr=1.0)  # fmt: skip
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **kwargs)
    sign = -1.0 if kwargs.get("mode") == "max" else 1.0
    for m in METRICS:
        plateau.step(sign * m)
        scheduler.step(sign * m)
        assert plateau.last_lr == [g["lr"] for g in theirs.param_groups]
        assert plateau.num_bad_epochs == scheduler.num_bad_epochs
        assert plateau.cooldown_counter == scheduler.cooldown_counter


def test_state_dict_resumes_exactly(tmp_path):
    straight_opt = two_groups()
    straight = ReduceLROnPlateau(straight_opt, patience=1, cooldown=1)
    for m in METRICS:
        straight.step(m)

    opt = two_groups()
    plateau = ReduceLROnPlateau(opt, patience=1, cooldown=1)
    for m in METRICS[:9]:
        plateau.step(m)
    fastopt.save(tmp_path / "opt.ckpt", opt)
    fastopt.io.write_state_dict(tmp_path / "plateau.ckpt", plateau.state_dict())

    resumed_opt = two_groups()
    fastopt.load(tmp_path / "opt.ckpt", resumed_opt)
    resumed = ReduceLROnPlateau(resumed_opt, patience=1, cooldown=1)
    resumed.load_state_dict(fastopt.io.read_state_dict(tmp_path / "plateau.ckpt"))
    for m in METRICS[9:]:
        resumed.step(m)
    assert resumed.last_lr == straight.last_lr
    assert resumed.state_dict() == straight.state_dict()


def test_refuses_a_state_of_other_settings_and_changes_nothing():
    a = ReduceLROnPlateau(two_groups(), patience=1)
    b = ReduceLROnPlateau(two_groups(), patience=3)
    b.step(1.0)
    before = b.state_dict()
    with pytest.raises(ValueError, match=r"state_dict\['config'\]"):
        b.load_state_dict(a.state_dict())
    with pytest.raises(TypeError, match=r"state_dict\['last_epoch'\]"):
        b.load_state_dict({**before, "last_epoch": 1.5})
    assert b.state_dict() == before


BAD = [
    (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
    (lambda o: ReduceLROnPlateau(o, factor=-0.1), ValueError, "factor"),
    (lambda o: ReduceLROnPlateau(o, mode="lowest"), ValueError, "mode: got 'lowest'"),
    (lambda o: ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold_mode"),
    (lambda o: ReduceLROnPlateau(o, patience=-1), ValueError, "patience: got -1"),
    (lambda o: ReduceLROnPlateau(o, patience=2.0), TypeError, "patience: got 2.0"),
    (lambda o: ReduceLROnPlateau(o, cooldown=-2), ValueError, "cooldown"),
    (lambda o: ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "min_lr: got 1 values"),
    (lambda o: ReduceLROnPlateau(o, min_lr=-1.0), ValueError, "min_lr"),
    (lambda o: ReduceLROnPlateau(o, threshold=-1e-3), ValueError, "threshold"),
    (lambda o: ReduceLROnPlateau(object()), TypeError, "optimizer: got object"),
    (lambda o: ReduceLROnPlateau(o).step("low"), TypeError, "metric: got 'low'"),
    (lambda o: ReduceLROnPlateau(o).step(None), TypeError, "metric: got None"),
    (
        lambda o: ReduceLROnPlateau(
            fastopt.SGD(np.zeros(2), lr=fastopt.schedules.Constant(0.1))
        ),
        TypeError,
        r"param_groups\[0\]\['lr'\] is a schedule",
    ),
]


@pytest.mark.parametrize(("make", "exc", "match"), BAD)
def test_bad_input(make, exc, match):
    opt = two_groups()
    with pytest.raises(exc, match=match):
        make(opt)
    assert opt.current_lr == [1.0, 0.5]


class _Flat:
    """A model whose loss never improves: the plateau must cut the rate."""

    def __init__(self):
        self.params = fastopt.FlatParams([np.zeros(2)])

    def loss_and_grad(self, xb, yb):
        return 1.0


def test_fit_drives_the_plateau_through_on_epoch():
    model = _Flat()
    opt = fastopt.SGD(model.params, lr=1.0)
    plateau = ReduceLROnPlateau(opt, patience=2)
    history = fastopt.fit(
        model, np.zeros((4, 1)), np.zeros(4), opt, epochs=8, batch_size=4,
        validation=(np.zeros((2, 1)), np.zeros(2)),
        on_epoch=lambda epoch, h: plateau.step(h.val_loss[-1]),
    )  # fmt: skip
    # Epoch 1 sets the best; epochs 2-4 are bad, the 4th cuts the rate, which
    # the lr of epochs 5-7 shows, and epoch 7 cuts it again.
    assert history.lr == pytest.approx([1.0] * 4 + [0.1] * 3 + [0.01])
