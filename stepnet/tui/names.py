"""The quantities the screen asks for by kind, and how it groups and writes them.

The engine names quantities by kind and layer (`stepnet.engine.names.Name`); the screen
needs a few of them by kind (what the network diagram shows of a layer) and groups all of
them by layer (the state view). Nothing else in `stepnet/tui` builds a name.
"""

from __future__ import annotations

from stepnet.engine.model import Model
from stepnet.engine.names import Name, grad
from stepnet.engine.program import Program
from stepnet.engine.trainable import Trainable


def text(name: Name) -> str:
    """How the screen writes a name, and compares it with a name a user typed."""
    return str(name)


def activation(layer: int) -> Name:
    """a{l}: layer l's output (a0 the input)."""
    return Name("a", layer)


def delta(layer: int) -> Name:
    """delta{l}: ∂J/∂z of layer l."""
    return Name("delta", layer)


def weights(layer: int) -> Name:
    return Name("W", layer)


def bias(layer: int) -> Name:
    return Name("b", layer)


def mask(layer: int) -> Name:
    """m{l}: layer l's dropout mask."""
    return Name("m", layer)


def weight_gradient(layer: int) -> Name:
    return grad(Name("W", layer))


def gradient(name: Name) -> Name:
    """grad_x: ∂J/∂x."""
    return grad(name)


def plotted_gradients(model: Trainable) -> tuple[str, list[Name]]:
    """What the training view plots ‖∂J/∂θ‖ of, each curve drawn with its number, and how it
    says so: a network's weights, layer by layer; a graph's trained leaves, listed."""
    if isinstance(model, Model):
        return "‖∂J/∂W‖ of each layer", [weights(l) for l in range(1, model.depth + 1)]
    trained = model.trained_parameters()
    return "|∂J/∂θ| of " + ", ".join(f"{k} {name}" for k, name in enumerate(trained, 1)), trained


def layer_of(name: Name) -> int | None:
    """The layer a quantity belongs to (0 for the input), None for one of the whole network
    (the targets, the loss)."""
    return name.layer


def by_layer(program: Program) -> list[tuple[int | None, list[Name]]]:
    """Every quantity of the program, grouped by layer (the input first, the quantities of no
    layer last), each group in the order the iteration first uses them: a weight where the
    weighted sum reads it, a gradient where it is computed."""
    seen: dict[Name, None] = {}
    for op in program.ops:
        seen.update(dict.fromkeys((*op.reads, op.output)))
    seen.update(dict.fromkeys(program.quantities))  # any no op reads or writes
    if not isinstance(program.model, Model):  # a computation graph: a name's digits are no layer
        return [(None, list(seen))]
    groups: dict[int | None, list[Name]] = {}
    for name in seen:
        groups.setdefault(layer_of(name), []).append(name)
    layers = sorted(layer for layer in groups if layer is not None)
    return [(layer, groups[layer]) for layer in layers] + ([(None, groups[None])] if None in groups else [])


def per_sample(program: Program, name: Name) -> bool:
    """Whether a quantity has a row per sample of the batch (a, z, delta, …)."""
    return program.shapes[name][:1] == (None,)
