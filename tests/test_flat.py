"""FlatParams: packing, views that write through, names, groups by name or view."""

from __future__ import annotations

import numpy as np
import pytest

import fastopt


def test_views_write_through_both_ways():
    w = np.arange(12.0).reshape(3, 4)
    b = np.array([1.0, 2.0])
    fp = fastopt.FlatParams({"w": w, "b": b})
    assert fp.size == 14 and fp.dtype == np.float64 and len(fp) == 2
    assert fp.names == ["w", "b"]
    assert [p.shape for p in fp.params] == [(3, 4), (2,)]
    np.testing.assert_array_equal(fp.data, np.r_[w.ravel(), b])
    fp.params[0][1, 2] = -5.0
    assert fp.data[6] == -5.0
    fp.data[12] = 7.0
    assert fp.params[1][0] == 7.0
    fp.grads[1][...] = 3.0
    np.testing.assert_array_equal(fp.grad[12:], [3.0, 3.0])
    assert w[1, 2] == 6.0  # the inputs were copied, not aliased
    fp.zero_grad()
    assert not fp.grad.any()


def test_views_share_memory_with_the_buffers():
    fp = fastopt.FlatParams([np.zeros((2, 2)), np.zeros(3)], dtype=np.float32)
    assert fp.dtype == np.float32
    for view in fp.params:
        assert np.shares_memory(view, fp.data)
    for view in fp.grads:
        assert np.shares_memory(view, fp.grad)
    assert not np.shares_memory(fp.data, fp.grad)
    assert fp.data.flags.c_contiguous and fp.grad.flags.c_contiguous


def test_one_step_updates_every_array():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in [(5, 3), (1,), (0,), (4, 2, 2), (9,)]]
    fp = fastopt.FlatParams(arrays)
    opt = fastopt.SGD(fp, lr=0.1)
    for g in fp.grads:
        g[...] = 1.0
    opt.step()
    for view, a in zip(fp.params, arrays, strict=True):
        np.testing.assert_allclose(view, a - 0.1)


def test_index_by_position_name_and_view():
    fp = fastopt.FlatParams({"a": np.zeros(2), "b": np.zeros(3)})
    assert fp.index(1) == 1 and fp.index(-1) == 1
    assert fp.index("a") == 0
    assert fp.index(fp.params[1]) == 1
    with pytest.raises(KeyError, match="'c'"):
        fp.index("c")
    with pytest.raises(IndexError, match="2"):
        fp.index(2)
    with pytest.raises(ValueError, match="views"):
        fp.index(np.zeros(2))
    with pytest.raises(TypeError, match="bool"):
        fp.index(True)


@pytest.mark.parametrize(
    ("arrays", "kw", "exc", "match"),
    [
        ([], {}, ValueError, "arrays"),
        ([np.zeros(3, np.int64)], {}, TypeError, "dtype"),
        ([np.zeros(3)], {"dtype": np.float16}, TypeError, "float16"),
        ([np.zeros(3, np.complex128)], {}, TypeError, "complex"),
        ([np.array(["a"])], {"dtype": np.float64}, TypeError, "arrays"),
    ],
    ids=["empty", "int", "float16", "complex", "strings"],
)
def test_bad_arrays_are_refused(arrays, kw, exc, match):
    with pytest.raises(exc, match=match):
        fastopt.FlatParams(arrays, **kw)


def test_empty_collection_with_dtype_is_an_empty_buffer():
    fp = fastopt.FlatParams([], dtype=np.float32)
    assert fp.size == 0
    opt = fastopt.Adam(fp)
    opt.step()
    assert opt.step_count == 1


@pytest.mark.parametrize("name", ["data", "grad"])
def test_buffers_cannot_be_replaced(name):
    # An optimizer keeps updating the buffer it was built on, so a new array
    # assigned to the attribute would be silently ignored: refuse it.
    flat = fastopt.FlatParams([np.zeros(3), np.ones(2)])
    opt = fastopt.SGD(flat, lr=1.0)
    before = getattr(flat, name)
    with pytest.raises(AttributeError, match=rf"{name}: the buffer is fixed"):
        setattr(flat, name, np.full(5, 7.0))
    assert getattr(flat, name) is before
    flat.grad[...] = 1.0
    opt.step()
    np.testing.assert_array_equal(flat.params[1], [0.0, 0.0])
