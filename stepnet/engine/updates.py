"""The update phase: the iteration's learning rate under a schedule, then each line of the
optimizer's rule for each trained parameter, as operations (`stepnet.engine.optimizers`
defines the rules; this turns them into ops over named quantities)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from stepnet.engine.formula import Constant, Term, Terms, legend, tex_legend
from stepnet.engine.model import Optimizer
from stepnet.engine.names import RATE, STEP, Name, derived, grad
from stepnet.engine.op import Op, Shape
from stepnet.engine.optimizers import Step

Array = np.ndarray


def updates(optimizer: Optimizer, parameters: Sequence[Name], shapes: dict[Name, Shape]) -> list[Op]:
    """ηₜ if there is a schedule, then each trained parameter's steps, in `parameters`' order."""
    η = Constant("η", r"\eta", optimizer.learning_rate)
    ops = [] if optimizer.schedule is None else [_rate(optimizer, η)]
    rate: Term = η if optimizer.schedule is None else RATE
    for theta in parameters:
        ops += [_step(step, theta, optimizer, rate, shapes[theta]) for step in optimizer.rule.steps]
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
              compute=lambda t: schedule.rate(η.value, t), explainer=expression.explainer(terms))


def _step(step: Step, theta: Name, optimizer: Optimizer, rate: Term, shape: Shape) -> Op:
    rule = optimizer.rule
    slots = {s.slot for s in rule.steps if s.slot} | set(rule.state)
    terms: Terms = {"theta": theta, "grad": grad(theta), "lr": rate, "t": STEP,
                    **{slot: derived(slot, theta) for slot in slots}, **rule.constants}
    output = theta if step.slot is None else derived(step.slot, theta)
    # ← for what it replaces (θ, the rule's state), = for what it makes afresh (m̂)
    arrow = r"\leftarrow" if step.slot is None or step.slot in rule.state else "="
    expression = step.expression
    constants = expression.constants(terms)
    reads, compute = _bind(step.compute, {name: terms[name] for name in step.reads})
    return Op("update" if step.slot is None else "optimizer", "update", theta.layer, output, reads,
              f"{step.label} ({rule.name})",
              f"{output} = {expression.symbols(terms)}{legend(constants)}",
              f"{output.latex()} {arrow} {expression.tex(terms)}{tex_legend(constants)}",
              compute=compute, explainer=expression.explainer(terms), shape=shape)


def _bind(compute: Callable[..., Array], args: dict[str, Term]) -> tuple[tuple[Name, ...], Callable[..., Array]]:
    """The quantities among `args` (what an op reads), and `compute` taking only them: a
    constant argument (η without a schedule) is passed its value, by keyword where it comes
    after every quantity (a C-level partial: a Python wrapper cost each update 0.3 µs)."""
    reads = tuple(a for a in args.values() if isinstance(a, Name))
    if len(reads) == len(args):
        return reads, compute
    constants = {k: a.value for k, a in args.items() if isinstance(a, Constant)}
    if list(args)[len(reads):] == list(constants):
        return reads, partial(compute, **constants)
    fixed = [a.value if isinstance(a, Constant) else None for a in args.values()]

    def call(*values: Array) -> Array:
        given = iter(values)
        return compute(*[next(given) if f is None else f for f in fixed])

    return reads, call
