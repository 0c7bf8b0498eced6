"""Flat parameter buffers: many arrays packed into one contiguous vector."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from fastopt._validate import check_dtype

__all__ = ["FlatParams"]


class FlatParams:
    """Arrays of any shapes packed into one contiguous 1-D buffer.

    The values of ``arrays`` are copied once, at construction, into ``data``;
    from then on ``params`` are views into ``data`` shaped like the inputs, so
    writing to either writes to both, and one kernel call updates every array.
    ``grad`` is a flat gradient buffer of the same size and dtype, and ``grads``
    are its shaped views: a model writes its gradients there.

    Parameters
    ----------
    arrays : sequence or mapping of array_like
        The arrays to pack, in order.  A mapping also gives each array a name
        (``names``), which parameter groups may use.
    dtype : {None, float32, float64}, optional
        The buffer dtype.  Default: the common floating dtype of the inputs,
        which must be float32 or float64.

    Attributes
    ----------
    data, grad : ndarray
        The flat parameter and gradient buffers.
    params, grads : list of ndarray
        Views of ``data`` and ``grad`` shaped like the inputs.
    names : list of str
        The arrays' names (``"0"``, ``"1"``, ... for a sequence).
    offsets : ndarray of int64
        ``offsets[k]:offsets[k + 1]`` is array ``k``'s slice of the buffers.
    """

    def __init__(
        self,
        arrays: Iterable[ArrayLike] | Mapping[str, ArrayLike],
        dtype: DTypeLike | None = None,
    ) -> None:
        if isinstance(arrays, Mapping):
            names = [str(k) for k in arrays]
            values = [np.asarray(v) for v in arrays.values()]
        else:
            values = [np.asarray(v) for v in arrays]
            names = [str(k) for k in range(len(values))]
        if dtype is None:
            if not values:
                raise ValueError(
                    "arrays: got an empty collection and no dtype; pass at least "
                    "one array or a dtype"
                )
            dtype = np.result_type(*values)
        check_dtype("dtype", np.dtype(dtype))
        for name, v in zip(names, values, strict=True):
            if not np.issubdtype(v.dtype, np.number) or np.iscomplexobj(v):
                raise TypeError(
                    f"arrays[{name!r}]: expected a real numeric array, got dtype "
                    f"{v.dtype}"
                )
        sizes = [v.size for v in values]
        self.offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        self.offsets = self.offsets.astype(np.int64)
        self.names = names
        self.shapes = [v.shape for v in values]
        self._data = np.empty(int(self.offsets[-1]), dtype=dtype)
        self._grad = np.zeros_like(self._data)
        self.params = self._views(self._data)
        self.grads = self._views(self._grad)
        for view, v in zip(self.params, values, strict=True):
            view[...] = v

    def _views(self, flat: NDArray[Any]) -> list[NDArray[Any]]:
        return [
            flat[lo:hi].reshape(shape)
            for lo, hi, shape in zip(
                self.offsets[:-1], self.offsets[1:], self.shapes, strict=True
            )
        ]

    def __getstate__(self) -> dict[str, Any]:
        # copy.deepcopy and pickle copy the buffers; the views are rebuilt on
        # the copies (copied on their own, they would no longer write through).
        return {k: v for k, v in self.__dict__.items() if k not in ("params", "grads")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.params = self._views(self._data)
        self.grads = self._views(self._grad)

    # The buffers are fixed: optimizers and the views in params/grads hold them,
    # so a new array assigned here would be silently ignored by both.
    @property
    def data(self) -> NDArray[Any]:
        """The flat parameter buffer (assign into it: ``fp.data[...] = x``)."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        _refuse_replacement("data", "params")

    @property
    def grad(self) -> NDArray[Any]:
        """The flat gradient buffer (assign into it: ``fp.grad[...] = g``)."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        _refuse_replacement("grad", "grads")

    @property
    def size(self) -> int:
        """The total number of elements."""
        return int(self.data.size)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of both buffers."""
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.shapes)

    def index(self, key: int | str | NDArray[Any]) -> int:
        """The position of an array given by position, name or its view."""
        if isinstance(key, (bool, np.bool_)):
            raise TypeError(f"params: got a bool {key!r}; expected an index or name")
        if isinstance(key, (int, np.integer)):
            if not -len(self) <= key < len(self):
                raise IndexError(
                    f"params: index {key} is out of range for {len(self)} arrays"
                )
            return int(key) % len(self)
        if isinstance(key, str):
            if key not in self.names:
                raise KeyError(f"params: no array named {key!r}; names: {self.names}")
            return self.names.index(key)
        if isinstance(key, np.ndarray):
            for k, view in enumerate(self.params):
                if view is key:
                    return k
            raise ValueError(
                "params: the array is not one of this FlatParams' views "
                "(use the objects in .params, an index or a name)"
            )
        raise TypeError(
            f"params: got {type(key).__name__}; expected an int, a name or a view "
            "from .params"
        )

    def zero_grad(self) -> None:
        """Set the gradient buffer to zero, in place."""
        self.grad.fill(0)

    def __repr__(self) -> str:
        return f"FlatParams({len(self)} arrays, size={self.size}, dtype={self.dtype})"


def _refuse_replacement(name: str, views: str) -> None:
    raise AttributeError(
        f"{name}: the buffer is fixed (optimizers and .{views} use it); copy into "
        f"it instead: fp.{name}[...] = values"
    )
