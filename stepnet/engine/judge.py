"""Judging a source's figures: each `[[expect]]` confirmed or contradicted, and for each
contradicted one the cause that reproduces it (the catalogue in `causes.py`), in the order
the iterations produce the figures. A root is a contradicted figure that does not inherit
its difference from an earlier one, nor owe it to rounding alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stepnet.engine.causes import INHERITED, ROUNDING, Cause, find
from stepnet.engine.conventions import Glossary, Rounding, printed_decimals
from stepnet.engine.debugger import Debugger
from stepnet.engine.expect import Expectation, Outcome, at_ends, evaluate
from stepnet.engine.program import Program
from stepnet.engine.replay import Ancestors, Variant, due, replay
from stepnet.fields import count

Array = np.ndarray


@dataclass(frozen=True)
class Verdict:
    expectation: Expectation
    outcome: Outcome
    #: whether the figure stands: as computed, or within the rounding the scenario declares
    ok: bool
    cause: Cause | None = None
    #: for an inherited figure, the earlier contradicted figure it is computed from
    inherits_from: Expectation | None = None

    @property
    def root(self) -> bool:
        """A contradicted figure that is not inherited and not off by rounding alone."""
        return not self.ok and self.cause not in (INHERITED, ROUNDING)

    def words(self, names: Glossary) -> str:
        """The verdict in a line; "" for a figure confirmed as computed."""
        c, source = self.cause, self.inherits_from
        if c is None:
            return "" if self.ok else "an error: no cause in the catalogue reproduces it"
        if c is ROUNDING:
            return ("within the source's rounding, which the scenario declares: the exact value is shown" if self.ok
                    else f"{c.id}: {c.explanation}")
        if c is INHERITED and source is not None:
            return (f"inherited from {names.beside(source.name, source.index)} @ iteration {source.iteration}: "
                    "recomputed from the source's value of that figure, it matches")
        return f"{c.id}: {c.explanation}"


@dataclass(frozen=True)
class Findings:
    #: in the scenario's order
    verdicts: tuple[Verdict, ...]
    #: their places, in the order the iterations produce the figures
    order: tuple[int, ...]

    def in_order(self) -> list[Verdict]:
        return [self.verdicts[i] for i in self.order]

    @property
    def confirmed(self) -> int:
        return sum(v.ok for v in self.verdicts)

    @property
    def contradicted(self) -> int:
        return len(self.verdicts) - self.confirmed

    def summary(self, names: Glossary) -> str:
        """`1 error: z2[0,1] (net_o2) in iteration 1; 2 figures inherit it; 1 figure differs
        only by rounding`; "" when every figure stands."""
        roots = [v for v in self.in_order() if v.root]
        inherited = sum(v.cause is INHERITED for v in self.verdicts)
        rounded = sum(v.cause is ROUNDING and not v.ok for v in self.verdicts)
        parts = []
        if roots:
            parts.append(f"{count(len(roots), 'error')}: " + ", ".join(
                f"{names.beside(v.expectation.name, v.expectation.index)} in iteration {v.expectation.iteration}"
                + (f" ({v.cause.id})" if v.cause else "") for v in roots))
        if inherited:
            parts.append(f"{count(inherited, 'figure')} inherit{'s' * (inherited == 1)} "
                         f"{'it' if len(roots) == 1 else 'them'}")
        if rounded:
            parts.append(f"{count(rounded, 'figure')} differ{'s' * (rounded == 1)} only by rounding")
        return "; ".join(parts)


class _Evidence:
    """The `Evidence` the catalogue asks of a scenario's figures: stepnet's values from the
    debugger, the source's from its `[[expect]]`, replays of the program another way."""

    def __init__(self, debugger: Debugger, figures: Sequence[Expectation], rounding: Rounding | None) -> None:
        self.program: Program = debugger.program
        self.figures = list(figures)
        self.exacts = at_ends(debugger, self.figures)
        self.outcomes = [evaluate(e, {e.name: v}) for e, v in zip(self.figures, self.exacts)]
        self.rounding = rounding or Rounding("stated")
        self.declared = rounding is not None
        self.printed = [printed_decimals(e.value) for e in self.figures]
        self.position = [(e.iteration, due(self.program.ops, e.name)) for e in self.figures]
        first = min((e.iteration for e in self.figures), default=1)
        self.start = first, debugger.parameters_after(first - 1)
        #: replays under a variant go as far as the last contradicted figure
        self.last = max((e.iteration for e, o in zip(self.figures, self.outcomes) if not o.ok), default=0)
        self.verdicts: dict[int, Verdict] = {}  # so far, in the order judged
        self._variants: dict[str, dict[int, Array]] = {}

    def expectation(self, f: int) -> Expectation:
        return self.figures[f]

    def exact(self, f: int) -> Array:
        return np.asarray(self.exacts[f])

    def from_stated(self, f: int, contradicted: bool, rounded: bool, variant: Variant | None = None) -> Array | None:
        chosen = {g for g, v in self.verdicts.items() if contradicted or v.ok or v.cause is ROUNDING}
        iteration, ops = self.figures[f].iteration, variant.ops(self.program.ops) if variant else self.program.ops
        if rounded:
            printed = self.printed[f]
            return replay(ops, self.program.model.initial_state(), range(1, iteration + 1), self.figures, chosen,
                          lambda x: self.rounding.apply(x, printed)).get(f)
        if not chosen and variant is None:
            return self.exact(f)
        first, state = self.start
        state = variant.initial(state) if variant else state
        return replay(ops, state, range(first, iteration + 1), self.figures, chosen).get(f)

    def culprits(self, f: int) -> list[int]:
        flows = Ancestors(self.program.ops, *self.position[f])
        return [g for g, v in self.verdicts.items()
                if not v.ok and v.cause is not ROUNDING and self.position[g] < self.position[f]
                and self.figures[g].name in self.program.last_writer and self.position[g] in flows]

    def under(self, f: int, variant: Variant) -> Array | None:
        if variant.key not in self._variants:
            initial = variant.initial(self.program.model.initial_state())
            self._variants[variant.key] = replay(variant.ops(self.program.ops), initial, range(1, self.last + 1),
                                                 self.figures)
        return self._variants[variant.key].get(f)

    def reproduces(self, f: int, value: Array) -> bool:
        """Whether `value` of the figure's quantity gives the stated figure within its
        tolerance, as it is or rounded as the source prints it."""
        e = self.figures[f]
        got = e.pick(value)
        if got.shape != e.value.shape:
            return False
        with np.errstate(invalid="ignore"):
            return any(float(np.max(np.abs(x - e.value), initial=0.0)) <= e.tolerance
                       for x in (got, self.rounding.apply(got, self.printed[f])))

    def judge(self, f: int) -> Verdict:
        e, outcome = self.figures[f], self.outcomes[f]
        if outcome.ok:
            return Verdict(e, outcome, True)
        found = find(self, f, lambda value: self.reproduces(f, value))
        source = self.figures[self.culprits(f)[-1]] if found is INHERITED else None
        return Verdict(e, outcome, found is ROUNDING and self.declared, found, source)


def judge(debugger: Debugger, expectations: Sequence[Expectation], rounding: Rounding | None = None) -> Findings:
    """Every figure checked and, if contradicted, given its cause. With a declared `rounding`
    (a scenario's [notation] rounding), a figure off only by rounding stands. The debugger
    moves to the end of the last figure's iteration."""
    evidence = _Evidence(debugger, expectations, rounding)
    order = sorted(range(len(expectations)), key=lambda f: (evidence.position[f], f))
    for f in order:
        evidence.verdicts[f] = evidence.judge(f)
    return Findings(tuple(evidence.verdicts[f] for f in range(len(expectations))), tuple(order))
