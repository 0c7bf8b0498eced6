"""Python threads stepping different optimizers at once.

Numba's "workqueue" threading layer aborts the process when two threads enter
parallel kernels at the same time; ``fastopt._jit.launch`` lets one parallel
call run and sends the others to the serial build.  Both builds give the same
bits, so a threaded run must equal a sequential one exactly.
"""

from __future__ import annotations

import itertools
import os
import pathlib
import subprocess
import sys
import textwrap
import threading

import numba
import numpy as np
import pytest

import fastopt
from fastopt import _jit, _kernels

pytestmark = pytest.mark.skipif(
    numba.config.DISABLE_JIT,
    reason="concurrent parallel kernels need the JIT (no GIL release without it)",
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
N = 100_003  # every kernel call wants the parallel path
STEPS = 15

MAKERS = [
    lambda p: fastopt.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
    lambda p: fastopt.Adam(p, amsgrad=True),
    lambda p: fastopt.AdamW(p, lr=0.01),
    lambda p: fastopt.RMSprop(p, centered=True, momentum=0.5),
    lambda p: fastopt.Adagrad(p, lr_decay=0.01),
    lambda p: fastopt.Adam(p, maximize=True),
]


def _job(k: int, dtype) -> tuple[fastopt.Optimizer, list[np.ndarray]]:
    rng = np.random.default_rng(k)
    opt = MAKERS[k % len(MAKERS)](rng.standard_normal(N).astype(dtype))
    grads = [rng.standard_normal(N).astype(dtype) for _ in range(STEPS)]
    return opt, grads


def _norms(x: np.ndarray, times: int) -> list[float]:
    out = []
    for _ in range(times):
        partials = np.empty(-(-x.size // _jit.CHUNK))
        _jit.launch(_kernels.sumsq_blocks_, x.size, x, partials)
        out.append(float(partials.sum()))
    return out


def run_threaded(dtype, n_threads: int = 6) -> None:
    """Step n_threads optimizers from as many threads; compare with sequential."""
    expected = []
    for k in range(n_threads):
        opt, grads = _job(k, dtype)
        for g in grads:
            opt.step(g)
        expected.append(
            (opt.params.copy(), {k: v.copy() for k, v in opt.state.items()})
        )
    norm_input = np.random.default_rng(99).standard_normal(N).astype(dtype)
    expected_norm = _norms(norm_input, 1)[0]

    jobs = [_job(k, dtype) for k in range(n_threads)]
    start = threading.Barrier(n_threads + 1)
    errors: list[BaseException] = []
    norms: list[float] = []

    def step_all(opt: fastopt.Optimizer, grads: list[np.ndarray]) -> None:
        try:
            start.wait()
            for g in grads:
                opt.step(g)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def norm_many() -> None:
        start.wait()
        norms.extend(_norms(norm_input, 3 * STEPS))

    threads = [threading.Thread(target=step_all, args=job) for job in jobs]
    threads.append(threading.Thread(target=norm_many))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    for (opt, _), (params, state) in zip(jobs, expected, strict=True):
        assert np.array_equal(opt.params, params)
        for k, v in state.items():
            assert np.array_equal(opt.state[k], v), k
        assert opt.step_count == STEPS
    assert norms == [expected_norm] * (3 * STEPS)


def test_threads_equal_sequential_float32():
    run_threaded(np.float32)


def test_threads_equal_sequential_float64():
    run_threaded(np.float64, n_threads=3)


def test_serial_and_parallel_builds_agree_bit_for_bit():
    # What makes the threaded result independent of which build each call got.
    for k, dtype in itertools.product(range(len(MAKERS)), (np.float32, np.float64)):
        a, grads = _job(k, dtype)
        b, _ = _job(k, dtype)
        for g in grads[:5]:
            a.step(g)
            with _jit._pool:  # the pool looks busy: b takes the serial build
                b.step(g)
        assert np.array_equal(a.params, b.params), k
        for name in a.state:
            assert np.array_equal(a.state[name], b.state[name]), (k, name)


SCRIPT = textwrap.dedent(
    """
    import numpy as np
    import numba
    from tests.test_threads import run_threaded

    run_threaded(np.float32, 8)
    run_threaded(np.float64, 4)
    print(numba.threading_layer())
    """
)


def test_workqueue_layer_in_a_subprocess():
    # The layer that aborts the whole process on concurrent parallel calls:
    # the child must run to the end and exit 0.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["NUMBA_THREADING_LAYER"] = "workqueue"
    env["NUMBA_NUM_THREADS"] = "2"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-1] == "workqueue"


def test_one_optimizer_refuses_a_second_thread_while_it_steps():
    # A step holds the optimizer's own lock; a second thread's step meanwhile
    # is refused before it reads or writes anything.
    opt = fastopt.Adam(np.zeros(8))
    opt.step(np.ones(8))
    before = opt.state_dict()
    params = opt.params.copy()
    errors = []
    with opt._stepping:  # as if another thread were inside step()
        worker = threading.Thread(target=lambda: _try_step(opt, errors))
        worker.start()
        worker.join()
    assert len(errors) == 1 and "already stepping in another thread" in errors[0]
    assert opt.step_count == before["step"] == 1
    np.testing.assert_array_equal(opt.params, params)
    opt.step(np.ones(8))  # the lock is free again
    assert opt.step_count == 2


def _try_step(opt: fastopt.Optimizer, errors: list[str]) -> None:
    try:
        opt.step(np.ones(8))
    except RuntimeError as exc:
        errors.append(str(exc))
