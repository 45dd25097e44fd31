"""One neuron's story: what unit j of layer l of a layered network computes in an iteration,
told by its layer's own operations — its incoming activations times its weights and their
products (their sum and the bias are its z), z, its dropout mask, a, f′(z), the ∂J/∂a the
layer above gives it, δ, and each incoming weight's (and its bias's) gradient and update.

The debugger's neuron view and `stepnet export --neuron` both tell it from here: which
operations and quantities belong to it, which elements of a quantity are the neuron's, and
which neuron an element belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from stepnet.engine.names import Name, grad
from stepnet.engine.network import weighted_terms
from stepnet.engine.program import Program

Array = np.ndarray
#: the kinds of a layer's operations that tell one of its neurons' story
STORY = frozenset({"weighted_sum", "dropout_mask", "activation", "dact", "delta", "grad_W", "penalty_grad",
                   "grad_b", "optimizer", "change", "update"})
#: the kinds whose output holds a number per sample for each of the layer's neurons
OWN = frozenset({"weighted_sum", "dropout_mask", "activation", "dact", "delta"})


@dataclass(frozen=True)
class Story:
    """Unit `unit` of layer `layer`: the operations that tell its story and what they write."""

    layer: int
    unit: int
    #: where in the iteration (0-based) the layer's operations that tell it are
    ops: tuple[int, ...]
    #: its own values, a number per sample each, in the order the iteration computes them: z,
    #: m, a, f′(z), then ∂J/∂a (given: none of its ops writes it) and δ. Not the softmax's
    #: Jacobian, a matrix per sample
    own: tuple[Name, ...]
    #: those of `own` the layer above (or the loss) gives it
    given: frozenset[Name]
    #: each parameter into it (W, then b) and what an iteration writes of it in order: its
    #: gradient (as its last writer leaves it), then each line of its update
    parameters: dict[Name, tuple[Name, ...]]

    @property
    def inputs(self) -> Name:
        """What comes in: the activations of the layer below."""
        return Name("a", self.layer - 1)

    @property
    def weights(self) -> Name:
        return Name("W", self.layer)

    def products(self) -> Callable[[Array, Array], Array]:
        """The terms of its weighted sum, a[s,i]·W[j,i] per sample s and input i, from the
        activations below and the weights (network.weighted_terms)."""
        return weighted_terms(self.layer, self.unit)[0]

    def elements(self, name: Name, shape: tuple[int, ...], samples: int, inputs: int) -> list[tuple[int, ...]]:
        """The neuron's elements of a quantity of its layer of that shape: a row of W (its first
        `inputs`), its bias; else its column for the first `samples` samples (for the softmax's
        Jacobian, the row δ_j takes)."""
        j = self.unit
        if name.base.kind == "W":
            return [(j, i) for i in range(min(shape[1], inputs))]
        if name.base.kind == "b":
            return [(j,)]
        first = range(min(shape[0], samples))
        if len(shape) == 3:
            return [(s, j, k) for s in first for k in range(shape[2])]
        return [(s, j) for s in first]


def story(program: Program, layer: int, unit: int) -> Story:
    """Unit `unit` (from 0) of layer `layer` (from 1) of the program's layered network."""
    ops = tuple(k for k, op in enumerate(program.ops) if op.layer == layer and op.kind in STORY)
    own: list[Name] = []
    given: set[Name] = set()
    for k in ops:
        op = program.ops[k]
        if op.kind not in OWN or len(program.shapes[op.output]) != 2:
            continue
        if op.kind == "delta":
            given.update(name for name in op.reads if name.kind == "grad_a")
            own += [name for name in op.reads if name.kind == "grad_a"]
        own.append(op.output)
    written = [program.ops[k].output for k in ops]
    parameters = {}
    for theta in (Name("W", layer), Name("b", layer)):
        if theta in program.shapes:
            gradient = [grad(theta)] if grad(theta) in written else []
            updates = [program.ops[k].output for k in ops
                       if program.ops[k].phase == "update" and program.ops[k].output.base == theta]
            parameters[theta] = tuple(gradient + updates)
    return Story(layer, unit, ops, tuple(dict.fromkeys(own)), frozenset(given), parameters)


def neuron_of(name: Name, index: tuple[int, ...]) -> tuple[int, int] | None:
    """The neuron (layer, unit) an element of a layered network's quantity belongs to: W2[j,i]
    and b2[j] to unit j of layer 2, z2[s,j] and grad_a2[s,j] too; None for the input and for
    what belongs to no layer (the loss, the targets)."""
    layer = name.base.layer
    if not layer or not index:
        return None
    if name.base.kind in ("W", "b") or len(index) == 3:
        return layer, index[0] if len(index) < 3 else index[1]
    return (layer, index[-1]) if len(index) == 2 else None


def column(name: Name) -> str:
    """What a quantity written of a parameter θ is, as a column of its table: ∂J/∂θ, θ after,
    Δθ, m_θ, …"""
    prefix = name.prefix
    return {"grad": "∂J/∂θ", None: "θ after", "update": "Δθ"}.get(prefix, f"{prefix}_θ")
