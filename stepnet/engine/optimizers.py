"""Optimizers and learning-rate schedules: each update rule as the lines a worked example
writes, one operation per line, per trained parameter θ.

A rule's steps name what they read by their arguments: `theta` (the parameter), `grad`
(∂J/∂θ), `lr` (the learning rate η, or ηₜ under a schedule), `t` (the number of the
update, 1 for the first) and the rule's own state (`m`, `v`, `s`, … kept per parameter as
m_W1, v_W1, …). The last step is the change Δθ the update adds to θ (−η·g for SGD): θ's own
line, θ ← θ − η·g, is written from it, and a source that states ΔW gets it as a quantity of
its own, update_W1. Each step's template uses the same names, so a step is written out
element by element with the numbers substituted:

    m_W1[0,0] = β₁·m_W1[0,0] + (1 − β₁)·grad_W1[0,0] = 0.9 × 0 + (1 − 0.9) × 0.5 = 0.05

and its code, `{b1} * {m} + (1.0 - {b1}) * {grad}`, is the same line in NumPy (for a notebook).
A change that is subtracted negates η, a number, rather than a product of arrays: −η·g is
−(η·g) bit for bit (rounding does not depend on the sign), at one pass less over θ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from stepnet.engine.formula import NO_CONSTANTS, Constant, Expression, arguments_of
from stepnet.engine.registry import Option, Registry

Array = np.ndarray


class Step(NamedTuple):
    """One line of an update rule: `slot ← expression`; with slot None, the change Δθ that
    θ's update adds (θ ← θ + Δθ): its template starts with − when it is subtracted."""

    slot: str | None
    label: str
    compute: Callable[..., Array]
    expression: Expression

    @property
    def reads(self) -> tuple[str, ...]:
        """What `compute` takes, by name: theta, grad, lr, t or a slot of the rule."""
        return tuple(p.name for p in arguments_of(self.compute))


class Rule(NamedTuple):
    """An optimizer: its steps, the state it keeps between iterations (zero at the start),
    and the constants its templates name."""

    name: str
    steps: tuple[Step, ...]
    state: tuple[str, ...] = ()
    constants: Mapping[str, Constant] = NO_CONSTANTS


OPTIMIZERS: Registry[Rule] = Registry()


def fraction(name: str, default: float) -> Option:
    """β, ρ, μ: a decay that keeps a fraction of the past, in [0, 1)."""
    return Option(name, default, at_least=0.0, below=1.0)



@OPTIMIZERS.define()
def sgd() -> Rule:
    return Rule("sgd", (Step(None, "update", lambda grad, lr: -lr * grad,
                             Expression("−{lr}·{grad}", "-{lr} {grad}", "-{lr} * {grad}")),))


@OPTIMIZERS.define(fraction("momentum", 0.9), Option("nesterov", False))
def momentum(momentum: float, nesterov: bool) -> Rule:
    μ = float(momentum)
    velocity = Step("v", "velocity", lambda v, grad, lr: μ * v - lr * grad,
                    Expression("{mu}·{v} − {lr}·{grad}", "{mu} {v} - {lr} {grad}", "{mu} * {v} - {lr} * {grad}"))
    if nesterov:  # the look-ahead: θ moves by μV − η·g, PyTorch's SGD(nesterov=True)
        update = Step(None, "update", lambda v, grad, lr: μ * v - lr * grad,
                      Expression("{mu}·{v} − {lr}·{grad}", "{mu} {v} - {lr} {grad}", "{mu} * {v} - {lr} * {grad}"))
    else:
        update = Step(None, "update", lambda v: v, Expression("{v}", "{v}", "{v}"))
    return Rule("momentum", (velocity, update), ("v",), {"mu": Constant("μ", r"\mu", μ)})


@OPTIMIZERS.define(fraction("beta1", 0.9), fraction("beta2", 0.999), Option("epsilon", 1e-8, at_least=0.0))
def adam(beta1: float, beta2: float, epsilon: float) -> Rule:
    β1, β2, ε = float(beta1), float(beta2), float(epsilon)
    return Rule("adam", (
        Step("m", "first moment", lambda m, grad: β1 * m + (1.0 - β1) * grad,
             Expression("{b1}·{m} + (1 − {b1})·{grad}", "{b1} {m} + (1 - {b1}) {grad}",
                        "{b1} * {m} + (1.0 - {b1}) * {grad}")),
        Step("v", "second moment", lambda v, grad: β2 * v + (1.0 - β2) * grad * grad,
             Expression("{b2}·{v} + (1 − {b2})·{grad}²", "{b2} {v} + (1 - {b2}) ({grad})^2",
                        "{b2} * {v} + (1.0 - {b2}) * {grad} * {grad}")),
        Step("mhat", "bias-corrected first moment", lambda m, t: m / (1.0 - β1 ** t),
             Expression("{m}/(1 − {b1}^{t})", r"\frac{{m}}{1 - {b1}^{{t}}}", "{m} / (1.0 - {b1} ** {t})")),
        Step("vhat", "bias-corrected second moment", lambda v, t: v / (1.0 - β2 ** t),
             Expression("{v}/(1 − {b2}^{t})", r"\frac{{v}}{1 - {b2}^{{t}}}", "{v} / (1.0 - {b2} ** {t})")),
        Step(None, "update", lambda lr, mhat, vhat: -lr * mhat / (np.sqrt(vhat) + ε),
             Expression("−{lr}·{mhat}/(√{vhat} + {eps})", r"-{lr} \frac{{mhat}}{\sqrt{{vhat}} + {eps}}",
                        "-{lr} * {mhat} / (np.sqrt({vhat}) + {eps})")),
    ), ("m", "v"), {"b1": Constant("β₁", r"\beta_1", β1), "b2": Constant("β₂", r"\beta_2", β2),
                    "eps": Constant("ε", r"\epsilon", ε)})


@OPTIMIZERS.define(fraction("decay", 0.9), Option("epsilon", 1e-8, at_least=0.0))
def rmsprop(decay: float, epsilon: float) -> Rule:
    ρ, ε = float(decay), float(epsilon)
    return Rule("rmsprop", (
        Step("s", "mean square", lambda s, grad: ρ * s + (1.0 - ρ) * grad * grad,
             Expression("{rho}·{s} + (1 − {rho})·{grad}²", "{rho} {s} + (1 - {rho}) ({grad})^2",
                        "{rho} * {s} + (1.0 - {rho}) * {grad} * {grad}")),
        Step(None, "update", lambda grad, lr, s: -lr * grad / (np.sqrt(s) + ε),
             Expression("−{lr}·{grad}/(√{s} + {eps})", r"-{lr} \frac{{grad}}{\sqrt{{s}} + {eps}}",
                        "-{lr} * {grad} / (np.sqrt({s}) + {eps})")),
    ), ("s",), {"rho": Constant("ρ", r"\rho", ρ), "eps": Constant("ε", r"\epsilon", ε)})


@OPTIMIZERS.define(Option("epsilon", 1e-8, at_least=0.0))
def adagrad(epsilon: float) -> Rule:
    ε = float(epsilon)
    return Rule("adagrad", (
        Step("s", "sum of squares", lambda s, grad: s + grad * grad,
             Expression("{s} + {grad}²", "{s} + ({grad})^2", "{s} + {grad} * {grad}")),
        Step(None, "update", lambda grad, lr, s: -lr * grad / (np.sqrt(s) + ε),
             Expression("−{lr}·{grad}/(√{s} + {eps})", r"-{lr} \frac{{grad}}{\sqrt{{s}} + {eps}}",
                        "-{lr} * {grad} / (np.sqrt({s}) + {eps})")),
    ), ("s",), {"eps": Constant("ε", r"\epsilon", ε)})


class Schedule(NamedTuple):
    """The iteration's learning rate ηₜ from the scenario's η and the update's number t."""

    name: str
    rate: Callable[[float, Array], Array]
    #: ηₜ in {eta}, {t} and the constants
    expression: Expression
    constants: Mapping[str, Constant] = NO_CONSTANTS


SCHEDULES: Registry[Schedule] = Registry()


@SCHEDULES.define(Option("gamma", 0.1, positive=True), Option("every", 10, at_least=1))
def step(gamma: float, every: int) -> Schedule:
    γ, k = float(gamma), int(every)
    return Schedule("step", lambda eta, t: eta * γ ** ((t - 1) // k),
                    Expression("{eta}·{gamma}^⌊({t} − 1)/{every}⌋",
                               r"{eta} \, {gamma}^{\lfloor ({t} - 1)/{every} \rfloor}",
                               "{eta} * {gamma} ** (({t} - 1) // {every})"),
                    {"gamma": Constant("γ", r"\gamma", γ), "every": Constant("k", "k", k)})


@SCHEDULES.define(Option("gamma", 0.9, positive=True))
def exponential(gamma: float) -> Schedule:
    γ = float(gamma)
    return Schedule("exponential", lambda eta, t: eta * γ ** (t - 1),
                    Expression("{eta}·{gamma}^({t} − 1)", r"{eta} \, {gamma}^{{t} - 1}",
                               "{eta} * {gamma} ** ({t} - 1)"),
                    {"gamma": Constant("γ", r"\gamma", γ)})


@SCHEDULES.define(Option("decay", 0.01, at_least=0.0))
def time(decay: float) -> Schedule:
    d = float(decay)
    return Schedule("time", lambda eta, t: eta / (1.0 + d * (t - 1)),
                    Expression("{eta}/(1 + {decay}·({t} − 1))", r"\frac{{eta}}{1 + {decay} ({t} - 1)}",
                               "{eta} / (1.0 + {decay} * ({t} - 1))"),
                    {"decay": Constant("d", "d", d)})

