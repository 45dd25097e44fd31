"""Every place the screen builds or reads a quantity's name: "W1", "delta2", "grad_a1".

The engine names quantities by kind and layer; the screen needs a few of them by kind (what
the network diagram shows of a layer) and groups all of them by layer (the state view).
Nothing else in `stepnet/tui` spells or parses a name, so that a change in how the engine
names quantities is a change here only.
"""

from __future__ import annotations

from stepnet.engine.model import Model
from stepnet.engine.program import Program, quantity_shape

Name = str  # a quantity's name as the engine keys its values


def text(name: Name) -> str:
    """How the screen writes a name, and compares it with a name a user typed."""
    return str(name)


def activation(layer: int) -> Name:
    """a{l}: layer l's output (a0 the input)."""
    return f"a{layer}"


def delta(layer: int) -> Name:
    """delta{l}: ∂J/∂z of layer l."""
    return f"delta{layer}"


def weights(layer: int) -> Name:
    return f"W{layer}"


def bias(layer: int) -> Name:
    return f"b{layer}"


def mask(layer: int) -> Name:
    """m{l}: layer l's dropout mask."""
    return f"m{layer}"


def weight_gradient(layer: int) -> Name:
    return f"grad_W{layer}"


def layer_of(name: Name) -> int | None:
    """The layer a quantity belongs to (0 for the input), None for one of the whole network
    (the targets, the loss)."""
    digits = text(name)[len(text(name).rstrip("0123456789")):]
    return int(digits) if digits else None


def by_layer(program: Program) -> list[tuple[int | None, list[Name]]]:
    """Every quantity of the program, grouped by layer (the input first, the quantities of no
    layer last), each group in the order the iteration first uses them: a weight where the
    weighted sum reads it, a gradient where it is computed."""
    seen: dict[Name, None] = {}
    for op in program.ops:
        seen.update(dict.fromkeys((*op.reads, op.output)))
    seen.update(dict.fromkeys(program.quantities()))  # any no op reads or writes
    groups: dict[int | None, list[Name]] = {}
    for name in seen:
        groups.setdefault(layer_of(name), []).append(name)
    layers = sorted(layer for layer in groups if layer is not None)
    return [(layer, groups[layer]) for layer in layers] + ([(None, groups[None])] if None in groups else [])


def per_sample(model: Model, name: Name) -> bool:
    """Whether a quantity has a row per sample of the batch (a, z, delta, …), as its shape
    says: it grows with the batch."""
    return quantity_shape(model, name, 1)[:1] != quantity_shape(model, name, 2)[:1]
