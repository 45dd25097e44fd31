"""Backprop against finite differences for every activation × loss × bias × batch size."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from conftest import make_data, make_debugger, make_model
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.gradcheck import gradient_check
from stepnet.engine.losses import LOSSES
from stepnet.engine.program import Program, build_program
from stepnet.engine.names import Name

NAMES = list(ACTIVATIONS)


def combos():
    """Every activation × loss × bias × batch size: the activation in both layers where the
    loss allows it at the output (softmax, an output activation, under a tanh layer), else
    under it with a sigmoid output for the losses that need probabilities."""
    for act, loss, bias, batch in itertools.product(NAMES, LOSSES, (True, False), (1, 3)):
        hidden = "tanh" if act == "softmax" else act
        output = act if not LOSSES.make(loss).needs_probabilities or act in ("softmax", "sigmoid") else "sigmoid"
        yield hidden, output, loss, bias, batch


@pytest.mark.parametrize("hidden,output,loss,bias,batch", list(combos()))
def test_backprop_matches_finite_differences(hidden, output, loss, bias, batch):
    model = make_model([3, 4, 3], [hidden, output], loss=loss, bias=bias)
    program = build_program(model, make_data(model, batch, batch))
    for r in gradient_check(program, model.initial_state(), 1, eps=1e-6):
        assert r.passes() and r.at_kink == 0, (r.name, r.relative_error, r.excess_error, r.numeric, r.backprop)


def test_independent_finite_difference_on_one_weight():
    """A difference quotient computed here from the forward pass, not by gradcheck."""
    model = make_model([2, 3, 2], ["tanh", "softmax"], loss="cross_entropy")
    data = make_data(model, 4, 4)
    x, y = data.batch(1)
    state = model.initial_state()
    _, grads, _ = build_program(model, data).gradients(state, 1)

    def J(W1):
        h = np.tanh(x @ W1.T + state[Name.parse("b1")])
        z = h @ state[Name.parse("W2")].T + state[Name.parse("b2")]
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return -np.mean(np.sum(y * np.log(p), axis=1))

    h = 1e-6
    E = np.zeros_like(state[Name.parse("W1")])
    E[1, 0] = h
    numeric = (J(state[Name.parse("W1")] + E) - J(state[Name.parse("W1")] - E)) / (2 * h)
    assert grads[Name.parse("W1")][1, 0] == pytest.approx(numeric, rel=1e-7)


def test_gradcheck_flags_a_wrong_gradient(monkeypatch):
    """The check can fail: break ∂J/∂W and it must notice."""
    model = make_model([2, 3, 1], ["sigmoid", "sigmoid"])
    program = build_program(model, make_data(model, 2, 2))
    real = Program.gradients

    def wrong(*args):
        J, grads, values = real(*args)
        grads[Name("W", 1)] = grads[Name("W", 1)] * 1.01
        return J, grads, values

    monkeypatch.setattr(Program, "gradients", wrong)
    worst = {str(r.name): r.relative_error for r in gradient_check(program, model.initial_state(), 1)}
    assert worst["W1"] > 1e-3 and worst["W2"] < 1e-6


def test_relu_derivative_at_zero_is_zero():
    RELU = ACTIVATIONS.make("relu")
    z = np.array([[-1.0, 0.0, 2.0]])
    assert RELU.df(z, RELU.f(z)).tolist() == [[0.0, 0.0, 1.0]]


def test_softmax_without_cross_entropy_goes_through_the_jacobian():
    model = make_model([2, 3], ["softmax"], loss="mse")
    d = make_debugger(model, 2, 2)
    d.goto(d.n_ops)
    kinds = [op.kind for op in d.ops]
    assert "dact" in kinds and d.values[Name.parse("dact1")].shape == (2, 3, 3)
    a = d.values[Name.parse("a1")][0]
    np.testing.assert_allclose(d.values[Name.parse("dact1")][0], np.diag(a) - np.outer(a, a), rtol=1e-14)


def test_softmax_with_cross_entropy_is_one_fused_step():
    model = make_model([2, 3], ["softmax"], loss="cross_entropy")
    d = make_debugger(model, 4, 4)
    d.goto(d.n_ops)
    outputs = [str(op.output) for op in d.ops]
    assert "grad_a1" not in outputs and "dact1" not in outputs
    fused = next(op for op in d.ops if str(op.output) == "delta1")
    assert "fused" in fused.formula
    np.testing.assert_allclose(d.values[Name.parse("delta1")], (d.values[Name.parse("a1")] - d.values[Name.parse("y")]) / 4, rtol=1e-15)


KINK = """\
title = "A ReLU exactly at its kink"

[network]
inputs = 2

[[network.layers]]
units = 2
activation = "relu"
weights = [[0.5, -0.3], [0.2, 0.8]]
bias = 0.0

[[network.layers]]
units = 1
activation = "identity"
weights = [[0.7, -0.4]]

[loss]
kind = "half_sse"

[optimizer]
learning_rate = 0.1

[data]
inputs = [[0.0, 0.0]]
targets = [[1.0]]
"""


def test_an_element_whose_shift_crosses_a_relu_kink_is_counted_not_judged(tmp_path, capsys):
    """With x = 0 and b1 = 0, z1 is exactly 0: moving b1 by ±ε puts it on either side of the
    kink, and the difference quotient is neither ReLU′(0) = 0 nor 1."""
    from stepnet import cli
    from stepnet import scenario as scenario_file

    path = tmp_path / "kink.toml"
    path.write_text(KINK)
    s = scenario_file.load(path)
    eps = 1e-6
    # J(b1[0] ± ε) by hand: only the positive side passes through the ReLU
    p = lambda b: 0.7 * max(b, 0.0) + s.model.initial[Name("b", 2)][0]  # noqa: E731
    numeric = (0.5 * (p(eps) - 1) ** 2 - 0.5 * (p(-eps) - 1) ** 2) / (2 * eps)
    assert abs(numeric) > 0.1  # what a judged element would be compared with backprop's 0
    results = {str(r.name): r for r in s.debugger().gradient_check(eps)}
    assert results["b1"].at_kink == 2 and results["b1"].worst_index == ()
    assert results["W1"].at_kink == 0 and results["W1"].passes()  # x = 0: z1 does not move
    assert cli.main(["gradcheck", str(path)]) == 0
    out = capsys.readouterr().out
    assert "– b1" in out and "not judged" in out
    # each row's judged error beside the tolerance it is held to, under one heading
    assert "judged: beyond rounding" in out and re.search(r"✓ W1 .* \d\.\d\de[-+]\d\d ≤ 1e-05 ", out)
    assert "8·ε_machine·max(1, |J|)/ε" in out and "/h" not in out


def test_gradcheck_of_a_graph_judges_its_scalar_leaves(capsys):
    """A graph's leaves are scalars: their index is (), and each is judged all the same."""
    from stepnet import cli

    assert cli.main(["gradcheck", "micrograd"]) == 0
    out = capsys.readouterr().out
    assert "✓ a " in out and "✓ b " in out and "not judged" not in out
    assert "2 of 2 parameters within" in out


def test_a_large_parameter_is_checked_at_a_seeded_sample_of_its_elements():
    # W1 of 5 × 4 = 20 elements, at most 3 checked: those of the seeded draw of 3 of the 20
    # flat indices, without repeats (the documented sampling), the same for the same seed
    model = make_model([4, 5, 2], ["tanh", "sigmoid"])
    program = build_program(model, make_data(model, 3, 3))
    state = model.initial_state()
    by_seed = {seed: {str(r.name): r for r in gradient_check(program, state, 1, max_elements=3, seed=seed)}
               for seed in (0, 1)}
    default = {str(r.name): r for r in gradient_check(program, state, 1, max_elements=3)}
    assert default == by_seed[0] != by_seed[1]
    w1 = default["W1"]
    assert (w1.checked, w1.size, default["b2"].checked, default["b2"].size) == (3, 20, 2, 2)
    drawn = np.sort(np.random.default_rng(0).choice(20, 3, replace=False))
    assert w1.worst_index in [tuple(int(i) for i in np.unravel_index(k, (5, 4))) for k in drawn]
    assert w1.passes() and w1.excess_error < 1e-5


def test_a_check_passes_up_to_the_tolerance_itself():
    from stepnet.engine.gradcheck import TOLERANCE, ParameterCheck

    def check(excess: float) -> ParameterCheck:
        return ParameterCheck(Name("W", 1), 1, 1, excess, (0, 0), 1.0, 1.0, excess)

    assert check(TOLERANCE).passes() and not check(2 * TOLERANCE).passes()
    assert check(0.5).passes(tolerance=0.5) and not check(0.5).passes(tolerance=0.25)
