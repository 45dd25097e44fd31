"""Figures of a set of parameters over a whole data set: loss, accuracy, gradient norms.

Pure functions: they read the parameters and never change them. Evaluation runs the
forward pass without dropout masks, as at test time, so a dropout layer keeps every unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stepnet.engine import fastpath
from stepnet.engine.model import Model

Array = np.ndarray
State = dict[str, Array]


@dataclass(frozen=True)
class Evaluation:
    #: mean over the samples of the per-sample loss ℓ (whatever the scenario's reduction)
    loss: float
    #: fraction of samples whose largest output is the target's class; None if not classifying
    accuracy: float | None
    #: ‖∂J/∂θ‖ (Frobenius) of every parameter, J the model's cost over the whole data set
    gradient_norms: dict[str, float]


def is_classification(model: Model, targets: Array) -> bool:
    """More than one output unit and one-hot targets: argmax accuracy means something."""
    if model.layers[-1].units < 2:
        return False
    return bool(np.isin(targets, (0.0, 1.0)).all() and (targets.sum(axis=1) == 1.0).all())


def accuracy(p: Array, y: Array) -> float:
    """The fraction of rows where argmax of the prediction equals argmax of the target."""
    return float(np.mean(p.argmax(axis=1) == y.argmax(axis=1)))


def gradient_norms(grads: State) -> dict[str, float]:
    return {name: float(np.linalg.norm(g)) for name, g in grads.items()}


def evaluate(model: Model, state: State, x: Array, y: Array) -> Evaluation:
    """Loss, accuracy and gradient norms of `state` on the samples (x, y), without dropout."""
    with np.errstate(all="ignore"):
        zs, a = fastpath.forward(model, state, x)
        J, grads = fastpath.backward(model, state, zs, a, y)
        norms = gradient_norms(grads)  # ‖∞‖ overflows in the dot product: no warning
    p = a[-1]
    loss = float(J) / (len(x) if model.reduction == "sum" else 1)
    return Evaluation(loss, accuracy(p, y) if is_classification(model, y) else None,
                      {name: norms[name] for name in model.parameter_names()})


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
        return {l: float(np.linalg.norm(values[f"grad_W{l}"])) for l in range(1, depth + 1)
                if f"grad_W{l}" in values}


def identical_neurons(values: State, layer: int) -> list[list[int]]:
    """Groups of the layer's neurons with the same incoming weights and bias: they compute
    the same thing and, by symmetry, receive the same updates."""
    W, b = values[f"W{layer}"], values.get(f"b{layer}")
    return identical_rows(W if b is None else np.column_stack([W, b]))
