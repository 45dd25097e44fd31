"""Breakpoints: predicates on an operation and, for conditions, on the value it produced.

    OpBreakpoint(output="delta2")        every delta of layer 2
    OpBreakpoint(phase="update")         every update
    Condition.parse("|delta| < 1e-6")    a delta whose largest |element| is below 1e-6
    Condition.parse("nan")               any NaN or ±Inf
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

import numpy as np

from stepnet.engine.names import Name
from stepnet.engine.op import Op

Array = np.ndarray


@dataclass(frozen=True)
class OpBreakpoint:
    """Stops after an operation of a kind: any of phase, layer, output that are set must match."""

    phase: str | None = None
    layer: int | None = None
    output: Name | None = None

    needs_value = False

    def matches(self, op: Op, value: Array | None = None) -> bool:
        return (
            (self.phase is None or op.phase == self.phase)
            and (self.layer is None or op.layer == self.layer)
            and (self.output is None or op.output == self.output)
        )

    def describe(self) -> str:
        parts = [str(self.output) if self.output else "every operation"]
        if self.phase:
            parts.append(f"in the {self.phase} phase")
        if self.layer is not None:
            parts.append(f"of layer {self.layer}")
        return " ".join(parts)


_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_CONDITION = re.compile(r"^\s*(\|)?\s*([A-Za-z_][A-Za-z_0-9]*)\s*(\|)?\s*(<=|>=|<|>)\s*(\S+)\s*$")
_NONFINITE = {"nan", "inf", "any nan", "nan/inf", "non-finite", "nonfinite"}


class ConditionError(ValueError):
    """A condition the parser cannot read; the message says what it expects."""


@dataclass(frozen=True)
class Condition:
    """Stops after an operation whose output satisfies a test.

    `name` matches an output exactly (`delta2`) or as a prefix followed by a layer number
    (`delta` matches delta1, delta2, …). With bars, the test applies to the largest
    absolute element (`|delta| < 1e-6`: every element is below); without, to any element.
    `nonfinite` stops on the first NaN or ±Inf whatever the name.
    """

    text: str
    name: str | None = None
    comparison: str = "<"
    threshold: float = 0.0
    absolute: bool = False
    nonfinite: bool = False

    needs_value = True

    @classmethod
    def parse(cls, text: str) -> Condition:
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
        return cls(text.strip(), m.group(2), m.group(4), threshold, absolute=bool(m.group(1)))

    def applies_to(self, output: Name) -> bool:
        """`delta2` matches delta2; `delta` matches the delta of every layer."""
        return self.name is None or self.name in (str(output), output.kind)

    def matches(self, op: Op, value: Array | None) -> bool:
        if value is None or not self.applies_to(op.output):
            return False
        value = np.asarray(value, dtype=float)
        if self.nonfinite:
            return not np.isfinite(value).all()
        test = _OPS[self.comparison]
        if self.absolute:
            return bool(test(np.max(np.abs(value)), self.threshold))
        return bool(np.any(test(value, self.threshold)))

    def describe(self) -> str:
        return "any NaN or Inf" if self.nonfinite else self.text


Breakpoint = OpBreakpoint | Condition
