"""The update phase: the iteration's learning rate under a schedule, then each line of the
optimizer's rule for each trained parameter, as operations (`stepnet.engine.optimizers`
defines the rules; this turns them into ops over named quantities).

For sources that state the change ΔW rather than (or besides) the new weights, the last line
θ ← θ ± … can be two ops: update_θ = ±…, then θ ← θ + update_θ. Every rule writes that line
as `{theta} + …` or `{theta} − …`, so the change is the same template without its θ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from stepnet.engine.formula import Constant, Expression, Term, Terms, legend, tex_legend
from stepnet.engine.model import Optimizer
from stepnet.engine.names import RATE, STEP, Name, derived, grad
from stepnet.engine.op import Op, Shape, assignment
from stepnet.engine.optimizers import Step

Array = np.ndarray


def updates(optimizer: Optimizer, parameters: Sequence[Name], shapes: dict[Name, Shape],
            changes: bool = False) -> list[Op]:
    """ηₜ if there is a schedule, then each trained parameter's steps, in `parameters`' order;
    with `changes`, each parameter's last step as its change update_θ and θ + update_θ."""
    η = Constant("η", r"\eta", optimizer.learning_rate)
    ops = [] if optimizer.schedule is None else [_rate(optimizer, η)]
    rate: Term = η if optimizer.schedule is None else RATE
    for theta in parameters:
        for step in optimizer.rule.steps:
            if changes and step.slot is None:
                ops += _change(step, theta, optimizer, rate, shapes[theta])
            else:
                ops.append(_step(step, theta, optimizer, rate, shapes[theta]))
    return ops


def _rate(optimizer: Optimizer, η: Constant) -> Op:
    schedule = optimizer.schedule
    assert schedule is not None
    terms: Terms = {"eta": η, "t": STEP, **schedule.constants}
    expression = schedule.expression
    constants = expression.constants(terms)
    return Op("lr", "update", None, RATE, (STEP,), f"learning rate ({schedule.name} schedule)",
              f"{RATE} = {expression.symbols(terms)}{legend(constants)}",
              f"{RATE.latex()} = {expression.tex(terms)}{tex_legend(constants)}",
              compute=lambda t: schedule.rate(η.value, t), explainer=expression.explainer(terms),
              code=assignment(RATE, expression.python(terms), expression.code))


def _terms(theta: Name, optimizer: Optimizer, rate: Term) -> Terms:
    """What a rule's templates name, for the parameter `theta`."""
    rule = optimizer.rule
    slots = {s.slot for s in rule.steps if s.slot} | set(rule.state)
    return {"theta": theta, "grad": grad(theta), "lr": rate, "t": STEP,
            **{slot: derived(slot, theta) for slot in slots}, **rule.constants}


def _step(step: Step, theta: Name, optimizer: Optimizer, rate: Term, shape: Shape) -> Op:
    rule = optimizer.rule
    terms = _terms(theta, optimizer, rate)
    output = theta if step.slot is None else derived(step.slot, theta)
    # ← for what it replaces (θ, the rule's state), = for what it makes afresh (m̂)
    arrow = r"\leftarrow" if step.slot is None or step.slot in rule.state else "="
    expression = step.expression
    constants = expression.constants(terms)
    reads, compute = _bind(step.compute, [terms[name] for name in step.reads])
    return Op("update" if step.slot is None else "optimizer", "update", theta.layer, output, reads,
              f"{step.label} ({rule.name})",
              f"{output} = {expression.symbols(terms)}{legend(constants)}",
              f"{output.latex()} {arrow} {expression.tex(terms)}{tex_legend(constants)}",
              compute=compute, explainer=expression.explainer(terms), shape=shape,
              code=assignment(output, expression.python(terms), expression.code))


def _change(step: Step, theta: Name, optimizer: Optimizer, rate: Term, shape: Shape) -> list[Op]:
    """θ ← θ ± … as two ops: the change update_θ = ±… (θ_new − θ_old), then θ ← θ + update_θ."""
    rule, change = optimizer.rule, derived("update", theta)
    terms = _terms(theta, optimizer, rate)
    expression = Expression(_without_theta(step.expression.text, "−"), _without_theta(step.expression.latex, "-"),
                            _without_theta(step.expression.code, "-") if step.expression.code else "")
    constants = expression.constants(terms)
    reads, compute = _bind(step.compute, [terms[name] for name in step.reads])
    at = reads.index(theta)
    apply_terms: Terms = {"theta": theta, "change": change}
    apply = Expression("{theta} + {change}", "{theta} + {change}")
    return [
        Op("change", "update", theta.layer, change, reads, f"change ({rule.name})",
           f"{change} = {expression.symbols(terms)}{legend(constants)}",
           f"{change.latex()} = {expression.tex(terms)}{tex_legend(constants)}",
           compute=lambda *values: compute(*values) - values[at], explainer=expression.explainer(terms),
           shape=shape, code=assignment(change, expression.python(terms), expression.code)),
        Op("update", "update", theta.layer, theta, (theta, change), f"update ({rule.name})",
           f"{theta} = {apply.symbols(apply_terms)}", rf"{theta.latex()} \leftarrow {apply.tex(apply_terms)}",
           compute=np.add, explainer=apply.explainer(apply_terms), shape=shape,
           code=f"{theta} = {theta} + {change}"),
    ]


def _without_theta(template: str, minus: str) -> str:
    """`−{lr}·{grad}` of `{theta} − {lr}·{grad}`, `{v}` of `{theta} + {v}`."""
    tail = template.removeprefix("{theta} ")
    if tail.startswith("+ "):
        return tail[2:]
    if tail.startswith(f"{minus} ") and tail != template:
        return minus + tail[2:]
    raise ValueError(f"an update rule's last step is written {{theta}} ± …, not {template!r}")


def _bind(compute: Callable[..., Array], args: list[Term]) -> tuple[tuple[Name, ...], Callable[..., Array]]:
    """The quantities among `args` (what an op reads), and `compute` taking only them: a
    constant argument (η without a schedule) is passed its value."""
    reads = tuple(a for a in args if isinstance(a, Name))
    if len(reads) == len(args):
        return reads, compute
    fixed = [a.value if isinstance(a, Constant) else None for a in args]

    def call(*values: Array) -> Array:
        given = iter(values)
        return compute(*[next(given) if f is None else f for f in fixed])

    return reads, call
