"""What `stepnet compare` prints: each recorded value ✓ or ✗ in the order the operations
produce them, with its cause; then the first divergence written out — the operation's
formula, the implementation's value and stepnet's, the elements that differ most — and the
errors found; or all of it as one JSON object.
"""

from __future__ import annotations

from stepnet.engine.comparison import Comparison, Entry, Record
from stepnet.engine.conventions import Glossary
from stepnet.engine.notation import compact, element, formatter
from stepnet.fields import count
from stepnet.jsonout import numbers

#: the elements written out for the first divergence
LARGEST = 5
#: the errors named in the summary line
NAMED = 4


def label(record: Record) -> str:
    """`delta2 (dz2) @ iteration 1`: stepnet's name, the recorded one beside it if another."""
    own = element(str(record.name), record.index or ())
    mine = ("−" if record.negated else "") + record.written
    return f"{own}{f' ({mine})' if mine != own else ''} @ iteration {record.iteration}"


def verdict(entry: Entry) -> str:
    """Why a value differs, in a few words; "" for one that agrees."""
    if entry.ok:
        return ""
    if entry.inherits_from is not None:
        return f"inherited from {label(entry.inherits_from)}"
    return entry.cause.id if entry.cause else "an error: no cause in the catalogue reproduces it"


def _difference(entry: Entry) -> str:
    if entry.max_abs_diff is None:
        return f"shape {_dims(entry.record.value.shape)}, stepnet's {_dims(entry.computed.shape)}"
    return f"max |Δ| = {entry.max_abs_diff:.2e}"


def _dims(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) or "a number"


def text(title: str, comparison: Comparison, names: Glossary, digits: int) -> str:
    """The report as lines of text."""
    entries = comparison.entries
    labels = [label(e.record) for e in entries]
    width = max(28, *map(len, labels))
    lines = [title, f"an element agrees when {comparison.tolerance}"]
    for shown, e in zip(labels, entries):
        lines.append(f"{'✓' if e.ok else '✗'} {shown:<{width}} {_difference(e):<22} {verdict(e)}".rstrip())
    first = comparison.first
    if first is not None:
        lines += ["", *_first(comparison, first, names, digits), ""]
        roots = comparison.roots
        named = ", ".join(f"{label(e.record)} ({e.cause.id if e.cause else 'no cause found'})" for e in roots[:NAMED])
        more = f" and {len(roots) - NAMED} more" if len(roots) > NAMED else ""
        inherited = comparison.inherited
        lines.append(f"{count(len(roots), 'error')}: {named}{more}"
                     + (f"; {count(inherited, 'value')} inherit{'s' * (inherited == 1)} "
                        f"{'it' if len(roots) == 1 else 'them'}" if inherited else ""))
    agree = sum(e.ok for e in entries)
    lines.append(f"{agree:,} of {count(len(entries), 'recorded value')} agree"
                 + (f", {len(entries) - agree:,} differ" if agree < len(entries) else ""))
    return "\n".join(lines) + "\n"


def _first(comparison: Comparison, e: Entry, names: Glossary, digits: int) -> list[str]:
    """The first divergence: where, the formula, both values, the elements, the cause."""
    program, record, fmt = comparison.program, e.record, formatter(digits)
    lines = [f"First divergence: {label(record)}"]
    if record.name in program.last_writer:
        op = program.ops[e.index]
        layer = f", layer {op.layer}" if op.layer else ""
        lines[0] += f", after operation {e.index + 1} of {len(program)} ({op.phase}{layer})"
        lines.append(f"  {names.annotate(op.formula, op.output, ())}")
    else:
        lines[0] += " (no operation writes it: the scenario's value)"
    lines += [f"  yours    {compact(record.value, fmt, 4)}", f"  stepnet  {compact(e.computed, fmt, 4)}"]
    if e.differs is not None and e.differs.size > 1:
        lines.append(f"  {int(e.differs.sum()):,} of {count(e.differs.size, 'element')} differ; the largest:")
        for index, yours, stepnet, gap in e.largest(LARGEST):
            lines.append(f"    {element(str(record.name), index):<12} yours {fmt(yours)}  stepnet {fmt(stepnet)}  "
                         f"|Δ| = {gap:.2e}")
    if e.cause is None:
        lines.append("  cause: none in the catalogue reproduces your value: the mistake is in this operation")
    else:
        lines.append(f"  cause: {e.cause.id} — {e.cause.explanation}")
    return lines


def json_object(title: str, comparison: Comparison) -> dict[str, object]:
    """`{"title", "quantities": [{"name", "iteration", "ok", "max_abs_diff", "cause",
    "inherits_from"}], "first": {"name", "iteration", "cause"} or null}`."""
    def reference(record: Record) -> str:
        return f"{record.written} @ iteration {record.iteration}"

    first = comparison.first
    return {
        "title": title,
        "quantities": [{"name": e.record.written, "iteration": e.record.iteration, "ok": e.ok,
                        "max_abs_diff": None if e.max_abs_diff is None else numbers(e.max_abs_diff),
                        "cause": e.cause.id if e.cause else None,
                        "inherits_from": reference(e.inherits_from) if e.inherits_from else None}
                       for e in comparison.entries],
        "first": None if first is None else {"name": first.record.written, "iteration": first.record.iteration,
                                             "cause": first.cause.id if first.cause else None},
    }
