"""Losses and activations against their textbook formulas, written out element by element.

The gradient check compares backprop with differences of the engine's own loss; these
tests pin the loss and the activations themselves to the formulas in the docs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.losses import LOSSES, reduce

P = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]]
HUBER_DELTA = 0.25
Y = [[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]]


def by_hand(name: str, p: list[float], y: list[float]) -> tuple[float, list[float]]:
    """ℓ(p, y) and ∂ℓ/∂p of one sample, from the formulas in docs/scenario-format.md."""
    n = len(p)
    if name == "half_sse":
        return sum(0.5 * (a - b) ** 2 for a, b in zip(p, y)), [a - b for a, b in zip(p, y)]
    if name == "sse":
        return sum((a - b) ** 2 for a, b in zip(p, y)), [2 * (a - b) for a, b in zip(p, y)]
    if name == "mse":
        return sum((a - b) ** 2 for a, b in zip(p, y)) / n, [2 * (a - b) / n for a, b in zip(p, y)]
    if name == "cross_entropy":
        return -sum(b * math.log(a) for a, b in zip(p, y)), [-b / a for a, b in zip(p, y)]
    if name == "mae":
        sign = lambda r: (r > 0) - (r < 0)  # noqa: E731
        return sum(abs(a - b) for a, b in zip(p, y)) / n, [sign(a - b) / n for a, b in zip(p, y)]
    if name == "huber":  # δ = HUBER_DELTA: the residuals of P − Y fall on both sides of it
        d = HUBER_DELTA
        return (sum(0.5 * (a - b) ** 2 if abs(a - b) <= d else d * (abs(a - b) - d / 2) for a, b in zip(p, y)),
                [a - b if abs(a - b) <= d else d * (1 if a > b else -1) for a, b in zip(p, y)])
    if name == "output":  # the output itself, whatever the targets
        return sum(p), [1.0] * n
    assert name == "binary_cross_entropy"
    return (-sum(b * math.log(a) + (1 - b) * math.log(1 - a) for a, b in zip(p, y)),
            [-b / a + (1 - b) / (1 - a) for a, b in zip(p, y)])


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_and_its_gradient_follow_the_formula(name):
    loss = LOSSES.make(name, {"delta": HUBER_DELTA} if name == "huber" else {})
    p, y = np.array(P), np.array(Y)
    values, grads = zip(*(by_hand(name, ps, ys) for ps, ys in zip(P, Y)))
    np.testing.assert_allclose(loss.per_sample(p, y), values, rtol=1e-13)
    np.testing.assert_allclose(loss.grad(p, y), grads, rtol=1e-13)
    assert reduce(loss.per_sample(p, y), "mean") == pytest.approx(sum(values) / 2, rel=1e-13)
    assert reduce(loss.per_sample(p, y), "sum") == pytest.approx(sum(values), rel=1e-13)


Z = [-3.0, -0.5, 0.0, 0.25, 2.0]


@pytest.mark.parametrize("name, f, df", [
    ("sigmoid", lambda z: 1 / (1 + math.exp(-z)), lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
    ("tanh", math.tanh, lambda z: 1 / math.cosh(z) ** 2),
    ("relu", lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    ("leaky_relu", lambda z: z if z > 0 else 0.05 * z, lambda z: 1.0 if z > 0 else 0.05),
    ("identity", lambda z: z, lambda z: 1.0),
    ("softplus", lambda z: math.log(1 + math.exp(z)), lambda z: 1 / (1 + math.exp(-z))),
    ("elu", lambda z: z if z > 0 else 0.7 * (math.exp(z) - 1), lambda z: 1.0 if z > 0 else 0.7 * math.exp(z)),
    ("silu", lambda z: z / (1 + math.exp(-z)),
     lambda z: 1 / (1 + math.exp(-z)) + z * math.exp(-z) / (1 + math.exp(-z)) ** 2),
])
def test_elementwise_activations_and_derivatives(name, f, df):
    act = ACTIVATIONS.make(name, {"leaky_relu": {"negative_slope": 0.05}, "elu": {"alpha": 0.7}}.get(name))
    z = np.array([Z])
    a = act.f(z)
    np.testing.assert_allclose(a, [[f(v) for v in Z]], rtol=1e-14)
    np.testing.assert_allclose(act.df(z, a), [[df(v) for v in Z]], rtol=1e-12)


def test_softmax_and_its_jacobian():
    act = ACTIVATIONS.make("softmax")
    z = np.array([Z])
    total = sum(math.exp(v) for v in Z)
    p = [math.exp(v) / total for v in Z]
    a = act.f(z)
    np.testing.assert_allclose(a[0], p, rtol=1e-14)
    jacobian = [[p[i] * ((i == j) - p[j]) for j in range(len(Z))] for i in range(len(Z))]
    np.testing.assert_allclose(act.df(z, a)[0], jacobian, rtol=1e-12, atol=1e-16)


def test_sigmoid_does_not_overflow_far_from_zero():
    a = ACTIVATIONS.make("sigmoid").f(np.array([[-1000.0, 1000.0]]))
    assert a.tolist() == [[0.0, 1.0]]


def test_softplus_elu_and_silu_stay_finite_far_from_zero(recwarn):
    z = np.array([[-1000.0, 1000.0]])
    assert ACTIVATIONS.make("softplus").f(z).tolist() == [[0.0, 1000.0]]
    assert ACTIVATIONS.make("elu").f(z).tolist() == [[-1.0, 1000.0]]
    assert ACTIVATIONS.make("silu").f(z).tolist() == [[-0.0, 1000.0]]
    assert not recwarn.list  # no overflow in a branch np.where does not take


def test_softplus_keeps_its_digits_near_zero():
    """log(1 + e^z) for z = −40 is e^−40 (to 1e−35 relative), not the 0 that log(1 + exp(z))
    rounds it to."""
    assert ACTIVATIONS.make("softplus").f(np.array([-40.0]))[0] == pytest.approx(math.exp(-40), rel=1e-15)
