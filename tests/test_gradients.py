"""Backprop against finite differences for every activation × loss × bias × batch size."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from conftest import make_data, make_debugger, make_model
from stepnet.engine import fastpath
from stepnet.engine.activations import NAMES
from stepnet.engine.gradcheck import gradient_check
from stepnet.engine.losses import LOSSES

HIDDEN = [a for a in NAMES if a != "softmax"]


def combos():
    for hidden, output, loss, bias, batch in itertools.product(
        HIDDEN, NAMES, LOSSES, (True, False), (1, 3)
    ):
        if LOSSES[loss].needs_probabilities and output not in ("softmax", "sigmoid"):
            continue
        yield hidden, output, loss, bias, batch


@pytest.mark.parametrize("hidden,output,loss,bias,batch", list(combos()))
def test_backprop_matches_finite_differences(hidden, output, loss, bias, batch):
    model = make_model([3, 4, 3], [hidden, output], loss=loss, bias=bias)
    x, y = make_data(model, batch, batch).batch(1)
    for r in gradient_check(model, model.initial_state(), x, y, eps=1e-6):
        assert r.passes(), (r.name, r.relative_error, r.excess_error, r.numeric, r.backprop)


def test_independent_finite_difference_on_one_weight():
    """A difference quotient computed here from the forward pass, not by gradcheck."""
    model = make_model([2, 3, 2], ["tanh", "softmax"], loss="cross_entropy")
    x, y = make_data(model, 4, 4).batch(1)
    state = model.initial_state()
    _, grads = fastpath.gradients(model, state, x, y)

    def J(W1):
        h = np.tanh(x @ W1.T + state["b1"])
        z = h @ state["W2"].T + state["b2"]
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return -np.mean(np.sum(y * np.log(p), axis=1))

    h = 1e-6
    E = np.zeros_like(state["W1"])
    E[1, 0] = h
    numeric = (J(state["W1"] + E) - J(state["W1"] - E)) / (2 * h)
    assert grads["W1"][1, 0] == pytest.approx(numeric, rel=1e-7)


def test_gradcheck_flags_a_wrong_gradient(monkeypatch):
    """The check can fail: break ∂J/∂W and it must notice."""
    model = make_model([2, 3, 1], ["sigmoid", "sigmoid"])
    x, y = make_data(model, 2, 2).batch(1)
    real = fastpath.gradients

    def wrong(*args):
        J, grads = real(*args)
        grads["W1"] = grads["W1"] * 1.01
        return J, grads

    monkeypatch.setattr(fastpath, "gradients", wrong)
    worst = {r.name: r.relative_error for r in gradient_check(model, model.initial_state(), x, y)}
    assert worst["W1"] > 1e-3 and worst["W2"] < 1e-6


def test_relu_derivative_at_zero_is_zero():
    from stepnet.engine.activations import RELU

    z = np.array([[-1.0, 0.0, 2.0]])
    assert RELU.df(z, RELU.f(z)).tolist() == [[0.0, 0.0, 1.0]]


def test_softmax_without_cross_entropy_goes_through_the_jacobian():
    model = make_model([2, 3], ["softmax"], loss="mse")
    d = make_debugger(model, 2, 2)
    d.goto(d.n_ops)
    kinds = [op.kind for op in d.ops]
    assert "dact" in kinds and d.values["dact1"].shape == (2, 3, 3)
    a = d.values["a1"][0]
    np.testing.assert_allclose(d.values["dact1"][0], np.diag(a) - np.outer(a, a), rtol=1e-14)


def test_softmax_with_cross_entropy_is_one_fused_step():
    model = make_model([2, 3], ["softmax"], loss="cross_entropy")
    d = make_debugger(model, 4, 4)
    d.goto(d.n_ops)
    outputs = [op.output for op in d.ops]
    assert "grad_a1" not in outputs and "dact1" not in outputs
    fused = next(op for op in d.ops if op.output == "delta1")
    assert "fused" in fused.formula
    np.testing.assert_allclose(d.values["delta1"], (d.values["a1"] - d.values["y"]) / 4, rtol=1e-15)
