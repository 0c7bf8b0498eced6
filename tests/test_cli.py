"""The fastopt command: the bench table and JSON, option errors, subcommands."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import numba
import pytest

import fastopt
from fastopt import cli

ROW_KEYS = {
    "optimizer", "dtype", "size", "bytes_per_element", "seconds",
    "reference_seconds", "inplace_seconds", "naive_seconds", "ceiling_seconds",
    "elements_per_s",
    "gb_per_s", "ceiling_gb_per_s", "share_of_ceiling", "speedup_reference",
    "speedup_inplace", "speedup_naive",
}  # fmt: skip


def _env() -> dict[str, str]:
    """The environment of a child Python that imports this fastopt."""
    import os

    root = str(Path(fastopt.__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


def test_bench_prints_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    status = cli.main(["bench", "--optimizers", "adam,momentum", "--sizes", "100,2e3",
                       "--dtype", "float32,float64", "--repeat", "1",
                       "--json", str(out)])  # fmt: skip
    captured = capsys.readouterr()

    assert status == 0
    lines = captured.out.splitlines()
    assert lines[0].split() == ["optimizer", "dtype", "size", "step", "GB/s",
                                "%", "ceiling", "vs", "reference", "vs",
                                "in-place", "vs", "naive"]  # fmt: skip
    rows = [line.split() for line in lines[2:10]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (label, dtype, size)
        for dtype in ("float32", "float64")
        for size in ("100", "2e3")
        for label in ("Adam", "SGD-momentum")
    ]
    assert all(r[-1].endswith("x") and r[-2].endswith("x") for r in rows)
    assert "[1/8] adam float32 n=100" in captured.err
    assert "[8/8] momentum float64 n=2000" in captured.err

    report = json.loads(out.read_text())
    assert report["threads"] == numba.get_num_threads()
    assert report["repeat"] == 1
    results = report["results"]
    assert len(results) == 8
    for r in results:
        assert set(r) == ROW_KEYS
        assert all(r[k] > 0 for k in ROW_KEYS - {"optimizer", "dtype"})
        assert r["gb_per_s"] == pytest.approx(
            r["size"] * r["bytes_per_element"] / r["seconds"] / 1e9
        )
    adam32 = next(r for r in results if r["optimizer"] == "adam")
    assert adam32["bytes_per_element"] == 28  # read p, g, m, v; write p, m, v


def test_threads_option_sets_numba_threads(capsys):
    before = numba.get_num_threads()
    try:
        status = cli.main(["bench", "--optimizers", "sgd", "--sizes", "10",
                           "--repeat", "1", "--threads", "1"])  # fmt: skip
        assert status == 0
        assert numba.get_num_threads() == 1
    finally:
        numba.set_num_threads(before)
    assert "SGD" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sizes", "0"], "argument --sizes: got '0'; accepted: whole numbers >= 1"),
        (["--sizes", "1e3,1.5"], "argument --sizes: got '1.5'"),
        (["--sizes", "many"], "argument --sizes: got 'many'"),
        (["--optimizers", "adam,lion"],
         "argument --optimizers: got 'lion'; accepted: sgd"),
        (["--dtype", "float16"],
         "argument --dtype: got 'float16'; accepted: float32, float64"),
        (["--threads", "0"], "argument --threads: got '0'; accepted: an int >= 1"),
        (["--threads", "100000"], "argument --threads: got 100000; accepted: 1 to"),
        (["--repeat", "two"], "argument --repeat: got 'two'; accepted: an int >= 1"),
    ],
)  # fmt: skip
def test_bad_options_are_refused_before_any_work(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["bench", *args])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert message in err
    assert "fastopt bench: [" not in err  # nothing was timed


def test_no_arguments_print_help(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "usage: fastopt" in out
    for command in ("bench", "compare", "warmup"):
        assert command in out


def test_compare_dispatches_its_arguments(monkeypatch):
    seen = []
    fake = types.ModuleType("fastopt.compare")
    fake.main = lambda argv: seen.append(argv) or 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fastopt.compare", fake)

    assert cli.main(["compare", "--steps", "5", "bench"]) == 3
    assert seen == [["--steps", "5", "bench"]]


def test_compare_missing_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "fastopt.compare", None)

    assert cli.main(["compare"]) == 2
    err = capsys.readouterr().err
    assert "fastopt compare: not available" in err
    assert "fastopt.compare is missing" in err


def test_warmup_command_lists_kernels(capsys):
    status = cli.main(["warmup", "--optimizers", "adagrad", "--serial-only"])
    assert status == 0
    assert capsys.readouterr().out.split("\n")[:1] == ["adagrad_ float32 serial"]


def test_python_m_fastopt_runs_bench():
    proc = subprocess.run(
        [sys.executable, "-m", "fastopt", "bench", "--optimizers", "adagrad",
         "--sizes", "50", "--repeat", "1"],
        capture_output=True, text=True, env=_env(), timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[2].split()[:3] == ["Adagrad", "float32", "50"]
    assert "[1/1] adagrad float32 n=50" in proc.stderr


@pytest.mark.parametrize(
    ("n", "label"),
    [(50, "50"), (1000, "1e3"), (10**7, "1e7"), (3 * 10**7, "3e7"), (32768, "32768")],
)
def test_size_label(n, label):
    assert cli.size_label(n) == label


@pytest.mark.parametrize(
    ("seconds", "label"),
    [(2.5e-7, "250 ns"), (3.14159e-6, "3.14 us"), (0.0123, "12.3 ms"), (1.5, "1.5 s")],
)
def test_time_label(seconds, label):
    assert cli.time_label(seconds) == label
