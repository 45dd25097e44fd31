"""Activation functions: a = f(z), the derivative f′ the backward pass multiplies by, and how
both are written — in symbols, in LaTeX, and for one element with the numbers substituted.

An activation is one definition: its function, its derivative (from the layer's z and a,
whichever the closed form is cheaper in), the templates of its formulas, and both written
as NumPy code (for a notebook that recomputes the worked example). The ops that
use it (`stepnet.engine.ops`) ask it for everything they show. Softmax is the one
activation whose derivative is a Jacobian, not elementwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from stepnet.engine.formula import (
    NO_CONSTANTS,
    Constant,
    Explainer,
    Expression,
    Term,
    Terms,
    Values,
    legend,
    python,
    tex_legend,
)
from stepnet.engine.names import Name
from stepnet.engine.notation import Fmt, element, signed, sum_of
from stepnet.engine.registry import Option, Registry

Array = np.ndarray


class Activation(NamedTuple):
    """An activation function a = f(z) and its derivative, with how both are written."""

    name: str
    #: how f is written: "σ" gives a1 = σ(z1); its LaTeX
    symbol: str
    tex: str
    f: Callable[[Array], Array]
    #: f′ from the layer's z and a
    df: Callable[[Array, Array], Array]
    #: f′ of one element, a template in {z}, {a} and the constants: "{a}·(1 − {a})"
    derivative: Expression
    #: f written out in {z} where the symbol alone does not say it: "log(1 + exp({z}))"
    definition: Expression | None = None
    #: the constants its templates name, by field: {"alpha": Constant("α", r"\alpha", 1.0)}
    constants: Mapping[str, Constant] = NO_CONSTANTS
    #: f′ jumps at z = 0 (ReLU): a finite difference across it measures neither side
    kink: bool = False
    elementwise: bool = True
    #: f as NumPy code in {z} and the constants: "np.tanh({z})"; f′'s is `derivative.code`
    code: str = ""

    def terms(self, z: Name, a: Name) -> Terms:
        return {"z": z, "a": a, **self.constants}

    def legend(self) -> str:
        """Its constants, after a formula: `   (α = 0.01)`."""
        return legend(self.constants.values())

    def tex_legend(self) -> str:
        return tex_legend(self.constants.values())

    # --- a = f(z) ---------------------------------------------------------------------

    def call(self, z: str) -> str:
        """f applied to `z`, in symbols: σ(z1)."""
        return f"{self.symbol}({z})"

    def value_formula(self, z: Name, a: Name) -> str:
        """`σ(z1)`, and its definition when it has one: `softplus(z1) = log(1 + exp(z1))`."""
        written = f" = {self.definition.symbols(self.terms(z, a))}" if self.definition else ""
        return self.call(str(z)) + written

    def value_tex(self, z: Name, a: Name) -> str:
        written = f" = {self.definition.tex(self.terms(z, a))}" if self.definition else ""
        return f"{self.tex}({z.latex()})" + written

    def explain_value(self, z: Name) -> Explainer:
        """One element of a = f(z): `σ(z1[0,1])`, `σ(0.3775)`."""
        return lambda v, i, f: [self.call(element(str(z), i)), self.call(f(v[z][i]))]

    def value_code(self, z: Term) -> str:
        """f(z) in NumPy: `1 / (1 + np.exp(-z1))`; z may be code in parentheses."""
        return python(self.code, {"z": z, **self.constants})

    # --- f′(z) --------------------------------------------------------------------------

    def derivative_formula(self, z: Name, a: Name) -> str:
        """`σ′(z1) = a1·(1 − a1)`"""
        return f"{self.symbol}′({z}) = {self.derivative.symbols(self.terms(z, a))}"

    def derivative_tex(self, z: Name, a: Name) -> str:
        return f"f'({z.latex()}) = {self.tex}'({z.latex()}) = {self.derivative.tex(self.terms(z, a))}"

    def explain_derivative(self, z: Name, a: Name) -> Explainer:
        return self.derivative.explainer(self.terms(z, a))

    def derivative_code(self, z: Term, a: Term) -> str:
        """f′ in NumPy, from z and a: `a1 * (1 - a1)`."""
        return self.derivative.python({"z": z, "a": a, **self.constants})


ACTIVATIONS: Registry[Activation] = Registry()


def _sigmoid(z: Array) -> Array:
    # exp of −|z| never overflows: σ(z) = 1/(1+e^−z) for z ≥ 0, e^z/(1+e^z) below.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@ACTIVATIONS.define()
def sigmoid() -> Activation:
    return Activation(
        "sigmoid", "σ", r"\sigma", _sigmoid, lambda z, a: a * (1.0 - a),
        Expression("{a}·(1 − {a})", r"{a} \odot (1 - {a})", "{a} * (1 - {a})"),
        Expression("1/(1 + exp(−{z}))", r"\frac{1}{1 + e^{-{z}}}"), code="1 / (1 + np.exp(-{z}))",
    )


@ACTIVATIONS.define()
def tanh() -> Activation:
    return Activation("tanh", "tanh", r"\tanh", np.tanh, lambda z, a: 1.0 - a * a,
                      Expression("1 − {a}²", r"1 - ({a})^{2}", "1 - {a} * {a}"), code="np.tanh({z})")


@ACTIVATIONS.define()
def relu() -> Activation:
    return Activation("relu", "ReLU", r"\mathrm{ReLU}", lambda z: np.maximum(z, 0.0),
                      lambda z, a: (z > 0).astype(float),
                      Expression("[{z} > 0]", r"\mathbb{1}[{z} > 0]", "np.where({z} > 0, 1.0, 0.0)"),
                      Expression("max(0, {z})", r"\max(0,\ {z})"), kink=True, code="np.maximum({z}, 0.0)")


@ACTIVATIONS.define(Option("negative_slope", 0.01, at_least=0.0))
def leaky_relu(negative_slope: float) -> Activation:
    s = float(negative_slope)
    return Activation(
        "leaky_relu", "LeakyReLU", r"\mathrm{LeakyReLU}",
        lambda z: np.where(z > 0, z, s * z), lambda z, a: np.where(z > 0, 1.0, s),
        Expression("(1 if {z} > 0 else {alpha})",
                   r"\begin{cases} 1 & {z} > 0 \\ {alpha} & \text{otherwise} \end{cases}",
                   "np.where({z} > 0, 1.0, {alpha})"),
        Expression("({z} if {z} > 0 else {alpha}·{z})",
                   r"\begin{cases} {z} & {z} > 0 \\ {alpha} {z} & \text{otherwise} \end{cases}"),
        {"alpha": Constant("α", r"\alpha", s)}, kink=s != 1.0, code="np.where({z} > 0, {z}, {alpha} * {z})",
    )


@ACTIVATIONS.define()
def identity() -> Activation:
    return Activation("identity", "id", r"\mathrm{id}", lambda z: z, lambda z, a: np.ones_like(z),
                      Expression("1", "1", "np.ones_like({z})"), code="{z}")


@ACTIVATIONS.define()
def softplus() -> Activation:
    # log(1 + e^z) = logaddexp(0, z): no overflow for large z, no loss of digits for small
    return Activation("softplus", "softplus", r"\mathrm{softplus}", lambda z: np.logaddexp(0.0, z),
                      lambda z, a: _sigmoid(z), Expression("σ({z})", r"\sigma({z})", "1 / (1 + np.exp(-{z}))"),
                      Expression("log(1 + exp({z}))", r"\log(1 + e^{{z}})"), code="np.logaddexp(0.0, {z})")


@ACTIVATIONS.define(Option("alpha", 1.0, positive=True))
def elu(alpha: float) -> Activation:
    α = float(alpha)
    return Activation(
        "elu", "ELU", r"\mathrm{ELU}",
        # expm1 of min(z, 0): exact near 0, and no overflow where the branch is not taken
        lambda z: np.where(z > 0, z, α * np.expm1(np.minimum(z, 0.0))),
        lambda z, a: np.where(z > 0, 1.0, a + α),
        Expression("(1 if {z} > 0 else {a} + {alpha})",
                   r"\begin{cases} 1 & {z} > 0 \\ {a} + {alpha} & \text{otherwise} \end{cases}",
                   "np.where({z} > 0, 1.0, {a} + {alpha})"),
        Expression("({z} if {z} > 0 else {alpha}·(exp({z}) − 1))",
                   r"\begin{cases} {z} & {z} > 0 \\ {alpha} (e^{{z}} - 1) & \text{otherwise} \end{cases}"),
        {"alpha": Constant("α", r"\alpha", α)}, kink=α != 1.0,
        code="np.where({z} > 0, {z}, {alpha} * np.expm1(np.minimum({z}, 0.0)))",
    )


@ACTIVATIONS.define()
def silu() -> Activation:
    def df(z: Array, a: Array) -> Array:
        s = _sigmoid(z)
        return s * (1.0 + z * (1.0 - s))

    return Activation("silu", "SiLU", r"\mathrm{SiLU}", lambda z: z * _sigmoid(z), df,
                      Expression("σ({z})·(1 + {z}·(1 − σ({z})))", r"\sigma({z}) (1 + {z} (1 - \sigma({z})))",
                                 "1 / (1 + np.exp(-{z})) * (1 + {z} * (1 - 1 / (1 + np.exp(-{z}))))"),
                      Expression("{z}·σ({z})", r"{z} \, \sigma({z})"), code="{z} / (1 + np.exp(-{z}))")


class Softmax(Activation):
    """a_j = exp(z_j)/Σ_k exp(z_k) over a sample's units; f′ is the Jacobian a_i·(δ_ij − a_j),
    not elementwise. Its fields are an activation's."""

    def value_formula(self, z: Name, a: Name) -> str:
        return self.call(str(z))

    def value_tex(self, z: Name, a: Name) -> str:
        l = a.layer
        return rf"\frac{{e^{{z^{{({l})}}_{{sj}}}}}}{{\sum_k e^{{z^{{({l})}}_{{sk}}}}}}"

    def explain_value(self, z: Name) -> Explainer:
        def explain(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
            s, u = i
            row = v[z][s]
            return [f"exp({z}[{s},{u}]) / Σⱼ exp({z}[{s},j])",
                    f"exp({f(row[u])}) / ({sum_of([f'exp({f(x)})' for x in row[:5]], total=len(row))})"]

        return explain

    def derivative_formula(self, z: Name, a: Name) -> str:
        return f"∂{a}/∂{z} = {a}ᵢ·(δᵢⱼ − {a}ⱼ)   (the softmax Jacobian)"

    def derivative_tex(self, z: Name, a: Name) -> str:
        l = a.layer
        return (rf"\frac{{\partial a^{{({l})}}_{{sj}}}}{{\partial z^{{({l})}}_{{si}}}} = "
                rf"a^{{({l})}}_{{si}} (\delta_{{ij}} - a^{{({l})}}_{{sj}})")

    def explain_derivative(self, z: Name, a: Name) -> Explainer:
        def explain(v: Values, i: tuple[int, ...], f: Fmt) -> list[str]:
            s, r, c = i
            row = v[a][s]
            return [f"{a}[{s},{r}]·(δ{r}{c} − {a}[{s},{c}])",
                    f"{f(row[r])}·({'1' if r == c else '0'} − {signed(row[c], f)})"]

        return explain


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian(a: Array) -> Array:
    """J[s, i, j] = ∂a_j/∂z_i = a_i·(δ_ij − a_j) for each sample s."""
    return a[:, :, None] * (np.eye(a.shape[1])[None, :, :] - a[:, None, :])


@ACTIVATIONS.define()
def softmax() -> Activation:
    return Softmax("softmax", "softmax", r"\mathrm{softmax}", _softmax, lambda z, a: softmax_jacobian(a),
                   Expression("{a}·(δ − a)", "", "{a}[:, :, None] * (np.eye({a}.shape[1]) - {a}[:, None, :])"),
                   code="np.exp({z} - {z}.max(axis=1, keepdims=True)) "
                        "/ np.exp({z} - {z}.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)",
                   elementwise=False)
