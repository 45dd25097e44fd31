"""Running a scenario's iterations another way, to find out how a source got its figures: with
the source's own figures put in place of stepnet's as soon as they are produced, with every
intermediate rounded, or with the operations changed as a slip changes them (`Variant`).

A figure is an `[[expect]]`: its quantity is read right after the op that writes it for the
last time in its iteration (at the end for a quantity no op writes) — when `check` reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from stepnet.engine.expect import Expectation
from stepnet.engine.names import Name
from stepnet.engine.op import Op, frozen

Array = np.ndarray
State = dict[Name, Array]
Ops = tuple[Op, ...]


@dataclass(frozen=True)
class Variant:
    """An iteration computed another way: its ops changed or reordered, its initial state changed.
    `key` names it, so that a replay under it is run once for every figure."""

    key: str
    ops: Callable[[Ops], Ops] = field(default=lambda ops: ops, repr=False)
    initial: Callable[[State], State] = field(default=lambda state: state, repr=False)


def due(ops: Sequence[Op], name: Name) -> int:
    """The op after which a figure of `name` is read: its last writer, or the last op."""
    return max((i for i, op in enumerate(ops) if op.output == name), default=len(ops) - 1)


def replay(ops: Sequence[Op], state: Mapping[Name, Array], iterations: range, figures: Sequence[Expectation],
           substitute: Collection[int] = (), rounding: Callable[[Array], Array] | None = None) -> dict[int, Array]:
    """Run `ops` for `iterations` from `state`; the value of each figure's quantity when it is
    read (by the figure's place in `figures`). The figures in `substitute` are put in place as
    soon as they have been read; with `rounding`, every op's result is rounded so. An op whose
    operands do not fit (a variant's ∂J/∂b a row per sample, then a batch of another size) ends
    the replay: the figures not reached have no value."""
    read_at: dict[tuple[int, int], list[int]] = {}
    for f, e in enumerate(figures):
        if e.iteration in iterations:
            read_at.setdefault((e.iteration, due(ops, e.name)), []).append(f)
    values, seen = dict(state), dict[int, Array]()
    with np.errstate(all="ignore"):
        for k in iterations:
            for i, op in enumerate(ops):
                try:
                    op.run(values, k)
                except ValueError:
                    return seen
                if rounding is not None:
                    values[op.output] = frozen(rounding(values[op.output]))
                here = read_at.get((k, i), ())
                for f in here:
                    seen[f] = values[figures[f].name]
                for f in here:
                    if f in substitute:
                        values[figures[f].name] = frozen(figures[f].place(values[figures[f].name]))
    return seen


def recomputed(ops: Ops, select: Callable[[Op], bool], compute: Callable[[Op], Callable[..., object]]) -> Ops:
    """`ops` with those `select` picks computing `compute(op)` instead."""
    return tuple(replace(op, compute=compute(op)) if select(op) else op for op in ops)


class Ancestors:
    """Every (iteration, op) whose result flows into that of op `index` in `iteration`, as a
    set to test membership in: going back an iteration at a time, the ops of that iteration
    that do — the same ops in every iteration once they repeat, so a test costs the same
    whatever the iteration."""

    def __init__(self, ops: Sequence[Op], iteration: int, index: int) -> None:
        where: dict[Name, int] = {}
        last = {op.output: i for i, op in enumerate(ops)}
        # per op: its sources in the same iteration, and in the one before
        same: list[list[int]] = []
        before: list[list[int]] = []
        for i, op in enumerate(ops):
            same.append([where[n] for n in op.reads if n in where])
            before.append([last[n] for n in op.reads if n not in where and n in last])
            where[op.output] = i
        self.iteration = iteration
        #: the ops that flow into it, in `iteration`, the one before, … (the last repeating)
        self.levels: list[frozenset[int]] = []
        start, previous = {index}, None
        while start != previous and len(self.levels) < iteration:
            level, carried = set(start), set()
            for i in range(len(ops) - 1, -1, -1):  # a source in the same iteration comes before its reader
                if i in level:
                    level.update(same[i])
                    carried.update(before[i])
            self.levels.append(frozenset(level))
            start, previous = carried, start

    def __contains__(self, node: object) -> bool:
        if not isinstance(node, tuple):
            return False
        k, i = node
        if not 1 <= k <= self.iteration:
            return False
        return i in self.levels[min(self.iteration - k, len(self.levels) - 1)]
