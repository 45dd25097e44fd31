"""The equations of backpropagation, one NumPy line each.

Both the op-by-op program and the fast path call these, so the two agree bit for bit.
Nothing here mutates its arguments: every call returns a new array.
"""

from __future__ import annotations

import numpy as np

from stepnet.engine.activations import Activation
from stepnet.engine.losses import Loss, batch_divisor

Array = np.ndarray


def weighted_sum(a_prev: Array, W: Array, b: Array | None = None) -> Array:
    """z = a_prev·Wᵀ + b"""
    z = a_prev @ W.T
    return z if b is None else z + b


def dropout(a: Array, mask: Array) -> Array:
    """a ⊙ m: dropped units are 0, kept ones scaled by 1/(1 − p) (inverted dropout)"""
    return a * mask


def output_gradient(loss: Loss, reduction: str, p: Array, y: Array) -> Array:
    """∂J/∂a^L = ∂ℓ/∂p, divided by B for the mean over the batch."""
    return loss.grad(p, y) / batch_divisor(len(p), reduction)


def fused_delta(reduction: str, p: Array, y: Array) -> Array:
    """δ^L = (p − y)/B for softmax with cross-entropy."""
    return (p - y) / batch_divisor(len(p), reduction)


def delta(grad_a: Array, dact: Array, act: Activation) -> Array:
    """δ = ∂J/∂a ⊙ f′(z); through the Jacobian for softmax: δ_i = Σ_j ∂J/∂a_j·∂a_j/∂z_i."""
    if act.elementwise:
        return grad_a * dact
    return np.einsum("sij,sj->si", dact, grad_a)


def grad_weights(delta: Array, a_prev: Array) -> Array:
    """∂J/∂W = δᵀ·a_prev (summed over the batch)"""
    return delta.T @ a_prev


def grad_bias(delta: Array) -> Array:
    """∂J/∂b = Σ_s δ_s"""
    return delta.sum(axis=0)


def grad_previous(delta: Array, W: Array) -> Array:
    """∂J/∂a_prev = δ·W"""
    return delta @ W


def sgd(param: Array, grad: Array, learning_rate: float) -> Array:
    """θ ← θ − η·∂J/∂θ"""
    return param - learning_rate * grad


def velocity(v: Array, grad: Array, learning_rate: float, momentum: float) -> Array:
    """V ← μV − η·∂J/∂θ"""
    return momentum * v - learning_rate * grad


def apply_velocity(param: Array, v: Array) -> Array:
    """θ ← θ + V"""
    return param + v
