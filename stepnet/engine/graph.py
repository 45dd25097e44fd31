"""A computation graph: named scalar leaves, nodes computed from them by expressions, and an
output whose gradient the backward pass takes with respect to everything — the worked
examples of cs231n (f = (x + y)·z) and micrograd, run as a program of operations.

One iteration, as operations:

    start                 t, the iteration's number; the leaves as they stand
    forward               each operation of each node, in node order: q = x + y
    loss                  loss = f (J is the output), then grad_f = 1
    backward              in reverse, each operation passes its gradient to ONE operand:
                          grad_q += grad_f·z — a value used twice receives two contributions
    update                the optimizer's steps for each trained leaf (`updates`)

A node with several operations (`d = a*b + b**3`) computes them one per step, the inner
ones into d_1, d_2, … and the last into d. `vertices` lays the graph out for a view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from stepnet.engine.expressions import Operand, Operation
from stepnet.engine.formula import Expression, Terms, Values, bind, grouped, python
from stepnet.engine.model import Dataset, Optimizer
from stepnet.engine.names import LOSS, STEP, Name, derived, grad
from stepnet.engine.notation import Fmt, compact
from stepnet.engine.op import Op, StartOp, assignment, frozen
from stepnet.engine.updates import updates

Array = np.ndarray

#: a graph has no data: one evaluation per iteration, as of one sample with no inputs
NO_DATA = Dataset(np.zeros((1, 0)), np.zeros((1, 0)))


@dataclass(frozen=True)
class Application:
    """One operation of a node: output = operation(operands)."""

    output: Name
    operation: Operation
    operands: tuple[Operand, ...]

    @property
    def terms(self) -> Terms:
        return self.operation.terms(self.operands, self.output)

    @property
    def reads(self) -> tuple[Name, ...]:
        return tuple(o for o in self.operands if isinstance(o, Name))

    def symbols(self) -> str:
        """`q = x + y`"""
        return f"{self.output} = {self.operation.formula.symbols(self.terms)}"


@dataclass(frozen=True)
class Node:
    """A named value as the scenario writes it (`d = a*b + b**3`) and its operations, the
    last of which computes it."""

    name: Name
    text: str
    steps: tuple[Application, ...]


Role = Literal["input", "parameter", "step", "node", "output"]


@dataclass(frozen=True)
class Vertex:
    """A value of the graph as a view draws it: a leaf, or an operation's result with its
    operands (the edges into it)."""

    name: Name
    role: Role
    #: None for a leaf
    operation: Operation | None
    operands: tuple[Operand, ...]
    #: 0 for a leaf, else one more than its deepest operand: the diagram's column
    depth: int
    #: the node it belongs to (a step d_1 belongs to d); a leaf, to itself
    node: Name
    #: `q = x + y`, or the leaf's name
    formula: str

    @property
    def expression(self) -> str:
        """What it computes from its operands: `x + y`; "" for a leaf."""
        if self.operation is None:
            return ""
        return self.operation.formula.symbols(self.operation.terms(self.operands, self.name))

    @property
    def gate(self) -> str:
        """The operation with its constants but not its operands, as a circuit diagram labels
        a gate: `+`, `·`, `exp`, `1/`, `+1`, `²`; "" for a leaf."""
        if self.operation is None:
            return ""
        terms = {field: "" if isinstance(term, Name) else term
                 for field, term in self.operation.terms(self.operands, self.name).items()}
        return re.sub(r"[\s()]", "", self.operation.formula.symbols(terms))


@dataclass(frozen=True)
class Graph:
    #: every leaf and its value before the first iteration (0-d, read-only)
    leaves: Mapping[Name, Array]
    #: the leaves the optimizer updates
    parameters: tuple[Name, ...]
    nodes: tuple[Node, ...]
    output: Name
    optimizer: Optimizer = field(default_factory=Optimizer)

    def __post_init__(self) -> None:
        for value in self.leaves.values():
            frozen(value)

    @property
    def steps(self) -> tuple[Application, ...]:
        """Every operation, in the order the forward pass performs them."""
        return tuple(step for node in self.nodes for step in node.steps)

    # --- what a program asks of it (`trainable.Trainable`) ------------------------------

    def parameter_names(self) -> list[Name]:
        """Every leaf: the gradient check differentiates the output by each."""
        return list(self.leaves)

    def trained_parameters(self) -> list[Name]:
        return [p for p in self.parameters if p not in self.optimizer.frozen]

    def state_names(self) -> list[Name]:
        return [*self.leaves, *(derived(slot, p) for p in self.trained_parameters()
                                for slot in self.optimizer.rule.state)]

    def initial_state(self) -> dict[Name, Array]:
        state = dict(self.leaves)
        for p in self.trained_parameters():
            for slot in self.optimizer.rule.state:
                state[derived(slot, p)] = frozen(np.zeros(()))
        return state

    def without_dropout(self) -> Graph:
        return self

    def operations(self, data: Dataset) -> list[Op]:
        trained = self.trained_parameters()
        return [self._start(), *map(_forward, self.steps), *self._objective(), *self._backward(),
                *updates(self.optimizer, trained, dict.fromkeys(trained, ()))]

    def kinks(self) -> list[Name]:
        """The operands of ReLU."""
        return list(dict.fromkeys(name for step in self.steps if step.operation.kink for name in step.reads))

    def score(self, values: Mapping[Name, Array]) -> tuple[float, float | None]:
        """J itself: there are no samples to average over, nothing to classify."""
        return float(values[LOSS]), None

    # --- the ops ------------------------------------------------------------------------

    def _start(self) -> Op:
        leaves = tuple(self.leaves)
        return GraphStart("start", "forward", None, STEP, leaves, "the leaves, as the iteration starts",
                          f"{STEP} = the iteration's number; it starts from {', '.join(map(str, leaves))}",
                          r"t = 1, 2, \ldots \qquad \text{from } " + r",\ ".join(leaf.latex() for leaf in leaves),
                          compute=lambda: None, explainer=lambda v, i, f: [], shape=(),
                          persistent=tuple(self.state_names()))

    def _objective(self) -> list[Op]:
        """J = the output, then ∂J/∂output = 1, where the backward pass starts."""
        out = self.output
        return [
            Op("loss", "loss", None, LOSS, (out,), "the objective: the output",
               f"{LOSS} = {out}", f"{LOSS.latex()} = {out.latex()}",
               compute=lambda f: f, explainer=lambda v, i, f: [str(out)], code=f"{LOSS} = {out}"),
            Op("loss_grad", "loss", None, grad(out), (), f"∂J/∂{out} = 1 (J is {out}): the backward pass starts",
               f"{grad(out)} = 1", f"{grad(out).latex()} = 1",
               compute=lambda: 1.0, explainer=lambda v, i, f: [], code=f"{grad(out)} = 1.0"),
        ]

    def _backward(self) -> list[Op]:
        """Each operation in reverse passes its gradient to each operand that depends on a
        leaf, one op per operand: a value used k times receives k contributions."""
        varying = set(self.leaves)
        for step in self.steps:
            if any(name in varying for name in step.reads):
                varying.add(step.output)
        backward = [(step, k) for step in reversed(self.steps) for k, operand in enumerate(step.operands)
                    if isinstance(operand, Name) and operand in varying]
        total: dict[Name, int] = {}
        for step, k in backward:
            total[_name(step.operands[k])] = total.get(_name(step.operands[k]), 0) + 1
        ops, seen = [], dict.fromkeys(total, 0)
        for step, k in backward:
            operand = _name(step.operands[k])
            seen[operand] += 1
            ops.append(_contribution(step, k, seen[operand], total[operand]))
        return ops

    # --- for a view ---------------------------------------------------------------------

    def focus(self, op: Op) -> tuple[Name | None, tuple[Name, ...]]:
        """The vertex whose value or gradient `op` writes (q for q = x + y and for grad_q += …,
        θ for m_θ and θ's update, the output for loss = f) and the vertices whose values or
        gradients it reads, in its order; None and () for the start of the iteration."""
        if op.kind == "start":
            return None, ()
        names = {*self.leaves, *(step.output for step in self.steps)}
        written = op.reads[0] if op.kind == "loss" else op.output.base
        reads = tuple(dict.fromkeys(name.base for name in op.reads if name.base in names))
        return (written if written in names else None), reads

    def vertices(self) -> tuple[Vertex, ...]:
        """Every leaf, then every operation's result in forward order, with its operands and
        its depth (a leaf 0, else one more than its deepest operand)."""
        depth = dict.fromkeys(self.leaves, 0)
        result = [Vertex(leaf, "parameter" if leaf in self.parameters else "input", None, (), 0, leaf, str(leaf))
                  for leaf in self.leaves]
        for node in self.nodes:
            for step in node.steps:
                depth[step.output] = 1 + max((depth[name] for name in step.reads), default=0)
                role: Role = "output" if step.output == self.output else "node" if step.output == node.name else "step"
                result.append(Vertex(step.output, role, step.operation, step.operands, depth[step.output],
                                     node.name, step.symbols()))
        return tuple(result)


def _name(operand: Operand) -> Name:
    assert isinstance(operand, Name)
    return operand


@dataclass(frozen=True, eq=False)
class GraphStart(StartOp):
    """The first op of a graph's iteration: t, and what the leaves are as it starts."""

    def explain(self, before: Values, result: Array, index: Sequence[int], fmt: Fmt) -> str:
        leaves = ", ".join(f"{leaf} = {compact(before[leaf], fmt)}" for leaf in self.reads)
        return f"{self.output} = {int(result)}; the leaves: {leaves}"


def _forward(step: Application) -> Op:
    """out = operation(operands)."""
    operation, out, terms = step.operation, step.output, step.terms
    reads, compute = bind(operation.value, step.operands)
    return Op("operation", "forward", None, out, reads, operation.label,
              step.symbols(), f"{out.latex()} = {operation.formula.tex(terms)}",
              compute=compute, explainer=operation.formula.explainer(terms), shape=(),
              code=assignment(out, operation.formula.python(terms), operation.formula.code))


def _contribution(step: Application, k: int, nth: int, of: int) -> Op:
    """grad_operand += grad_out · ∂out/∂operand: the `nth` of the operand's `of` contributions.
    The first one starts the sum (the gradient is 0 before it); the others add to it."""
    operand, out = _name(step.operands[k]), step.output
    partial = step.operation.partials[k]
    terms = {**step.terms, "g": grad(out), "sum": grad(operand)}
    term = times(partial.expression)
    local_reads, local = bind(partial.compute, [terms[f] for f in partial.reads])
    product = f"{grad(out)} * {grouped(python(partial.expression.code, terms))}"  # grad_q * z, grad_s * (1 - s)
    if nth == 1:
        expression, reads, code = term, (grad(out), *local_reads), product
        compute = lambda g, *xs: g * local(*xs)
    else:
        expression = Expression("{sum} + " + term.text)  # for the explainer, which writes no LaTeX
        reads, code = (grad(operand), grad(out), *local_reads), f"{grad(operand)} + {product}"
        compute = lambda s, g, *xs: s + g * local(*xs)
    share = f"contribution {nth} of {of}" if of > 1 else "its only contribution"
    return Op("contribution", "backward", None, grad(operand), reads,
              f"∂J/∂{operand} through {step.symbols()}: {share}",
              f"{grad(operand)} += {term.symbols(terms)}",
              rf"{grad(operand).latex()} \mathrel{{+}}= {term.tex(terms)}",
              compute=compute, explainer=expression.explainer(terms), shape=(),
              code=assignment(grad(operand), code, partial.expression.code))


def times(partial: Expression) -> Expression:
    """`{g}·∂`, the upstream gradient times a local derivative, in parentheses unless the
    derivative is a product of single terms: grad_f·z, grad_s·s·(1 − s), grad_d·3·b², grad_t·(1 − t²)."""
    atom = r"(\{\w+\}|[\d.]+|\([^()]*\)|\[[^\[\]]*\])(²|³|\^[\d.]+|\^\([^()]*\))?"
    if re.fullmatch(rf"{atom}(·{atom})*", partial.text):
        return Expression(f"{{g}}·{partial.text}", rf"{{g}} \cdot {partial.latex}")
    return Expression(f"{{g}}·({partial.text})", rf"{{g}} \left({partial.latex}\right)")
