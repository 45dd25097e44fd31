"""One neuron's story in one iteration, as a slide or a handout holds it: its incoming
activations times its weights and their products, z, a, f′(z), δ, and each incoming
weight's gradient and its update — the layer's own operations, told for unit j.

Three tables gather it (what comes in, the neuron sample by sample, its weights before and
after), then each of its operations follows with its formula and the neuron's elements
written out. What it starts from, and what it is given from the rest of the network (∂J/∂a
from the layer above), is the notebook's first cell; each step's cell then runs the
layer's own code and shows the neuron's part.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stepnet.engine.debugger import Debugger
from stepnet.engine.model import Model
from stepnet.engine.names import STEP, Name
from stepnet.engine.network import weighted_terms
from stepnet.engine.neuron import column, story
from stepnet.engine.op import Op
from stepnet.export import code
from stepnet.export.blanks import blank_format
from stepnet.export.document import BLANK, Block, Code, Document, Heading, Table
from stepnet.export.scope import Request
from stepnet.export.worked import MAX_SAMPLES, State, Writer
from stepnet.scenario import Scenario

Array = np.ndarray
#: an operation of the story: its position, the op, the state before it and after it
Step = tuple[int, Op, State, State]
#: incoming weights written out at most
MAX_INPUTS = 16


def neuron_story(scenario: Scenario, request: Request, d: Debugger) -> Document:
    return NeuronWriter(scenario, request, d).document()


class NeuronWriter(Writer):
    """Writes unit j of layer l's story: its layer's operations, told for it."""

    def __init__(self, scenario: Scenario, request: Request, d: Debugger) -> None:
        super().__init__(scenario, request, d)
        assert request.scope.neuron is not None and isinstance(scenario.model, Model)
        self.l, self.j = request.scope.neuron
        self.network = scenario.model
        self.W, self.b = Name("W", self.l), Name("b", self.l)
        self.story = story(d.program, self.l, self.j)

    def document(self) -> Document:
        d, l, j, iteration = self.d, self.l, self.j, self.request.scope.first
        d.goto((iteration - 1) * d.n_ops)
        steps: list[Step] = []
        for _ in range(d.n_ops):
            before = dict(d.values)
            op = d.step()
            if (d.position - 1) % d.n_ops in self.story.ops:
                steps.append((d.position, op, before, dict(d.values)))
        self.blanks = self.blank([(p, op) for p, op, _, _ in steps])
        sections: list[Block] = []
        for position, op, before, after in steps:
            d.goto(position)  # for the figures due there
            blocks = self.operation(position, op, before, after, level=3, elements=self.elements(op, after))
            sections += blocks + (self.after(position, op) if blocks else [])
        if self.mode == "answers":
            return Document(self.scenario.title, [*self.key_head(), *sections])
        part = f"neuron {j} of layer {l} in iteration {iteration}"
        return Document(self.scenario.title, [
            *self.head(part), self.given(steps, iteration), *self.incoming(steps), *self.neuron(steps),
            *self.weights(steps), Heading(2, "Step by step"), *sections])

    # --- which elements are the neuron's ------------------------------------------------

    def elements(self, op: Op, after: State) -> list[tuple[int, ...]]:
        return self.story.elements(op.output, np.shape(after[op.output]), MAX_SAMPLES, MAX_INPUTS)

    def shown_code(self, op: Op) -> str:
        base = op.output.base
        if base in (self.W, self.b):
            return f"{op.output}[{self.j}]"
        return f"{op.output}[:, {self.j}]"

    # --- the tables -----------------------------------------------------------------------

    def cell(self, position: int, value: Array, index: tuple[int, ...]) -> str:
        return BLANK if self.hidden(position) else self.fmt(float(np.asarray(value)[index]))

    def given(self, steps: list[Step], iteration: int) -> Code:
        """What the story's operations read that none of them writes, as they read it."""
        values: dict[Name, Array] = {}
        written: set[Name] = set()
        for _, op, before, _ in steps:
            for name in op.reads:
                if name not in written and name not in values:
                    values[name] = np.array(iteration) if name == STEP else before[name]
            written.add(op.output)
        return code.given(values.items(), f"what the story of neuron {self.j} of layer {self.l} in iteration "
                                          f"{iteration} starts from, and is given from the rest of the network")

    def incoming(self, steps: list[Step]) -> list[Block]:
        """A table per sample: each input's activation, weight and product; the bias; z. The
        products are the sum z is: blank with it."""
        z = next(((p, after[op.output]) for p, op, _, after in steps if op.kind == "weighted_sum"), None)
        if z is None:
            return []
        position, z_value = z
        before = steps[0][2]
        a_prev = before[Name("a", self.l - 1)]
        W = before[self.W]
        product, product_code = weighted_terms(self.l, self.j)
        terms = np.full(a_prev.shape, np.nan) if self.hidden(position) else product(a_prev, W)
        fan_in = min(W.shape[1], MAX_INPUTS)
        out: list[Block] = []
        for s in range(min(len(a_prev), MAX_SAMPLES)):
            rows = [(str(i), self.source(self.W, (self.j, i)), self.fmt(a_prev[s, i]), self.fmt(W[self.j, i]),
                     blank_format(self.fmt)(terms[s, i])) for i in range(fan_in)]
            if W.shape[1] > fan_in:
                rows.append(("…", "", "…", "…", "…"))
            if self.network.layers[self.l - 1].bias:
                rows.append(("bias", self.source(self.b, (self.j,)), "1", self.fmt(before[self.b][self.j]),
                             self.fmt(before[self.b][self.j])))
            rows.append((f"z{self.l}[{s},{self.j}]", self.source(Name("z", self.l), (s, self.j)), "", "Σ",
                         self.cell(position, z_value, (s, self.j))))
            title = "What comes in" + (f", sample {s}" if len(a_prev) > 1 else "")
            out += [Heading(2, title),
                    _sourced(Table(("i", "source", f"a{self.l - 1}[{s},i]", f"W{self.l}[{self.j},i]", "product"),
                                   tuple(rows), "llrrr"))]
        shown = Code(f"{product_code}  # each input's activation × its weight, sample by sample", "show")
        return out + ([] if self.hidden(position) else [shown])

    def neuron(self, steps: list[Step]) -> list[Block]:
        """The neuron's own values, a row per sample: z, its mask, a, f′(z), ∂J/∂a (given from
        above), δ."""
        columns: list[tuple[str, Callable[[int], str]]] = []
        for name in self.story.own:
            if name in self.story.given:  # as the first op reading it reads it
                before = next(before for _, op, before, _ in steps if name in op.reads)
                columns.append((f"{name} (given)", self.column(None, before[name])))
            else:
                p, _, _, after = _last_writer(steps, name)
                columns.append((str(name), self.column(p, after[name])))
        samples = min(len(steps[0][3][steps[0][1].output]), MAX_SAMPLES)
        rows = tuple((str(s), *(shown(s) for _, shown in columns)) for s in range(samples))
        return [Heading(2, f"Neuron {self.j} of layer {self.l}"),
                Table(("s", *(title for title, _ in columns)), rows, "l" + "r" * len(columns))]

    def column(self, position: int | None, value: Array) -> Callable[[int], str]:
        """Sample s's element of the neuron in `value`, written by the op at `position` (None: given)."""
        return lambda s: self.cell(position, value, (s, self.j)) if position else self.fmt(float(value[s, self.j]))

    def weights(self, steps: list[Step]) -> list[Block]:
        """Each incoming weight, and the bias: before, its gradient, and what each line of the
        update makes of it."""
        before = steps[0][2]
        columns = {parameter: [_last_writer(steps, name) for name in written]
                   for parameter, written in self.story.parameters.items()}
        widest = max(columns.values(), key=len)
        head = ("", "source", "before", *(column(op.output) for _, op, _, _ in widest))
        rows = []
        for parameter, writers in columns.items():
            fan_in = min(before[parameter].shape[1], MAX_INPUTS) if parameter == self.W else 0
            for index in [(self.j, i) for i in range(fan_in)] if parameter == self.W else [(self.j,)]:
                cells = [f"{parameter}[{','.join(map(str, index))}]", self.source(parameter, index),
                         self.fmt(before[parameter][index]),
                         *(self.cell(p, after[op.output], index) for p, op, _, after in writers)]
                rows.append(tuple(cells + ["—"] * (len(head) - len(cells))))  # a frozen bias: no update
        return [Heading(2, "Its incoming weights"), _sourced(Table(head, tuple(rows), "ll" + "r" * (len(head) - 2)))]

    def source(self, name: Name, index: tuple[int, ...]) -> str:
        return ", ".join(self.names.names(name, index))


def _last_writer(steps: list[Step], name: Name) -> Step:
    """The step that writes `name` last (a gradient with its L2 term)."""
    return [step for step in steps if step[1].output == name][-1]


def _sourced(table: Table) -> Table:
    """The table without its second column, the source's names, when the source names none."""
    if any(row[1] for row in table.rows):
        return table
    return Table(table.head[:1] + table.head[2:], tuple(row[:1] + row[2:] for row in table.rows),
                 table.align[:1] + table.align[2:])
