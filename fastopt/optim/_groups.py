"""Parameter groups, state buffers and the chunk table of an optimizer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from fastopt._jit import CHUNK

if TYPE_CHECKING:
    from fastopt.optim._base import Optimizer

__all__ = ["ParamGroup", "StateBuffers", "chunk_table"]


class ParamGroup(Mapping[str, Any]):
    """One parameter group: its arrays and hyperparameters, like torch's dicts.

    Reading works like a dict.  Assigning a hyperparameter (``group["lr"] =
    0.01``) validates it at once and takes effect at the next step; the arrays
    of a group (``group["params"]``, their indices in the ``FlatParams``) are
    fixed.
    """

    def __init__(self, owner: Optimizer, index: int, params: list[int],
                 values: dict[str, Any]) -> None:  # fmt: skip
        self._owner = owner
        self._index = index
        self._params = params
        self._values = values

    def __getitem__(self, key: str) -> Any:
        if key == "params":
            return list(self._params)
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "params":
            raise KeyError("params: a group's arrays are fixed at construction")
        if key not in self._values:
            raise KeyError(
                f"{key!r} is not a hyperparameter of {type(self._owner).__name__}; "
                f"accepted: {sorted(self._values)}"
            )
        values = dict(self._values)
        values[key] = value
        values = self._owner._check_group(values, self._index)
        self._owner._check_change(self._values, values)
        self._values = values
        self._owner._write_row(self._index)

    def __iter__(self) -> Iterator[str]:
        yield "params"
        yield from self._values

    def __len__(self) -> int:
        return len(self._values) + 1

    def __repr__(self) -> str:
        return f"ParamGroup({dict(self)})"


class StateBuffers(Mapping[str, NDArray[Any]]):
    """An optimizer's state buffers by name: views that write through.

    Read-only as a mapping: ``state["exp_avg"] = a`` raises, since a kernel
    must never run on an array of another size or dtype.
    """

    def __init__(self, buffers: Mapping[str, NDArray[Any]]) -> None:
        self._views: dict[str, NDArray[Any]] = {
            name: buf.view() for name, buf in buffers.items()
        }

    def __getitem__(self, key: str) -> NDArray[Any]:
        return self._views[key]

    def __setitem__(self, key: str, value: Any) -> None:
        raise TypeError(
            f"state[{key!r}]: the state buffers cannot be replaced; write into "
            f"them in place (state[{key!r}][...] = values) or use load_state_dict"
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._views)

    def __len__(self) -> int:
        return len(self._views)

    def __repr__(self) -> str:
        items = ", ".join(
            f"{name}: {buf.dtype}[{buf.size}]" for name, buf in self._views.items()
        )
        return f"StateBuffers({items})"


def chunk_table(
    offsets: NDArray[np.int64], members: list[list[int]]
) -> NDArray[np.int64]:
    """(start, stop, group) rows covering every element once, in memory order."""
    segments = sorted(
        (int(offsets[i]), int(offsets[i + 1]), g)
        for g, idx in enumerate(members)
        for i in idx
        if offsets[i + 1] > offsets[i]
    )
    merged: list[list[int]] = []
    for lo, hi, g in segments:
        if merged and merged[-1][1] == lo and merged[-1][2] == g:
            merged[-1][1] = hi
        else:
            merged.append([lo, hi, g])
    rows = [
        (start, min(start + CHUNK, hi), g)
        for lo, hi, g in merged
        for start in range(lo, hi, CHUNK)
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 3)
