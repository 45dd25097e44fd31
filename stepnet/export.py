"""A scenario's iterations as a worked example in Markdown, ready for a tutorial to publish.

Every operation gets its formula in LaTeX ($$…$$), each element's computation with the
numbers substituted (the debugger's own `explain`), the table of its values, and the
scenario's `[[expect]]` figures it produces, marked confirmed or contradicted, with the cause
of each one contradicted. The source's names (`[notation.names]`) stand beside stepnet's.
Large quantities get a summary, the first rows written out and a cut table, so a 784-input
network still makes a readable page.
"""

from __future__ import annotations

import itertools

import numpy as np

from stepnet.engine.conventions import Glossary
from stepnet.engine.debugger import Debugger
from stepnet.engine.expect import due
from stepnet.engine.graph import Graph
from stepnet.engine.judge import Findings, Verdict, judge
from stepnet.engine.model import Model
from stepnet.engine.names import TARGETS, Name
from stepnet.engine.notation import Fmt, compact, formatter
from stepnet.engine.op import Op
from stepnet.scenario import Scenario

Array = np.ndarray

#: up to this many elements every one is written out; above, only the first rows
MAX_ELEMENTS = 16
FIRST_ROWS = 2
#: tables show at most this many rows and columns
MAX_ROWS, MAX_COLUMNS = 8, 8
#: a softmax Jacobian (B × units × units) is tabulated for this many samples
MAX_SAMPLES = 2

PHASE_TITLES = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass", "update": "Update"}


def markdown(scenario: Scenario, iterations: int = 1, digits: int = 9, debugger: Debugger | None = None) -> str:
    """The worked example of the first `iterations` iterations of `scenario` (stepped on
    `debugger` if given, so the caller can look at it afterwards)."""
    fmt = formatter(digits)
    d = debugger or scenario.debugger()
    expectations, names = scenario.expectations, scenario.notation.names
    findings = judge(scenario.debugger(), expectations, scenario.notation.rounding)
    out = [f"# {scenario.title}", ""]
    if scenario.source:
        out += [f"*Source: {scenario.source}*", ""]
    if scenario.description.strip():
        out += [scenario.description.strip(), ""]
    out += _graph(scenario.model) if isinstance(scenario.model, Graph) else _network(scenario)
    out += _notation(scenario)
    out += ["## Initial values" if isinstance(scenario.model, Graph) else "## Initial parameters", ""]
    for name, value in d.parameters().items():
        out += [f"**{names.beside(name)}**", "", *_table(str(name), value, fmt), ""]

    for iteration in range(1, iterations + 1):
        out += [f"## Iteration {iteration}", ""]
        phase = None
        for _ in range(d.n_ops):
            op = d.step()
            if op.phase != phase:
                phase = op.phase
                out += [f"### {PHASE_TITLES.get(phase, phase)}", ""]
            out += _operation(d, op, digits, names)
            if d.fault and d.fault.position == d.position:
                out += [f"> **Warning:** {d.fault.describe()}", ""]
            for outcome in due(d, expectations):
                verdict = next(v for v in findings.verdicts if v.expectation is outcome.expectation)
                out += [_outcome_line(verdict, names, fmt), ""]
    if expectations:
        out += _figures(findings, iterations, names, fmt)
    return "\n".join(out).rstrip() + "\n"


def _graph(graph: Graph) -> list[str]:
    lines = ["## The graph", ""]
    for leaf, value in graph.leaves.items():
        lines.append(f"- leaf {leaf} = {float(value):g}" + (", a parameter" if leaf in graph.parameters else ""))
    lines += [f"- node `{node.text}`" for node in graph.nodes]
    lines.append(f"- output {graph.output}: the objective J, where the backward pass starts (∂J/∂{graph.output} = 1)")
    if graph.parameters:
        lines.append(f"- optimizer: {graph.optimizer.describe()}")
    return lines + [""]


def _network(scenario: Scenario) -> list[str]:
    m, data = scenario.model, scenario.data
    assert isinstance(m, Model)
    lines = ["## The network", "", f"- input: {m.inputs} values, a⁰"]
    for l, layer in enumerate(m.layers, start=1):
        bias = "with bias" if layer.bias else "no bias"
        lines.append(f"- layer {l}: {layer.units} {layer.activation.name} units, {bias}")
    if m.loss is None:
        lines.append("- loss: none; an iteration ends after the forward pass")
    else:
        lines.append(f"- loss: {m.loss.name}, ℓ(p, y) = {m.loss.formula.text}, "
                     + ("the mean over the batch" if m.reduction == "mean" else "summed over the batch")
                     + (f", plus the L2 penalty (λ/2)·Σₗ‖Wˡ‖², λ = {m.l2:g}" if m.l2 else ""))
    if m.optimizer is not None:
        lines.append(f"- optimizer: {m.optimizer.describe()}")
    elif m.loss is not None:
        lines.append("- optimizer: none; an iteration ends after the backward pass")
    lines.append(f"- data: {data.samples:,} sample{'s' if data.samples != 1 else ''} in batches of {data.batch_size}")
    return lines + [""]


def _notation(scenario: Scenario) -> list[str]:
    """The source's conventions the scenario declares: its names, its layout, its rounding."""
    notation = scenario.notation
    lines = []
    if notation.names:
        lines += ["| the source | stepnet |", "|---|---|",
                  *(f"| {written} | `{alias}` |" for written, alias in notation.names.aliases.items()), ""]
    if notation.layout == "in_out":
        lines += ["The source prints each weight matrix fan_in × units (row i: the weights out of input i); "
                  "the tables below are stepnet's, units × fan_in.", ""]
    if notation.rounding is not None:
        lines += [f"The source rounds {notation.rounding}: a figure off only by that rounding is confirmed.", ""]
    return ["## The source's notation", "", *lines] if lines else []


def _operation(d: Debugger, op: Op, digits: int, names: Glossary) -> list[str]:
    fmt = formatter(digits)
    where = f", layer {op.layer}" if op.layer and op.kind != "batch" else ""
    own = ", ".join(names.names(op.output))
    out = [f"#### {d.position}. `{op.output}`{f' ({own})' if own else ''} — {op.label}{where}", "",
           f"$${op.latex}$$", ""]
    if op.kind == "batch":
        for name in [n for n in (Name("a", 0), TARGETS) if n in d.values]:  # no targets without a loss
            out += [f"**{name}**", "", *_table(str(name), d.values[name], fmt), ""]
        return out
    value = np.asarray(d.values[op.output])
    indices, note = _elements(value.shape)
    if note:
        out += [note, ""]
    out += ["```text", *(names.annotate(text, op.output, i) for i in indices if (text := d.explain(i, digits))),
            "```", ""]
    if value.ndim:
        out += [*_table(str(op.output), value, fmt), ""]
    return out


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


def _table(name: str, value: Array, fmt: Fmt) -> list[str]:
    """A Markdown table of a 1-D or 2-D value (a 3-D one as a table per leading index);
    large ones cut, with a line of summary figures."""
    value = np.asarray(value)
    if value.ndim == 0:
        return [f"{name} = {fmt(float(value))}"]
    if value.ndim == 1:
        return _grid(name, value[None, :], fmt, row_labels=[""]) + _summary(value, fmt)
    if value.ndim == 3:
        lines: list[str] = []
        for s in range(min(MAX_SAMPLES, len(value))):
            lines += [f"sample {s}:", "", *_grid(f"{name}[{s}]", value[s], fmt), ""]
        if len(value) > MAX_SAMPLES:
            lines += [f"… and {len(value) - MAX_SAMPLES} more samples", ""]
        return lines[:-1]
    return _grid(name, value, fmt) + _summary(value, fmt)


def _grid(name: str, value: Array, fmt: Fmt, row_labels: list[str] | None = None) -> list[str]:
    rows, cols = value.shape
    shown_cols = list(range(min(cols, MAX_COLUMNS)))
    labels = row_labels or [str(r) for r in range(min(rows, MAX_ROWS))]
    more_cols = cols > MAX_COLUMNS
    head = [name, *map(str, shown_cols)] + (["…"] if more_cols else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for r, label in enumerate(labels):
        cells = [f"**{label}**" if label else "", *(fmt(value[r, c]) for c in shown_cols)]
        lines.append("| " + " | ".join(cells + (["…"] if more_cols else [])) + " |")
    if rows > MAX_ROWS:
        lines.append("| " + " | ".join(["…"] * len(head)) + " |")
    return lines


def _summary(value: Array, fmt: Fmt) -> list[str]:
    if value.size <= MAX_ROWS * MAX_COLUMNS and value.ndim == 2 and value.shape[1] <= MAX_COLUMNS:
        return []
    if value.ndim == 1 and value.size <= MAX_COLUMNS:
        return []
    dims = "×".join(map(str, value.shape))
    return ["", f"{dims}: min {fmt(value.min())}, max {fmt(value.max())}, mean {fmt(value.mean())}, "
                f"mean |·| {fmt(np.abs(value).mean())}"]


def _label(v: Verdict, names: Glossary) -> str:
    e = v.expectation
    return f"{names.beside(e.name, e.index)} @ iteration {e.iteration}"


def _outcome_line(v: Verdict, names: Glossary, fmt: Fmt) -> str:
    e, o = v.expectation, v.outcome
    verdict = "confirmed" if v.ok else "**contradicted**"
    words = v.words(names)
    return (f"> {'✓' if v.ok else '✗'} The source states {_label(v, names)} = {compact(e.value, fmt)}; "
            f"computed {compact(o.computed, fmt)} (|Δ| = {o.error:.2e}, tolerance {e.tolerance:g}): {verdict}"
            + (f" — {words}." if words else "."))


def _figures(findings: Findings, iterations: int, names: Glossary, fmt: Fmt) -> list[str]:
    ok, total = findings.confirmed, len(findings.verdicts)
    summary = findings.summary(names)
    out = ["## Figures from the source", "",
           f"{ok} of {total} confirmed" + (f", {total - ok} contradicted." if ok < total else "."),
           *([summary + "."] if summary else []),
           "", "| | figure | stated | computed | \\|Δ\\| | tolerance | why |", "|---|---|---:|---:|---:|---:|---|"]
    for v in findings.in_order():
        e, o = v.expectation, v.outcome
        later = " (not written out above)" if e.iteration > iterations else ""
        out.append(f"| {'✓' if v.ok else '✗'} | {_label(v, names)}{later} | {compact(e.value, fmt)} | "
                   f"{compact(o.computed, fmt)} | {o.error:.2e} | {e.tolerance:g} | {v.words(names)} |")
    return out + [""]
