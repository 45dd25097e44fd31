"""Figures a source states (`[[expect]]`), checked against what the engine computes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from stepnet.engine.debugger import Debugger
from stepnet.engine.names import Name

Array = np.ndarray


@dataclass(frozen=True)
class Expectation:
    name: Name
    iteration: int
    index: tuple[int, ...] | None
    value: Array
    tolerance: float
    #: where it stands in the scenario, e.g. "expect[3]"
    where: str = ""

    @property
    def label(self) -> str:
        index = f"[{','.join(map(str, self.index))}]" if self.index is not None else ""
        return f"{self.name}{index} @ iteration {self.iteration}"


@dataclass(frozen=True)
class Outcome:
    expectation: Expectation
    computed: Array
    error: float  # the largest |computed − stated|

    @property
    def ok(self) -> bool:
        return bool(self.error <= self.expectation.tolerance)


def evaluate(expectation: Expectation, values: Mapping[Name, Array]) -> Outcome:
    """Compare one expectation with a state at the end of its iteration."""
    computed = np.asarray(values[expectation.name])
    if expectation.index is not None:
        computed = computed[expectation.index]
    with np.errstate(invalid="ignore"):
        error = float(np.max(np.abs(computed - expectation.value))) if computed.size else 0.0
    return Outcome(expectation, computed, error if np.isfinite(error) else float("inf"))


def check(debugger: Debugger, expectations: Iterable[Expectation]) -> list[Outcome]:
    """Every expectation against the engine's state at the end of its iteration, in file order
    (evaluated in iteration order, so the engine only moves forward)."""
    expectations = list(expectations)
    outcomes: dict[int, Outcome] = {}
    for i in sorted(range(len(expectations)), key=lambda i: expectations[i].iteration):
        debugger.goto(expectations[i].iteration * debugger.n_ops)
        outcomes[i] = evaluate(expectations[i], debugger.values)
    return [outcomes[i] for i in range(len(expectations))]


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
