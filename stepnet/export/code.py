"""The NumPy a notebook runs: what a part starts from, as exact literals, and each
operation's own code (`Op.code`, from the engine's definitions), or a blank to fill in."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from stepnet.engine.names import STEP, Name
from stepnet.engine.op import Op, StartOp
from stepnet.export.document import BLANK, Code

Array = np.ndarray


def number(x: float) -> str:
    """A float as code that reads back exactly: 0.1, 1e-08, np.nan, -np.inf."""
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(float(x))


def literal(value: Array) -> str:
    """An array as code: `np.array([[0.15, 0.2], [0.25, 0.3]])`, a matrix a row a line."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return f"np.array({number(a.item())})"

    def nested(x: Array) -> str:
        return "[" + ", ".join(number(v) if x.ndim == 1 else nested(v) for v in x) + "]"

    if a.ndim == 1 or len(a) == 1:
        return f"np.array({nested(a)})" if a.size else f"np.zeros({a.shape})"
    return "np.array([\n" + "".join(f"    {nested(row)},\n" for row in a) + "])"


def given(values: Iterable[tuple[str | Name, Array]], note: str) -> Code:
    """A cell that sets what a part starts from (name, value); t, the iteration's number, as a
    whole number."""
    lines = ["import numpy as np", "", f"# {note}"]
    for name, value in values:
        text = str(int(value)) if str(name) == str(STEP) else literal(value)
        lines.append(f"{name} = {text}")
    return Code("\n".join(lines), "given")


def step(op: Op, position: int, iteration: int, shown: str | None = None) -> Code:
    """The op's own code (an iteration's first op sets t first), then what to show of its result."""
    lines = [f"t = {iteration}"] if isinstance(op, StartOp) else []
    if op.code or not isinstance(op, StartOp):
        lines.append(op.code)
    code = "\n".join(lines) if all(lines) else ""  # "": a definition has no code
    return Code(code and f"{code}\n{shown or op.output}", "step", position, str(op.output))


def exercise(op: Op, position: int) -> Code:
    """In place of a blank op's code: what to compute, and a stop until it is written."""
    return Code(f"# {BLANK} your turn: {op.formula}\n# write it in NumPy here, in place of the next line\n"
                f"raise NotImplementedError({str(op.output)!r})", "exercise", position, str(op.output))


def answer(op: Op, position: int) -> Code:
    """The key's code for a blank op."""
    return Code(op.code, "answer", position, str(op.output))
