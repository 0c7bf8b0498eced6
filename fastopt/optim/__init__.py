"""The optimizer classes."""

from fastopt.optim._base import Optimizer
from fastopt.optim._groups import ParamGroup
from fastopt.optim.adagrad import Adagrad
from fastopt.optim.adam import Adam, AdamW
from fastopt.optim.rmsprop import RMSprop
from fastopt.optim.sgd import SGD, Momentum, Nesterov

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Momentum", "Nesterov", "Optimizer",
           "ParamGroup", "RMSprop"]  # fmt: skip
