"""Breakpoints: predicates on an operation and, for conditions, on the value it produced.

    OpBreakpoint(output="delta2")        every delta of layer 2
    OpBreakpoint(phase="update")         every update
    Condition.parse("|delta| < 1e-6")    a delta whose largest |element| is below 1e-6
    Condition.parse("nan")               any NaN or ±Inf
    parse("δ_o1 < 0", quantities, names) the source's name for delta2[0,0] (`[notation.names]`)
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from stepnet.engine.conventions import NAME, Glossary
from stepnet.engine.names import Name
from stepnet.engine.op import Op
from stepnet.fields import did_you_mean

Array = np.ndarray


@dataclass(frozen=True)
class OpBreakpoint:
    """Stops after an operation of a kind: any of phase, layer, output that are set must match."""

    phase: str | None = None
    layer: int | None = None
    output: Name | None = None
    #: the name it was set by, when the source's (w5 for W2): shown, not compared
    label: str = field(default="", compare=False)

    needs_value = False

    def matches(self, op: Op, value: Array | None = None) -> bool:
        return (
            (self.phase is None or op.phase == self.phase)
            and (self.layer is None or op.layer == self.layer)
            and (self.output is None or op.output == self.output)
        )

    def describe(self) -> str:
        parts = [(f"{self.output} ({self.label})" if self.label else str(self.output)) if self.output
                 else "every operation"]
        if self.phase:
            parts.append(f"in the {self.phase} phase")
        if self.layer is not None:
            parts.append(f"of layer {self.layer}")
        return " ".join(parts)


_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_CONDITION = re.compile(r"^\s*(\|)?\s*(" + NAME.pattern + r")\s*(\|)?\s*(<=|>=|<|>)\s*(\S+)\s*$")
_NONFINITE = {"nan", "inf", "any nan", "nan/inf", "non-finite", "nonfinite"}


class ConditionError(ValueError):
    """A condition the parser cannot read; the message says what it expects."""


@dataclass(frozen=True)
class Condition:
    """Stops after an operation whose output satisfies a test.

    `name` matches an output exactly (`delta2`) or as a prefix followed by a layer number
    (`delta` matches delta1, delta2, …). With bars, the test applies to the largest
    absolute element (`|delta| < 1e-6`: every element is below); without, to any element.
    `nonfinite` stops on the first NaN or ±Inf whatever the name. A source's name tests the
    quantity or the element it stands for (`δ_o1 < 0`: delta2[0,0]), in the source's sign.
    """

    text: str
    name: str | None = None
    comparison: str = "<"
    threshold: float = 0.0
    absolute: bool = False
    nonfinite: bool = False
    #: the element a source's name stands for, and whether its figure is stepnet's negated
    index: tuple[int, ...] | None = None
    negated: bool = False

    needs_value = True

    @classmethod
    def parse(cls, text: str, names: Glossary | None = None) -> Condition:
        if text.strip().lower() in _NONFINITE:
            return cls(text.strip(), nonfinite=True)
        m = _CONDITION.match(text)
        if not m or bool(m.group(1)) != bool(m.group(3)):
            raise ConditionError(
                f"cannot read {text!r}: expected 'nan', or NAME OP NUMBER such as "
                "'|delta| < 1e-6' or 'loss > 10'"
            )
        try:
            threshold = float(m.group(5))
        except ValueError:
            raise ConditionError(f"cannot read {text!r}: {m.group(5)!r} is not a number") from None
        alias = names.aliases.get(m.group(2)) if names else None
        if alias is not None:
            return cls(text.strip(), str(alias.name), m.group(4), threshold, bool(m.group(1)),
                       index=alias.index, negated=alias.negated)
        if not m.group(2).isidentifier():
            raise ConditionError(f"cannot read {text!r}: no quantity named {m.group(2)!r}")
        return cls(text.strip(), m.group(2), m.group(4), threshold, absolute=bool(m.group(1)))

    def applies_to(self, output: Name) -> bool:
        """`delta2` matches delta2; `delta` matches the delta of every layer."""
        return self.name is None or self.name in (str(output), output.kind)

    def matches(self, op: Op, value: Array | None) -> bool:
        if value is None or not self.applies_to(op.output):
            return False
        value = np.asarray(value, dtype=float)
        if self.index is not None:
            if len(self.index) != value.ndim or any(i >= n for i, n in zip(self.index, value.shape)):
                return False  # a sample the (last, smaller) batch does not have
            value = value[self.index]
        value = -value if self.negated else value
        if self.nonfinite:
            return not np.isfinite(value).all()
        test = _OPS[self.comparison]
        if self.absolute:
            return bool(test(np.max(np.abs(value)), self.threshold))
        return bool(np.any(test(value, self.threshold)))

    def describe(self) -> str:
        return "any NaN or Inf" if self.nonfinite else self.text


Breakpoint = OpBreakpoint | Condition


def parse(text: str, quantities: Iterable[Name], names: Glossary | None = None) -> Breakpoint:
    """A breakpoint as a user types it: a quantity's name, stepnet's or the source's, stops
    after every op that writes it (`delta2`, `w5`); anything else is a `Condition`. A
    ConditionError says what is wrong, with a "did you mean" for a misspelt name."""
    text, quantities = text.strip(), list(quantities)
    names = names or Glossary()
    known = [*names.aliases, *map(str, quantities)]
    alias = names.resolve(text, quantities)
    if alias is not None:
        return OpBreakpoint(output=alias.name, label=text if text in names.aliases else "")
    try:
        bp = Condition.parse(text, names)
    except ConditionError as e:
        if NAME.fullmatch(text):  # a name alone: one that is not a quantity
            raise ConditionError(f"no quantity named {text!r}{did_you_mean(text, known)}") from None
        raise e
    if bp.name and not any(map(bp.applies_to, quantities)):
        raise ConditionError(f"no quantity named {bp.name!r}, so it would never stop{did_you_mean(bp.name, known)}")
    return bp
