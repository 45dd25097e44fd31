"""What a user reads on screen, as exact text: every definition's formula in symbols and in
LaTeX, and one element written out with the numbers substituted.

The numbers are put in by hand (`values` below), so each expected string is the template of
the docs filled in with numbers chosen here; none is copied from the program's output. Values
need not be consistent with each other (an explainer only writes out what it is given): a1 =
−0.5 beside z1 = −0.25 keeps every number short and every sign visible.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import make_graph

from stepnet.engine import names, network, notation
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.expressions import OPERATIONS
from stepnet.engine.formula import Expression, grouped
from stepnet.engine.graph import NO_DATA
from stepnet.engine.losses import LOSSES
from stepnet.engine.model import Dataset, Layer, Model, Optimizer
from stepnet.engine.names import Name
from stepnet.engine.notation import formatter
from stepnet.engine.op import Op, assignment
from stepnet.engine.optimizers import OPTIMIZERS, Rule, Step
from stepnet.engine.program import build_program
from stepnet.engine.updates import updates

Z1, A1 = Name("z", 1), Name("a", 1)
FOUR = formatter(4)
#: one sample, two units: element [0,1] is negative in both, so every sign shows
VALUES = {Z1: np.array([[0.5, -0.25]]), A1: np.array([[0.75, -0.5]])}
OPTIONS = {"leaky_relu": {"negative_slope": 0.05}, "elu": {"alpha": 0.7}}

#: name: a1's formula, its element [0,1] (symbols, numbers), f′'s formula, f′ of [0,1]
ACTIVATION_TEXT = {
    "sigmoid": ("σ(z1) = 1/(1 + exp(−z1))", ("σ(z1[0,1])", "σ(-0.25)"),
                "σ′(z1) = a1·(1 − a1)", ("a1[0,1]·(1 − a1[0,1])", "(-0.5) × (1 − (-0.5))")),
    "tanh": ("tanh(z1)", ("tanh(z1[0,1])", "tanh(-0.25)"),
             "tanh′(z1) = 1 − a1²", ("1 − a1[0,1]²", "1 − (-0.5)²")),
    "relu": ("ReLU(z1) = max(0, z1)", ("ReLU(z1[0,1])", "ReLU(-0.25)"),
             "ReLU′(z1) = [z1 > 0]", ("[z1[0,1] > 0]", "[(-0.25) > 0]")),
    "leaky_relu": ("LeakyReLU(z1) = (z1 if z1 > 0 else α·z1)", ("LeakyReLU(z1[0,1])", "LeakyReLU(-0.25)"),
                   "LeakyReLU′(z1) = (1 if z1 > 0 else α)",
                   ("(1 if z1[0,1] > 0 else α)", "(1 if (-0.25) > 0 else 0.05)")),
    "identity": ("id(z1)", ("id(z1[0,1])", "id(-0.25)"), "id′(z1) = 1", ("1", "1")),
    "softplus": ("softplus(z1) = log(1 + exp(z1))", ("softplus(z1[0,1])", "softplus(-0.25)"),
                 "softplus′(z1) = σ(z1)", ("σ(z1[0,1])", "σ(-0.25)")),
    "elu": ("ELU(z1) = (z1 if z1 > 0 else α·(exp(z1) − 1))", ("ELU(z1[0,1])", "ELU(-0.25)"),
            "ELU′(z1) = (1 if z1 > 0 else a1 + α)",
            ("(1 if z1[0,1] > 0 else a1[0,1] + α)", "(1 if (-0.25) > 0 else (-0.5) + 0.7)")),
    "silu": ("SiLU(z1) = z1·σ(z1)", ("SiLU(z1[0,1])", "SiLU(-0.25)"),
             "SiLU′(z1) = σ(z1)·(1 + z1·(1 − σ(z1)))",
             ("σ(z1[0,1])·(1 + z1[0,1]·(1 − σ(z1[0,1])))", "σ(-0.25) × (1 + (-0.25) × (1 − σ(-0.25)))")),
    "softmax": ("softmax(z1)", ("exp(z1[0,1]) / Σⱼ exp(z1[0,j])", "exp(-0.25) / (exp(0.5) + exp(-0.25))"),
                "∂a1/∂z1 = a1ᵢ·(δᵢⱼ − a1ⱼ)   (the softmax Jacobian)", None),
}

#: name: a1's formula in LaTeX, f′'s
ACTIVATION_TEX = {
    "sigmoid": (r"\sigma(z^{(1)}) = \frac{1}{1 + e^{-z^{(1)}}}",
                r"f'(z^{(1)}) = \sigma'(z^{(1)}) = a^{(1)} \odot (1 - a^{(1)})"),
    "tanh": (r"\tanh(z^{(1)})", r"f'(z^{(1)}) = \tanh'(z^{(1)}) = 1 - (a^{(1)})^{2}"),
    "relu": (r"\mathrm{ReLU}(z^{(1)}) = \max(0,\ z^{(1)})",
             r"f'(z^{(1)}) = \mathrm{ReLU}'(z^{(1)}) = \mathbb{1}[z^{(1)} > 0]"),
    "leaky_relu": (r"\mathrm{LeakyReLU}(z^{(1)}) = \begin{cases} z^{(1)} & z^{(1)} > 0 \\ \alpha z^{(1)} & "
                   r"\text{otherwise} \end{cases}",
                   r"f'(z^{(1)}) = \mathrm{LeakyReLU}'(z^{(1)}) = \begin{cases} 1 & z^{(1)} > 0 \\ \alpha & "
                   r"\text{otherwise} \end{cases}"),
    "identity": (r"\mathrm{id}(z^{(1)})", r"f'(z^{(1)}) = \mathrm{id}'(z^{(1)}) = 1"),
    "softplus": (r"\mathrm{softplus}(z^{(1)}) = \log(1 + e^{z^{(1)}})",
                 r"f'(z^{(1)}) = \mathrm{softplus}'(z^{(1)}) = \sigma(z^{(1)})"),
    "elu": (r"\mathrm{ELU}(z^{(1)}) = \begin{cases} z^{(1)} & z^{(1)} > 0 \\ \alpha (e^{z^{(1)}} - 1) & "
            r"\text{otherwise} \end{cases}",
            r"f'(z^{(1)}) = \mathrm{ELU}'(z^{(1)}) = \begin{cases} 1 & z^{(1)} > 0 \\ a^{(1)} + \alpha & "
            r"\text{otherwise} \end{cases}"),
    "silu": (r"\mathrm{SiLU}(z^{(1)}) = z^{(1)} \, \sigma(z^{(1)})",
             r"f'(z^{(1)}) = \mathrm{SiLU}'(z^{(1)}) = \sigma(z^{(1)}) (1 + z^{(1)} (1 - \sigma(z^{(1)})))"),
    "softmax": (r"\frac{e^{z^{(1)}_{sj}}}{\sum_k e^{z^{(1)}_{sk}}}",
                r"\frac{\partial a^{(1)}_{sj}}{\partial z^{(1)}_{si}} = a^{(1)}_{si} (\delta_{ij} - a^{(1)}_{sj})"),
}


def test_every_activation_is_written_out():
    assert set(ACTIVATION_TEXT) == set(ACTIVATION_TEX) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(ACTIVATION_TEXT))
def test_activation_formulas_and_one_element_with_its_numbers(name):
    act = ACTIVATIONS.make(name, OPTIONS.get(name))
    value, value_element, derivative, derivative_element = ACTIVATION_TEXT[name]
    assert act.value_formula(Z1, A1) == value
    assert act.explain_value(Z1)(VALUES, (0, 1), FOUR) == list(value_element)
    assert act.derivative_formula(Z1, A1) == derivative
    if derivative_element is not None:
        assert act.explain_derivative(Z1, A1)(VALUES, (0, 1), FOUR) == list(derivative_element)
    assert (act.value_tex(Z1, A1), act.derivative_tex(Z1, A1)) == ACTIVATION_TEX[name]


def test_the_constants_of_an_activation_follow_its_formula():
    assert ACTIVATIONS.make("leaky_relu", {"negative_slope": 0.05}).legend() == "   (α = 0.05)"
    assert ACTIVATIONS.make("elu", {"alpha": 0.7}).tex_legend() == r", \qquad \alpha = 0.7"
    assert ACTIVATIONS.make("sigmoid").legend() == ACTIVATIONS.make("sigmoid").tex_legend() == ""


def test_the_softmax_jacobian_is_written_out_on_and_off_its_diagonal():
    explain = ACTIVATIONS.make("softmax").explain_derivative(Z1, A1)
    # J[s, i, j] = a_i·(δ_ij − a_j): row i = 1 of sample 0, against column j = 0 and j = 1
    assert explain(VALUES, (0, 1, 0), FOUR) == ["a1[0,1]·(δ10 − a1[0,0])", "-0.5·(0 − 0.75)"]
    assert explain(VALUES, (0, 1, 1), FOUR) == ["a1[0,1]·(δ11 − a1[0,1])", "-0.5·(1 − (-0.5))"]


def test_softmax_over_many_units_writes_out_the_first_four_exponentials():
    z = {Z1: np.array([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])}
    numbers = ACTIVATIONS.make("softmax").explain_value(Z1)(z, (0, 6), FOUR)[1]
    assert numbers == "exp(6) / (exp(0) + exp(1) + exp(2) + exp(3) + … (3 more terms))"


# --- losses: J and ∂J/∂a as the loss ops write them -----------------------------------

P1, Y = Name("a", 1), Name("y")
#: two samples of two outputs: a1[0,1] is negative, y[0,1] is 0
LOSS_VALUES = {P1: np.array([[0.75, -0.5], [0.25, 0.5]]), Y: np.array([[1.0, 0.0], [0.0, 1.0]])}
LOSS_OPTIONS = {"huber": {"delta": 0.5}}

#: name: ℓ as J's formula states it, J's element (symbols, numbers over all four terms), J in
#: LaTeX after 1/B Σₛ; grad_a1's formula, its element [0,1] (symbols, numbers). In LaTeX `{n}`
#: is the field n, braces and all, so `\frac{1}{n}` is written `\frac{1}n` (the same in print)
LOSS_TEXT = {
    "half_sse": ("½Σⱼ(pⱼ − yⱼ)²",
                 ("(1/B)·Σₛ ½·Σⱼ (a1[s,j] − y[s,j])²",
                  "(1/2)·½·[(0.75 − 1)² + ((-0.5) − 0)² + (0.25 − 0)² + (0.5 − 1)²]"),
                 r"\frac{1}{2} \sum_j (a^{(1)}_{sj} - y_{sj})^2",
                 "(a1 − y)/B", ("(a1[0,1] − y[0,1])/B", "((-0.5) − 0)/2")),
    "sse": ("Σⱼ(pⱼ − yⱼ)²",
            ("(1/B)·Σₛ Σⱼ (a1[s,j] − y[s,j])²",
             "(1/2)·[(0.75 − 1)² + ((-0.5) − 0)² + (0.25 − 0)² + (0.5 − 1)²]"),
            r"\sum_j (a^{(1)}_{sj} - y_{sj})^2",
            "(2·(a1 − y))/B", ("(2·(a1[0,1] − y[0,1]))/B", "(2 × ((-0.5) − 0))/2")),
    "mse": ("(1/n)Σⱼ(pⱼ − yⱼ)²",
            ("(1/B)·Σₛ (1/n)·Σⱼ (a1[s,j] − y[s,j])²",
             "(1/2)·(1/n)·[(0.75 − 1)² + ((-0.5) − 0)² + (0.25 − 0)² + (0.5 − 1)²]"),
            r"\frac{1}n \sum_j (a^{(1)}_{sj} - y_{sj})^2",
            "(2·(a1 − y)/n)/B   (n = 2)", ("(2·(a1[0,1] − y[0,1])/n)/B", "(2 × ((-0.5) − 0)/2)/2")),
    "mae": ("(1/n)Σⱼ|pⱼ − yⱼ|",
            ("(1/B)·Σₛ (1/n)·Σⱼ |a1[s,j] − y[s,j]|",
             "(1/2)·(1/n)·[|0.75 − 1| + |(-0.5) − 0| + |0.25 − 0| + |0.5 − 1|]"),
            r"\frac{1}n \sum_j |a^{(1)}_{sj} - y_{sj}|",
            "(sign(a1 − y)/n)/B   (n = 2)", ("(sign(a1[0,1] − y[0,1])/n)/B", "(sign((-0.5) − 0)/2)/2")),
    "huber": ("Σⱼ hδ(pⱼ − yⱼ),  hδ(r) = ½r² if |r| ≤ δ, else δ·(|r| − ½δ)",
              ("(1/B)·Σₛ Σⱼ hδ(a1[s,j] − y[s,j])",
               "(1/2)·[hδ(0.75 − 1) + hδ((-0.5) − 0) + hδ(0.25 − 0) + hδ(0.5 − 1)]"),
              r"\sum_j h_\delta(a^{(1)}_{sj} - y_{sj}), \quad h_\delta(r) = \begin{cases} \frac{1}{2} r^2 & "
              r"|r| \le \delta \\ \delta (|r| - \frac{1}{2}\delta) & \text{otherwise} \end{cases}",
              "(clip(a1 − y, −δ, δ))/B   (δ = 0.5)",
              ("(clip(a1[0,1] − y[0,1], −δ, δ))/B", "(clip((-0.5) − 0, −0.5, 0.5))/2")),
    "cross_entropy": ("−Σⱼ yⱼ·log pⱼ",
                      ("(1/B)·Σₛ −Σⱼ y[s,j]·log a1[s,j]",
                       "(1/2)·−[1 × log 0.75 + 0 × log (-0.5) + 0 × log 0.25 + 1 × log 0.5]"),
                      r"-\sum_j y_{sj} \log a^{(1)}_{sj}",
                      "(−y/a1)/B", ("(−y[0,1]/a1[0,1])/B", "(−0/(-0.5))/2")),
    "binary_cross_entropy": (
        "−Σⱼ[yⱼ·log pⱼ + (1 − yⱼ)·log(1 − pⱼ)]",
        ("(1/B)·Σₛ −Σⱼ [y[s,j]·log a1[s,j] + (1 − y[s,j])·log(1 − a1[s,j])]",
         "(1/2)·−[[1 × log 0.75 + (1 − 1) × log(1 − 0.75)] + [0 × log (-0.5) + (1 − 0) × log(1 − (-0.5))]"
         " + [0 × log 0.25 + (1 − 0) × log(1 − 0.25)] + [1 × log 0.5 + (1 − 1) × log(1 − 0.5)]]"),
        r"-\sum_j \left[y_{sj} \log a^{(1)}_{sj} + (1 - y_{sj}) \log(1 - a^{(1)}_{sj})\right]",
        "((a1 − y)/(a1·(1 − a1)))/B",
        ("((a1[0,1] − y[0,1])/(a1[0,1]·(1 − a1[0,1])))/B", "(((-0.5) − 0)/((-0.5) × (1 − (-0.5))))/2")),
    "output": ("Σⱼ pⱼ", ("(1/B)·Σₛ Σⱼ a1[s,j]", "(1/2)·[0.75 + (-0.5) + 0.25 + 0.5]"), r"\sum_j a^{(1)}_{sj}",
               "(1)/B", ("(1)/B", "(1)/2")),
}


def loss_ops(loss: str, reduction: str = "mean", l2: float = 0.0, activation: str = "sigmoid") -> dict[str, Op]:
    """The loss phase of a one-layer network of two outputs, by kind."""
    act = ACTIVATIONS.make(activation)
    model = Model(2, (Layer(2, act),), LOSSES.make(loss, LOSS_OPTIONS.get(loss)), reduction,
                  Optimizer.of("sgd", 0.5), {Name("W", 1): np.zeros((2, 2)), Name("b", 1): np.zeros(2)}, l2=l2)
    return {op.kind: op for op in network.loss(model)}


def test_every_loss_is_written_out():
    assert set(LOSS_TEXT) == set(LOSSES)


@pytest.mark.parametrize("name", sorted(LOSS_TEXT))
def test_loss_formulas_and_their_elements_with_the_numbers(name):
    ell, loss_element, tex, gradient, gradient_element = LOSS_TEXT[name]
    ops = loss_ops(name)
    arguments = "a1ₛ" if name == "output" else "a1ₛ, yₛ"
    of = "p" if name == "output" else "p, y"
    assert ops["loss"].formula == f"loss = (1/B)·Σₛ ℓ({arguments}),  ℓ({of}) = {ell}"
    assert ops["loss"].explainer(LOSS_VALUES, (), FOUR) == list(loss_element)
    assert ops["loss"].latex == r"J = \frac{1}{B} \sum_s " + tex
    assert ops["loss_grad"].formula == f"grad_a1 = ∂ℓ/∂a1 / B = {gradient}"
    assert ops["loss_grad"].explainer(LOSS_VALUES, (0, 1), FOUR) == list(gradient_element)


def test_a_summed_loss_has_no_1_over_B():
    ops = loss_ops("half_sse", reduction="sum")
    assert ops["loss"].formula == "loss = Σₛ ℓ(a1ₛ, yₛ),  ℓ(p, y) = ½Σⱼ(pⱼ − yⱼ)²"
    assert ops["loss"].explainer(LOSS_VALUES, (), FOUR) == [
        "Σₛ ½·Σⱼ (a1[s,j] − y[s,j])²", "½·[(0.75 − 1)² + ((-0.5) − 0)² + (0.25 − 0)² + (0.5 − 1)²]"]
    assert ops["loss"].latex == r"J = \sum_s \frac{1}{2} \sum_j (a^{(1)}_{sj} - y_{sj})^2"
    assert ops["loss_grad"].formula == "grad_a1 = ∂ℓ/∂a1 = a1 − y"
    assert ops["loss_grad"].explainer(LOSS_VALUES, (0, 1), FOUR) == ["a1[0,1] − y[0,1]", "(-0.5) − 0"]
    assert ops["loss_grad"].latex == r"\frac{\partial J}{\partial a^{(1)}} = a^{(1)} - y"


def test_the_mean_gradient_is_one_over_B_of_the_loss_gradient_in_latex():
    assert loss_ops("mse")["loss_grad"].latex == (
        r"\frac{\partial J}{\partial a^{(1)}} = \frac{1}{B}\left(\frac{2}n(a^{(1)} - y)\right)")


def test_the_l2_penalty_is_written_out_and_added_to_the_loss():
    ops = loss_ops("half_sse", l2=0.25)
    W1 = Name("W", 1)
    values = {**LOSS_VALUES, W1: np.array([[1.0, -2.0], [0.5, 0.0]]), Name("penalty"): np.array(0.75)}
    assert ops["penalty"].formula == "penalty = (λ/2)·Σₗ‖Wˡ‖²   (λ = 0.25, over the weights, not the biases)"
    # ‖W1‖² = 1 + 4 + 0.25 + 0 = 5.25
    assert ops["penalty"].explainer(values, (), FOUR) == ["(λ/2)·(‖W1‖²)", "(0.25/2)·(5.25)"]
    assert ops["penalty"].latex == r"\Omega = \frac{\lambda}{2} \sum_l \|W^{(l)}\|^2, \qquad \lambda = 0.25"
    assert ops["loss"].formula == "loss = (1/B)·Σₛ ℓ(a1ₛ, yₛ) + penalty,  ℓ(p, y) = ½Σⱼ(pⱼ − yⱼ)²"
    assert ops["loss"].explainer(values, (), FOUR) == [
        "(1/B)·Σₛ ½·Σⱼ (a1[s,j] − y[s,j])² + penalty",
        "(1/2)·½·[(0.75 − 1)² + ((-0.5) − 0)² + (0.25 − 0)² + (0.5 − 1)²] + 0.75"]
    assert ops["loss"].latex.endswith(r"(a^{(1)}_{sj} - y_{sj})^2 + \Omega")


def test_a_mean_over_one_sample_writes_no_one_over_one():
    one = {P1: np.array([[0.75, -0.5]]), Y: np.array([[1.0, 0.0]])}
    assert loss_ops("half_sse")["loss"].explainer(one, (), FOUR) == [
        "(1/B)·Σₛ ½·Σⱼ (a1[s,j] − y[s,j])²", "½·[(0.75 − 1)² + ((-0.5) − 0)²]"]


def test_a_loss_over_more_than_five_elements_writes_out_four_and_counts_the_rest():
    three = {P1: np.array([[0.75, -0.5], [0.25, 0.5], [1.0, 2.0]]), Y: np.zeros((3, 2))}
    assert loss_ops("half_sse")["loss"].explainer(three, (), FOUR)[1] == (
        "(1/3)·½·[(0.75 − 0)² + ((-0.5) − 0)² + (0.25 − 0)² + (0.5 − 0)² + … (2 more terms)]")  # 6 − 4 = 2


def test_the_l2_penalty_adds_the_squared_norm_of_each_layer_s_weights():
    model = two_layers(Layer(2, SIGMOID), Layer(2, SIGMOID), l2=0.5)
    penalty = network.loss(model)[0]
    values = {W1: np.array([[1.0, -2.0], [0.5, 0.0]]), W2: np.array([[3.0, 0.0], [0.0, -1.0]])}
    # ‖W1‖² = 1 + 4 + 0.25 = 5.25, ‖W2‖² = 9 + 1 = 10
    assert penalty.explainer(values, (), FOUR) == ["(λ/2)·(‖W1‖² + ‖W2‖²)", "(0.5/2)·(5.25 + 10)"]
    assert penalty.code == "penalty = 0.5 * 0.5 * (np.sum(W1 * W1) + np.sum(W2 * W2))"


# --- a layered network's own operations ------------------------------------------------

W1, B1, W2, A0, A2 = Name("W", 1), Name("b", 1), Name("W", 2), Name("a", 0), Name("a", 2)
DELTA1, DELTA2 = Name("delta", 1), Name("delta", 2)


def two_layers(first: Layer, second: Layer, loss: str = "half_sse", **options) -> Model:
    initial = {W1: np.zeros((2, 2)), W2: np.zeros((2, 2)), **({B1: np.zeros(2)} if first.bias else {})}
    return Model(2, (first, second), LOSSES.make(loss), "mean", Optimizer.of("sgd", 0.5), initial, **options)


SIGMOID = ACTIVATIONS.make("sigmoid")
#: layer 1 with a bias and dropout, layer 2 without a bias; an L2 penalty and ∂J/∂a0
NETWORK = two_layers(Layer(2, SIGMOID, True, 0.5), Layer(2, SIGMOID, False), l2=0.25, input_gradient=True)


def by_output(ops: list[Op]) -> dict[tuple[str, str], Op]:
    return {(op.kind, str(op.output)): op for op in ops}


def forward_ops() -> dict[tuple[str, str], Op]:
    """NETWORK's forward ops, made inside the test that reads them: ops made when the module
    is imported would be made before mutmut switches a mutant on, and hide it."""
    return by_output(network.forward(NETWORK, 1) + network.forward(NETWORK, 2))


def backward_ops() -> dict[tuple[str, str], Op]:
    return by_output(network.backward(NETWORK, 2) + network.backward(NETWORK, 1))
NETWORK_VALUES = {
    A0: np.array([[1.0, -2.0]]), W1: np.array([[0.5, 0.25], [-1.0, 0.0]]), B1: np.array([0.125, -0.5]),
    Z1: np.array([[0.5, -0.25]]), Name("m", 1): np.array([[0.0, 2.0]]), A1: np.array([[0.25, 0.75], [-1.0, 0.5]]),
    W2: np.array([[1.0, -2.0], [0.5, 4.0]]), DELTA2: np.array([[0.5, -0.25], [1.0, 2.0]]),
    Name("grad_W", 2): np.array([[0.1, 0.2], [-0.3, 0.4]]), Name("grad_a", 1): np.array([[0.5, -0.5]]),
    Name("dact", 1): np.array([[0.0, 2.0]]), Name("t"): np.array(1),
}

#: (kind, output): formula, LaTeX, the element written out, its index
NETWORK_TEXT = {
    ("weighted_sum", "z1"): ("z1 = a0·W1ᵀ + b1", r"z^{(1)} = a^{(0)} \, W^{(1)\top} + b^{(1)}",
                             (0, 1), ["Σⱼ a0[0,j]·W1[1,j] + b1[1]", "1×(-1) + (-2)×0 + (-0.5)"]),
    ("weighted_sum", "z2"): ("z2 = a1·W2ᵀ", r"z^{(2)} = a^{(1)} \, W^{(2)\top}",
                             (1, 0), ["Σⱼ a1[1,j]·W2[0,j]", "(-1)×1 + 0.5×(-2)"]),
    ("activation", "a1"): ("a1 = σ(z1) ⊙ m1", r"a^{(1)} = \sigma(z^{(1)}) \odot m^{(1)}",
                           (0, 1), ["σ(z1[0,1]) × m1[0,1]", "σ(-0.25) × 2"]),
    ("activation", "a2"): ("a2 = σ(z2) = 1/(1 + exp(−z2))", r"a^{(2)} = \sigma(z^{(2)}) = \frac{1}{1 + e^{-z^{(2)}}}",
                           None, None),
    ("dropout_mask", "m1"): ("m1 = keep/(1 − p), keep ~ Bernoulli(1 − p)   (p = 0.5, inverted dropout)",
                             r"m^{(1)} = \frac{\text{keep}}{1 - p}, \qquad \text{keep}_{sj} \sim "
                             r"\mathrm{Bernoulli}(1 - p), \qquad p = 0.5", None, None),
    ("dact", "dact2"): ("dact2 = σ′(z2) = a2·(1 − a2)", r"f'(z^{(2)}) = \sigma'(z^{(2)}) = a^{(2)} \odot (1 - a^{(2)})",
                        None, None),
    # f′ of a unit under dropout is of f(z) before the mask: σ(−0.25) = 1/(1 + e^0.25) = 0.43782…
    ("dact", "dact1"): ("dact1 = ∂a1/∂z1 = σ′(z1) ⊙ m1   (dropped units pass no gradient)",
                        r"\frac{\partial a^{(1)}}{\partial z^{(1)}} = f'(z^{(1)}) \odot m^{(1)}",
                        (0, 1), ["σ′(z1[0,1]) × m1[0,1]", "0.4378 × (1 − 0.4378) × 2"]),
    ("delta", "delta2"): ("delta2 = grad_a2 ⊙ σ′(z2)",
                          r"\delta^{(2)} = \frac{\partial J}{\partial a^{(2)}} \odot f'(z^{(2)})", None, None),
    ("delta", "delta1"): ("delta1 = grad_a1 ⊙ dact1",
                          r"\delta^{(1)} = \frac{\partial J}{\partial a^{(1)}} \odot f'(z^{(1)}) \odot m^{(1)}",
                          (0, 1), ["grad_a1[0,1] × dact1[0,1]", "(-0.5) × 2"]),
    ("grad_W", "grad_W2"): ("grad_W2 = delta2ᵀ·a1",
                            r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)\top} \, a^{(1)}",
                            (1, 0), ["Σₛ delta2[s,1]·a1[s,0]", "(-0.25)×0.25 + 2×(-1)"]),
    ("penalty_grad", "grad_W2"): (
        "grad_W2 = grad_W2 + λ·W2   (λ = 0.25)",
        r"\frac{\partial J}{\partial W^{(2)}} \leftarrow \frac{\partial J}{\partial W^{(2)}} + \lambda W^{(2)}, "
        r"\qquad \lambda = 0.25", (1, 0), ["grad_W2[1,0] + λ·W2[1,0]", "(-0.3) + 0.25 × 0.5"]),
    ("grad_b", "grad_b1"): ("grad_b1 = Σₛ delta1", r"\frac{\partial J}{\partial b^{(1)}} = \sum_s \delta^{(1)}_{s}",
                            None, None),
    ("grad_a", "grad_a1"): ("grad_a1 = delta2·W2", r"\frac{\partial J}{\partial a^{(1)}} = \delta^{(2)} \, W^{(2)}",
                            (0, 1), ["Σᵢ delta2[0,i]·W2[i,1]", "0.5×(-2) + (-0.25)×4"]),
    ("grad_a", "grad_a0"): ("grad_a0 = delta1·W1", r"\frac{\partial J}{\partial a^{(0)}} = \delta^{(1)} \, W^{(1)}",
                            None, None),
}


def test_the_layers_ops_are_the_ones_written_out():
    backward = backward_ops()
    assert set(forward_ops()) | set(backward) == (
        set(NETWORK_TEXT) | {("grad_W", "grad_W1"), ("penalty_grad", "grad_W1")})
    assert backward["grad_a", "grad_a1"].label == "gradient of the layer below"
    assert backward["grad_a", "grad_a0"].label == "gradient of the input (saliency)"


@pytest.mark.parametrize("key", list(NETWORK_TEXT), ids=["/".join(k) for k in NETWORK_TEXT])
def test_network_formulas_and_their_elements_with_the_numbers(key):
    formula, tex, index, written = NETWORK_TEXT[key]
    op = {**forward_ops(), **backward_ops()}[key]
    assert (op.formula, op.latex) == (formula, tex)
    if index is not None:
        assert op.explainer(NETWORK_VALUES, index, FOUR) == written


def test_the_gradient_of_a_bias_sums_over_the_batch():
    grad_b = by_output(network.backward(two_layers(Layer(2, SIGMOID), Layer(2, SIGMOID)), 2))["grad_b", "grad_b2"]
    assert grad_b.explainer(NETWORK_VALUES, (1,), FOUR) == ["Σₛ delta2[s,1]", "(-0.25) + 2"]
    # one sample whose term is the value: `= (-0.25)` is left out, the value alone ends the line
    one = {DELTA2: np.array([[0.5, -0.25]])}
    assert grad_b.explain(one, np.array([0.5, -0.25]), (1,), FOUR) == "grad_b2[1] = Σₛ delta2[s,1] = -0.25"


def test_an_activation_and_its_derivative_without_dropout_write_out_their_element():
    ops = {**forward_ops(), **backward_ops()}
    values = {Name("z", 2): np.array([[0.5, -0.25]]), A2: np.array([[0.75, -0.5]])}
    assert ops["activation", "a2"].explainer(values, (0, 1), FOUR) == ["σ(z2[0,1])", "σ(-0.25)"]
    assert ops["dact", "dact2"].explainer(values, (0, 1), FOUR) == ["a2[0,1]·(1 − a2[0,1])", "(-0.5) × (1 − (-0.5))"]
    # ELU′ reads both z and a; under dropout, a is f(z) before the mask: 0.7·(e^−0.25 − 1) = −0.15484
    elu = ACTIVATIONS.make("elu", {"alpha": 0.7})
    dropped = network._dact(two_layers(Layer(2, elu, True, 0.5), Layer(2, SIGMOID)), 1)
    assert dropped.explainer({Z1: VALUES[Z1], Name("m", 1): np.array([[0.0, 2.0]])}, (0, 1), FOUR) == [
        "ELU′(z1[0,1]) × m1[0,1]", "(1 if (-0.25) > 0 else (-0.1548) + 0.7) × 2"]
    undropped = network._dact(two_layers(Layer(2, SIGMOID), Layer(2, elu)), 2)
    assert undropped.explainer(values, (0, 1), FOUR) == ["(1 if z2[0,1] > 0 else a2[0,1] + α)",
                                                    "(1 if (-0.25) > 0 else (-0.5) + 0.7)"]


@pytest.mark.parametrize("samples, written", [
    (5, "1 + 2 + 3 + 4 + 5"),  # five terms are written out whole
    (7, "1 + 2 + 3 + 4 + … (3 more terms)"),
])
def test_the_gradient_of_a_bias_writes_out_the_first_samples_and_counts_the_rest(samples, written):
    grad_b = backward_ops()["grad_b", "grad_b1"]
    delta = np.stack([np.zeros(samples), np.arange(1.0, samples + 1)], axis=1)  # unit 1: 1, 2, …, samples
    assert grad_b.explainer({DELTA1: delta}, (1,), FOUR) == ["Σₛ delta1[s,1]", written]


def test_the_dropout_mask_writes_out_whether_the_unit_was_kept():
    op = forward_ops()["dropout_mask", "m1"]
    values = {A0: np.zeros((6, 2)), Name("t"): np.array(3)}
    mask = NETWORK.dropout_mask(1, 3, 6)
    for index in np.ndindex(mask.shape):
        kept = "1" if mask[index] > 0 else "0"
        assert op.explainer(values, index, FOUR) == [f"keep[{index[0]},{index[1]}]/(1 − 0.5)", f"{kept}/(1 − 0.5)"]
    assert set(mask.ravel()) == {0.0, 2.0}  # both cases were written out


def test_a_kept_unit_is_written_as_kept_even_when_its_mask_rounds_to_one():
    tiny = two_layers(Layer(2, SIGMOID, True, 1e-17), Layer(2, SIGMOID))  # 1/(1 − 1e-17) is 1.0 in float64
    op = network.forward(tiny, 1)[1]
    values = {A0: np.zeros((3, 2)), Name("t"): np.array(1)}
    assert tiny.dropout_mask(1, 1, 3).tolist() == [[1.0, 1.0]] * 3  # no unit dropped
    assert [op.explainer(values, index, FOUR)[1] for index in np.ndindex(3, 2)] == ["1/(1 − 1e-17)"] * 6


def test_a_long_weighted_sum_leaves_out_zero_inputs_and_counts_the_rest():
    assert network.products(np.array([0.0, 0, 3, 0, 1, 2, 5]), np.arange(7.0), FOUR, "x[j]") == (
        "3×2 + 1×4 + 2×5 + 5×6 + 0 (3 terms where x[j] = 0)")
    assert network.products(np.arange(1.0, 8), np.ones(7), FOUR, "x[j]") == (
        "1×1 + 2×1 + 3×1 + 4×1 + … (3 more terms)")
    assert network.products(np.array([1.0, 0, -2, 0, 0, 0]), np.array([-1.0, 9, 0.5, 9, 9, 9]), FOUR, "x") == (
        "1×(-1) + (-2)×0.5 + 0 (4 terms where x = 0)")


@pytest.mark.parametrize("xs, text", [
    # five terms or fewer are written out whole, zeros included
    ([0.0, 2.0], "0×1 + 2×1"),
    ([1.0, 0.0, 2.0, 0.0], "1×1 + 0×1 + 2×1 + 0×1"),
    ([1.0, 0.0, 2.0, 0.0, 3.0], "1×1 + 0×1 + 2×1 + 0×1 + 3×1"),
    # six or more: the non-zero ones, five of them in full, six cut after four
    ([1.0, 2.0, 3.0, 4.0, 5.0, 0.0], "1×1 + 2×1 + 3×1 + 4×1 + 5×1 + 0 (1 term where x = 0)"),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.0], "1×1 + 2×1 + 3×1 + 4×1 + … (2 more terms) + 0 (1 term where x = 0)"),
])
def test_a_short_weighted_sum_is_written_out_whole_and_a_long_one_without_its_zeros(xs, text):
    assert network.products(np.array(xs), np.ones(len(xs)), FOUR, "x") == text


def test_a_unit_s_weighted_terms_are_each_input_times_its_weight_and_their_code_says_so():
    a, W = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]]), np.arange(9.0).reshape(3, 3)
    products, code = network.weighted_terms(2, 1)
    by_hand = [[a[s, i] * W[1, i] for i in range(3)] for s in range(2)]
    assert products(a, W).tolist() == by_hand
    assert code == "a1 * W2[1]"


SOFTMAX = ACTIVATIONS.make("softmax")


def test_each_long_sum_of_products_names_the_factor_whose_zeros_it_counts():
    """Six inputs and six units: each sum of products the ops write out (z, δ through the
    softmax Jacobian, ∂J/∂W, ∂J/∂a) leaves out the terms whose first factor is 0, and says
    which factor that is."""
    six = Model(6, (Layer(6, SIGMOID), Layer(6, SOFTMAX)), LOSSES.make("mse"), "mean", Optimizer.of("sgd", 0.5),
                {W1: np.zeros((6, 6)), B1: np.zeros(6), W2: np.zeros((6, 6)), Name("b", 2): np.zeros(6)})
    z1 = network.forward(six, 1)[0]
    ops = by_output(network.backward(six, 2))
    values = {A0: np.array([[0.0, 1, 0, 2, 0, 0]]), W1: np.full((6, 6), 0.5), B1: np.full(6, 0.25)}
    assert z1.explainer(values, (0, 0), FOUR)[1] == "1×0.5 + 2×0.5 + 0 (4 terms where a0[0,j] = 0) + 0.25"
    values = {Name("grad_a", 2): np.array([[0.0, 2, 0, 0, 0, 0]]), Name("dact", 2): np.full((1, 6, 6), 0.5)}
    assert ops["delta", "delta2"].explainer(values, (0, 1), FOUR)[1] == "2×0.5 + 0 (5 terms where grad_a2[0,j] = 0)"
    delta2 = np.zeros((6, 6))
    delta2[:, 1] = [0, 3, 0, 0, 0, -1]  # column 1: samples 1 and 5
    values = {DELTA2: delta2, A1: np.arange(1.0, 37).reshape(6, 6)}  # a1[s,0] = 1 + 6s
    assert ops["grad_W", "grad_W2"].explainer(values, (1, 0), FOUR)[1] == (
        "3×7 + (-1)×31 + 0 (4 terms where delta2[s,1] = 0)")
    delta2 = np.zeros((6, 6))
    delta2[0] = [0, 0, 1, 0, 0, 4]  # sample 0: units 2 and 5
    values = {DELTA2: delta2, W2: np.arange(36.0).reshape(6, 6)}  # W2[i,2] = 6i + 2
    assert ops["grad_a", "grad_a1"].explainer(values, (0, 2), FOUR)[1] == (
        "1×14 + 4×32 + 0 (4 terms where delta2[0,i] = 0)")


def test_softmax_without_cross_entropy_goes_through_its_jacobian():
    ops = by_output(network.backward(two_layers(Layer(2, SIGMOID), Layer(2, SOFTMAX)), 2))
    delta = ops["delta", "delta2"]
    assert delta.formula == "delta2 = dact2·grad_a2"
    assert delta.latex == (r"\delta^{(2)}_{si} = \sum_j \frac{\partial J}{\partial a^{(2)}_{sj}} "
                           r"\frac{\partial a^{(2)}_{sj}}{\partial z^{(2)}_{si}}")
    values = {Name("grad_a", 2): np.array([[0.5, -1.0]]), Name("dact", 2): np.array([[[0.25, -0.25], [-0.25, 0.25]]])}
    assert delta.explainer(values, (0, 1), FOUR) == ["Σⱼ grad_a2[0,j]·dact2[0,1,j]", "0.5×(-0.25) + (-1)×0.25"]
    assert ops["dact", "dact2"].shape == (None, 2, 2)


@pytest.mark.parametrize("reduction, formula, tex, written", [
    ("mean", "delta1 = (a1 − y)/B", r"\delta^{(1)} = \frac{1}{B}(a^{(1)} - y)",
     ["(a1[1,0] − y[1,0])/B", "(0.25 − 1)/2"]),
    ("sum", "delta1 = a1 − y", r"\delta^{(1)} = (a^{(1)} - y)", ["a1[1,0] − y[1,0]", "0.25 − 1"]),
])
def test_softmax_with_cross_entropy_is_one_fused_delta(reduction, formula, tex, written):
    model = Model(2, (Layer(2, SOFTMAX),), LOSSES.make("cross_entropy"), reduction, Optimizer.of("sgd", 0.5),
                  {W1: np.zeros((2, 2)), B1: np.zeros(2)})
    delta = network.backward(model, 1)[0]
    assert delta.formula == formula + "   (softmax + cross-entropy, fused: the Jacobian and −y/p cancel)"
    assert delta.latex == tex
    values = {A1: np.array([[0.75, -0.5], [0.25, 0.5]]), Y: np.array([[0.0, 1.0], [1.0, 0.0]])}
    assert delta.explainer(values, (1, 0), FOUR) == written
    assert [op.kind for op in network.loss(model)] == ["loss"]  # no ∂J/∂a: it is in delta


def test_the_batch_names_what_it_reads():
    model = two_layers(Layer(2, SIGMOID), Layer(2, SIGMOID))
    data = Dataset(np.zeros((4, 2)), np.zeros((4, 2)), 2)
    op = network.batch(model, data, ())
    assert op.formula == "a0 = x[batch], y = targets[batch]"
    assert op.latex == r"a^{(0)} = x_{\text{batch}}, \qquad y = \text{targets}_{\text{batch}}"
    assert op.explainer({}, (1, 0), FOUR) == ["x[sample 1 of the batch, 0]"]
    no_targets = network.batch(model, Dataset(np.zeros((4, 2)), np.zeros((4, 0)), 2), ())
    assert (no_targets.formula, no_targets.latex) == ("a0 = x[batch]", r"a^{(0)} = x_{\text{batch}}")


# --- the update phase: each line of each optimizer, and the schedules -------------------

GRAD_W1 = Name("grad_W", 1)
UPDATE_VALUES = {
    W1: np.array([[1.0, -0.5]]), GRAD_W1: np.array([[0.5, -0.25]]), Name("t"): np.array(3),
    **{Name(f"{slot}_W", 1): np.array([[0.0, value]])
       for slot, value in [("v", 0.125), ("m", -0.25), ("mhat", 0.25), ("vhat", 0.0625), ("s", 0.0625),
                           ("update", -0.125)]},
    Name("lr"): np.array(0.25),
}
G = r"\frac{\partial J}{\partial W^{(1)}}"
#: the optimizer as a scenario names it: each op's formula, then W1[0,1] written out
UPDATE_TEXT = {
    ("sgd", ()): [("W1 = W1 − η·grad_W1   (η = 0.5)",
                   ["W1[0,1] − η·grad_W1[0,1]", "(-0.5) − 0.5 × (-0.25)"])],
    ("momentum", ()): [("v_W1 = μ·v_W1 − η·grad_W1   (μ = 0.9, η = 0.5)",
                        ["μ·v_W1[0,1] − η·grad_W1[0,1]", "0.9 × 0.125 − 0.5 × (-0.25)"]),
                       ("W1 = W1 + v_W1", ["W1[0,1] + v_W1[0,1]", "(-0.5) + 0.125"])],
    ("momentum", (("nesterov", True),)): [
        ("v_W1 = μ·v_W1 − η·grad_W1   (μ = 0.9, η = 0.5)", None),
        ("W1 = W1 + μ·v_W1 − η·grad_W1   (μ = 0.9, η = 0.5)",
         ["W1[0,1] + μ·v_W1[0,1] − η·grad_W1[0,1]", "(-0.5) + 0.9 × 0.125 − 0.5 × (-0.25)"])],
    ("adam", ()): [
        ("m_W1 = β₁·m_W1 + (1 − β₁)·grad_W1   (β₁ = 0.9)",
         ["β₁·m_W1[0,1] + (1 − β₁)·grad_W1[0,1]", "0.9 × (-0.25) + (1 − 0.9) × (-0.25)"]),
        ("v_W1 = β₂·v_W1 + (1 − β₂)·grad_W1²   (β₂ = 0.999)",
         ["β₂·v_W1[0,1] + (1 − β₂)·grad_W1[0,1]²", "0.999 × 0.125 + (1 − 0.999) × (-0.25)²"]),
        ("mhat_W1 = m_W1/(1 − β₁^t)   (β₁ = 0.9)", ["m_W1[0,1]/(1 − β₁^t)", "(-0.25)/(1 − 0.9^3)"]),
        ("vhat_W1 = v_W1/(1 − β₂^t)   (β₂ = 0.999)", ["v_W1[0,1]/(1 − β₂^t)", "0.125/(1 − 0.999^3)"]),
        ("W1 = W1 − η·mhat_W1/(√vhat_W1 + ε)   (η = 0.5, ε = 1e-08)",
         ["W1[0,1] − η·mhat_W1[0,1]/(√vhat_W1[0,1] + ε)", "(-0.5) − 0.5 × 0.25/(√0.0625 + 1e-08)"])],
    ("rmsprop", ()): [
        ("s_W1 = ρ·s_W1 + (1 − ρ)·grad_W1²   (ρ = 0.9)",
         ["ρ·s_W1[0,1] + (1 − ρ)·grad_W1[0,1]²", "0.9 × 0.0625 + (1 − 0.9) × (-0.25)²"]),
        ("W1 = W1 − η·grad_W1/(√s_W1 + ε)   (η = 0.5, ε = 1e-08)",
         ["W1[0,1] − η·grad_W1[0,1]/(√s_W1[0,1] + ε)", "(-0.5) − 0.5 × (-0.25)/(√0.0625 + 1e-08)"])],
    ("adagrad", ()): [
        ("s_W1 = s_W1 + grad_W1²", ["s_W1[0,1] + grad_W1[0,1]²", "0.0625 + (-0.25)²"]),
        ("W1 = W1 − η·grad_W1/(√s_W1 + ε)   (η = 0.5, ε = 1e-08)", None)],
}
UPDATE_TEX = {
    "sgd": [rf"W^{{(1)}} \leftarrow W^{{(1)}} - \eta {G}, \qquad \eta = 0.5"],
    "momentum": [rf"v_{{W^{{(1)}}}} \leftarrow \mu v_{{W^{{(1)}}}} - \eta {G}, \qquad \mu = 0.9,\ \eta = 0.5",
                 r"W^{(1)} \leftarrow W^{(1)} + v_{W^{(1)}}"],
    "adam": [rf"m_{{W^{{(1)}}}} \leftarrow \beta_1 m_{{W^{{(1)}}}} + (1 - \beta_1) {G}, \qquad \beta_1 = 0.9",
             rf"v_{{W^{{(1)}}}} \leftarrow \beta_2 v_{{W^{{(1)}}}} + (1 - \beta_2) ({G})^2, \qquad \beta_2 = 0.999",
             r"\hat{m}_{W^{(1)}} = \frac{m_{W^{(1)}}}{1 - \beta_1^{t}}, \qquad \beta_1 = 0.9",
             r"\hat{v}_{W^{(1)}} = \frac{v_{W^{(1)}}}{1 - \beta_2^{t}}, \qquad \beta_2 = 0.999",
             r"W^{(1)} \leftarrow W^{(1)} - \eta \frac{\hat{m}_{W^{(1)}}}{\sqrt{\hat{v}_{W^{(1)}}} + \epsilon}, "
             r"\qquad \eta = 0.5,\ \epsilon = 1e-08"],
    "rmsprop": [rf"s_{{W^{{(1)}}}} \leftarrow \rho s_{{W^{{(1)}}}} + (1 - \rho) ({G})^2, \qquad \rho = 0.9",
                rf"W^{{(1)}} \leftarrow W^{{(1)}} - \eta \frac{{{G}}}{{\sqrt{{s_{{W^{{(1)}}}}}} + \epsilon}}, "
                r"\qquad \eta = 0.5,\ \epsilon = 1e-08"],
    "adagrad": [rf"s_{{W^{{(1)}}}} \leftarrow s_{{W^{{(1)}}}} + ({G})^2",
                rf"W^{{(1)}} \leftarrow W^{{(1)}} - \eta \frac{{{G}}}{{\sqrt{{s_{{W^{{(1)}}}}}} + \epsilon}}, "
                r"\qquad \eta = 0.5,\ \epsilon = 1e-08"],
}


def update_ops(optimizer: Optimizer, changes: bool = False) -> list[Op]:
    return updates(optimizer, [W1], {W1: (1, 2)}, changes)


def test_every_optimizer_is_written_out():
    assert {kind for kind, _ in UPDATE_TEXT} == set(UPDATE_TEX) == set(OPTIMIZERS)


@pytest.mark.parametrize("kind, options", list(UPDATE_TEXT), ids=[k for k, _ in UPDATE_TEXT])
def test_each_line_of_an_optimizer_and_its_numbers(kind, options):
    ops = update_ops(Optimizer.of(kind, 0.5, **dict(options)))
    assert [op.formula for op in ops] == [formula for formula, _ in UPDATE_TEXT[kind, options]]
    for op, (_, written) in zip(ops, UPDATE_TEXT[kind, options]):
        if written is not None:
            assert op.explainer(UPDATE_VALUES, (0, 1), FOUR) == written
    if not options:
        assert [op.latex for op in ops] == UPDATE_TEX[kind]


def test_the_change_as_a_quantity_of_its_own():
    change, update = update_ops(Optimizer.of("sgd", 0.5), changes=True)
    assert (change.kind, change.label, change.formula) == ("change", "change of W1 (sgd)",
                                                           "update_W1 = −η·grad_W1   (η = 0.5)")
    assert change.latex == rf"\Delta W^{{(1)}} = -\eta {G}, \qquad \eta = 0.5"
    assert change.explainer(UPDATE_VALUES, (0, 1), FOUR) == ["−η·grad_W1[0,1]", "−0.5 × (-0.25)"]
    assert (update.kind, update.label, update.formula) == ("update", "update (sgd)", "W1 = W1 + update_W1")
    assert update.latex == r"W^{(1)} \leftarrow W^{(1)} + \Delta W^{(1)}"
    assert update.explainer(UPDATE_VALUES, (0, 1), FOUR) == ["W1[0,1] + update_W1[0,1]", "(-0.5) + (-0.125)"]


@pytest.mark.parametrize("schedule, options, formula, tex, numbers", [
    ("step", {"gamma": 0.5, "every": 2}, "lr = η·γ^⌊(t − 1)/k⌋   (η = 0.5, γ = 0.5, k = 2)",
     r"\eta_t = \eta \, \gamma^{\lfloor (t - 1)/k \rfloor}, \qquad \eta = 0.5,\ \gamma = 0.5,\ k = 2",
     "0.5 × 0.5^⌊(3 − 1)/2⌋"),
    ("exponential", {"gamma": 0.8}, "lr = η·γ^(t − 1)   (η = 0.5, γ = 0.8)",
     r"\eta_t = \eta \, \gamma^{t - 1}, \qquad \eta = 0.5,\ \gamma = 0.8", "0.5 × 0.8^(3 − 1)"),
    ("time", {"decay": 0.25}, "lr = η/(1 + d·(t − 1))   (η = 0.5, d = 0.25)",
     r"\eta_t = \frac{\eta}{1 + d (t - 1)}, \qquad \eta = 0.5,\ d = 0.25", "0.5/(1 + 0.25 × (3 − 1))"),
])
def test_a_schedule_is_the_first_line_and_the_update_uses_its_rate(schedule, options, formula, tex, numbers):
    rate, update = update_ops(Optimizer.of("sgd", 0.5, schedule=(schedule, options)))
    assert (rate.kind, rate.label, rate.shape) == ("lr", f"learning rate ({schedule} schedule)", ())
    assert (rate.formula, rate.latex) == (formula, tex)
    assert rate.explainer(UPDATE_VALUES, (), FOUR)[1] == numbers
    assert update.formula == "W1 = W1 − lr·grad_W1"
    assert update.explainer(UPDATE_VALUES, (0, 1), FOUR) == ["W1[0,1] − lr·grad_W1[0,1]", "(-0.5) − 0.25 × (-0.25)"]


# --- a computation graph's operations --------------------------------------------------

X, YY, F = Name("x"), Name("y"), Name("f")
GRAPH_VALUES = {X: np.array(-2.0), YY: np.array(4.0), F: np.array(0.25), Name("grad_f"): np.array(0.5)}

#: f = expression: its formula, LaTeX and numbers; then each operand's contribution to its
#: gradient, in the order of the operands: formula and numbers
GRAPH_TEXT = {
    "x + y": ("f = x + y", "f = x + y", "(-2) + 4",
              [("grad_x += grad_f·1", "0.5 × 1"), ("grad_y += grad_f·1", "0.5 × 1")]),
    "x - y": ("f = x − y", "f = x - y", "(-2) − 4",
              [("grad_x += grad_f·1", "0.5 × 1"), ("grad_y += grad_f·(−1)", "0.5 × (−1)")]),
    "x * y": ("f = x·y", r"f = x \cdot y", "(-2) × 4",
              [("grad_x += grad_f·y", "0.5 × 4"), ("grad_y += grad_f·x", "0.5 × (-2)")]),
    "x / y": ("f = x/y", r"f = \frac{x}{y}", "(-2)/4",
              [("grad_x += grad_f·(1/y)", "0.5 × (1/4)"), ("grad_y += grad_f·(−x/y²)", "0.5 × (−(-2)/4²)")]),
    "-x": ("f = −x", "f = -x", "−(-2)", [("grad_x += grad_f·(−1)", "0.5 × (−1)")]),
    "x**2": ("f = x²", "f = x^{2}", "(-2)²", [("grad_x += grad_f·2·x", "0.5 × 2 × (-2)")]),
    "x**3": ("f = x³", "f = x^{3}", "(-2)³", [("grad_x += grad_f·3·x²", "0.5 × 3 × (-2)²")]),
    "x**-1.5": ("f = x^(−1.5)", "f = x^{-1.5}", "(-2)^(−1.5)",
                [("grad_x += grad_f·(-1.5·x^(−2.5))", "0.5 × (-1.5 × (-2)^(−2.5))")]),
    "x**0.5": ("f = x^0.5", "f = x^{0.5}", "(-2)^0.5", [("grad_x += grad_f·0.5·x^(−0.5)", "0.5 × 0.5 × (-2)^(−0.5)")]),
    "x**1": ("f = x^1", "f = x^{1}", "(-2)^1", [("grad_x += grad_f·1", "0.5 × 1")]),
    "x**0": ("f = x^0", "f = x^{0}", "(-2)^0", [("grad_x += grad_f·0", "0.5 × 0")]),
    "exp(x)": ("f = exp(x)", "f = e^{x}", "exp(-2)", [("grad_x += grad_f·f", "0.5 × 0.25")]),
    "log(x)": ("f = log(x)", r"f = \log x", "log(-2)", [("grad_x += grad_f·(1/x)", "0.5 × (1/(-2))")]),
    "tanh(x)": ("f = tanh(x)", r"f = \tanh(x)", "tanh(-2)", [("grad_x += grad_f·(1 − f²)", "0.5 × (1 − 0.25²)")]),
    "sigmoid(x)": ("f = σ(x)", r"f = \sigma(x)", "σ(-2)",
                   [("grad_x += grad_f·f·(1 − f)", "0.5 × 0.25 × (1 − 0.25)")]),
    "relu(x)": ("f = ReLU(x)", r"f = \mathrm{ReLU}(x)", "ReLU(-2)", [("grad_x += grad_f·[x > 0]", "0.5 × [(-2) > 0]")]),
}


def graph_ops(expression: str) -> dict[str, list[Op]]:
    leaves = {"x": -2.0, "y": 4.0} if "y" in expression else {"x": -2.0}
    ops: dict[str, list[Op]] = {}
    for op in build_program(make_graph(leaves, [f"f = {expression}"]), NO_DATA).ops:
        ops.setdefault(op.kind, []).append(op)
    return ops


OPERATION_OF = {"x + y": "add", "x - y": "subtract", "x * y": "multiply", "x / y": "divide", "-x": "negate",
                "exp(x)": "exp", "log(x)": "log", "tanh(x)": "tanh", "sigmoid(x)": "sigmoid", "relu(x)": "relu"}


GRAPH_LABEL = {"add": "sum", "subtract": "difference", "multiply": "product", "divide": "quotient",
               "negate": "negation", "power": "power", "exp": "exponential", "log": "natural logarithm",
               "tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu"}


def test_every_graph_operation_is_written_out():
    assert {OPERATION_OF.get(e, "power") for e in GRAPH_TEXT} == set(OPERATIONS) == set(GRAPH_LABEL)
    assert all(OPERATIONS.make(name).name == name for name in OPERATIONS)


@pytest.mark.parametrize("expression", list(GRAPH_TEXT))
def test_graph_operations_and_each_contribution_with_the_numbers(expression):
    formula, tex, numbers, contributions = GRAPH_TEXT[expression]
    ops = graph_ops(expression)
    (forward,) = ops["operation"]
    assert (forward.formula, forward.latex) == (formula, tex)
    assert forward.label == GRAPH_LABEL[OPERATION_OF.get(expression, "power")]
    assert forward.explainer(GRAPH_VALUES, (), FOUR) == [formula.removeprefix("f = "), numbers]
    assert [(op.formula, op.explainer(GRAPH_VALUES, (), FOUR)[1]) for op in ops["contribution"]] == contributions
    for op, (written, _) in zip(ops["contribution"], contributions):
        operand = written.split()[0].removeprefix("grad_")
        assert op.label == f"∂J/∂{operand} through {formula}: its only contribution"
        assert op.explainer(GRAPH_VALUES, (), FOUR)[0] == written.split(" += ")[1]


def test_a_graph_starts_from_its_leaves_and_its_output_is_the_objective():
    ops = graph_ops("x * y")
    (start,), (loss,), (loss_grad,) = ops["start"], ops["loss"], ops["loss_grad"]
    assert start.formula == "t = the iteration's number; it starts from x, y"
    assert start.latex == r"t = 1, 2, \ldots \qquad \text{from } x,\ y"
    assert start.explain(GRAPH_VALUES, np.array(3), (), FOUR) == "t = 3; the leaves: x = -2, y = 4"
    assert (loss.formula, loss.latex, loss.explainer(GRAPH_VALUES, (), FOUR)) == ("loss = f", "J = f", ["f"])
    assert (loss_grad.formula, loss_grad.label) == ("grad_f = 1", "∂J/∂f = 1 (J is f): the backward pass starts")
    assert loss_grad.latex == r"\frac{\partial J}{\partial f} = 1"


def test_a_contribution_in_latex_multiplies_by_the_local_derivative():
    grad_x, grad_y = graph_ops("x / y")["contribution"]
    df = r"\frac{\partial J}{\partial f}"
    assert grad_x.latex == rf"\frac{{\partial J}}{{\partial x}} \mathrel{{+}}= {df} \left(\frac{{1}}{{y}}\right)"
    assert grad_y.latex == rf"\frac{{\partial J}}{{\partial y}} \mathrel{{+}}= {df} \left(-\frac{{x}}{{y^{{2}}}}\right)"
    (grad_x,) = graph_ops("x * y")["contribution"][:1]
    assert grad_x.latex == rf"\frac{{\partial J}}{{\partial x}} \mathrel{{+}}= {df} \cdot y"


def test_each_line_of_adam_says_what_it_computes():
    labels = [op.label for op in update_ops(Optimizer.of("adam", 0.5))]
    assert labels == ["first moment (adam)", "second moment (adam)", "bias-corrected first moment (adam)",
                      "bias-corrected second moment (adam)", "update (adam)"]


@pytest.mark.parametrize("change, code", [
    # a change that is one negated product is subtracted as it is: θ − η·(g + θ)
    ("-{lr} * ({grad} + {theta})", "W1 = W1 - 0.5 * (grad_W1 + W1)"),
    # one that adds at its top level is added whole, so θ gets the very same Δθ
    ("-{lr} * {grad} + {grad}", "W1 = W1 + (-0.5 * grad_W1 + grad_W1)"),
    ("-({lr} * {grad}) + {grad}", "W1 = W1 + (-(0.5 * grad_W1) + grad_W1)"),
    ("-{lr} * {grad} - {grad}", "W1 = W1 + (-0.5 * grad_W1 - grad_W1)"),
])
def test_the_update_s_code_adds_the_change_as_the_rule_computes_it(change, code):
    step = Step(None, "update", lambda grad, lr, theta: -lr * grad, Expression("Δ", "Δ", change))
    (update,) = update_ops(Optimizer(Rule("custom", (step,)), 0.5))
    assert update.code == code


def test_an_enclosed_number_keeps_no_parentheses_of_its_own():
    x = Name("x")
    values = {x: np.array(-0.5)}
    assert Expression("|{x}|").numbers({"x": x}, values, (), FOUR) == "|-0.5|"
    assert Expression("max({x}, 0)").numbers({"x": x}, values, (), FOUR) == "max(-0.5, 0)"
    assert Expression("max(0, {x})").numbers({"x": x}, values, (), FOUR) == "max(0, (-0.5))"


@pytest.mark.parametrize("code, operand", [
    ("np.tanh(z2)", "np.tanh(z2)"),
    ("np.sum(np.exp(z), axis=1)", "np.sum(np.exp(z), axis=1)"),
    ("np.sum((a - b) ** 2, axis=1)", "np.sum((a - b) ** 2, axis=1)"),
    ("np.exp(a) * np.exp(b)", "(np.exp(a) * np.exp(b))"),
    ("a1 * (1 - a1)", "(a1 * (1 - a1))"),
    ("W1", "W1"),
])
def test_code_is_grouped_as_an_operand_unless_it_is_one_name_or_one_call(code, operand):
    assert grouped(code) == operand


def test_an_op_has_no_code_when_a_definition_it_is_made_of_has_none():
    assert assignment(A1, "np.tanh(z1)", "np.tanh({z})") == "a1 = np.tanh(z1)"
    assert assignment(A1, "np.tanh(z1) * m1", "np.tanh({z})", "") == ""  # a part without code
    assert assignment(A1, "", "np.tanh({z})") == ""


def test_a_network_op_has_no_code_when_its_activation_or_loss_gives_none():
    """A definition read from a scenario may come without NumPy code: the ops made of it
    then have none either (the notebook says so), not code around an empty hole."""
    no_f = SIGMOID._replace(code="")
    no_df = SIGMOID._replace(derivative=SIGMOID.derivative._replace(code=""))
    for act, activation_code, dact_code in [
        (no_f, "", ""),
        (no_df, "a1 = (1 / (1 + np.exp(-z1))) * m1", ""),
        (SIGMOID, "a1 = (1 / (1 + np.exp(-z1))) * m1",
         "dact1 = ((1 / (1 + np.exp(-z1))) * (1 - (1 / (1 + np.exp(-z1))))) * m1"),
    ]:
        model = two_layers(Layer(2, act, True, 0.5), Layer(2, SIGMOID))
        assert network.forward(model, 1)[-1].code == activation_code
        assert network._dact(model, 1).code == dact_code
    half_sse = LOSSES.make("half_sse")
    for formula_code, gradient_code in [("", "a2 - y"), ("0.5 * np.sum(({p} - {y}) ** 2, axis=1)", "")]:
        ell = half_sse._replace(formula=half_sse.formula._replace(code=formula_code),
                                gradient=half_sse.gradient._replace(code=gradient_code))
        model = dataclasses.replace(two_layers(Layer(2, SIGMOID), Layer(2, SIGMOID)), loss=ell)
        ops = {op.kind: op for op in network.loss(model)}
        loss_code = "loss = np.sum(0.5 * np.sum((a2 - y) ** 2, axis=1)) / len(a2)"
        assert ops["loss"].code == (loss_code if formula_code else "")
        assert ops["loss_grad"].code == ("grad_a2 = (a2 - y) / len(a2)" if gradient_code else "")


# How a value and a sum are shortened (notation.compact, notation.sum_of): the expected
# text is the value's elements written by hand, then "… k more" with k counted by hand.

@pytest.mark.parametrize(("value", "limit", "text"), [
    (2.5, 6, "2.5"),
    (np.array([1.0, -2.0, 3.0]), 6, "[1, -2, 3]"),
    (np.array([1.0, 2.0, 3.0, 4.0]), 4, "[1, 2, 3, 4]"),  # exactly `limit` items: nothing cut
    (np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), 4, "[1, 2, 3, 4, … 3 more]"),  # 7 − 4 = 3
    (np.array([[1.0, 2.0], [3.0, 4.0]]), 6, "[[1, 2], [3, 4]]"),
])
def test_compact_writes_the_elements_and_counts_the_ones_cut(value, limit, text):
    assert notation.compact(value, FOUR, limit) == text


def test_compact_cuts_after_six_items_unless_told():
    assert notation.compact(np.arange(1.0, 7.0), FOUR) == "[1, 2, 3, 4, 5, 6]"
    assert notation.compact(np.arange(1.0, 8.0), FOUR) == "[1, 2, 3, 4, 5, 6, … 1 more]"


@pytest.mark.parametrize(("terms", "total", "text"), [
    (["a", "b", "c"], None, "a + b + c"),
    (list("abcde"), None, "a + b + c + d + e"),  # limit + 1 terms: all of them, no "1 more"
    (list("abcdef"), None, "a + b + c + d + … (2 more terms)"),  # 6 − 4 = 2
    (list("abcde"), 9, "a + b + c + d + … (5 more terms)"),  # of 9, 9 − 4 = 5 not shown
    (list("abcdef"), 3, "a + b + c"),  # only the first `total` of the terms given
])
def test_sum_of_shows_four_terms_and_counts_the_rest(terms, total, text):
    assert notation.sum_of(terms, total) == text


# Names as the user reads them (names.Name): the text and LaTeX below are the module's
# conventions applied by hand — trailing digits are the layer, a known prefix before "_"
# makes a derived name, a layer is a superscript in parentheses.

@pytest.mark.parametrize(("text", "kind", "layer", "latex"), [
    ("W1", "W", 1, "W^{(1)}"),
    ("a0", "a", 0, "a^{(0)}"),
    ("z10", "z", 10, "z^{(10)}"),
    ("x", "x", None, "x"),
    ("loss", "loss", None, "J"),
    ("lr", "lr", None, r"\eta_t"),
    ("delta2", "delta", 2, r"\delta^{(2)}"),
    ("dact1", "dact", 1, "f'(z^{(1)})"),
    ("theta", "theta", None, r"\theta"),
    ("bias", "bias", None, r"\mathrm{bias}"),
    ("d_3", "d_", 3, "d_{3}"),
    ("theta_2", "theta_", 2, r"\theta_{2}"),
    ("grad_W1", "grad_W", 1, r"\frac{\partial J}{\partial W^{(1)}}"),
    ("m_b2", "m_b", 2, "m_{b^{(2)}}"),
    ("v_W1", "v_W", 1, "v_{W^{(1)}}"),
    ("mhat_W1", "mhat_W", 1, r"\hat{m}_{W^{(1)}}"),
    ("vhat_w", "vhat_w", None, r"\hat{v}_{w}"),
    ("s_W1", "s_W", 1, "s_{W^{(1)}}"),
    ("update_W1", "update_W", 1, r"\Delta W^{(1)}"),
    ("grad_grad_x", "grad_grad_x", None, r"\frac{\partial J}{\partial \frac{\partial J}{\partial x}}"),
    ("my_W1", "my_W", 1, r"\mathrm{my_W}^{(1)}"),  # "my" is no prefix: the kind is one word
    ("x01", "x01", None, r"\mathrm{x01}"),  # a layer has no leading 0: "01" is no layer
    ("W0x", "W0x", None, r"\mathrm{W0x}"),
])
def test_a_name_is_read_back_from_its_text_and_written_in_latex(text, kind, layer, latex):
    name = Name.parse(text)
    assert (name.kind, name.layer) == (kind, layer)
    assert str(name) == text and f"{name:>12}" == f"{text:>12}"
    assert name.latex() == latex


@pytest.mark.parametrize(("text", "prefix", "base"), [
    ("grad_W1", "grad", "W1"), ("m_W1", "m", "W1"), ("vhat_b2", "vhat", "b2"), ("update_w", "update", "w"),
    ("W1", None, "W1"), ("d_3", None, "d_3"), ("my_W1", None, "my_W1"), ("grad_", None, "grad_"),
])
def test_a_derived_name_knows_its_prefix_and_what_it_is_of(text, prefix, base):
    assert Name.parse(text).prefix == prefix
    assert Name.parse(text).base is Name.parse(base)


def test_equal_names_are_one_object_and_a_string_is_never_a_name():
    assert Name("W", 1) is Name.parse("W1") is names.grad(Name("W", 1)).base
    assert names.grad(Name("b", 2)) is Name("grad_b", 2)
    assert names.derived("m", Name("W", 1)) is Name("m_W", 1)
    assert Name("W", 1) == Name("W", 1) and Name("W", 1) != Name("W", 2) and Name("W", 1) != Name("W")
    assert not (Name("W", 1) != Name("W", 1))
    for compare in (lambda: Name("W", 1) == "W1", lambda: Name("W", 1) != "W1"):
        with pytest.raises(TypeError, match=r"^comparing the name W1 with the string 'W1': use Name.parse or str\(\)$"):
            compare()
    assert (names.LOSS, names.TARGETS, names.STEP, names.RATE, names.PENALTY) == tuple(
        Name(k) for k in ("loss", "y", "t", "lr", "penalty"))
    assert Name("penalty").latex() == r"\Omega"
