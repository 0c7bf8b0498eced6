"""Checkpoints: an optimizer's state dict in one ``.npz`` file, written atomically.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` entries).  Each array of
the state dict is an entry of its own (``a0``, ``a1``, ...), and one more entry,
``fastopt_meta``, holds UTF-8 JSON (as a uint8 array) with everything else: the
format version and the state dict with each array replaced by a reference to
its entry.  JSON cannot tell a tuple from a list, an int key from a str key, or
a NumPy scalar from a Python number, so those are tagged:

- an array: ``{"$array": "a0", "dtype": "<f4", "shape": [n]}``
- a tuple: ``{"$tuple": [...]}``
- a NumPy scalar: ``{"$scalar": "a1"}`` (a 0-d array entry)
- a non-finite float: ``{"$float": "nan"}`` (or ``"inf"``, ``"-inf"``)
- a dict with a non-str key or a key starting with ``$``:
  ``{"$dict": [[key, value], ...]}``

Python ints, finite floats, str, bool and None are plain JSON, and Python's
JSON writes a float with the shortest repr that reads back to the same bits.
Nothing is pickled: files are read with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
import math
import os
import secrets
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fastopt.optim._base import Optimizer

__all__ = ["load", "read_state_dict", "save", "write_state_dict"]

FORMAT = "fastopt-checkpoint"
VERSION = 1
META = "fastopt_meta"

PathLike = str | os.PathLike[str]


def save(path: PathLike, optimizer: Optimizer) -> None:
    """Write ``optimizer.state_dict()`` to the file ``path``, atomically.

    The file is written under a temporary name in the same directory, flushed to
    disk, and renamed over ``path``: a reader sees the old file or the new one,
    never a partial one, and a failed save leaves no temporary file behind.
    ``path`` is used as given (no ``.npz`` is appended).
    """
    write_state_dict(path, optimizer.state_dict())


def load(path: PathLike, optimizer: Optimizer) -> None:
    """Restore ``optimizer`` from a file written by :func:`save`.

    The whole file is read and checked before the optimizer is touched: a
    damaged file raises ``ValueError`` naming the path, and a checkpoint of
    another optimizer, size or dtype raises the error of
    :meth:`Optimizer.load_state_dict`; either way the optimizer is unchanged.
    """
    optimizer.load_state_dict(read_state_dict(path))


def write_state_dict(path: PathLike, state_dict: Mapping[str, Any]) -> None:
    """Write a state dict (nested dicts, lists, tuples, numbers, str, bool, None
    and numeric arrays) to ``path`` atomically; see :func:`save`."""
    path = _check_path(path)
    arrays: dict[str, NDArray[Any]] = {}
    tree = _encode(state_dict, arrays, "state_dict")
    meta = {"format": FORMAT, "version": VERSION, "state_dict": tree}
    text = json.dumps(meta, allow_nan=False, separators=(",", ":"))
    entries = {META: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}

    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"path: {path!r} is a directory; expected a file")
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"path: the directory {directory!r} of {path!r} does not exist; create "
            "it first"
        )
    tmp, fd = _create_temp(directory, base)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, allow_pickle=False, **entries)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def read_state_dict(path: PathLike) -> dict[str, Any]:
    """Read and check a whole checkpoint file; return its state dict.

    Raises ``ValueError`` naming ``path`` when the file is not a complete fastopt
    checkpoint of a version this fastopt reads.
    """
    path = _check_path(path)
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        raise ValueError(f"{path}: the file is empty; expected a fastopt checkpoint")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            bad = zf.testzip()
        if bad is not None:
            raise ValueError(f"entry {bad!r} fails its CRC check")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            entries = {name: npz[name] for name in npz.files}
        for name, a in entries.items():
            if not isinstance(a, np.ndarray):
                raise ValueError(f"entry {name!r} is not a .npy array")
    except Exception as exc:
        raise ValueError(
            f"{path}: not a readable fastopt checkpoint (truncated or corrupted?): "
            f"{type(exc).__name__}: {exc}"
        ) from exc

    meta_bytes = entries.pop(META, None)
    if meta_bytes is None or meta_bytes.dtype != np.uint8 or meta_bytes.ndim != 1:
        raise ValueError(f"{path}: no {META!r} entry; not a fastopt checkpoint")
    try:
        meta = json.loads(meta_bytes.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{path}: the metadata is not valid JSON: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path}: the metadata does not name the {FORMAT!r} format")
    version = meta.get("version")
    if version != VERSION:
        raise ValueError(
            f"{path}: checkpoint format version {version!r}; this fastopt reads "
            f"version {VERSION}"
        )
    used: set[str] = set()
    try:
        state_dict = _decode(meta.get("state_dict"), entries, used)
    except (KeyError, TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{path}: inconsistent checkpoint: {exc}") from exc
    if used != set(entries):
        raise ValueError(
            f"{path}: entries {sorted(set(entries) - used)} are not referenced by the "
            "metadata"
        )
    if not isinstance(state_dict, dict):
        raise ValueError(f"{path}: the saved state is not a dict")
    return state_dict


# -- encoding ------------------------------------------------------------------


def _encode(value: Any, arrays: dict[str, NDArray[Any]], where: str) -> Any:
    """``value`` as JSON-compatible data; arrays are moved into ``arrays``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        return {"$array": _add_array(value, arrays, where), "dtype": value.dtype.str,
                "shape": list(value.shape)}  # fmt: skip
    if isinstance(value, np.generic):
        return {"$scalar": _add_array(np.asarray(value), arrays, where)}
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        v = float(value)
        return v if math.isfinite(v) else {"$float": repr(v)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v, arrays, f"{where}[{i}]")
                           for i, v in enumerate(value)]}  # fmt: skip
    if isinstance(value, list):
        return [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        items = [(k, _encode(v, arrays, f"{where}[{k!r}]")) for k, v in value.items()]
        if all(isinstance(k, str) and not k.startswith("$") for k, _ in items):
            return dict(items)
        return {"$dict": [[_encode(k, arrays, f"{where} key {k!r}"), v]
                          for k, v in items]}  # fmt: skip
    raise TypeError(
        f"{where}: got {type(value).__name__}; a checkpoint holds dicts, lists, "
        "tuples, numbers, str, bool, None and numeric arrays"
    )


def _add_array(a: NDArray[Any], arrays: dict[str, NDArray[Any]], where: str) -> str:
    if a.dtype.hasobject:
        raise TypeError(
            f"{where}: an array of dtype {a.dtype} holds Python objects; a checkpoint "
            "holds numeric arrays only"
        )
    name = f"a{len(arrays)}"
    arrays[name] = a
    return name


def _decode(value: Any, entries: dict[str, NDArray[Any]], used: set[str]) -> Any:
    if isinstance(value, list):
        return [_decode(v, entries, used) for v in value]
    if not isinstance(value, dict):
        return value
    if "$array" in value:
        a = _take(value["$array"], entries, used)
        if a.dtype.str != value["dtype"] or list(a.shape) != value["shape"]:
            raise ValueError(
                f"entry {value['$array']!r} is {a.dtype.str} {list(a.shape)}; the "
                f"metadata says {value['dtype']} {value['shape']}"
            )
        return a
    if "$scalar" in value:
        a = _take(value["$scalar"], entries, used)
        if a.ndim != 0:
            raise ValueError(f"scalar entry {value['$scalar']!r} is not 0-d")
        return a[()]
    if "$float" in value:
        if value["$float"] not in ("nan", "inf", "-inf"):
            raise ValueError(f"bad $float {value['$float']!r}")
        return float(value["$float"])
    if "$tuple" in value:
        return tuple(_decode(v, entries, used) for v in value["$tuple"])
    if "$dict" in value:
        return {_decode(k, entries, used): _decode(v, entries, used)
                for k, v in value["$dict"]}  # fmt: skip
    return {k: _decode(v, entries, used) for k, v in value.items()}


def _take(name: Any, entries: dict[str, NDArray[Any]], used: set[str]) -> Any:
    if name not in entries or name in used:
        raise ValueError(f"array entry {name!r} is missing or referenced twice")
    used.add(name)
    return entries[name]


# -- files ---------------------------------------------------------------------


def _check_path(path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: got {type(path).__name__}; expected a str or a Path")
    return os.fspath(path)


def _create_temp(directory: str, base: str) -> tuple[str, int]:
    """A new file next to the target; os.open applies the umask as open() would."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue


def _fsync_directory(directory: str) -> None:
    """Make the rename durable where the platform allows opening a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
