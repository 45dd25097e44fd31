"""What a user reads on screen, as exact text: every definition's formula in symbols and in
LaTeX, and one element written out with the numbers substituted.

The numbers are put in by hand (`values` below), so each expected string is the template of
the docs filled in with numbers chosen here; none is copied from the program's output. Values
need not be consistent with each other (an explainer only writes out what it is given): a1 =
−0.5 beside z1 = −0.25 keeps every number short and every sign visible.
"""

from __future__ import annotations

import numpy as np
import pytest

from stepnet.engine import network
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.losses import LOSSES
from stepnet.engine.model import Layer, Model, Optimizer
from stepnet.engine.names import Name
from stepnet.engine.notation import formatter
from stepnet.engine.op import Op

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
