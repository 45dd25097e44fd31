"""The update phase: the iteration's learning rate under a schedule, then each line of the
optimizer's rule for each trained parameter, as operations (`stepnet.engine.optimizers`
defines the rules; this turns them into ops over named quantities).

A rule's last line is the change Δθ its update adds. θ's update is one op, written as a
worked example writes it, θ ← θ − η·g; for a source that states the change ΔW rather than
(or besides) the new weights, it is two: update_θ = −η·g, then θ ← θ + update_θ. Both add
the same Δθ, so both give the same θ, bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from stepnet.engine.formula import Constant, Expression, Term, Terms, bind, grouped, legend, tex_legend
from stepnet.engine.model import Optimizer
from stepnet.engine.names import RATE, STEP, Name, derived, grad
from stepnet.engine.op import Op, OpKind, Shape, assignment
from stepnet.engine.optimizers import Step

Array = np.ndarray
#: θ + Δθ, with the change as a quantity of its own
APPLY = Expression("{theta} + {change}", "{theta} + {change}", "{theta} + {change}")


def updates(optimizer: Optimizer, parameters: Sequence[Name], shapes: dict[Name, Shape],
            changes: bool = False) -> list[Op]:
    """ηₜ if there is a schedule, then each trained parameter's steps, in `parameters`' order;
    with `changes`, each parameter's change update_θ as an op of its own."""
    η = Constant("η", r"\eta", optimizer.learning_rate)
    ops = [] if optimizer.schedule is None else [_rate(optimizer, η)]
    rate: Term = η if optimizer.schedule is None else RATE
    for theta in parameters:
        terms = _terms(theta, optimizer, rate)
        for step in optimizer.rule.steps:
            ops += _update(step, theta, optimizer, terms, shapes[theta], changes) if step.slot is None \
                else [_slot(step, theta, optimizer, terms, shapes[theta])]
    return ops


def _rate(optimizer: Optimizer, η: Constant) -> Op:
    schedule = optimizer.schedule
    assert schedule is not None
    terms: Terms = {"eta": η, "t": STEP, **schedule.constants}
    return _op("lr", f"learning rate ({schedule.name} schedule)", RATE, "=", schedule.expression, terms,
               (STEP,), lambda t: schedule.rate(η.value, t), ())


def _terms(theta: Name, optimizer: Optimizer, rate: Term) -> Terms:
    """What a rule's templates name, for the parameter `theta`."""
    rule = optimizer.rule
    slots = {s.slot for s in rule.steps if s.slot} | set(rule.state)
    return {"theta": theta, "grad": grad(theta), "lr": rate, "t": STEP,
            **{slot: derived(slot, theta) for slot in slots}, **rule.constants}


def _slot(step: Step, theta: Name, optimizer: Optimizer, terms: Terms, shape: Shape) -> Op:
    """A line that keeps the rule's state (m ← β₁·m + (1 − β₁)·g) or makes a value (m̂ = …)."""
    assert step.slot is not None
    rule = optimizer.rule
    reads, compute = bind(step.compute, [terms[name] for name in step.reads])
    # ← for what it replaces (the rule's state), = for what it makes afresh (m̂)
    arrow = r"\leftarrow" if step.slot in rule.state else "="
    return _op("optimizer", f"{step.label} ({rule.name})", derived(step.slot, theta), arrow, step.expression,
               terms, reads, compute, shape)


def _update(step: Step, theta: Name, optimizer: Optimizer, terms: Terms, shape: Shape, change: bool) -> list[Op]:
    """θ ← θ + Δθ: one op, or the change and then its application."""
    rule = optimizer.rule.name
    reads, delta = bind(step.compute, [terms[name] for name in step.reads])
    if change:
        name = derived("update", theta)
        applied: Terms = {"theta": theta, "change": name}
        return [_op("change", f"change of {theta} ({rule})", name, "=", step.expression, terms, reads, delta, shape),
                _op("update", f"update ({rule})", theta, r"\leftarrow", APPLY, applied, (theta, name), np.add, shape)]
    text, latex, code = step.expression.text, step.expression.latex, step.expression.code
    written = Expression(_plus(text, "−"), _plus(latex, "-"), code and _plus_code(code))
    return [_op("update", f"update ({rule})", theta, r"\leftarrow", written, terms, (theta, *reads),
                lambda theta, *args: theta + delta(*args), shape)]


def _plus(change: str, minus: str) -> str:
    """θ + Δθ as a worked example writes it: `θ − η·g` for a change −η·g, `θ + V` for V."""
    if change.startswith(minus):
        return f"{{theta}} {minus} {change.removeprefix(minus)}"
    return f"{{theta}} + {change}"


def _plus_code(change: str) -> str:
    """θ + Δθ as NumPy code that adds the very same Δθ: `θ - lr * g` (θ + (−lr·g) exactly) for
    a change that is one negated product, else `θ + (…)`."""
    if change.startswith("-") and not _sum(change[1:]):
        return f"{{theta}} - {change[1:]}"
    return f"{{theta}} + {grouped(change)}"


def _sum(code: str) -> bool:
    """Whether `code` adds or subtracts at its top level (outside parentheses)."""
    depth = 0
    for k, c in enumerate(code):
        depth += (c == "(") - (c == ")")
        if depth == 0 and code[k - 1: k + 2] in (" + ", " - "):
            return True
    return False


def _op(kind: OpKind, label: str, output: Name, arrow: str, expression: Expression, terms: Terms,
        reads: tuple[Name, ...], compute: Callable[..., object], shape: Shape) -> Op:
    """An op of the update phase: `output` = `expression`, computed by `compute` of `reads`."""
    constants = expression.constants(terms)
    return Op(kind, "update", output.layer, output, reads, label,
              f"{output} = {expression.symbols(terms)}{legend(constants)}",
              f"{output.latex()} {arrow} {expression.tex(terms)}{tex_legend(constants)}",
              compute=compute, explainer=expression.explainer(terms), shape=shape,
              code=assignment(output, expression.python(terms), expression.code))
