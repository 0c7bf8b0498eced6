"""The optimizer comparison, in its quick mode."""

from __future__ import annotations

import importlib.util
import math

import pytest

from fastopt import compare


@pytest.fixture(scope="module")
def quick_table() -> list[compare.Result]:
    return compare.table(quick=True)


def test_table_covers_every_optimizer_and_problem(quick_table) -> None:
    pairs = {(r.problem, r.optimizer) for r in quick_table}
    assert pairs == {(p, o) for p in compare.PROBLEMS for o in compare.OPTIMIZERS}
    for r in quick_table:
        assert r.lr == compare.LRS[r.problem][r.optimizer]
        assert math.isfinite(r.final_loss)
        assert r.final_loss < r.curve[0]  # every tuned rate makes progress
        if r.to_threshold is not None:  # below from there on, not just before
            assert max(r.curve[r.to_threshold :]) < r.threshold
            assert r.to_threshold == 0 or r.curve[r.to_threshold - 1] >= r.threshold
            assert r.first_below is not None and r.first_below <= r.to_threshold
        if r.first_below is not None:
            assert r.curve[r.first_below] < r.threshold
            assert min(r.curve[: r.first_below], default=math.inf) >= r.threshold


def test_settled_versus_first_crossing() -> None:
    assert compare._settled([5.0, 0.5, 2.0, 0.5, 0.1], 1.0) == 3
    assert compare._settled([0.5, 0.1], 1.0) == 0
    assert compare._settled([5.0, 0.5, 2.0], 1.0) is None


def test_quick_mode_lengths(quick_table) -> None:
    for r in quick_table:
        prob = compare.PROBLEMS[r.problem]
        assert len(r.curve) == prob.quick_length + 1


def test_run_reports_divergence() -> None:
    r = compare.run("rosenbrock", "SGD", 1.0, quick=True)
    assert r.to_threshold is None
    assert not math.isfinite(r.final_loss)


def test_main_prints_the_table(capsys) -> None:
    assert compare.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for name in compare.OPTIMIZERS:
        assert out.count(f" {name} ") == 2
    assert "threshold" in out


@pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is not None,
    reason="checks the message shown without matplotlib",
)
def test_plot_without_matplotlib_says_so(capsys, tmp_path) -> None:
    assert compare.main(["--quick", "--plot", str(tmp_path / "x.png")]) == 1
    assert "matplotlib" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="needs matplotlib"
)
def test_plot_writes_a_file(tmp_path) -> None:
    path = tmp_path / "curves.png"
    assert compare.main(["--quick", "--plot", str(path)]) == 0
    assert path.stat().st_size > 0
