"""What an export covers and how: iterations, one operation or one neuron's story; the
worked example, the exercise or its answer key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from stepnet.engine.conventions import Glossary
from stepnet.engine.graph import Graph
from stepnet.engine.model import Model
from stepnet.engine.op import Op

#: the worked example, the exercise (results blank), the answer key (only those results)
Mode = Literal["worked", "exercise", "answers"]
#: what is left blank when the teacher does not say
DEFAULT_BLANK = "backward"


class ExportError(ValueError):
    """A request that cannot be met, in one line for the user."""


@dataclass(frozen=True)
class Scope:
    """Iterations `first` … `last`; or, in iteration `first`, one operation (its number `op`,
    1 … N, in the iteration) or the story of neuron `unit` of layer `layer`."""

    first: int = 1
    last: int = 1
    op: int | None = None
    neuron: tuple[int, int] | None = None


@dataclass(frozen=True)
class Request:
    scope: Scope = Scope()
    mode: Mode = "worked"
    #: `--blank` as given; None: the default (`backward`, or the one operation of an --op scope)
    blank: str | None = None
    digits: int = 9


def operation(text: str, ops: Sequence[Op], glossary: Glossary) -> int:
    """`--op`: an operation's number in the iteration (1 … N, as `op k of N`), or the
    quantity it writes (by stepnet's name or the source's) when one operation writes it."""
    if text.isdigit():
        if 1 <= int(text) <= len(ops):
            return int(text)
        raise ExportError(f"--op: expected an operation's number from 1 to {len(ops)}, or a quantity, got {text}")
    alias = glossary.resolve(text, [op.output for op in ops])
    writers = [k for k, op in enumerate(ops, start=1) if alias is not None and op.output == alias.name]
    if not writers:
        raise ExportError(f"--op: no operation writes {text!r}; expected a quantity such as "
                          f"{', '.join(dict.fromkeys(str(op.output) for op in ops[1:4]))}, or a number from 1 to "
                          f"{len(ops)}")
    if len(writers) > 1:
        raise ExportError(f"--op: {len(writers)} operations write {text} in an iteration "
                          f"({', '.join(map(str, writers))}): give its number instead")
    return writers[0]


def neuron(text: str, model: Model | Graph) -> tuple[int, int]:
    """`--neuron L:J`: unit J (from 0) of layer L (from 1) of a layered network."""
    if isinstance(model, Graph):
        raise ExportError("--neuron: a computation graph has no layers of neurons; use --op for one operation")
    layer, _, unit = text.partition(":")
    if not (layer.isdigit() and unit.isdigit()):
        raise ExportError(f"--neuron: expected LAYER:UNIT such as 2:0 (layer from 1, unit from 0), got {text!r}")
    l, j = int(layer), int(unit)
    if not 1 <= l <= model.depth:
        raise ExportError(f"--neuron: the network has layers 1 to {model.depth}, not {l}")
    if not 0 <= j < model.layers[l - 1].units:
        raise ExportError(f"--neuron: layer {l} has units 0 to {model.layers[l - 1].units - 1}, not {j}")
    return l, j
