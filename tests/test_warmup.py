"""Lazy compilation, fastopt.warmup(), and the kernel calls behind the classes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest

import fastopt
from fastopt._warmup import OPTIMIZERS, kernel_call


def _child(code: str) -> dict:
    """Run ``code`` in a fresh Python that imports this fastopt; its JSON output."""
    root = str(Path(fastopt.__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, env=env, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


SIGNATURES = """
import json
from numba.core.dispatcher import Dispatcher
from fastopt import _kernels

def signatures():
    return {
        f"{name} {build}": [str(s) for s in pair[k].signatures]
        for name, pair in vars(_kernels).items()
        if isinstance(pair, tuple) and len(pair) == 2
        and all(isinstance(d, Dispatcher) for d in pair)
        for k, build in enumerate(("serial", "parallel"))
    }
"""


# These read the dispatchers' compiled signatures, which exist only with the JIT.
compiled = pytest.mark.skipif(
    numba.config.DISABLE_JIT, reason="inspects what Numba compiled"
)


@compiled
def test_import_compiles_nothing():
    got = _child(
        "import fastopt\n" + SIGNATURES + "\n"
        "import sys\n"
        "print(json.dumps({'signatures': signatures(),\n"
        "                  'cli': 'fastopt.cli' in sys.modules}))"
    )
    assert "adam_ serial" in got["signatures"]
    assert len(got["signatures"]) >= 8
    assert all(sigs == [] for sigs in got["signatures"].values())
    assert not got["cli"]


@compiled
def test_warmup_compiles_what_the_classes_run():
    got = _child(
        "import fastopt, numpy as np\n" + SIGNATURES + "\n"
        "done = fastopt.warmup(['adam', 'rmsprop'], dtypes=['float64'])\n"
        "after_warmup = signatures()\n"
        "for n in (8, 1 << 16):  # the serial and the parallel path\n"
        "    for cls in (fastopt.Adam, fastopt.AdamW, fastopt.RMSprop):\n"
        "        cls(np.zeros(n)).step(np.ones(n))\n"
        "print(json.dumps({'done': done, 'after_warmup': after_warmup,\n"
        "                  'after_steps': signatures()}))"
    )
    assert got["done"][:4] == [
        "adam_ float64 serial", "adam_ float64 parallel",
        "rmsprop_ float64 serial", "rmsprop_ float64 parallel",
    ]  # fmt: skip
    assert all("float64" in d for d in got["done"][4:])
    warm = got["after_warmup"]
    for key in ("adam_ serial", "adam_ parallel", "rmsprop_ serial",
                "rmsprop_ parallel"):  # fmt: skip
        assert len(warm[key]) == 1, key
        assert "float64" in warm[key][0]
    assert warm["sgd_ serial"] == warm["adagrad_ parallel"] == []
    # The classes' steps found every signature they needed already compiled.
    assert got["after_steps"] == warm


def test_warmup_compiles_a_shared_kernel_once():
    done = fastopt.warmup(
        ["sgd", "Momentum", "nesterov"], "float32", parallel=False, clipping=False
    )
    assert done == ["sgd_ float32 serial"]


def test_warmup_defaults_cover_every_kernel():
    done = fastopt.warmup(parallel=False)
    kernels = ("sgd", "adam", "rmsprop", "adagrad", "sumsq_blocks", "nonfinite_blocks",
               "scale", "clamp")  # fmt: skip
    assert done == [f"{k}_ float32 serial" for k in kernels]


@compiled
def test_warmup_compiles_the_clipping_kernels_that_clipping_runs():
    from fastopt import _kernels

    fastopt.warmup([], "float64", parallel=False)
    pairs = (_kernels.sumsq_blocks_, _kernels.nonfinite_blocks_, _kernels.scale_,
             _kernels.clamp_)  # fmt: skip
    before = [len(p[0].signatures) for p in pairs]
    g = np.full(100, 3.0)
    fastopt.clip_grad_norm(g, 1.0)
    fastopt.clip_grad_value(g, 0.1)
    opt = fastopt.SGD(np.zeros(100), lr=0.1, max_grad_norm=1.0, nonfinite="skip")
    opt.step(g)
    opt = fastopt.SGD(np.zeros(100), lr=0.1, nonfinite="skip")
    opt.step(g)
    assert [len(p[0].signatures) for p in pairs] == before


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"optimizers": ["adam", "lamb"]}, ValueError,
         "optimizers: got 'lamb'; accepted: sgd, momentum, nesterov, adam"),
        ({"optimizers": [3]}, ValueError, "optimizers: got 3; accepted:"),
        ({"dtypes": ["float16"]}, ValueError,
         "dtypes: got 'float16'; accepted: float32, float64"),
        ({"dtypes": "int8"}, ValueError, "dtypes: got 'int8'"),
        ({"dtypes": ["not a dtype"]}, ValueError, "dtypes: got 'not a dtype'"),
        ({"parallel": "yes"}, TypeError, "parallel: got 'yes'; accepted: True, False"),
        ({"clipping": 1}, TypeError, "clipping: got 1; accepted: True, False"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(kwargs, error, message):
    with pytest.raises(error) as exc:
        fastopt.warmup(**kwargs)
    assert message in str(exc.value)


def _optimizers():
    return [
        *((name, cls, {}) for name, cls in OPTIMIZERS.items()),
        ("adam-amsgrad-maximize", fastopt.Adam, {"amsgrad": True, "maximize": True}),
        ("rmsprop-centered-momentum", fastopt.RMSprop,
         {"centered": True, "momentum": 0.5, "weight_decay": 0.1}),
        ("adagrad-decay", fastopt.Adagrad, {"lr_decay": 0.1}),
    ]  # fmt: skip


@pytest.mark.parametrize("build", [0, 1], ids=["serial", "parallel"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [(c, kw) for _, c, kw in _optimizers()],
    ids=[name for name, _, _ in _optimizers()],
)
def test_kernel_call_matches_step(cls, kwargs, dtype, build):
    rng = np.random.default_rng(1)
    start = rng.standard_normal(1001).astype(dtype)
    by_class = cls(start.copy(), **kwargs)
    direct = cls(start.copy(), **kwargs)
    for _ in range(3):
        grad = rng.standard_normal(1001).astype(dtype)
        by_class.step(grad)
        pair, args = kernel_call(direct, grad)
        pair[build](*args)
        direct._step += 1

    np.testing.assert_array_equal(direct.params, by_class.params)
    for key, buf in by_class.state.items():
        np.testing.assert_array_equal(direct.state[key], buf, err_msg=key)
