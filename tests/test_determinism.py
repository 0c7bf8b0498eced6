"""Same inputs, same bits: across processes and across Numba thread counts.

Each run is a fresh Python process with ``NUMBA_NUM_THREADS`` set, stepping
every optimizer option set on a buffer large enough for the parallel kernels and
computing the global gradient norm; the runs report SHA-256 digests of every
output buffer, which must agree exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest

import fastopt
from fastopt import _jit
from tests.cases import CASE_BY_NAME, option_id

pytestmark = pytest.mark.skipif(
    numba.config.DISABLE_JIT,
    reason="thread counts only matter to compiled parallel kernels",
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
N = 100_003  # above the parallel threshold, and not a multiple of the chunk size

SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys
    import numpy as np
    import numba
    import fastopt
    from fastopt import _jit, _kernels
    from tests.cases import all_options, option_id

    n = int(sys.argv[1])
    out = {"threads": numba.config.NUMBA_NUM_THREADS}

    def digest(*arrays):
        h = hashlib.sha256()
        for a in arrays:
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()

    for dtype in (np.float32, np.float64):
        rng = np.random.default_rng(1)
        grads = [(rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 1)).astype(dtype)
                 for _ in range(4)]
        for case, opts in all_options():
            param = np.random.default_rng(2).standard_normal(n).astype(dtype)
            opt = case.cls(param, **opts)
            for g in grads:
                opt.step(g)
            key = f"{option_id(case, opts)}/{np.dtype(dtype)}"
            out[key] = digest(param, *(opt.state[k] for k in sorted(opt.state)))

        x = grads[0]
        partials = np.empty(-(-n // _jit.CHUNK), np.float64)
        _jit.launch(_kernels.sumsq_blocks_, n, x, partials)
        out[f"norm/{np.dtype(dtype)}"] = float(np.sqrt(partials.sum())).hex()
        try:  # clipping comes from another module; included once it exists
            from fastopt.clip import clip_grad_norm
        except ImportError:
            pass
        else:
            g = x.copy()
            norm = clip_grad_norm(g, 1.0)
            out[f"clip/{np.dtype(dtype)}"] = [float(norm).hex(), digest(g)]
    json.dump(out, sys.stdout)
    """
)


def _run(threads: int) -> dict[str, object]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["NUMBA_NUM_THREADS"] = str(threads)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(N)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def runs() -> list[dict[str, object]]:
    return [_run(1), _run(2), _run(2), _run(3)]


def test_runs_used_the_requested_thread_counts(runs):
    assert [r["threads"] for r in runs] == [1, 2, 2, 3]


def test_same_bits_across_processes_and_thread_counts(runs):
    first = runs[0]
    assert len(first) > 100  # every option set, both dtypes, and the norm
    for other in runs[1:]:
        assert other.keys() == first.keys()
        differ = [k for k in first if k != "threads" and other[k] != first[k]]
        assert differ == [], f"{other['threads']} threads: {differ[:5]}"


def test_in_process_result_matches_the_subprocesses(runs):
    # The parent process (whatever its thread count) agrees with the children.
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(N) * 10.0 ** rng.uniform(-3, 1) for _ in range(4)]
    param = np.random.default_rng(2).standard_normal(N)
    case = CASE_BY_NAME["Adam"]
    opts = next(iter(case.options()))
    opt = case.cls(param, **opts)
    for g in grads:
        opt.step(g)
    h = hashlib.sha256()
    for a in (param, *(opt.state[k] for k in sorted(opt.state))):
        h.update(a.tobytes())
    assert runs[0][f"{option_id(case, opts)}/float64"] == h.hexdigest()


def test_norm_matches_reference_in_float64(runs):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(N) * 10.0 ** rng.uniform(-3, 1)
    expected = fastopt.reference.global_norm(x)
    got = float.fromhex(str(runs[0]["norm/float64"]))
    assert got == pytest.approx(expected, rel=1e-13)
    assert N > _jit.PARALLEL_THRESHOLD and N % _jit.CHUNK != 0


def test_clipping_is_deterministic(runs):
    if "clip/float32" not in runs[0]:
        pytest.skip("fastopt.clip.clip_grad_norm is not there to test")
    for dtype in ("float32", "float64"):
        assert len({str(r[f"clip/{dtype}"]) for r in runs}) == 1
