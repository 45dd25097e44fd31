"""The lesson scenarios show what their descriptions say: symmetry and vanishing gradients."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import SCENARIOS
from stepnet import scenario
from stepnet.engine.debugger import Debugger
from stepnet.engine.model import Dataset
from stepnet.engine.names import Name
from stepnet.engine.program import build_program


def hidden_rows_identical(model, state, x) -> bool:
    """Every row of W1 and entry of b1 equal, so every hidden unit's activation is too."""
    W1, b1 = state[Name("W", 1)], state[Name("b", 1)]
    program = build_program(model, Dataset(x, np.zeros((len(x), model.layers[-1].units)), len(x)))
    a1 = program.run(state, 1, program.loss_index)[Name("a", 1)]
    return bool((W1 == W1[0]).all() and (b1 == b1[0]).all() and (a1 == a1[:, :1]).all())


def test_zero_initialisation_keeps_hidden_neurons_identical():
    s = scenario.load(SCENARIOS / "symmetry.toml")
    d = s.debugger()
    d.run_iterations(1)
    # iteration 1: W2 = 0 passes no gradient down, and every hidden unit outputs σ(0)
    assert not d.parameters()[Name.parse("W1")].any()
    W2 = d.parameters()[Name.parse("W2")]
    assert W2.any() and (W2 == W2[:, :1]).all()
    d.run_iterations(299)
    state = d.parameters()
    assert np.abs(state[Name.parse("W1")]).max() > 0.1  # it did learn something …
    assert hidden_rows_identical(s.model, state, s.data.inputs)  # … the same in every neuron
    assert (state[Name.parse("W2")] == state[Name.parse("W2")][:, :1]).all()


def test_random_initialisation_breaks_the_symmetry():
    """The check above can fail: the same network from random weights has distinct neurons."""
    s = scenario.load(SCENARIOS / "symmetry.toml")
    rng = np.random.default_rng(0)
    initial = {k: rng.normal(0, 0.5, v.shape) for k, v in s.model.initial.items()}
    d = Debugger(dataclasses.replace(s.model, initial=initial), s.data)
    d.run_iterations(300)
    assert not hidden_rows_identical(s.model, d.parameters(), s.data.inputs)


def deltas_by_hand(model, state, x, y) -> list[np.ndarray]:
    """delta1 … deltaL of a half-SSE network with a linear output, without the engine."""
    acts = {"sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
            "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0)}
    a, zs = [x], []
    for l, layer in enumerate(model.layers, start=1):
        zs.append(a[-1] @ state[Name.parse(f"W{l}")].T + state[Name.parse(f"b{l}")])
        name = layer.activation.name
        a.append(zs[-1] if name == "identity" else acts[name][0](zs[-1]))
    deltas = [(a[-1] - y) / len(x)]  # identity output, ½Σ(p − y)², mean over the batch
    for l in range(model.depth - 1, 0, -1):
        df = acts[model.layers[l - 1].activation.name][1]
        deltas.insert(0, (deltas[0] @ state[Name.parse(f"W{l + 1}")]) * df(zs[l - 1]))
    return deltas


def mean_abs_deltas(file: str) -> list[float]:
    s = scenario.load(SCENARIOS / file)
    d = s.debugger()
    d.goto(d.n_ops)  # the whole first iteration, op by op
    expected = deltas_by_hand(s.model, s.model.initial, s.data.inputs, s.data.targets)
    for l, delta in enumerate(expected, start=1):
        np.testing.assert_allclose(d.values[Name.parse(f"delta{l}")], delta, rtol=1e-10, atol=1e-300)
    return [float(np.abs(delta).mean()) for delta in expected]


def test_sigmoid_deltas_shrink_layer_by_layer_towards_the_input():
    m = mean_abs_deltas("vanishing.toml")
    hidden = m[:-1]
    assert all(lower < upper for lower, upper in zip(hidden, hidden[1:]))
    assert hidden[0] / hidden[-1] < 1e-2


def test_relu_deltas_keep_their_size():
    sigmoid, relu = mean_abs_deltas("vanishing.toml"), mean_abs_deltas("vanishing_relu.toml")
    assert relu[0] / relu[-2] > 0.1
    assert relu[0] / relu[-2] > 100 * sigmoid[0] / sigmoid[-2]


def test_identical_rows_groups_equal_neurons():
    from stepnet.engine.metrics import identical_rows

    W = np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert identical_rows(W) == [[0, 2], [1, 3]]
    assert identical_rows(np.array([0.5, 0.5, 0.7])) == [[0, 1]]
    assert identical_rows(np.eye(3)) == []
    d = scenario.load(SCENARIOS / "symmetry.toml").debugger()
    d.run_iterations(20)
    hidden = d.model.layers[0].units
    assert identical_rows(d.values[Name.parse("W1")]) == [list(range(hidden))]
    assert identical_rows(d.values[Name.parse("a1")].T) == [list(range(hidden))]  # the units' activations too


def test_layer_gradient_norms_and_identical_neurons_read_the_state():
    from stepnet.engine.metrics import identical_neurons, layer_gradient_norms

    d = scenario.load(SCENARIOS / "vanishing.toml").debugger()
    depth = d.model.depth
    assert layer_gradient_norms(d.values, depth) == {}  # nothing computed yet
    d.goto(d.n_ops)
    norms = layer_gradient_norms(d.values, depth)
    assert sorted(norms) == list(range(1, depth + 1))
    assert norms[1] == pytest.approx(np.sqrt((d.values[Name.parse("grad_W1")] ** 2).sum()))
    assert norms[1] < 1e-2 * norms[depth]  # vanishing: the input side gets far less

    values = {Name("W", 1): np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]), Name("b", 1): np.array([0.0, 0.0, 0.5])}
    assert identical_neurons(values, 1) == [[0, 1]]  # neuron 2 differs by its bias
    assert identical_neurons({Name("W", 1): values[Name("W", 1)]}, 1) == [[0, 1, 2]]
