"""An operation: one quantity computed from quantities already in the state, together with
everything said about it — its formula in symbols and in LaTeX, and how one element of its
result is written out with the numbers substituted, as worked examples do:

    delta2[0,0] = grad_a2[0,0] × σ′(z2[0,0]) = 0.74136507 × 0.186815602 = 0.138498562

Stepping one op at a time and running whole iterations unwatched both call `Op.run`, so the
two agree bit for bit. An op also says how to compute itself in plain NumPy (`code`), written
from the same definitions as its formula, so a notebook can recompute the worked example.
What an op produces is read-only: no later op can change it in place.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Literal

import numpy as np

from stepnet.engine.formula import Explainer, Values
from stepnet.engine.names import STEP, Name
from stepnet.engine.notation import Fmt, element

Array = np.ndarray
State = MutableMapping[Name, Array]

Phase = Literal["forward", "loss", "backward", "update"]
PHASES: tuple[Phase, ...] = ("forward", "loss", "backward", "update")
OpKind = Literal[
    "batch", "weighted_sum", "dropout_mask", "activation",  # forward
    "start", "operation",  # forward, in a computation graph: the leaves, then each operation
    "penalty", "loss", "loss_grad",  # loss
    "dact", "delta", "grad_W", "grad_b", "grad_a", "penalty_grad",  # backward
    "contribution",  # backward, in a computation graph: one operand's share of an op's gradient
    "lr", "optimizer", "change", "update",  # update: the rate, an optimizer's state, Δθ, the parameter
]
#: an output's shape; None stands for the batch's number of samples
Shape = tuple[int | None, ...]


def frozen(value: object) -> Array:
    """`value` as a read-only array (a NumPy scalar becomes a 0-d array)."""
    array = value if type(value) is np.ndarray else np.asarray(value)
    # write=False by position, as NumPy documents it (its stubs make it keyword-only): parsing
    # the keyword took 2.5 times as long, 5 % of a step on a small network
    array.setflags(False)  # type: ignore[call-arg]
    return array


def _getter(names: tuple[Name, ...]) -> Callable[[State], tuple[Array, ...]]:
    """A function from a state to the values of `names`, as a tuple. An op's run is the
    innermost loop of stepping and of the fast path: an itemgetter reads in C what a list
    comprehension read in Python, in a third of the time."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        name = names[0]
        return lambda values: (values[name],)
    return lambda values: ()


def assignment(output: Name, value: str, *made_of: str) -> str:
    """`output = value` as code; "" when `value`, or a definition's code it is made of, is missing."""
    return f"{output} = {value}" if value and all(made_of) else ""


@dataclass(frozen=True, eq=False)
class Op:
    """One quantity computed from others in the state, with its formulas, worked element and code."""

    kind: OpKind
    phase: Phase
    #: the layer it belongs to; None for what belongs to no layer (the loss, the rate)
    layer: int | None
    output: Name
    reads: tuple[Name, ...]
    #: what it computes, in words: "weighted sum", "first moment"
    label: str
    #: `output = right-hand side` in symbols, and in LaTeX
    formula: str
    latex: str
    compute: Callable[..., object] = field(repr=False)
    explainer: Explainer = field(repr=False)
    shape: Shape = ()
    #: the values `compute` takes, read from a state (`_getter(reads)`)
    _arguments: Callable[[State], tuple[Array, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_arguments", _getter(self.reads))
    #: the op as NumPy statements over the state's names as variables (`np` imported):
    #: `z1 = a0 @ W1.T + b1`; "" when a definition it uses has no code
    code: str = ""

    def run(self, values: State, iteration: int) -> Array:
        """Computes the output into `values`, and returns it."""
        value = values[self.output] = frozen(self.compute(*self._arguments(values)))
        return value

    @property
    def outputs(self) -> dict[Name, Shape]:
        """Every quantity it writes, with its shape (the batch op writes more than its output)."""
        return {self.output: self.shape}

    def explain(self, before: Values, result: Array, index: Sequence[int], fmt: Fmt) -> str:
        """One element of the result written out: `out[i,j] = symbols = numbers = value`."""
        index = tuple(index)
        parts = [element(str(self.output), index), *self.explainer(before, index, fmt)]
        value = fmt(float(np.asarray(result)[index]))
        if parts[-1].removeprefix("(").removesuffix(")") == value:
            parts[-1] = value  # a single term: `(-0.038)` is the value itself
        else:
            parts.append(value)
        return " = ".join(parts)


@dataclass(frozen=True, eq=False)
class StartOp(Op):
    """The first op of an iteration: clears the last iteration's quantities, keeping the
    `persistent` ones, and writes t, the iteration's number (its code reads t as given)."""

    persistent: tuple[Name, ...] = ()

    def run(self, values: State, iteration: int) -> Array:
        kept = [(name, values[name]) for name in self.persistent if name in values]
        values.clear()
        values.update(kept)
        value = values[STEP] = frozen(np.array(iteration))
        return value

    @property
    def outputs(self) -> dict[Name, Shape]:
        return {self.output: self.shape, STEP: ()}
