"""A scenario's iterations, or one of its operations, as a worked example to publish — or as
an exercise with chosen results left blank, or as the answer key to that exercise.

Every operation gets its formula in LaTeX, each element's computation with the numbers
substituted (the debugger's own `explain`), the table of its values, its NumPy code (for a
notebook), and the scenario's `[[expect]]` figures it produces, marked confirmed or
contradicted, with the cause of each one contradicted. The source's names
(`[notation.names]`) stand beside stepnet's. Large quantities get a summary, the first rows
written out and a cut table, so a 784-input network still makes a readable page. What is
blank, and why, is `blanks`' rule.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from stepnet.engine.conventions import Glossary
from stepnet.engine.debugger import Debugger
from stepnet.engine.expect import due
from stepnet.engine.graph import Graph
from stepnet.engine.judge import Verdict, judge
from stepnet.engine.model import Model
from stepnet.engine.names import STEP, TARGETS, Name
from stepnet.engine.notation import Fmt, compact, formatter
from stepnet.engine.op import Op
from stepnet.export import code
from stepnet.export.blanks import Blanks, blank_format, closure, masked, scrub, selection
from stepnet.export.document import (
    BLANK,
    Block,
    Document,
    Heading,
    Items,
    Lines,
    Math,
    Paragraph,
    Quote,
    Table,
)
from stepnet.export.render import markdown as md
from stepnet.export.scope import DEFAULT_BLANK, ExportError, Request, Scope
from stepnet.scenario import Scenario

Array = np.ndarray
State = dict[Name, Array]

#: up to this many elements every one is written out; above, only the first rows
MAX_ELEMENTS = 16
FIRST_ROWS = 2
#: tables show at most this many rows and columns
MAX_ROWS, MAX_COLUMNS = 8, 8
#: a softmax Jacobian (B × units × units) is tabulated for this many samples
MAX_SAMPLES = 2

PHASE_TITLES = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass", "update": "Update"}
A0 = Name("a", 0)


def markdown(scenario: Scenario, iterations: int = 1, digits: int = 9, debugger: Debugger | None = None) -> str:
    """The worked example of the first `iterations` iterations of `scenario`, in Markdown."""
    return md.render(worked(scenario, Request(Scope(1, iterations), digits=digits), debugger or scenario.debugger()))


def worked(scenario: Scenario, request: Request, d: Debugger) -> Document:
    """The document of the iterations or the one operation `request` asks for, stepped on
    `d` (so the caller can look at it afterwards)."""
    w = Writer(scenario, request, d)
    return w.operation_document() if request.scope.op else w.iterations()


class Writer:
    """Writes the document, stepping the debugger through the part asked for."""

    def __init__(self, scenario: Scenario, request: Request, d: Debugger) -> None:
        self.scenario, self.request, self.d = scenario, request, d
        self.mode, self.names = request.mode, scenario.notation.names
        self.fmt = formatter(request.digits)
        self.blanks: Blanks | None = None
        #: the blank results met so far (for the scenario's prose, blanks' rule 3)
        self.blank_values: list[Array] = []
        #: the figures of the source written out, by their place in the scenario
        self.shown: set[int] = set()
        self.findings = judge(scenario.debugger(), scenario.expectations, scenario.notation.rounding)

    # --- the parts ------------------------------------------------------------------

    def iterations(self) -> Document:
        d, scope = self.d, self.request.scope
        n = d.n_ops
        d.goto((scope.first - 1) * n)
        start = d.parameters()
        positions = range((scope.first - 1) * n + 1, scope.last * n + 1)
        self.blanks = self.blank([(p, d.ops[(p - 1) % n]) for p in positions])
        body: list[Block] = []
        for iteration in range(scope.first, scope.last + 1):
            section: list[Block] = []
            phase = None
            for _ in range(n):
                before = dict(d.values)
                op = d.step()
                blocks = self.operation(d.position, op, before, d.values)
                if not blocks:
                    continue
                if op.phase != phase:
                    phase = op.phase
                    section.append(Heading(3, PHASE_TITLES.get(phase, phase)))
                section += blocks + self.after(d.position, op)
            if section:
                body += [Heading(2, f"Iteration {iteration}"), *section]
        if self.mode == "answers":
            return Document(self.scenario.title, [*self.key_head(), *body])
        head = [*self.head(), *self.model(), *_notation(self.scenario), *self.start(start, scope.first)]
        figures = self.figures(scope.first, scope.last) if self.scenario.expectations else []
        return Document(self.scenario.title, [*head, *body, *figures])

    def operation_document(self) -> Document:
        """One operation of one iteration: what a slide holds."""
        d, scope = self.d, self.request.scope
        assert scope.op is not None
        d.goto((scope.first - 1) * d.n_ops + scope.op - 1)
        before = dict(d.values)
        op = d.step()
        self.blanks = self.blank([(d.position, op)])
        blocks = self.operation(d.position, op, before, d.values, level=2) + self.after(d.position, op)
        if self.mode == "answers":
            return Document(self.scenario.title, [*self.key_head(), *blocks])
        reads = {name: before[name] for name in op.reads}
        data = _data(self.scenario) if op.kind == "batch" else {}
        if op.kind == "batch" or STEP in op.reads:
            reads[STEP] = np.array(scope.first)
        given = code.given([*data.items(), *reads.items()],
                           f"what operation {scope.op} of iteration {scope.first} reads")
        return Document(self.scenario.title, [*self.head(f"iteration {scope.first}, operation {scope.op}"), given,
                                              *blocks])

    # --- what is blank ----------------------------------------------------------------

    def blank(self, steps: list[tuple[int, Op]]) -> Blanks | None:
        """The blanks of an exercise or a key over these steps; None for the worked example."""
        if self.mode == "worked":
            return None
        words = self.request.blank
        if words is None:
            words = ",".join(str(op.output) for _, op in steps) if self.request.scope.op else DEFAULT_BLANK
        blanks = closure(steps, selection(words, self.d.ops, self.names))
        if not blanks:
            raise ExportError(f"--blank {words}: leaves nothing blank in the part exported")
        return blanks

    def hidden(self, position: int) -> bool:
        """Whether the exercise leaves this operation's result blank."""
        return self.mode == "exercise" and self.blanks is not None and position in self.blanks

    # --- one operation ----------------------------------------------------------------

    def operation(self, position: int, op: Op, before: State, after: State, level: int = 4,
                  elements: list[tuple[int, ...]] | None = None) -> list[Block]:
        """Its heading, formula, elements written out, table and code; [] in a key when it is not blank.
        `elements`: those to write out (and no table), else the first few and the table."""
        blank = self.blanks is not None and position in self.blanks
        if self.mode == "answers" and not blank:
            return []
        where = f", layer {op.layer}" if op.layer and op.kind != "batch" else ""
        own = ", ".join(self.names.names(op.output))
        out: list[Block] = [Heading(level, f"{position}. `{op.output}`{f' ({own})' if own else ''}"
                                           f" — {op.label}{where}"), Math(op.latex)]
        if op.kind == "batch":
            for name in [n for n in (A0, TARGETS) if n in after]:  # no targets without a loss
                out += [Paragraph(f"**{name}**"), *_table(str(name), after[name], self.fmt)]
        else:
            value, fmt = np.asarray(after[op.output]), self.fmt
            if blank:
                self.blank_values.append(value)
            if self.hidden(position):
                assert self.blanks is not None
                before, value, fmt = masked(before, self.blanks.before[position]), np.full(value.shape, np.nan), \
                    blank_format(fmt)
            chosen, note = (elements, "") if elements is not None else _elements(value.shape)
            out += [Paragraph(note)] if note else []
            out.append(Lines(tuple(self.names.annotate(text, op.output, i) for i in chosen
                                   if (text := op.explain(before, value, i, fmt)))))
            if value.ndim and elements is None:
                out += _table(str(op.output), value, fmt)
        return out + [self.code(op, position)]

    def code(self, op: Op, position: int) -> Block:
        iteration = (position - 1) // self.d.n_ops + 1
        if self.mode == "answers":
            return code.answer(op, position)
        if self.hidden(position) and self.blanks is not None and position in self.blanks.asked:
            return code.exercise(op, position)
        return code.step(op, position, iteration, self.shown_code(op))

    def shown_code(self, op: Op) -> str | None:
        """What a step's code shows of its result: all of it (a neuron's story, its unit)."""
        return None

    def after(self, position: int, op: Op) -> list[Block]:
        """What follows an operation: a warning if it produced the first NaN or Inf, and the
        source's figures it produces (those of a blank result only in the key)."""
        d, out = self.d, list[Block]()
        blank = self.blanks.after[position] if self.blanks else frozenset()
        if d.fault and d.fault.position == position and not self.hidden(position):
            out.append(Quote(f"**Warning:** {d.fault.describe()}"))
        for outcome in due(d, self.scenario.expectations):
            i = next(i for i, v in enumerate(self.findings.verdicts) if v.expectation is outcome.expectation)
            if (self.mode == "worked" or (outcome.expectation.name in blank) == (self.mode == "answers")):
                self.shown.add(i)
                out.append(Quote(_outcome_line(self.findings.verdicts[i], self.names, self.fmt)))
        return out

    # --- around the operations --------------------------------------------------------

    def head(self, part: str = "") -> list[Block]:
        """The title, source and description (the exercise's blank results left out of
        them), a note on what is blank, and what is exported if not all."""
        s = self.scenario
        text = (lambda t: scrub(t, self.blank_values)) if self.mode == "exercise" else (lambda t: t)
        out: list[Block] = [Heading(1, text(s.title) + (" — exercise" if self.mode == "exercise" else ""))]
        if s.source:
            out.append(Paragraph(f"*Source: {text(s.source)}*"))
        if part:  # one step, for a slide: the scenario's description is the whole example's
            out.append(Paragraph(f"*This part: {part}.*"))
        else:
            out += [Paragraph(text(p)) for p in re.split(r"\n\s*\n", s.description.strip()) if p]
        if self.mode == "exercise" and self.blanks is not None:
            asked, derived = self.blank_names()
            out.append(Quote(f"**Exercise.** The results marked {BLANK} are for you to compute: "
                             f"{_listed(asked)}" + (f", and {_listed(derived)}, computed from them (they would give "
                                                     "them away)" if derived else "") + "."))
        return out

    def key_head(self) -> list[Block]:
        asked, derived = self.blank_names()
        return [Heading(1, f"{self.scenario.title} — answer key"),
                Paragraph(f"The results the exercise leaves blank ({BLANK}), in the order they are computed: "
                          f"{_listed(asked)}" + (f"; and, computed from them, {_listed(derived)}" if derived else "")
                          + ".")]

    def blank_names(self) -> tuple[list[Name], list[Name]]:
        """The quantities asked for, and those blank because computed from them, each once."""
        assert self.blanks is not None
        ops = self.d.ops
        asked = [ops[(p - 1) % len(ops)].output for p in sorted(self.blanks.asked)]
        derived = [ops[(p - 1) % len(ops)].output for p in sorted(self.blanks.derived)]
        asked = list(dict.fromkeys(asked))
        return asked, [name for name in dict.fromkeys(derived) if name not in asked]

    def model(self) -> list[Block]:
        return _graph(self.scenario.model) if isinstance(self.scenario.model, Graph) else _network(self.scenario)

    def start(self, state: State, iteration: int) -> list[Block]:
        """What the iterations start from: a table each, and a cell that sets them."""
        graph = isinstance(self.scenario.model, Graph)
        what = "values" if graph else "parameters"
        title = f"Initial {what}" if iteration == 1 else f"The {what} as iteration {iteration} starts"
        out: list[Block] = [Heading(2, title)]
        for name, value in state.items():
            out += [Paragraph(f"**{self.names.beside(name)}**"), *_table(str(name), value, self.fmt)]
        note = ("the data set, and " if not graph else "") + f"the {what} as iteration {iteration} starts"
        return out + [code.given([*_data(self.scenario).items(), *state.items()], note)]

    def figures(self, first: int, last: int) -> list[Block]:
        """The source's figures: all of them; in an exercise only those written out, not blank."""
        verdicts = [(i, self.findings.verdicts[i]) for i in self.findings.order
                    if self.mode == "worked" or i in self.shown]
        if not verdicts:
            return []
        ok, total = sum(v.ok for _, v in verdicts), len(verdicts)
        summary = self.findings.summary(self.names) if self.mode == "worked" else ""
        rows = []
        for _, v in verdicts:
            e, o = v.expectation, v.outcome
            later = " (not written out above)" if not first <= e.iteration <= last else ""
            rows.append(("✓" if v.ok else "✗", f"{_label(v, self.names)}{later}", compact(e.value, self.fmt),
                         compact(o.computed, self.fmt), f"{o.error:.2e}", f"{e.tolerance:g}", v.words(self.names)))
        return [Heading(2, "Figures from the source"),
                Paragraph(f"{ok} of {total} confirmed" + (f", {total - ok} contradicted." if ok < total else ".")),
                *([Paragraph(summary + ".")] if summary else []),
                Table(("", "figure", "stated", "computed", "|Δ|", "tolerance", "why"), tuple(rows), "llrrrrl")]


def _data(scenario: Scenario) -> dict[str, Array]:
    """The data set, as the batch's code reads it: `x`, and `targets` if there are any."""
    data = scenario.data
    if isinstance(scenario.model, Graph):
        return {}
    return {"x": data.inputs, **({"targets": data.targets} if data.targets.shape[1] else {})}


def _listed(names: list[Name]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _graph(graph: Graph) -> list[Block]:
    items = [f"leaf {leaf} = {float(value):g}" + (", a parameter" if leaf in graph.parameters else "")
             for leaf, value in graph.leaves.items()]
    items += [f"node `{node.text}`" for node in graph.nodes]
    items.append(f"output {graph.output}: the objective J, where the backward pass starts (∂J/∂{graph.output} = 1)")
    if graph.parameters:
        items.append(f"optimizer: {graph.optimizer.describe()}")
    return [Heading(2, "The graph"), Items(tuple(items))]


def _network(scenario: Scenario) -> list[Block]:
    m, data = scenario.model, scenario.data
    assert isinstance(m, Model)
    items = [f"input: {m.inputs} values, a⁰"]
    for l, layer in enumerate(m.layers, start=1):
        bias = "with bias" if layer.bias else "no bias"
        items.append(f"layer {l}: {layer.units} {layer.activation.name} units, {bias}")
    if m.loss is None:
        items.append("loss: none; an iteration ends after the forward pass")
    else:
        items.append(f"loss: {m.loss.name}, ℓ(p, y) = {m.loss.formula.text}, "
                     + ("the mean over the batch" if m.reduction == "mean" else "summed over the batch")
                     + (f", plus the L2 penalty (λ/2)·Σₗ‖Wˡ‖², λ = {m.l2:g}" if m.l2 else ""))
    if m.optimizer is not None:
        items.append(f"optimizer: {m.optimizer.describe()}")
    elif m.loss is not None:
        items.append("optimizer: none; an iteration ends after the backward pass")
    items.append(f"data: {data.samples:,} sample{'s' if data.samples != 1 else ''} in batches of {data.batch_size}")
    return [Heading(2, "The network"), Items(tuple(items))]


def _notation(scenario: Scenario) -> list[Block]:
    """The source's conventions the scenario declares: its names, its layout, its rounding."""
    notation = scenario.notation
    out: list[Block] = []
    if notation.names:
        out.append(Table(("the source", "stepnet"),
                         tuple((written, f"`{alias}`") for written, alias in notation.names.aliases.items()), "ll"))
    if notation.layout == "in_out":
        out.append(Paragraph("The source prints each weight matrix fan_in × units (row i: the weights out of input "
                             "i); the tables below are stepnet's, units × fan_in."))
    if notation.rounding is not None:
        out.append(Paragraph(f"The source rounds {notation.rounding}: a figure off only by that rounding is "
                             "confirmed."))
    return [Heading(2, "The source's notation"), *out] if out else []


def _elements(shape: tuple[int, ...]) -> tuple[list[tuple[int, ...]], str]:
    """Which elements to write out, and a note when they are not all of them."""
    size = int(np.prod(shape))
    every = list(itertools.product(*map(range, shape)))
    if size <= MAX_ELEMENTS:
        return every, ""
    rows = min(FIRST_ROWS, shape[0])
    chosen = [i for i in every if i[0] < rows and all(k < MAX_COLUMNS for k in i[1:])]
    dims = "×".join(map(str, shape))
    return chosen, (f"{dims} = {size:,} elements; written out below: the first {len(chosen)} "
                    f"(of the first {rows} row{'s' if rows > 1 else ''}), every one computed the same way.")


def _table(name: str, value: Array, fmt: Fmt) -> list[Block]:
    """A table of a 1-D or 2-D value (a 3-D one as a table per leading index); large ones
    cut, with a line of summary figures."""
    value = np.asarray(value)
    if value.ndim == 0:
        return [Paragraph(f"{name} = {fmt(float(value))}")]
    if value.ndim == 1:
        return [_grid(name, value[None, :], fmt, row_labels=[""]), *_summary(value, fmt)]
    if value.ndim == 3:
        out: list[Block] = []
        for s in range(min(MAX_SAMPLES, len(value))):
            out += [Paragraph(f"sample {s}:"), _grid(f"{name}[{s}]", value[s], fmt)]
        if len(value) > MAX_SAMPLES:
            out.append(Paragraph(f"… and {len(value) - MAX_SAMPLES} more samples"))
        return out
    return [_grid(name, value, fmt), *_summary(value, fmt)]


def _grid(name: str, value: Array, fmt: Fmt, row_labels: list[str] | None = None) -> Table:
    rows, cols = value.shape
    shown_cols = list(range(min(cols, MAX_COLUMNS)))
    labels = row_labels or [str(r) for r in range(min(rows, MAX_ROWS))]
    more_cols = cols > MAX_COLUMNS
    head = [name, *map(str, shown_cols)] + (["…"] if more_cols else [])
    lines = []
    for r, label in enumerate(labels):
        cells = [f"**{label}**" if label else "", *(fmt(value[r, c]) for c in shown_cols)]
        lines.append(tuple(cells + (["…"] if more_cols else [])))
    if rows > MAX_ROWS:
        lines.append(tuple(["…"] * len(head)))
    return Table(tuple(head), tuple(lines), "r" * len(head))


def _summary(value: Array, fmt: Fmt) -> list[Block]:
    if value.size <= MAX_ROWS * MAX_COLUMNS and value.ndim == 2 and value.shape[1] <= MAX_COLUMNS:
        return []
    if value.ndim == 1 and value.size <= MAX_COLUMNS:
        return []
    dims = "×".join(map(str, value.shape))
    return [Paragraph(f"{dims}: min {fmt(value.min())}, max {fmt(value.max())}, mean {fmt(value.mean())}, "
                      f"mean |·| {fmt(np.abs(value).mean())}")]


def _label(v: Verdict, names: Glossary) -> str:
    e = v.expectation
    return f"{names.beside(e.name, e.index)} @ iteration {e.iteration}"


def _outcome_line(v: Verdict, names: Glossary, fmt: Fmt) -> str:
    e, o = v.expectation, v.outcome
    verdict = "confirmed" if v.ok else "**contradicted**"
    words = v.words(names)
    return (f"{'✓' if v.ok else '✗'} The source states {_label(v, names)} = {compact(e.value, fmt)}; "
            f"computed {compact(o.computed, fmt)} (|Δ| = {o.error:.2e}, tolerance {e.tolerance:g}): {verdict}"
            + (f" — {words}." if words else "."))
