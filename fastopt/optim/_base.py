"""The optimizer base class: validation, parameter groups, state, one kernel call."""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from fastopt import clip
from fastopt._validate import check_buffer, check_grad, check_real, flat_view
from fastopt.flat import FlatParams
from fastopt.optim._groups import ParamGroup, StateBuffers, chunk_table
from fastopt.reference import clip_scale
from fastopt.schedules import Schedule, from_config

STATE_DICT_FORMAT = 1
MAX_STEP = 2**63 - 1

NONFINITE_POLICIES = ("ignore", "skip", "raise")

# "ignore" by default: the check costs one more read of the gradient, about 16%
# of an Adam step at 1e7 float32 elements (measured: README, "Non-finite
# gradients").  With max_grad_norm set the check rides on the norm pass.
DEFAULT_NONFINITE = "ignore"

Check = Callable[[str, Any], Any]


class Optimizer:
    """Base class: owns the flat views, the state buffers and the kernel call.

    Subclasses declare their hyperparameters (``_defaults``), validate a group
    (``_check_group``), map a group to one row of the kernel's float64
    ``hyper`` table (``_row``), name their state buffers (``_state_names``) and
    call their kernel (``_apply``).

    Attributes
    ----------
    last_grad_norm : float or None
        With ``max_grad_norm`` set, the global 2-norm of the latest gradient
        before clipping (also for a skipped or refused step); None otherwise.
    skipped_steps : int
        Steps skipped under ``nonfinite="skip"``; saved in the state dict.
    """

    _defaults: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        params: NDArray[Any] | FlatParams,
        hyper: dict[str, Any],
        groups: Sequence[Mapping[str, Any]] | None,
        maximize: bool,
        max_grad_norm: float | None = None,
        nonfinite: str = DEFAULT_NONFINITE,
    ) -> None:
        self.max_grad_norm = max_grad_norm
        self.nonfinite = nonfinite
        self._flat: FlatParams | None
        if isinstance(params, FlatParams):
            self._flat = params
            param = params.data
            offsets = params.offsets
        else:
            self._flat = None
            param = check_buffer("params", params)
            offsets = np.array([0, param.size], dtype=np.int64)
        self._param = flat_view(param)
        self._shape = param.shape
        self._sign = -1.0 if maximize else 1.0
        self.maximize = maximize
        self._partials = np.empty(clip.blocks(self._param.size))
        self.last_grad_norm: float | None = None
        self.skipped_steps = 0
        self._step = 0
        self._unaliased: weakref.ref[NDArray[Any]] | None = None
        self._stepping = threading.Lock()

        defaults = self._check_group(dict(hyper), None)
        self.defaults = defaults
        members, specs = self._assign_groups(groups, len(offsets) - 1)
        self.param_groups: list[ParamGroup] = []
        for k, (idx, spec) in enumerate(zip(members, specs, strict=True)):
            values = self._check_group({**defaults, **spec}, k)
            self.param_groups.append(ParamGroup(self, k, idx, values))
        self._chunks = chunk_table(offsets, members)
        self._hyper = np.zeros((len(members), len(self._columns())), np.float64)
        self._lr_col = self._columns().index("lr")
        self._scheduled: dict[int, Schedule] = {}
        for k in range(len(members)):
            self._write_row(k)
        # The kernels run on these arrays; users see views of them (.state),
        # so that neither replacing a buffer nor changing a view's dtype or
        # shape can hand a kernel an array of the wrong size.
        self._state: dict[str, NDArray[Any]] = {
            name: np.zeros_like(self._param) for name in self._state_names()
        }
        self._state_views = StateBuffers(self._state)
        self._init_state()

    # -- hooks for subclasses ---------------------------------------------------

    def _columns(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _check_group(self, values: dict[str, Any], index: int | None) -> dict[str, Any]:
        raise NotImplementedError

    def _check_change(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Refuse a change of hyperparameters that the state cannot follow."""

    def _row(self, values: dict[str, Any]) -> list[float]:
        raise NotImplementedError

    def _state_names(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _init_state(self) -> None:
        """Fill the state buffers at construction (they start at zero)."""

    def _apply(self, grad: NDArray[Any], gscale: float) -> None:
        raise NotImplementedError

    # -- public API -------------------------------------------------------------

    @property
    def params(self) -> NDArray[Any] | FlatParams:
        """The array or FlatParams this optimizer updates."""
        if self._flat is not None:
            return self._flat
        return self._param.reshape(self._shape)

    @property
    def state(self) -> StateBuffers:
        """The state buffers by name (``exp_avg``, ...), as views to read or write.

        Writing into them in place (``opt.state["exp_avg"][...] = 0``) changes
        the optimizer's state; the buffers themselves cannot be replaced (use
        :meth:`load_state_dict`).
        """
        return self._state_views

    @property
    def step_count(self) -> int:
        """The number of steps taken so far."""
        return self._step

    @property
    def lr(self) -> Any:
        """The learning rate of the first group, a number or a Schedule, as set.

        Setting it sets every group's.  A :class:`~fastopt.schedules.Schedule`
        ``s`` gives step ``t + 1`` the rate ``s(t)``, ``t`` being the steps
        taken so far (skipped steps do not count).
        """
        return self.param_groups[0]["lr"] if self.param_groups else self.defaults["lr"]

    @lr.setter
    def lr(self, value: Any) -> None:
        value = check_lr(value)
        for group in self.param_groups:
            group["lr"] = value
        self.defaults["lr"] = value

    @property
    def current_lr(self) -> list[float]:
        """Each group's learning rate, as a number, for the next step."""
        return [_rate(g._values["lr"], self._step) for g in self.param_groups]

    @property
    def max_grad_norm(self) -> float | None:
        """Clip the gradient to this global 2-norm inside each step (None: off).

        The gradient is read once for its norm and then scaled inside the update
        kernel; the gradient buffer itself is never rewritten.  The norm before
        clipping is in :attr:`last_grad_norm` after each step; ``inf`` only
        measures it.
        """
        return self._max_grad_norm

    @max_grad_norm.setter
    def max_grad_norm(self, value: float | None) -> None:
        if value is not None:
            value = clip.check_max_norm("max_grad_norm", value)
        self._max_grad_norm = value

    @property
    def nonfinite(self) -> str:
        """What a step does with a gradient holding NaN or Inf.

        ``"ignore"``: checks nothing (NaN flows into the parameters);
        ``"skip"``: leaves parameters, state and step count untouched and counts
        the step in :attr:`skipped_steps`; ``"raise"``: raises
        :class:`~fastopt.clip.NonFiniteGradientError` with nothing changed.
        """
        return self._nonfinite

    @nonfinite.setter
    def nonfinite(self, value: str) -> None:
        if value not in NONFINITE_POLICIES:
            raise ValueError(
                f"nonfinite: got {value!r}; accepted: "
                + ", ".join(repr(p) for p in NONFINITE_POLICIES)
            )
        self._nonfinite = value

    def step(self, grad: NDArray[Any] | None = None) -> None:
        """Apply one update in place.

        Parameters
        ----------
        grad : ndarray, optional
            The gradient: the parameters' dtype and number of elements, any shape,
            C-contiguous.  Default: the ``.grad`` buffer of the FlatParams.

        Notes
        -----
        With ``max_grad_norm`` or ``nonfinite`` other than ``"ignore"``, the
        gradient is read once more before the update (see those properties).
        A scheduled learning rate is evaluated here, at the steps taken so far.
        One optimizer steps in one thread at a time: a second thread that calls
        ``step`` meanwhile gets a RuntimeError (different optimizers may step
        in different threads at once).
        """
        if not self._stepping.acquire(blocking=False):
            raise RuntimeError(
                "step: this optimizer is already stepping in another thread; step "
                "one optimizer from one thread at a time"
            )
        try:
            self._step_once(grad)
        finally:
            self._stepping.release()

    def _step_once(self, grad: NDArray[Any] | None) -> None:
        if grad is None:
            if self._flat is None:
                raise TypeError(
                    "grad: required when the optimizer updates a plain array "
                    "(only a FlatParams has a .grad buffer to read)"
                )
            g = check_grad(self._flat.grad, self._param)
        else:
            g = check_grad(grad, self._param)
            # An array's memory never moves (a resize gets fresh memory), nor do
            # this optimizer's buffers: the gradient array of the last step
            # needs no second look.
            if self._unaliased is None or self._unaliased() is not grad:
                self._check_alias(g)
                self._unaliased = weakref.ref(grad)
        if self._step >= MAX_STEP:
            raise OverflowError(
                f"step: the step count {self._step} has reached the int64 limit"
            )
        gscale = self._sign
        if self._max_grad_norm is not None or self._nonfinite != "ignore":
            finite, scale = self._inspect(g)
            if not finite and self._nonfinite == "skip":
                self.skipped_steps += 1
                return
            if not finite and self._nonfinite == "raise":
                raise clip.NonFiniteGradientError(
                    f"grad: holds NaN or Inf at step {self._step + 1}; nothing was "
                    "changed"
                )
            gscale *= scale

        for k, schedule in self._scheduled.items():
            self._hyper[k, self._lr_col] = schedule(self._step)
        self._step += 1
        try:
            self._apply(g, gscale)
        except BaseException:
            # Only a failure to compile gets here, before any buffer is written.
            self._step -= 1
            raise

    def _check_alias(self, grad: NDArray[Any]) -> None:
        if np.may_share_memory(grad, self._param):
            raise ValueError(
                "grad: shares memory with the parameters; pass a separate "
                "gradient buffer"
            )
        for name, buf in self._state.items():
            if np.may_share_memory(grad, buf):
                raise ValueError(
                    f"grad: shares memory with the optimizer's state[{name!r}]; "
                    "pass a separate gradient buffer"
                )

    def _inspect(self, grad: NDArray[Any]) -> tuple[bool, float]:
        """Whether ``grad`` is finite, and the factor that clips it."""
        if self._max_grad_norm is None:
            return clip.all_finite(grad, self._partials), 1.0
        norm = clip.total_norm([grad], [self._partials])
        self.last_grad_norm = norm
        return math.isfinite(norm), clip_scale(norm, self._max_grad_norm)

    def zero_grad(self) -> None:
        """Zero the FlatParams' gradient buffer."""
        if self._flat is None:
            raise TypeError("zero_grad: only a FlatParams has a gradient buffer")
        self._flat.zero_grad()

    def state_dict(self) -> dict[str, Any]:
        """A copy of the optimizer's state: plain numpy arrays and numbers."""
        return {
            "optimizer": type(self).__name__,
            "format": STATE_DICT_FORMAT,
            "step": int(self._step),
            "size": int(self._param.size),
            "dtype": str(self._param.dtype),
            "state_dtype": str(self._param.dtype),
            "maximize": self.maximize,
            "skipped_steps": int(self.skipped_steps),
            "options": self._options(),
            "param_groups": [
                {**_plain(g._values), "params": list(g._params)}
                for g in self.param_groups
            ],
            "state": {k: v.copy() for k, v in self._state.items()},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state from :meth:`state_dict`; all checks come first."""
        sd = state_dict
        name = type(self).__name__
        _expect(sd, "optimizer", name)
        _expect(sd, "format", STATE_DICT_FORMAT)
        _expect(sd, "size", int(self._param.size))
        _expect(sd, "dtype", str(self._param.dtype))
        _expect(sd, "state_dtype", str(self._param.dtype))
        _expect(sd, "maximize", self.maximize)
        _expect(sd, "options", self._options())
        step = sd.get("step")
        # The kernels take the count as an int64, and the next step adds one.
        if isinstance(step, (bool, np.bool_)) or not isinstance(
            step, (int, np.integer)
        ) or not 0 <= step < MAX_STEP:  # fmt: skip
            raise ValueError(
                f"state_dict['step']: got {step!r}; expected an int in [0, 2**63 - 1)"
            )
        skipped = sd.get("skipped_steps", 0)
        if isinstance(skipped, (bool, np.bool_)) or not isinstance(
            skipped, (int, np.integer)
        ) or skipped < 0:  # fmt: skip
            raise ValueError(
                f"state_dict['skipped_steps']: got {skipped!r}; expected an int >= 0"
            )
        groups = sd.get("param_groups")
        if not isinstance(groups, Sequence) or len(groups) != len(self.param_groups):
            raise ValueError(
                f"state_dict['param_groups']: expected {len(self.param_groups)} groups"
                f", got {groups!r:.80}"
            )
        new_values = []
        for k, (saved, group) in enumerate(zip(groups, self.param_groups, strict=True)):
            if not isinstance(saved, Mapping):
                raise TypeError(
                    f"state_dict['param_groups'][{k}]: got {type(saved).__name__}; "
                    "expected a dict"
                )
            if list(saved.get("params", [])) != group._params:
                raise ValueError(
                    f"state_dict['param_groups'][{k}]['params']: got "
                    f"{saved.get('params')!r}; this optimizer's group holds "
                    f"{group._params}"
                )
            values = {key: saved[key] for key in saved if key != "params"}
            if set(values) != set(group._values):
                raise ValueError(
                    f"state_dict['param_groups'][{k}]: keys {sorted(values)}; "
                    f"expected {sorted(group._values)}"
                )
            if isinstance(values.get("lr"), Mapping):
                try:
                    values["lr"] = from_config(values["lr"])
                except (TypeError, ValueError) as e:
                    raise ValueError(
                        f"state_dict['param_groups'][{k}]['lr']: not a schedule's "
                        f"config ({e})"
                    ) from e
            try:
                values = self._check_group(values, k)
                self._check_change(group._values, values)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"state_dict['param_groups'][{k}]: {exc}") from exc
            new_values.append(values)
        state = sd.get("state")
        if not isinstance(state, Mapping) or set(state) != set(self._state):
            got = sorted(state) if isinstance(state, Mapping) else repr(state)
            raise ValueError(
                f"state_dict['state']: got {got}; expected {sorted(self._state)}"
            )
        for key, buf in self._state.items():
            a = state[key]
            if not isinstance(a, np.ndarray) or a.shape != buf.shape:
                shape = getattr(a, "shape", type(a).__name__)
                raise ValueError(
                    f"state_dict['state'][{key!r}]: got {shape}; expected an array "
                    f"of shape {buf.shape}"
                )
            if a.dtype != buf.dtype:
                raise TypeError(
                    f"state_dict['state'][{key!r}]: got dtype {a.dtype}; expected "
                    f"{buf.dtype}"
                )

        for key, buf in self._state.items():
            np.copyto(buf, state[key])
        self._step = int(step)
        self.skipped_steps = int(skipped)
        for k, values in enumerate(new_values):
            self.param_groups[k]._values = values
            self._write_row(k)

    def __getstate__(self) -> dict[str, Any]:
        # copy.deepcopy and pickle: the lock and the weak reference cannot be
        # copied, and the views (the state's, and the parameters' into a
        # FlatParams) must be views of the copy's buffers, so all are rebuilt.
        state = dict(self.__dict__)
        for key in ("_stepping", "_unaliased", "_state_views"):
            del state[key]
        if self._flat is not None:
            del state["_param"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self._flat is not None:
            self._param = flat_view(self._flat.data)
        self._unaliased = None
        self._stepping = threading.Lock()
        self._state_views = StateBuffers(self._state)

    def __repr__(self) -> str:
        flags = {"maximize": self.maximize, **self._options(),
                 "max_grad_norm": self._max_grad_norm,
                 "nonfinite": self._nonfinite}  # fmt: skip
        head = ", ".join(
            [f"size={self._param.size}", f"dtype={self._param.dtype}",
             f"step={self._step}"] + [f"{k}={v!r}" for k, v in flags.items()]
        )  # fmt: skip
        lines = [f"{type(self).__name__}({head})"]
        for k, group in enumerate(self.param_groups):
            names = (
                ", ".join(self._flat.names[i] for i in group._params)
                if self._flat is not None
                else "params"
            )
            values = ", ".join(f"{key}={v!r}" for key, v in group._values.items())
            lines.append(f"  group {k} ({names}): {values}")
        return "\n".join(lines)

    # -- internals --------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        """Optimizer-wide flags that a state dict must agree on."""
        return {}

    def _write_row(self, k: int) -> None:
        values = self.param_groups[k]._values
        lr = values["lr"]
        if isinstance(lr, Schedule):
            self._scheduled[k] = lr
            values = {**values, "lr": lr(self._step)}
        else:
            self._scheduled.pop(k, None)
        self._hyper[k, :] = self._row(values)

    def _assign_groups(
        self, groups: Sequence[Mapping[str, Any]] | None, n_arrays: int
    ) -> tuple[list[list[int]], list[dict[str, Any]]]:
        if groups is None:
            return [list(range(n_arrays))], [{}]
        if self._flat is None:
            raise TypeError(
                "groups: parameter groups need a FlatParams (they name its arrays); "
                "got a plain ndarray"
            )
        if isinstance(groups, Mapping) or not isinstance(groups, Sequence):
            raise TypeError(
                f"groups: got {type(groups).__name__}; expected a list of dicts"
            )
        owner: dict[int, int] = {}
        members: list[list[int]] = []
        specs: list[dict[str, Any]] = []
        for k, group in enumerate(groups):
            if not isinstance(group, Mapping) or "params" not in group:
                raise TypeError(
                    f"groups[{k}]: got {group!r:.80}; expected a dict with a 'params' "
                    "list"
                )
            spec = {key: v for key, v in group.items() if key != "params"}
            unknown = set(spec) - set(self.defaults)
            if unknown:
                raise ValueError(
                    f"groups[{k}]: unknown hyperparameters {sorted(unknown)}; accepted:"
                    f" {sorted(self.defaults)}"
                )
            keys = group["params"]
            if isinstance(keys, (str, bytes, np.ndarray)) or not isinstance(
                keys, Sequence
            ):  # fmt: skip
                raise TypeError(
                    f"groups[{k}]['params']: got {type(keys).__name__}; expected a "
                    "list of indices, names or views from .params"
                )
            idx = []
            for key in keys:
                i = self._flat.index(key)
                if i in owner:
                    raise ValueError(
                        f"groups[{k}]: array {self._flat.names[i]!r} is already in "
                        f"groups[{owner[i]}]"
                    )
                owner[i] = k
                idx.append(i)
            members.append(idx)
            specs.append(spec)
        rest = [i for i in range(n_arrays) if i not in owner]
        if rest:
            members.append(rest)
            specs.append({})
        return members, specs


def check_lr(value: Any) -> float | Schedule:
    """A learning rate: a Schedule, or a finite number >= 0."""
    if isinstance(value, Schedule):
        return value
    return check_real("lr", value)


def _rate(lr: float | Schedule, t: int) -> float:
    return lr(t) if isinstance(lr, Schedule) else float(lr)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """A group's values as plain data: schedules by their config()."""
    return {
        k: v.config() if isinstance(v, Schedule) else tuple(v) if isinstance(v, list)
        else v
        for k, v in values.items()
    }  # fmt: skip


def _expect(sd: Mapping[str, Any], key: str, expected: Any) -> None:
    if not isinstance(sd, Mapping):
        raise TypeError(f"state_dict: got {type(sd).__name__}; expected a dict")
    got = sd.get(key, "<missing>")
    if got != expected:
        raise ValueError(
            f"state_dict[{key!r}]: got {got!r}; this optimizer has {expected!r}"
        )
