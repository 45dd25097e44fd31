"""Loss functions: the per-sample loss ℓ(p, y) and its gradient ∂ℓ/∂p.

The cost J of a batch reduces ℓ over its samples (mean or sum); `reduce` and
`reduce_grad` apply that reduction so ∂J/∂a^L = ∂ℓ/∂p / B for the mean.
Logarithms take p clipped to [EPS, 1 − EPS] so log(0) never happens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

#: probabilities are clipped to [EPS, 1 − EPS] inside logarithms and their gradients
EPS = 1e-12


@dataclass(frozen=True)
class Loss:
    name: str
    #: ℓ for one sample, in the symbols of the screen (p: prediction, y: target)
    formula: str
    per_sample: Callable[[Array, Array], Array]
    grad: Callable[[Array, Array], Array]
    #: ∂ℓ/∂p of one element with `{p}`, `{y}`, `{n}` placeholders
    grad_template: str
    #: one element's term of ℓ with `{p}`, `{y}` placeholders, and the factor in front of Σ
    term_template: str
    prefix: str = ""
    needs_probabilities: bool = False


def _clip(p: Array) -> Array:
    return np.clip(p, EPS, 1.0 - EPS)


HALF_SSE = Loss(
    "half_sse", "½Σⱼ(pⱼ − yⱼ)²",
    lambda p, y: 0.5 * np.sum((p - y) ** 2, axis=1),
    lambda p, y: p - y,
    "{p} − {y}", "({p} − {y})²", prefix="½·",
)
SSE = Loss(
    "sse", "Σⱼ(pⱼ − yⱼ)²",
    lambda p, y: np.sum((p - y) ** 2, axis=1),
    lambda p, y: 2.0 * (p - y),
    "2·({p} − {y})", "({p} − {y})²",
)
MSE = Loss(
    "mse", "(1/n)Σⱼ(pⱼ − yⱼ)²",
    lambda p, y: np.mean((p - y) ** 2, axis=1),
    lambda p, y: 2.0 * (p - y) / p.shape[1],
    "2·({p} − {y})/{n}", "({p} − {y})²", prefix="(1/n)·",
)
CROSS_ENTROPY = Loss(
    "cross_entropy", "−Σⱼ yⱼ·log pⱼ",
    lambda p, y: -np.sum(y * np.log(_clip(p)), axis=1),
    lambda p, y: -y / _clip(p),
    "−{y}/{p}", "{y}·log {p}", prefix="−", needs_probabilities=True,
)
BINARY_CROSS_ENTROPY = Loss(
    "binary_cross_entropy", "−Σⱼ[yⱼ·log pⱼ + (1 − yⱼ)·log(1 − pⱼ)]",
    lambda p, y: -np.sum(y * np.log(_clip(p)) + (1.0 - y) * np.log(1.0 - _clip(p)), axis=1),
    lambda p, y: (_clip(p) - y) / (_clip(p) * (1.0 - _clip(p))),
    "({p} − {y})/({p}·(1 − {p}))", "[{y}·log {p} + (1 − {y})·log(1 − {p})]",
    prefix="−", needs_probabilities=True,
)

LOSSES = {loss.name: loss for loss in (HALF_SSE, SSE, MSE, CROSS_ENTROPY, BINARY_CROSS_ENTROPY)}
REDUCTIONS = ("mean", "sum")


def batch_divisor(batch: int, reduction: str) -> float:
    """B for the mean over a batch, 1 for the sum."""
    return float(batch) if reduction == "mean" else 1.0


def reduce(per_sample: Array, reduction: str) -> float:
    return float(per_sample.sum() / batch_divisor(len(per_sample), reduction))
