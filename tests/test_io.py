"""Checkpoints: exact resume (in this process and in a new one), damaged files,
files of other optimizers, and crashes in the middle of a save."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import fastopt
from fastopt import io as fio
from tests.cases import all_options, option_id
from tests.snapshot import (
    assert_same,
    assert_unchanged,
    flat_params,
    same_bits,
    snapshot,
)

OPTIONS = all_options()
ROOT = pathlib.Path(__file__).resolve().parents[1]
STEPS, SAVE_AT = 7, 3


def _grads(seed: int, n: int, dtype, steps: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n).astype(dtype) for _ in range(steps)]


def _fresh(case, opts, n, dtype, seed=0):
    param = np.random.default_rng(seed).standard_normal(n).astype(dtype)
    return case.cls(param, **opts)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize(
    ("case", "opts"), OPTIONS, ids=[option_id(c, o) for c, o in OPTIONS]
)
def test_resume_is_bit_identical(case, opts, dtype, tmp_path):
    n = 1001
    grads = _grads(1, n, dtype, STEPS)
    straight = _fresh(case, opts, n, dtype)
    for g in grads:
        straight.step(g)

    first = _fresh(case, opts, n, dtype)
    for g in grads[:SAVE_AT]:
        first.step(g)
    path = tmp_path / "ckpt"
    fastopt.save(path, first)
    assert os.listdir(tmp_path) == ["ckpt"]  # no ".npz" appended, no temp left

    resumed = _fresh(case, opts, n, dtype, seed=99)
    resumed.params[...] = first.params  # the checkpoint holds the optimizer only
    fastopt.load(path, resumed)
    assert resumed.step_count == SAVE_AT
    for g in grads[SAVE_AT:]:
        resumed.step(g)
    assert_same(snapshot(resumed), snapshot(straight))


def test_resume_with_groups_and_flat_params(tmp_path):
    rng = np.random.default_rng(5)
    shapes = [(3, 4), (50_000,), (0,), (9,)]

    def make():
        fp = fastopt.FlatParams([np.ones(s) for s in shapes])
        groups = [{"params": [1], "lr": 0.02, "betas": [0.8, 0.9]}]
        return fp, fastopt.Adam(fp, lr=0.01, groups=groups, amsgrad=True)

    grads = [rng.standard_normal(50_021) for _ in range(6)]
    fp_a, a = make()
    fp_b, b = make()
    for k, g in enumerate(grads):
        fp_a.grad[...] = g
        a.step()
        if k == 2:
            fastopt.save(str(tmp_path / "c.npz"), a)
            fp_b.data[...] = fp_a.data
            fastopt.load(tmp_path / "c.npz", b)
        if k >= 3:
            fp_b.grad[...] = g
            b.step()
    assert_same(snapshot(a), snapshot(b))
    assert b.param_groups[0]["betas"] == (0.8, 0.9)


# A few cases resumed in a new Python process: nothing of the writer's process
# (compiled kernels, caches, object identity) can leak into the result.
def _first(name: str, **want) -> int:
    for k, (case, opts) in enumerate(OPTIONS):
        if case.name == name and all(opts.get(key) == v for key, v in want.items()):
            return k
    raise LookupError(f"no {name} case with {want}")


SUBPROCESS_CASES = [
    _first("SGD", momentum=0.9, nesterov=True, weight_decay=0.1),
    _first("Adam", amsgrad=True, maximize=True, decoupled_weight_decay=True),
    _first("RMSprop", centered=True, momentum=0.8),
    _first("Adagrad", lr_decay=0.01, initial_accumulator_value=0.5),
]

RESUME_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import fastopt
    from tests.cases import all_options
    from tests.test_io import _fresh, _grads

    index, n, dtype, ckpt, params, out = sys.argv[1:]
    case, opts = all_options()[int(index)]
    opt = _fresh(case, opts, int(n), dtype, seed=99)
    opt.params[...] = np.load(params)
    fastopt.load(ckpt, opt)
    steps = opt.step_count
    for g in _grads(1, int(n), dtype, {steps})[steps:]:
        opt.step(g)
    np.savez(out, params=opt.params, step=opt.step_count, **opt.state)
    """
)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def test_resume_in_a_new_process(tmp_path):
    n, dtype = 40_009, "float32"  # above the parallel threshold
    for index in SUBPROCESS_CASES:
        case, opts = OPTIONS[index]
        grads = _grads(1, n, dtype, STEPS)
        straight = _fresh(case, opts, n, dtype)
        for g in grads:
            straight.step(g)
        first = _fresh(case, opts, n, dtype)
        for g in grads[:SAVE_AT]:
            first.step(g)
        fastopt.save(tmp_path / "ckpt", first)
        np.save(tmp_path / "params.npy", first.params)

        script = RESUME_SCRIPT.replace("{steps}", str(STEPS))
        out = tmp_path / "out.npz"
        args = [str(index), str(n), dtype, str(tmp_path / "ckpt"),
                str(tmp_path / "params.npy"), str(out)]  # fmt: skip
        subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT,
                       env=_env(), check=True, timeout=300)  # fmt: skip
        with np.load(out) as got:
            assert np.array_equal(got["params"], straight.params), option_id(case, opts)
            assert int(got["step"]) == STEPS
            for k, v in straight.state.items():
                assert np.array_equal(got[k], v), (option_id(case, opts), k)


# -- the format itself -----------------------------------------------------------


def test_generic_values_round_trip(tmp_path):
    # Whatever a state dict may come to hold (schedules as config dicts, flags of
    # later features) must come back with the same types and bits.
    rng = np.random.default_rng(0)
    value = {
        "step": 2**40,
        "big": 2**80,
        "floats": [0.1, -0.0, 5e-324, 1.7976931348623157e308, *rng.standard_normal(5)],
        "nonfinite": (float("nan"), float("inf"), -float("inf")),
        "tuple": (1, (2.0, [3, None]), "x"),
        "flags": {"a": True, "b": False, "c": None},
        "lr": {"name": "CosineAnnealing", "base": 0.1, "t_max": 1000},
        "int keys": {0: "zero", 1: (1,)},
        "$array": "a key that looks like a tag",
        "scalars": [np.float32(0.1), np.int64(-3), np.bool_(True), np.float64(2.5)],
        "arrays": [np.arange(5, dtype=np.int32), np.zeros((2, 0)), np.float16([1])],
        "empty": {},
    }
    fio.write_state_dict(tmp_path / "x", value)
    got = fio.read_state_dict(tmp_path / "x")
    assert got.keys() == value.keys()
    assert got["step"] == 2**40 and type(got["step"]) is int
    assert got["big"] == 2**80
    assert [float(x).hex() for x in got["floats"]] == [
        float(x).hex() for x in value["floats"]
    ]
    assert str(got["floats"][1]) == "-0.0"
    assert np.isnan(got["nonfinite"][0]) and got["nonfinite"][1:] == (
        float("inf"),
        -float("inf"),
    )
    assert got["tuple"] == (1, (2.0, [3, None]), "x")
    assert type(got["tuple"][1][1]) is list
    for key in ("flags", "lr", "int keys", "$array", "empty"):
        assert got[key] == value[key], key
    for a, b in zip(got["scalars"], value["scalars"], strict=True):
        assert type(a) is type(b) and a == b
    for a, b in zip(got["arrays"], value["arrays"], strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


def test_file_layout(tmp_path):
    opt = fastopt.Adam(np.ones(10), amsgrad=True)
    opt.step(np.ones(10))
    fastopt.save(tmp_path / "f", opt)
    with np.load(tmp_path / "f", allow_pickle=False) as npz:
        meta = json.loads(npz[fio.META].tobytes())
        assert meta["format"] == fio.FORMAT and meta["version"] == fio.VERSION
        assert sorted(npz.files) == sorted([fio.META, "a0", "a1", "a2"])
    assert meta["state_dict"]["step"] == 1
    assert meta["state_dict"]["state"]["exp_avg"]["$array"] in ("a0", "a1", "a2")


@pytest.mark.parametrize(
    "bad",
    [object(), {1, 2}, np.array([None, 1], dtype=object), fastopt.schedules],
    ids=["object", "set", "object-array", "module"],
)
def test_unsupported_values_refused_before_any_file_is_made(tmp_path, bad):
    with pytest.raises(TypeError, match=r"state_dict\['x'\]\[1\]"):
        fio.write_state_dict(tmp_path / "f", {"x": [0, bad]})
    assert os.listdir(tmp_path) == []


def test_path_type_is_checked(tmp_path):
    opt = fastopt.SGD(np.ones(3))
    with pytest.raises(TypeError, match="path"):
        fastopt.save(3, opt)
    with pytest.raises(TypeError, match="path"):
        fastopt.load(None, opt)


# -- damaged files, wrong files: a clear error and an untouched optimizer -------


@pytest.fixture
def saved(tmp_path):
    """(path, bytes) of an Adam checkpoint, and a stepped Adam to load into."""
    writer = fastopt.Adam(np.ones(1001), amsgrad=True)
    for g in _grads(2, 1001, np.float64, 3):
        writer.step(g)
    path = tmp_path / "ckpt.npz"
    fastopt.save(path, writer)
    target = fastopt.Adam(np.full(1001, 2.0), amsgrad=True)
    target.step(np.ones(1001))
    return path, path.read_bytes(), target


def _expect_refused(path, target, exc=ValueError, match=None):
    before = snapshot(target)
    with pytest.raises(exc, match=match) as info:
        fastopt.load(path, target)
    assert_unchanged(target, before)
    return str(info.value)


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.999, "minus1"])
def test_truncated_file(saved, keep):
    path, data, target = saved
    cut = len(data) - 1 if keep == "minus1" else int(len(data) * keep)
    path.write_bytes(data[:cut])
    msg = _expect_refused(path, target)
    assert str(path) in msg
    assert "empty" in msg if cut == 0 else "truncated or corrupted" in msg


def test_corrupted_bytes_never_load_wrong_data(saved):
    # Flip one byte at a time across the whole file.  Either the damage is
    # caught (ValueError naming the file; the optimizer is untouched) or it hit
    # bytes that carry no data (zip header fields such as the time stamp) and
    # the load gives exactly the saved state.
    path, data, _ = saved
    expected = fio.read_state_dict(path)
    caught = 0
    positions = sorted({*range(0, len(data), 211), *range(len(data) - 120, len(data))})
    for pos in positions:
        damaged = bytearray(data)
        damaged[pos] ^= 0xFF
        path.write_bytes(bytes(damaged))
        target = fastopt.Adam(np.full(1001, 2.0), amsgrad=True)
        target.step(np.ones(1001))
        before = snapshot(target)
        try:
            fastopt.load(path, target)
        except ValueError as exc:
            assert str(path) in str(exc)
            assert_unchanged(target, before)
            caught += 1
        else:
            got = snapshot(target)
            assert got["step"] == expected["step"], pos
            for k, v in expected["state"].items():
                assert same_bits(got["state"][k], v), (pos, k)
    print(f"{caught} of {len(positions)} one-byte corruptions caught")
    assert caught >= 0.7 * len(positions)


def test_corrupted_array_data_is_caught_by_the_checksum(saved):
    path, data, target = saved
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("a0.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    damaged = bytearray(data)
    damaged[start] ^= 0x01  # one bit of one float
    path.write_bytes(bytes(damaged))
    assert "CRC" in _expect_refused(path, target)


def test_empty_file(saved):
    path, _, target = saved
    path.write_bytes(b"")
    assert "empty" in _expect_refused(path, target)


@pytest.mark.parametrize("kind", ["text", "npy", "plain-npz", "pickle-npz", "zip"])
def test_not_a_checkpoint(saved, kind):
    path, _, target = saved
    if kind == "text":
        path.write_text("step: 3\n")
    elif kind == "npy":
        with open(path, "wb") as f:
            np.save(f, np.ones(3))
    elif kind == "plain-npz":
        with open(path, "wb") as f:
            np.savez(f, exp_avg=np.ones(1001))
    elif kind == "pickle-npz":
        with open(path, "wb") as f:
            np.savez(f, **{fio.META: np.array([{"step": 1}], dtype=object)})
    else:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "hello")
    msg = _expect_refused(path, target)
    assert str(path) in msg


def test_metadata_that_is_not_a_checkpoint(saved, tmp_path):
    path, _, target = saved
    meta = {"format": fio.FORMAT, "version": fio.VERSION + 1, "state_dict": {}}
    with open(path, "wb") as f:
        np.savez(f, **{fio.META: np.frombuffer(json.dumps(meta).encode(), np.uint8)})
    assert "version 2" in _expect_refused(path, target)

    missing = {"$array": "a7", "dtype": "<f8", "shape": [1]}
    meta = {"format": fio.FORMAT, "version": fio.VERSION, "state_dict": {"x": missing}}
    with open(path, "wb") as f:
        np.savez(f, **{fio.META: np.frombuffer(json.dumps(meta).encode(), np.uint8)})
    assert "a7" in _expect_refused(path, target)

    with open(path, "wb") as f:
        np.savez(f, **{fio.META: np.frombuffer(b"{not json", np.uint8)})
    assert "JSON" in _expect_refused(path, target)


def test_missing_file(tmp_path):
    opt = fastopt.SGD(np.ones(3))
    before = snapshot(opt)
    with pytest.raises(FileNotFoundError):
        fastopt.load(tmp_path / "nope", opt)
    assert_unchanged(opt, before)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: fastopt.SGD(np.ones(1001), momentum=0.9), r"\['optimizer'\]"),
        (lambda: fastopt.AdamW(np.ones(1001), amsgrad=True), r"\['optimizer'\]"),
        (lambda: fastopt.Adam(np.ones(1000), amsgrad=True), r"\['size'\]"),
        (lambda: fastopt.Adam(np.ones(1001, np.float32), amsgrad=True), r"\['dtype'\]"),
        (lambda: fastopt.Adam(np.ones(1001)), r"\['options'\]"),
        (
            lambda: fastopt.Adam(np.ones(1001), amsgrad=True, maximize=True),
            r"\['maximize'\]",
        ),
    ],
    ids=["SGD", "AdamW", "size", "dtype", "no-amsgrad", "maximize"],
)
def test_checkpoint_of_another_optimizer(saved, make, match):
    path, _, _ = saved
    target = make()
    target.step(np.ones(target.params.size, target.params.dtype))
    _expect_refused(path, target, ValueError, match)


# -- crashes during a save --------------------------------------------------------


@pytest.fixture
def old_file(tmp_path):
    opt = fastopt.SGD(np.ones(100), momentum=0.9)
    opt.step(np.ones(100))
    path = tmp_path / "ckpt"
    fastopt.save(path, opt)
    opt.step(np.ones(100))
    return path, path.read_bytes(), opt


def _crash(*args, **kwargs):
    raise OSError("simulated crash")


@pytest.mark.parametrize("where", ["replace", "fsync", "writer", "interrupt"])
def test_crash_mid_save_keeps_the_old_file(old_file, monkeypatch, where):
    path, data, opt = old_file
    if where == "replace":
        monkeypatch.setattr(fio.os, "replace", _crash)
    elif where == "fsync":
        monkeypatch.setattr(fio.os, "fsync", _crash)
    elif where == "writer":

        def half_written(f, *args, **kwargs):
            f.write(b"PK\x03\x04 partial")
            raise OSError("simulated crash")

        monkeypatch.setattr(fio.np, "savez", half_written)
    else:

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(fio.os, "replace", interrupted)
    with pytest.raises((OSError, KeyboardInterrupt)):
        fastopt.save(path, opt)
    monkeypatch.undo()
    assert os.listdir(path.parent) == [path.name]
    assert path.read_bytes() == data
    restored = fastopt.SGD(np.ones(100), momentum=0.9)
    fastopt.load(path, restored)
    assert restored.step_count == 1


def test_save_into_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path: the directory .*no'.* exist"):
        fastopt.save(tmp_path / "no" / "ckpt", fastopt.SGD(np.ones(3)))
    assert os.listdir(tmp_path) == []


def test_save_onto_a_directory(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError, match=r"path: .* is a directory"):
        fastopt.save(tmp_path / "d", fastopt.SGD(np.ones(3)))
    assert os.listdir(tmp_path) == ["d"] and os.listdir(tmp_path / "d") == []


def test_save_replaces_and_keeps_other_files(old_file):
    path, data, opt = old_file
    (path.parent / "other").write_text("x")
    fastopt.save(path, opt)
    assert sorted(os.listdir(path.parent)) == ["ckpt", "other"]
    assert path.read_bytes() != data
    assert flat_params(opt).size == 100


def test_schedule_configs_round_trip(tmp_path):
    # Schedules travel in state dicts as their JSON-compatible config dicts.
    from fastopt import schedules as sch

    schedule = sch.Sequence(
        [sch.LinearWarmup(0.1, 100), sch.CosineAnnealing(0.1, 1000, eta_min=1e-5),
         sch.MultiStep(1e-5, [10, 20], gamma=0.5)],
        [100, 1100],
    )  # fmt: skip
    sd = {"lr": schedule.config(), "step": 123}
    fio.write_state_dict(tmp_path / "s", sd)
    got = fio.read_state_dict(tmp_path / "s")
    assert got == sd
    rebuilt = sch.from_config(got["lr"])
    assert rebuilt == schedule
    assert [rebuilt(t) for t in (0, 99, 100, 1099, 1100, 5000)] == [
        schedule(t) for t in (0, 99, 100, 1099, 1100, 5000)
    ]


KILL_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    import fastopt

    opt = fastopt.SGD(np.ones(100), momentum=0.9)
    for _ in range(5):
        opt.step(np.ones(100))
    os.replace = lambda *args: os._exit(3)  # the process dies before the rename
    fastopt.save(sys.argv[1], opt)
    """
)


def test_process_killed_mid_save_keeps_the_old_file(old_file):
    # A hard kill cannot clean up: the old checkpoint survives intact and a
    # temporary file (".<name>.<random>.tmp") may be left next to it.
    path, data, _ = old_file
    done = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(path)], cwd=ROOT,
                          env=_env(), timeout=300)  # fmt: skip
    assert done.returncode == 3
    assert path.read_bytes() == data
    leftovers = [p for p in os.listdir(path.parent) if p != path.name]
    assert len(leftovers) == 1 and leftovers[0].startswith(".ckpt.")
    assert leftovers[0].endswith(".tmp")
    restored = fastopt.SGD(np.ones(100), momentum=0.9)
    fastopt.load(path, restored)
    assert restored.step_count == 1
