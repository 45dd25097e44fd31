"""Figures of a set of parameters: loss and accuracy over a whole data set, gradient norms.

Pure functions: they read the parameters and never change them. Evaluation runs the
forward pass without dropout masks, as at test time, so a dropout layer keeps every unit.
It runs the forward pass only (a backward pass over every sample, for gradients over the
whole data set, would triple its cost): the gradient norms reported with it are those of
the batch gradients the iteration computed anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from stepnet.engine.model import Model
from stepnet.engine.names import Name, grad
from stepnet.engine.program import Program

Array = np.ndarray
State = dict[Name, Array]


class Evaluation(NamedTuple):
    """What a report says of a set of parameters."""

    #: mean over the samples of the per-sample loss ℓ (whatever the scenario's reduction)
    loss: float
    #: fraction of samples classified right (see `accuracy`); None if not classifying
    accuracy: float | None
    #: ‖∂J/∂θ‖ (Frobenius) of every parameter θ, of the gradient the iteration that made the
    #: parameters applied: J over that iteration's batch, at the parameters before its update
    gradient_norms: dict[Name, float]


def is_classification(model: Model, targets: Array) -> bool:
    """One-hot targets over several output units, or 0/1 targets of a single sigmoid unit
    (a probability, thresholded at 0.5); no targets at all: nothing to classify."""
    if not targets.size or not np.isin(targets, (0.0, 1.0)).all():
        return False
    if model.layers[-1].units == 1:
        return model.layers[-1].activation.name == "sigmoid"
    return bool((targets.sum(axis=1) == 1.0).all())


def accuracy(p: Array, y: Array) -> float:
    """The fraction of samples classified right: the largest output is the target's class, or
    for a single output unit, the output is on the target's side of 0.5."""
    if p.shape[1] == 1:
        return float(np.mean((p >= 0.5) == (y >= 0.5)))
    return float(np.mean(p.argmax(axis=1) == y.argmax(axis=1)))


def evaluate(program: Program, state: State, gradients: Mapping[Name, Array]) -> Evaluation:
    """Loss and accuracy of `state` over the whole data set, without dropout, from a forward
    pass (and the loss); and the norms of `gradients`, by parameter."""
    evaluation = program.evaluation
    with np.errstate(all="ignore"):  # ‖∞‖ overflows in the dot product: no warning
        values = evaluation.run(state, 1, evaluation.loss_index + 1)
        loss, share = program.model.score(values)
        norms = {name: float(np.linalg.norm(g)) for name, g in gradients.items()}
    return Evaluation(loss, share, norms)


def batch_gradients(values: Mapping[Name, Array], model: Model) -> State:
    """∂J/∂θ of every parameter θ, as the current iteration computed them on its batch (those
    it has computed so far, when it is stopped inside its backward pass)."""
    return {name: values[grad(name)] for name in model.parameter_names() if grad(name) in values}


def identical_rows(matrix: Array) -> list[list[int]]:
    """Groups (of two or more) of rows that are equal bit for bit — the neurons a symmetric
    initialisation never tells apart. Rows of a 1-D array are its single elements."""
    rows = matrix.reshape(len(matrix), -1)
    groups: dict[bytes, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(np.ascontiguousarray(row).tobytes(), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def layer_gradient_norms(values: State, depth: int) -> dict[int, float]:
    """‖∂J/∂W^l‖ of each layer whose grad_W the current iteration has computed so far:
    side by side, they show gradients vanishing (or not) towards the input."""
    with np.errstate(all="ignore"):  # a diverged layer's norm is inf, without a warning
        return {l: float(np.linalg.norm(values[grad(Name("W", l))])) for l in range(1, depth + 1)
                if grad(Name("W", l)) in values}


def identical_neurons(values: State, layer: int) -> list[list[int]]:
    """Groups of the layer's neurons with the same incoming weights and bias: they compute
    the same thing and, by symmetry, receive the same updates."""
    W, b = values[Name("W", layer)], values.get(Name("b", layer))
    return identical_rows(W if b is None else np.column_stack([W, b]))
