"""What every bench measures against: training a dense network as a textbook NumPy loop —
the same math as stepnet, with no engine and no bookkeeping: the NumPy floor.

A network is its parameters [W1, b1, W2, b2, …], the activation of its hidden layers
("relu" or "sigmoid") and its output: "softmax" with cross-entropy (δ^L = (p − y)/B) or
"sigmoid" with ½Σ(p − y)². Batches are taken in file order, wrapping around; the loss is
the mean over the batch of the per-sample loss, as in stepnet's scenarios. Two update
rules: SGD, and Adam as published (Kingma & Ba, "Adam: A Method for Stochastic
Optimization", 2015, Algorithm 1).

The formulas are the ones stepnet's definitions use (σ in the form that cannot overflow,
each product grouped as stepnet groups it), so both compute the same numbers bit for bit
and a ratio of times measures the engine alone; `bench/engine.py` checks the bits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
EPS = 1e-12  # probabilities are clipped to [EPS, 1 − EPS] inside the logarithm


@dataclass(frozen=True)
class Net:
    hidden: str  # "relu" or "sigmoid"
    output: str  # "softmax" (with cross-entropy) or "sigmoid" (with ½Σ(p − y)²)
    #: which of [W1, b1, W2, b2, …] are updated (Mazur's biases are not)
    trained: tuple[bool, ...]


def sigmoid(z: Array) -> Array:
    """1/(1 + e^−z) for z ≥ 0 and e^z/(1 + e^z) below: e^−|z| never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(x: Array, params: Sequence[Array], net: Net) -> tuple[list[Array], list[Array]]:
    """Every layer's z, and the activations a0 = x, a1, …, aL."""
    zs, activations = [], [x]
    depth = len(params) // 2
    for l in range(depth):
        z = activations[-1] @ params[2 * l].T + params[2 * l + 1]
        zs.append(z)
        if l == depth - 1:
            activations.append(softmax(z) if net.output == "softmax" else sigmoid(z))
        else:
            activations.append(np.maximum(z, 0) if net.hidden == "relu" else sigmoid(z))
    return zs, activations


def loss(p: Array, y: Array, net: Net) -> float:
    """The mean over the samples of the per-sample loss."""
    if net.output == "softmax":
        per_sample = -np.sum(y * np.log(np.clip(p, EPS, 1.0 - EPS)), axis=1)
    else:
        per_sample = 0.5 * np.sum((p - y) ** 2, axis=1)
    return float(per_sample.sum() / len(p))


def gradients(x: Array, y: Array, params: Sequence[Array], net: Net) -> tuple[float, list[Array]]:
    """The batch's loss and ∂J/∂θ of every parameter, by backpropagation."""
    zs, a = forward(x, params, net)
    p = a[-1]
    delta = (p - y) / len(x) if net.output == "softmax" else (p - y) / len(x) * (p * (1.0 - p))
    grads: list[Array] = [np.empty(0)] * len(params)
    for l in range(len(zs) - 1, -1, -1):
        grads[2 * l], grads[2 * l + 1] = delta.T @ a[l], delta.sum(axis=0)
        if l:
            below = (zs[l - 1] > 0) if net.hidden == "relu" else a[l] * (1.0 - a[l])
            delta = (delta @ params[2 * l]) * below
    return loss(p, y, net), grads


def batches(x: Array, y: Array, batch: int, iterations: int):  # noqa: ANN201
    """The batches of `iterations` iterations, in file order, wrapping around."""
    count = -(-len(x) // batch)
    for k in range(iterations):
        start = (k % count) * batch
        yield x[start:start + batch], y[start:start + batch]


def sgd(params: list[Array], x: Array, y: Array, batch: int, iterations: int, lr: float, net: Net) -> list[Array]:
    for xb, yb in batches(x, y, batch, iterations):
        _, grads = gradients(xb, yb, params, net)
        params = [p - lr * g if t else p for p, g, t in zip(params, grads, net.trained)]
    return params


def adam(params: list[Array], x: Array, y: Array, batch: int, iterations: int, lr: float, net: Net,
         beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8) -> list[Array]:
    """Algorithm 1 of the paper: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ),
    v̂ = v/(1 − β₂ᵗ), θ ← θ − α·m̂/(√v̂ + ε)."""
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for k, (xb, yb) in enumerate(batches(x, y, batch, iterations), start=1):
        t = np.int64(k)  # βᵗ by NumPy's power, as in stepnet, where t is an array
        _, grads = gradients(xb, yb, params, net)
        for i, g in enumerate(grads):
            if not net.trained[i]:
                continue
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            m_hat, v_hat = m[i] / (1.0 - beta1 ** t), v[i] / (1.0 - beta2 ** t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return params


RULES = {"sgd": sgd, "adam": adam}


def evaluate(x: Array, y: Array, params: Sequence[Array], net: Net) -> tuple[float, float]:
    """Loss and accuracy (argmax against the one-hot target) over all samples: a forward pass."""
    p = forward(x, params, net)[1][-1]
    return loss(p, y, net), float(np.mean(p.argmax(axis=1) == y.argmax(axis=1)))
