"""One training iteration as an ordered list of operations, and running it unwatched.

The list: the batch, forward by layer, the loss, backward from the output side, then the
updates (`network` and `updates` build the ops). The debugger steps through it one op at a
time; `iterate` runs a whole iteration with the very same ops, only without looking at each
result on the way — so the two agree bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from stepnet.engine import network
from stepnet.engine.model import Dataset, Model
from stepnet.engine.names import LOSS, STEP, TARGETS, Name, grad
from stepnet.engine.op import Op, Shape
from stepnet.engine.updates import updates

Array = np.ndarray
State = dict[Name, Array]


@dataclass(frozen=True)
class Program:
    model: Model
    data: Dataset
    ops: tuple[Op, ...]

    def __len__(self) -> int:
        return len(self.ops)

    @cached_property
    def quantities(self) -> list[Name]:
        """Every name a state can hold, in the order the iteration first produces them; the
        parameters and the optimizer's state first. The iteration's number t only where an op
        reads it."""
        names = [*self.model.parameter_names(), network.A0, TARGETS, *(op.output for op in self.ops[1:]),
                 *self.model.state_names()]
        if any(STEP in op.reads for op in self.ops):
            names.append(STEP)
        return list(dict.fromkeys(names))

    @cached_property
    def shapes(self) -> dict[Name, Shape]:
        """Each quantity's shape, None standing for the batch's samples."""
        shapes: dict[Name, Shape] = {name: value.shape for name, value in self.model.initial_state().items()}
        shapes[TARGETS] = (None, self.model.layers[-1].units)
        shapes[STEP] = ()
        shapes.update((op.output, op.shape) for op in self.ops)
        return shapes

    def shape(self, name: Name, batch: int) -> tuple[int, ...]:
        """The shape `name` has in a state whose batch has `batch` samples."""
        return tuple(batch if n is None else n for n in self.shapes[name])

    @cached_property
    def last_writer(self) -> dict[Name, int]:
        """Where in the list each quantity is written for the last time in an iteration."""
        return {op.output: i for i, op in enumerate(self.ops)}

    @cached_property
    def loss_index(self) -> int:
        return next(i for i, op in enumerate(self.ops) if op.output == LOSS)

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
        """The network as evaluated after training: every sample in one batch, no dropout."""
        return build_program(self.model.without_dropout(), self.data.whole())

    @cached_property
    def kept(self) -> tuple[Name, ...]:
        """What an iteration hands to the next: the parameters and the optimizer's state."""
        return tuple(self.model.state_names())

    @cached_property
    def watched(self) -> tuple[Name, ...]:
        """What `iterate` looks at for NaN and ±Inf besides the loss (see there)."""
        return (*(op.output for op in self.ops if op.kind == "weighted_sum"),
                *(grad(name) for name in self.model.optimizer.frozen))

    # --- running it unwatched -----------------------------------------------------------

    def run(self, state: Mapping[Name, Array], iteration: int, stop: int | None = None) -> State:
        """The values after ops[:stop] of iteration `iteration`, starting from `state`."""
        values = dict(state)
        with np.errstate(all="ignore"):  # NaN/Inf are for the debugger to flag, not to warn about
            for op in self.ops if stop is None else self.ops[:stop]:
                op.run(values, iteration)
        return values

    def iterate(self, state: Mapping[Name, Array], iteration: int) -> tuple[State, float, bool]:
        """One iteration: the state after it, the loss before its update, and whether its
        passing quantities stayed finite.

        That is checked on every z, J and the frozen parameters' gradients: a non-finite
        activation, ∂J/∂a, f′ or δ always reaches one of them (a saturated σ(±inf) is finite,
        so z itself must be looked at). A non-finite gradient of a trained parameter reaches
        the parameter or the optimizer's state, which, once non-finite, stay so: `finite`
        checks those once per run.
        """
        values = self.run(state, iteration)
        loss = float(values[LOSS])
        ok = math.isfinite(loss) and all(finite(values[name]) for name in self.watched)
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
    """Whether no element of `value` is NaN or ±Inf. Σx² is NaN or ±Inf as soon as one element
    is, so one dot product answers for the whole array at the cost of a single NumPy call;
    only when it overflows (some |x| beyond ~1e154) are the elements looked at one by one."""
    return math.isfinite(np.vdot(value, value)) or bool(np.isfinite(value).all())


def build_program(model: Model, data: Dataset) -> Program:
    """The ops of one iteration: batch, forward by layer, loss, backward from the output
    side, updates from the input side."""
    ops = [network.batch(model, data, frozenset(model.state_names()))]
    for l in range(1, model.depth + 1):
        ops += network.forward(model, l)
    ops += network.loss(model)
    for l in range(model.depth, 0, -1):
        ops += network.backward(model, l)
    shapes = {name: model.initial[name].shape for name in model.parameter_names()}
    ops += updates(model.optimizer, model.trained_parameters(), shapes)
    return Program(model, data, tuple(ops))
