"""One training iteration as an ordered list of operations, and running it unwatched.

The list: the batch, forward by layer, the loss, backward from the output side, then the
updates (`network` and `updates` build the ops) — or, for a computation graph, its
operations forward, then their chain-rule contributions backward (`graph` builds those);
the program asks the model only what `trainable.Trainable` declares. The debugger steps
through it one op at a time; `iterate` runs a whole iteration with the very same ops, only
without looking at each result on the way — so the two agree bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from stepnet.engine.model import Dataset
from stepnet.engine.names import LOSS, STEP, Name, grad
from stepnet.engine.op import Op, Shape
from stepnet.engine.trainable import Trainable

Array = np.ndarray
State = dict[Name, Array]
#: the ops whose outputs `iterate` checks: a network's weighted sums; a graph's scalars, all
WATCHED = frozenset({"weighted_sum", "operation", "contribution"})
#: arrays of at most this many elements are summed in Python by `finite`
SMALL = 32


@dataclass(frozen=True)
class Program:
    """A model's iteration on a data set, as its list of operations."""

    model: Trainable
    data: Dataset
    ops: tuple[Op, ...]

    def __len__(self) -> int:
        return len(self.ops)

    @cached_property
    def quantities(self) -> list[Name]:
        """Every name a state can hold, in the order the iteration first produces them; the
        parameters and the optimizer's state first. The iteration's number t only where an op
        reads it."""
        names = [*self.model.parameter_names(), *(name for op in self.ops for name in op.outputs if name != STEP),
                 *self.model.state_names()]
        if any(STEP in op.reads for op in self.ops):
            names.append(STEP)
        return list(dict.fromkeys(names))

    @cached_property
    def shapes(self) -> dict[Name, Shape]:
        """Each quantity's shape, None standing for the batch's samples."""
        shapes: dict[Name, Shape] = {name: value.shape for name, value in self.model.initial_state().items()}
        for op in self.ops:
            shapes.update(op.outputs)
        return shapes

    def shape(self, name: Name, batch: int) -> tuple[int, ...]:
        """The shape `name` has in a state whose batch has `batch` samples."""
        return tuple(batch if n is None else n for n in self.shapes[name])

    @cached_property
    def last_writer(self) -> dict[Name, int]:
        """Where in the list each quantity is written for the last time in an iteration."""
        return {op.output: i for i, op in enumerate(self.ops)}

    @cached_property
    def has_loss(self) -> bool:
        """Whether an iteration computes J (without a loss it ends after the forward pass)."""
        return LOSS in self.last_writer

    @cached_property
    def trains(self) -> bool:
        """Whether an iteration updates anything: it has a loss and an optimizer."""
        return self.has_loss and self.model.optimizer is not None

    @cached_property
    def stops(self) -> str | None:
        """Where an iteration that stops early ends, and why, in words; None if it trains."""
        if not self.has_loss:
            return "after the forward pass (it has no [loss])"
        return None if self.trains else "after the backward pass (it has no [optimizer])"

    @cached_property
    def untrainable(self) -> str | None:
        """Why running iterations would change nothing, in words; None if they would."""
        if self.stops:
            return f"each iteration stops {self.stops}"
        if not self.model.trained_parameters():
            return "no leaf of this graph is a parameter (its [graph] parameters), so every iteration is the same"
        return None

    @cached_property
    def loss_index(self) -> int:
        """Where the loss op is; len(ops) when there is none (an iteration that ends after the
        forward pass)."""
        return next((i for i, op in enumerate(self.ops) if op.output == LOSS), len(self.ops))

    @cached_property
    def forward_end(self) -> int:
        """The number of ops of the forward pass (the loss follows)."""
        return next(i for i, op in enumerate(self.ops) if op.phase != "forward")

    @cached_property
    def backward_end(self) -> int:
        """The number of ops up to the end of the backward pass (the updates follow)."""
        return max(i for i, op in enumerate(self.ops) if op.phase != "update") + 1

    @cached_property
    def evaluation(self) -> Program:
        """The network as evaluated after training: every sample in one batch, no dropout —
        the program itself when its batch is every sample in file order, without dropout."""
        model, data = self.model.without_dropout(), self.data
        if model is self.model and data.batch_size == data.samples and not data.shuffle:
            return self
        return build_program(model, data.whole())

    @cached_property
    def kept(self) -> tuple[Name, ...]:
        """What an iteration hands to the next: the parameters and the optimizer's state."""
        return tuple(self.model.state_names())

    @cached_property
    def watched(self) -> tuple[Name, ...]:
        """What `iterate` looks at for NaN and ±Inf besides the loss (see there)."""
        trained = set(self.model.trained_parameters())
        return (*dict.fromkeys(op.output for op in self.ops if op.kind in WATCHED),
                *(g for name in self.model.parameter_names()
                  if name not in trained and (g := grad(name)) in self.last_writer))

    # --- running it unwatched -----------------------------------------------------------

    def run(self, state: Mapping[Name, Array], iteration: int, stop: int | None = None) -> State:
        """The values after ops[:stop] of iteration `iteration`, starting from `state`."""
        with np.errstate(all="ignore"):  # NaN/Inf are for the debugger to flag, not to warn about
            return self._run(state, iteration, self.ops if stop is None else self.ops[:stop])

    @staticmethod
    def _run(state: Mapping[Name, Array], iteration: int, ops: tuple[Op, ...]) -> State:
        values = dict(state)
        for op in ops:
            op.run(values, iteration)
        return values

    def iterate(self, state: Mapping[Name, Array], iteration: int) -> tuple[State, float, bool]:
        """One iteration: the state after it, the loss before its update, and whether its
        passing quantities stayed finite.

        That is checked on every z, J and the untrained parameters' gradients (on a graph, every
        value: they are scalars): a non-finite activation, ∂J/∂a, f′ or δ always reaches one
        of them (a saturated σ(±inf) is finite, so z itself must be looked at). A non-finite
        gradient of a trained parameter reaches the parameter or the optimizer's state, which,
        once non-finite, stay so: `finite` checks those once per run.

        NumPy's floating-point errors are left to the caller to silence, as the debugger's
        context does for every iteration it runs (an `np.errstate` here cost 1.5 µs each).
        """
        values = self._run(state, iteration, self.ops)
        loss = float(values[LOSS]) if self.has_loss else math.nan  # nan: no loss op
        ok = (math.isfinite(loss) or not self.has_loss) and all(finite(values[name]) for name in self.watched)
        return {name: values[name] for name in self.kept}, loss, ok

    def finite(self, state: Mapping[Name, Array]) -> bool:
        """Whether everything kept between iterations is finite."""
        return all(finite(state[name]) for name in self.kept)

    def loss(self, state: Mapping[Name, Array], iteration: int) -> float:
        """J of iteration `iteration`'s batch at `state`."""
        return float(self.run(state, iteration, self.loss_index + 1)[LOSS])

    def gradients(self, state: Mapping[Name, Array], iteration: int) -> tuple[float, State, State]:
        """J, ∂J/∂θ of every parameter θ by backpropagation, and every value computed on the way."""
        values = self.run(state, iteration, self.backward_end)
        return float(values[LOSS]), {name: values[grad(name)] for name in self.model.parameter_names()}, values


def finite(value: Array) -> bool:
    """Whether no element of `value` is NaN or ±Inf. A sum is NaN or ±Inf as soon as one of
    its terms is, so one sum answers for the whole array: Σx² by one dot product, at the cost
    of a single NumPy call, or for a small array the sum of its elements as Python numbers, at
    a third of that. Only when the sum overflows are the elements looked at one by one."""
    total = sum(value.ravel().tolist()) if value.size <= SMALL else np.vdot(value, value)
    return math.isfinite(total) or bool(np.isfinite(value).all())


def build_program(model: Trainable, data: Dataset) -> Program:
    """The ops of one iteration of a network or a graph, in order."""
    return Program(model, data, tuple(model.operations(data)))
