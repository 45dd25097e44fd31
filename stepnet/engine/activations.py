"""Activation functions: a = f(z) and the derivative f′ the backward pass multiplies by.

Each activation carries its symbol and its derivative as a template in terms of one
element's `z` and `a`, so a step can be written out with the numbers substituted.
Softmax is the one activation whose derivative is a Jacobian, not elementwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    name: str
    symbol: str
    f: Callable[[Array], Array]
    #: f′ from the layer's z and a (whichever the closed form is cheaper in)
    df: Callable[[Array, Array], Array]
    #: f′ of one element, with `{z}` and `{a}` placeholders: "{a}·(1 − {a})"
    df_template: str
    elementwise: bool = True
    #: leaky_relu's slope below zero, for the formulas that print it
    negative_slope: float | None = None

    def derivative_text(self, z: str, a: str) -> str:
        return self.df_template.format(z=z, a=a)


def _sigmoid(z: Array) -> Array:
    # exp of −|z| never overflows: σ(z) = 1/(1+e^−z) for z ≥ 0, e^z/(1+e^z) below.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian(a: Array) -> Array:
    """J[s, i, j] = ∂a_j/∂z_i = a_i·(δ_ij − a_j) for each sample s."""
    return a[:, :, None] * (np.eye(a.shape[1])[None, :, :] - a[:, None, :])


SIGMOID = Activation("sigmoid", "σ", _sigmoid, lambda z, a: a * (1.0 - a), "{a}·(1 − {a})")
TANH = Activation("tanh", "tanh", np.tanh, lambda z, a: 1.0 - a * a, "1 − {a}²")
RELU = Activation(
    "relu", "ReLU", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float), "[{z} > 0]"
)
IDENTITY = Activation("identity", "id", lambda z: z, lambda z, a: np.ones_like(z), "1")
SOFTMAX = Activation(
    "softmax", "softmax", _softmax, lambda z, a: softmax_jacobian(a), "{a}·(δ − a)", elementwise=False
)


def leaky_relu(negative_slope: float = 0.01) -> Activation:
    s = float(negative_slope)
    return Activation(
        "leaky_relu",
        "LeakyReLU",
        lambda z: np.where(z > 0, z, s * z),
        lambda z, a: np.where(z > 0, 1.0, s),
        f"(1 if {{z}} > 0 else {s:g})",
        negative_slope=s,
    )


NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax")


def activation(name: str, negative_slope: float = 0.01) -> Activation:
    """The activation called `name` in a scenario."""
    if name == "leaky_relu":
        return leaky_relu(negative_slope)
    return {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "identity": IDENTITY, "softmax": SOFTMAX}[
        name
    ]
