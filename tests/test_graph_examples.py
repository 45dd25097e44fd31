"""The worked examples of computation graphs, each figure computed here by hand — plain Python,
the chain rule written out — and compared with the scenario's stated figures and with the
engine; and the network features that state the same examples: the output as the objective,
and the gradient of the input."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from conftest import make_data, make_model
from stepnet import bundled
from stepnet.cli import main
from stepnet.engine.debugger import Debugger
from stepnet.engine.expect import check
from stepnet.engine.names import Name, grad
from stepnet.export import markdown
from stepnet.scenario import load

N = Name.parse


def stated(s, name: str, iteration: int = 1) -> float:
    return float(next(e.value for e in s.expectations if str(e.name) == name and e.iteration == iteration))


def after(s, iteration: int) -> dict[Name, np.ndarray]:
    d = s.debugger()
    d.goto(iteration * d.n_ops)
    return d.values


# --- cs231n: the sigmoid neuron -----------------------------------------------------------

W, X = [2.0, -3.0, -3.0], [-1.0, -2.0]


def neuron_by_hand() -> tuple[float, dict[str, float]]:
    """cs231n's own lines: f = σ(w·x + w2), ddot = (1 − f)·f, dx = w·ddot, dw = x·ddot."""
    dot = W[0] * X[0] + W[1] * X[1] + W[2]
    f = 1.0 / (1.0 + math.exp(-dot))
    ddot = (1 - f) * f
    return f, {"w0": X[0] * ddot, "x0": W[0] * ddot, "w1": X[1] * ddot, "x1": W[1] * ddot, "w2": ddot}


def test_cs231n_circuit_matches_the_notes_and_the_closed_form(scenarios):
    s = load(scenarios / "cs231n_circuit.toml")
    f, grads = neuron_by_hand()
    values = after(s, 1)
    assert float(values[N("f")]) == pytest.approx(f, rel=1e-15)
    assert abs(stated(s, "f") - f) <= 0.005
    for leaf, g in grads.items():
        assert float(values[grad(N(leaf))]) == pytest.approx(g, rel=1e-14)
        assert abs(stated(s, f"grad_{leaf}") - g) <= 0.005  # the notes round to two decimals
    assert all(o.ok for o in check(s.debugger(), s.expectations))


NEURON = """\
title = "cs231n's neuron as a network"
[network]
inputs = 2
input_gradient = true
[[network.layers]]
units = 1
activation = "sigmoid"
weights = [[2.0, -3.0]]
bias = -3.0
[loss]
kind = "output"
[optimizer]
kind = "sgd"
learning_rate = 0.1
[data]
inputs = [[-1.0, -2.0]]
"""


def test_the_same_neuron_as_a_one_unit_network(tmp_path, scenarios):
    """The output loss (J = the output) and input_gradient (∂J/∂a⁰ = ∂f/∂x): the network
    gives the circuit's numbers, bit for bit where the operations are the same."""
    (tmp_path / "neuron.toml").write_text(NEURON)
    s = load(tmp_path / "neuron.toml")
    d = s.debugger()
    d.goto(d.program.backward_end)
    assert str(d.ops[d.program.backward_end - 1].output) == "grad_a0"  # the last backward op
    f, grads = neuron_by_hand()
    assert float(d.values[N("loss")]) == pytest.approx(f, rel=1e-15)
    np.testing.assert_allclose(d.values[N("grad_a0")], [[grads["x0"], grads["x1"]]], rtol=1e-14)
    np.testing.assert_allclose(d.values[N("grad_W1")], [[grads["w0"], grads["w1"]]], rtol=1e-14)
    np.testing.assert_allclose(d.values[N("grad_b1")], [grads["w2"]], rtol=1e-14)
    assert N("y") not in d.program.quantities  # no targets


def test_input_gradient_against_finite_differences():
    """∂J/∂a⁰ of a 3-4-2 tanh/softmax network with cross-entropy, a forward pass written here."""
    model = replace(make_model([3, 4, 2], ["tanh", "softmax"], loss="cross_entropy"), input_gradient=True)
    data = make_data(model, 3, 3)
    d = Debugger(model, data)
    d.goto(d.program.backward_end)
    x, y = data.batch(1)
    W1, b1, W2, b2 = (model.initial[N(n)] for n in ("W1", "b1", "W2", "b2"))

    def J(x):
        z = np.tanh(x @ W1.T + b1) @ W2.T + b2
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return -np.mean(np.sum(y * np.log(p), axis=1))

    h, numeric = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        numeric[i] = (J(x + e) - J(x - e)) / (2 * h)
    np.testing.assert_allclose(d.values[N("grad_a0")], numeric, rtol=1e-6, atol=1e-10)


def test_the_output_loss_is_the_sum_of_the_outputs_and_trains_on(tmp_path):
    (tmp_path / "neuron.toml").write_text(NEURON.replace("inputs = [[-1.0, -2.0]]",
                                                         "inputs = [[-1.0, -2.0], [0.5, 1.0]]\nbatch_size = 2"))
    s = load(tmp_path / "neuron.toml")
    d = s.debugger()
    d.run_iterations(3)
    x = np.array([[-1.0, -2.0], [0.5, 1.0]])
    w, b = np.array([2.0, -3.0]), -3.0
    for _ in range(3):  # J = mean over the batch of σ(w·x + b): descend it by hand
        a = 1 / (1 + np.exp(-(x @ w + b)))
        delta = a * (1 - a) / 2
        w, b = w - 0.1 * delta @ x, b - 0.1 * delta.sum()
    np.testing.assert_allclose(d.values[N("W1")], [w], rtol=1e-14)
    np.testing.assert_allclose(d.values[N("b1")], [b], rtol=1e-14)


# --- micrograd ----------------------------------------------------------------------------


def micrograd_by_hand(a: float, b: float) -> tuple[float, float, float]:
    """The README's expression and its reverse pass written out line by line (each += a use)."""
    relu = lambda v: max(v, 0.0)  # noqa: E731
    step = lambda v: 1.0 if v > 0 else 0.0  # noqa: E731
    c = a + b
    d = a * b + b**3
    c2 = c + (c + 1)
    c3 = c2 + (1 + c2 + (-a))
    d2 = d + (d * 2 + relu(b + a))
    d3 = d2 + (3 * d2 + relu(b - a))
    e = c3 - d3
    f = e**2
    g = f / 2.0 + 10.0 / f
    dg_f = 1 / 2.0 - 10.0 / f**2
    dg_e = dg_f * 2 * e
    dg_c3, dg_d3 = dg_e, -dg_e
    dg_d2 = dg_d3 * (1 + 3)
    dg_a = dg_b = 0.0
    dg_b += dg_d3 * step(b - a)
    dg_a -= dg_d3 * step(b - a)
    dg_d = dg_d2 * (1 + 2)
    dg_b += dg_d2 * step(b + a)
    dg_a += dg_d2 * step(b + a)
    dg_c2 = dg_c3 * 2
    dg_a -= dg_c3
    dg_c = dg_c2 * 2
    dg_a += dg_d * b
    dg_b += dg_d * (a + 3 * b**2)
    dg_a += dg_c
    dg_b += dg_c
    return g, dg_a, dg_b


def test_micrograd_prints_what_the_readme_prints(scenarios):
    s = load(scenarios / "micrograd.toml")
    g, dg_a, dg_b = micrograd_by_hand(-4.0, 2.0)
    assert (f"{g:.4f}", f"{dg_a:.4f}", f"{dg_b:.4f}") == ("24.7041", "138.8338", "645.5773")  # the README
    values = after(s, 1)
    assert float(values[N("g")]) == pytest.approx(g, rel=1e-14)
    assert float(values[grad(N("a"))]) == pytest.approx(dg_a, rel=1e-13)
    assert float(values[grad(N("b"))]) == pytest.approx(dg_b, rel=1e-13)
    for name, value in [("g", g), ("grad_a", dg_a), ("grad_b", dg_b)]:
        assert abs(stated(s, name) - value) <= 5e-5
    assert all(o.ok for o in check(s.debugger(), s.expectations))


def test_micrograd_accumulates_one_contribution_per_use(scenarios):
    s = load(scenarios / "micrograd.toml")
    writers = [str(op.output) for op in s.debugger().ops if op.phase == "backward"]
    assert writers.count("grad_a") == writers.count("grad_b") == 5
    assert all(writers.count(f"grad_{n}") == 2 for n in ("c", "c2", "d", "d2"))


# --- Adam by hand -------------------------------------------------------------------------


def adam_by_hand(steps: int) -> list[dict[str, float]]:
    """Kingma & Ba's algorithm 1 on f(θ) = θ², θ₀ = 1, η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8."""
    theta, m, v, rows = 1.0, 0.0, 0.0, []
    for t in range(1, steps + 1):
        g = 2 * theta
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        mhat, vhat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        theta -= 0.1 * mhat / (math.sqrt(vhat) + 1e-8)
        rows.append({"grad_theta": g, "m_theta": m, "v_theta": v, "mhat_theta": mhat, "vhat_theta": vhat,
                     "theta": theta})
    return rows


def test_adam_by_hand_states_the_algorithm_s_figures(scenarios):
    s = load(scenarios / "adam_by_hand.toml")
    rows = adam_by_hand(5)
    for e in s.expectations:
        assert abs(float(e.value) - rows[e.iteration - 1][str(e.name)]) <= e.tolerance, e.label
    for t in (1, 2, 5):
        values = after(s, t)
        for name, value in rows[t - 1].items():
            assert float(values[N(name)]) == pytest.approx(value, rel=1e-14), (t, name)
    assert rows[0]["theta"] == pytest.approx(0.9, abs=1e-9)  # the first step is η, whatever g is
    assert all(o.ok for o in check(s.debugger(), s.expectations))


# --- every command on the examples --------------------------------------------------------


@pytest.mark.parametrize("name", ["cs231n_circuit", "micrograd", "adam_by_hand"])
def test_every_command_runs_on_the_examples(name, capsys):
    for command in (["check"], ["gradcheck"], ["trace", "-n", "2"], ["trace", "--format", "json"]):
        assert main([command[0], name, *command[1:]]) == 0, command
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "warning" not in out.err
    trained = bool(load(bundled.DIRECTORY / f"{name}.toml").model.trained_parameters())
    assert main(["train", name, "-n", "20"]) == (0 if trained else 2)  # a graph without parameters: nothing to train
    err = capsys.readouterr().err
    assert err == "" if trained else err.count("\n") == 1 and "nothing to train: no leaf of this graph is a parameter" in err


def test_export_writes_each_operation_in_latex(scenarios):
    s = load(scenarios / "micrograd.toml")
    text = markdown(s)
    assert "## The graph" in text and "- node `d = a * b + b**3`" in text
    assert "$$d_{1} = a \\cdot b$$" in text and "$$d_{2} = b^{3}$$" in text
    assert "$$\\frac{\\partial J}{\\partial b} \\mathrel{+}= \\frac{\\partial J}{\\partial d_{2}} \\cdot 3 b^{2}$$" \
        in text
    assert "$$\\mathrm{d2}_{3} = \\mathrm{ReLU}(\\mathrm{d2}_{2})$$" in text
    assert "d2_3 = ReLU(d2_2) = ReLU(-2) = 0" in text
    assert "3 of 3 confirmed." in text


def test_greek_names_and_steps_are_written_as_such_in_latex(scenarios):
    text = markdown(load(scenarios / "adam_by_hand.toml"), iterations=1)
    assert "$$f = \\theta^{2}$$" in text
    assert "$$\\hat{m}_{\\theta} = \\frac{m_{\\theta}}{1 - \\beta_1^{t}}, \\qquad \\beta_1 = 0.9$$" in text
    assert "$$\\frac{\\partial J}{\\partial \\theta} \\mathrel{+}= \\frac{\\partial J}{\\partial f} \\cdot 2 \\theta$$" \
        in text
    assert N("W1").latex() == "W^{(1)}" and N("grad_d_1").latex() == "\\frac{\\partial J}{\\partial d_{1}}"
