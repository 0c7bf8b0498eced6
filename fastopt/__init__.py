"""fastopt: fused, in-place optimizer updates on flat parameter buffers.

Importing fastopt compiles nothing: each kernel is compiled (or loaded from the
on-disk cache) the first time it runs, or ahead of time by :func:`warmup`.
"""

from fastopt import schedules
from fastopt._warmup import warmup
from fastopt.clip import NonFiniteGradientError, clip_grad_norm, clip_grad_value
from fastopt.flat import FlatParams
from fastopt.io import load, save
from fastopt.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    Optimizer,
    ParamGroup,
    RMSprop,
)
from fastopt.plateau import ReduceLROnPlateau
from fastopt.train import History, fit

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "FlatParams",
    "History",
    "Momentum",
    "Nesterov",
    "NonFiniteGradientError",
    "Optimizer",
    "ParamGroup",
    "RMSprop",
    "ReduceLROnPlateau",
    "__version__",
    "clip_grad_norm",
    "clip_grad_value",
    "fit",
    "load",
    "save",
    "schedules",
    "warmup",
]
