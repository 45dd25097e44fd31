"""The scalar operations a computation graph's expressions are made of: each one's value, its
local derivative with respect to each operand, and how both are written — in symbols, in
LaTeX, and with the numbers substituted.

An operation is one definition, as an activation is (`stepnet.engine.activations`; tanh,
sigmoid and relu are made from theirs): its templates name the operands by fields ({a},
{b}; an activation's {z}) and the result by one more ({out}; an activation's {a}). A local
derivative is a function whose parameters are the fields it reads, with a template in
the same fields, so the backward pass (`stepnet.engine.graph`) writes each chain-rule term
out: for f = q·z, ∂f/∂q = z and

    grad_q += grad_f·z = 1 × (−4) = −4

Each template's code is the same in NumPy (`{a} * {b}`), for a notebook to recompute it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.formula import Constant, Expression, Terms
from stepnet.engine.names import Name
from stepnet.engine.registry import Option, Registry

Array = np.ndarray
#: what an operation applies to: a quantity, or a number written in the expression
Operand = Name | Constant

#: the functions an expression may call, each an operation of that name
FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu")


@dataclass(frozen=True)
class Partial:
    """∂out/∂operand: computed from the fields its parameters name, written in the same fields."""

    compute: Callable[..., object]
    expression: Expression

    @property
    def reads(self) -> tuple[str, ...]:
        return tuple(inspect.signature(self.compute).parameters)


@dataclass(frozen=True)
class Operation:
    name: str
    #: what it computes, in words: "product"
    label: str
    #: out from the operands, in their order
    value: Callable[..., object]
    #: out in the operands' fields: "{a}·{b}"
    formula: Expression
    #: ∂out/∂ each operand, in their order
    partials: tuple[Partial, ...]
    fields: tuple[str, ...] = ("a", "b")
    result: str = "out"
    #: a derivative jumps where the operand is 0 (ReLU)
    kink: bool = False

    def terms(self, operands: Sequence[Operand], out: Name) -> Terms:
        """The fields bound to what they stand for in one application."""
        return {**dict(zip(self.fields, operands)), self.result: out}


def one() -> float:
    return 1.0


ONE = Expression("1", "1", "1.0")


OPERATIONS: Registry[Operation] = Registry()


@OPERATIONS.define()
def add() -> Operation:
    return Operation("add", "sum", np.add, Expression("{a} + {b}", "{a} + {b}", "{a} + {b}"),
                     (Partial(one, ONE), Partial(one, ONE)))


@OPERATIONS.define()
def subtract() -> Operation:
    return Operation("subtract", "difference", np.subtract, Expression("{a} − {b}", "{a} - {b}", "{a} - {b}"),
                     (Partial(one, ONE), Partial(lambda: -1.0, Expression("−1", "-1", "-1.0"))))


@OPERATIONS.define()
def multiply() -> Operation:
    return Operation("multiply", "product", np.multiply, Expression("{a}·{b}", r"{a} \cdot {b}", "{a} * {b}"),
                     (Partial(lambda b: b, Expression("{b}", "{b}", "{b}")),
                      Partial(lambda a: a, Expression("{a}", "{a}", "{a}"))))


@OPERATIONS.define()
def divide() -> Operation:
    return Operation("divide", "quotient", np.divide, Expression("{a}/{b}", r"\frac{{a}}{{b}}", "{a} / {b}"),
                     (Partial(lambda b: 1.0 / b, Expression("1/{b}", r"\frac{1}{{b}}", "1.0 / {b}")),
                      Partial(lambda a, b: -a / (b * b),
                              Expression("−{a}/{b}²", r"-\frac{{a}}{{b}^{2}}", "-{a} / ({b} * {b})"))))


@OPERATIONS.define()
def negate() -> Operation:
    return Operation("negate", "negation", np.negative, Expression("−{a}", "-{a}", "-{a}"),
                     (Partial(lambda: -1.0, Expression("−1", "-1", "-1.0")),), fields=("a",))


@OPERATIONS.define(Option("exponent", 2.0))
def power(exponent: float) -> Operation:
    """a**n for a number n; ∂/∂a = n·a^(n−1)."""
    n = float(exponent)
    if n == 0:
        partial = Partial(lambda: 0.0, Expression("0", "0", "0.0"))
    elif n == 1:
        partial = Partial(one, ONE)
    elif n == 2:
        partial = Partial(lambda a: 2.0 * a, Expression("2·{a}", "2 {a}", "2.0 * {a}"))
    else:
        partial = Partial(lambda a: n * a ** (n - 1),
                          Expression(f"{n:g}·{{a}}{_raised(n - 1)}", f"{n:g} {{a}}^{{{n - 1:g}}}",
                                     f"{n!r} * {{a}} ** {n - 1!r}"))
    return Operation("power", "power", lambda a: a ** n,
                     Expression(f"{{a}}{_raised(n)}", f"{{a}}^{{{n:g}}}", f"{{a}} ** {n!r}"), (partial,), fields=("a",))


def _raised(n: float) -> str:
    """An exponent in text: ², ³, else ^n, in parentheses when negative: ^(−1)."""
    return {2.0: "²", 3.0: "³"}.get(n, f"^{n:g}" if n >= 0 else f"^({n:g})".replace("-", "−"))


@OPERATIONS.define()
def exp() -> Operation:
    return Operation("exp", "exponential", np.exp, Expression("exp({a})", "e^{{a}}", "np.exp({a})"),
                     (Partial(lambda out: out, Expression("{out}", "{out}", "{out}")),), fields=("a",))


@OPERATIONS.define()
def log() -> Operation:
    return Operation("log", "natural logarithm", np.log, Expression("log({a})", r"\log {a}", "np.log({a})"),
                     (Partial(lambda a: 1.0 / a, Expression("1/{a}", r"\frac{1}{{a}}", "1.0 / {a}")),), fields=("a",))


def _activation(name: str) -> Operation:
    """The activation of that name as an operation on a scalar: a = f(z), ∂a/∂z = f′(z)."""
    act = ACTIVATIONS.make(name)
    return Operation(name, act.name, act.f, Expression(act.call("{z}"), f"{act.tex}({{z}})", act.code),
                     (Partial(act.df, act.derivative),), fields=("z",), result="a", kink=act.kink)


@OPERATIONS.define()
def tanh() -> Operation:
    return _activation("tanh")


@OPERATIONS.define()
def sigmoid() -> Operation:
    return _activation("sigmoid")


@OPERATIONS.define()
def relu() -> Operation:
    return _activation("relu")
