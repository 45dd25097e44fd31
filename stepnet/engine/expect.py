"""Figures a source states (`[[expect]]`), checked against what the engine computes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from stepnet.engine.conventions import Alias
from stepnet.engine.debugger import Debugger
from stepnet.engine.names import Name

Array = np.ndarray


@dataclass(frozen=True)
class Expectation:
    """A figure a source states (`[[expect]]`): a quantity or one element of it, at an iteration."""

    name: Name
    iteration: int
    index: tuple[int, ...] | None
    #: the figure as the source states it (the negative of stepnet's when `negated`)
    value: Array
    tolerance: float
    #: where it stands in the scenario, e.g. "expect[3]"
    where: str = ""
    #: the name as the scenario writes it, a source's name (δ_o1) or stepnet's; "" for stepnet's
    written: str = ""
    #: the source's figure is the negative of stepnet's (its name is declared `-delta2[0,0]`)
    negated: bool = False

    @property
    def label(self) -> str:
        index = f"[{','.join(map(str, self.index))}]" if self.index is not None else ""
        return f"{self.name}{index} @ iteration {self.iteration}"

    @property
    def reference(self) -> str:
        """The figure as the scenario names it: `net_o2 @ iteration 1`, `z2[0,1] @ iteration 1`."""
        if self.written and self.written != str(self.name):
            return f"{self.written} @ iteration {self.iteration}"
        return self.label

    def pick(self, value: Array) -> Array:
        """The figure in a value of its quantity: the element, in the source's sign."""
        return Alias(self.name, self.index, self.negated).pick(value)

    def place(self, value: Array) -> Array:
        """A value of the quantity with the source's figure in place of stepnet's."""
        stated = -self.value if self.negated else self.value
        if self.index is None:
            return np.array(stated, dtype=float).reshape(np.shape(value))
        value = np.array(value, dtype=float)
        value[self.index] = stated
        return value


class Outcome(NamedTuple):
    """An expectation against what the engine computed."""

    expectation: Expectation
    computed: Array
    error: float  # the largest |computed − stated|

    @property
    def ok(self) -> bool:
        return bool(self.error <= self.expectation.tolerance)


def evaluate(expectation: Expectation, values: Mapping[Name, Array]) -> Outcome:
    """Compare one expectation with a state at the end of its iteration."""
    computed = expectation.pick(values[expectation.name])
    with np.errstate(invalid="ignore"):
        error = float(np.max(np.abs(computed - expectation.value))) if computed.size else 0.0
    return Outcome(expectation, computed, error if np.isfinite(error) else float("inf"))


def at_ends(debugger: Debugger, expectations: Sequence[Expectation]) -> list[Array]:
    """Each expectation's quantity at the end of its iteration, in their order (read in
    iteration order, so the engine only moves forward)."""
    values: dict[int, Array] = {}
    for i in sorted(range(len(expectations)), key=lambda i: expectations[i].iteration):
        debugger.goto(expectations[i].iteration * debugger.n_ops)
        values[i] = debugger.values[expectations[i].name]
    return [values[i] for i in range(len(expectations))]


def check(debugger: Debugger, expectations: Iterable[Expectation]) -> list[Outcome]:
    """Every expectation against the engine's state at the end of its iteration, in file order."""
    expectations = list(expectations)
    return [evaluate(e, {e.name: v}) for e, v in zip(expectations, at_ends(debugger, expectations))]


def _finished(debugger: Debugger, name: Name) -> int:
    """How many ops of an iteration have run once `name` has its final value: after the last
    op that writes it, or at the end for a quantity no op writes (a frozen parameter)."""
    return debugger.program.last_writer.get(name, debugger.n_ops - 1) + 1


def due(debugger: Debugger, expectations: Iterable[Expectation]) -> list[Outcome]:
    """The expectations whose quantity has just got its final value in their iteration, by
    the last operation: checked now."""
    return [o for o in checkable(debugger, list(expectations)).values()
            if _finished(debugger, o.expectation.name) == debugger.index]


def checkable(debugger: Debugger, expectations: Sequence[Expectation]) -> dict[int, Outcome]:
    """The expectations (by their place in `expectations`) of the current iteration whose
    quantity has its final value by now, checked against the current state."""
    if debugger.position == 0:
        return {}
    return {i: evaluate(e, debugger.values) for i, e in enumerate(expectations)
            if e.iteration == debugger.iteration and _finished(debugger, e.name) <= debugger.index}
