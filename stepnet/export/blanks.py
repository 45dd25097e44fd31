"""What an exercise leaves blank, and the rule that keeps a blank honest.

The teacher names what to leave blank (`--blank`, `backward` by default): phases (forward,
loss, backward, update), kinds of operation (`delta`, `grad_W`, `activation`, …) or
quantities (`a1`, `delta2`, `W1` — the operations that write it; a source's name for an
element, `δ_o1`, blanks its whole quantity). The data and the state the exported part starts
from are given, never blank. The rule:

1. A blank result is written nowhere in the exercise: not its elements written out, not its
   table, not as a number substituted into a later line, not as a figure of the source's.
2. What is computed from a blank result is blank too, transitively, into later iterations
   through the updated parameters: each would give it back — ∂J/∂b = Σₛ δ is δ itself for
   one sample, W − η·∂J/∂W gives the gradient back by a subtraction, z = a·Wᵀ + b gives a
   back by solving a linear system.
3. A number in the scenario's own words (title, source, description) with at least four
   significant digits that is a blank result written to as many decimals is left blank too.

The answer key holds exactly the blank results: those asked for and those rule 2 adds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import get_args

import numpy as np

from stepnet.engine.conventions import Glossary
from stepnet.engine.names import Name
from stepnet.engine.notation import Fmt
from stepnet.engine.op import PHASES, Op, OpKind, StartOp
from stepnet.export.document import BLANK
from stepnet.export.scope import ExportError

Array = np.ndarray
KINDS: tuple[str, ...] = get_args(OpKind)
#: the operations that load what is given: never blank
GIVEN_KINDS = ("batch", "start")


@dataclass(frozen=True)
class Selection:
    """What the teacher asked to leave blank."""

    phases: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    names: frozenset[Name] = frozenset()

    def __call__(self, op: Op) -> bool:
        return op.kind not in GIVEN_KINDS and (
            op.phase in self.phases or op.kind in self.kinds or op.output in self.names)


def selection(text: str, ops: Sequence[Op], glossary: Glossary) -> Selection:
    """`--blank a1,delta2`, `--blank backward`, `--blank grad_W,update`; an ExportError
    naming what is not understood."""
    phases, kinds, names = set(), set(), set()
    written = {op.output for op in ops if op.kind not in GIVEN_KINDS}
    for word in filter(None, (w.strip() for w in text.split(","))):
        if word in PHASES:
            phases.add(word)
        elif word in KINDS and word not in GIVEN_KINDS:
            kinds.add(word)
        elif (alias := glossary.resolve(word, written)) is not None:
            names.add(alias.name)
        else:
            given = {str(op.output) for op in ops if op.kind in GIVEN_KINDS}
            why = " (it is given: the data)" if word in given else ""
            raise ExportError(f"--blank: {word!r} is neither a phase ({', '.join(PHASES)}), a kind of operation "
                              f"nor a quantity an operation of this scenario writes{why}")
    if not (phases or kinds or names):
        raise ExportError("--blank: expected phases, kinds of operation or quantities, separated by commas")
    return Selection(frozenset(phases), frozenset(kinds), frozenset(names))


@dataclass
class Blanks:
    """Which of the exported operations (by position) are blank: asked for, or computed
    from a blank (rule 2); and which quantities hold a blank value before and after each."""

    asked: set[int] = field(default_factory=set)
    derived: set[int] = field(default_factory=set)
    before: dict[int, frozenset[Name]] = field(default_factory=dict)
    after: dict[int, frozenset[Name]] = field(default_factory=dict)

    def __contains__(self, position: int) -> bool:
        return position in self.asked or position in self.derived

    def __bool__(self) -> bool:
        return bool(self.asked)


def closure(steps: Iterable[tuple[int, Op]], asked: Selection) -> Blanks:
    """Walk the exported operations in order, from a state where nothing is blank."""
    blanks, blank = Blanks(), set[Name]()
    for position, op in steps:
        if isinstance(op, StartOp):  # the last iteration's quantities are gone, but for the kept ones
            blank.intersection_update(op.persistent)
        blanks.before[position] = frozenset(blank)
        if asked(op):
            blanks.asked.add(position)
        elif any(name in blank for name in op.reads):
            blanks.derived.add(position)
        if position in blanks:
            blank.add(op.output)
        else:
            blank.discard(op.output)
        blanks.after[position] = frozenset(blank)
    return blanks


def masked(values: dict[Name, Array], names: Iterable[Name]) -> dict[Name, Array]:
    """`values` with the blank quantities' numbers replaced by NaN, which a blank format
    (`blank_format`) writes as the blank mark — and so does any number computed from them."""
    return {**values, **{name: np.full(np.shape(values[name]), np.nan) for name in names if name in values}}


def blank_format(fmt: Fmt) -> Fmt:
    """`fmt`, writing the NaN of a blank quantity (`masked`) as the blank mark."""
    return lambda x: BLANK if np.isnan(x) else fmt(x)


_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")


def scrub(text: str, blank: Sequence[Array]) -> str:
    """`text` with each number of at least four significant digits that is one of the blank
    values, rounded as the number is written, replaced by the blank mark (rule 3)."""
    values = np.concatenate([np.abs(np.ravel(v)) for v in blank]) if blank else np.zeros(0)

    def replace(m: re.Match[str]) -> str:
        written = Decimal(m[0])
        digits, exponent = written.as_tuple().digits, written.as_tuple().exponent
        if len(str(int("".join(map(str, digits))))) < 4 or not isinstance(exponent, int):
            return m[0]
        half_unit = 0.5 * 10.0 ** exponent
        return BLANK if np.any(np.abs(values - float(written)) <= half_unit) else m[0]

    return _NUMBER.sub(replace, text)
