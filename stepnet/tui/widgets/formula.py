"""The current operation: its formula in symbols, one element with the numbers substituted,
with the source's names beside stepnet's (`delta2[0,0] (δ_o1) = …`); with a comparison
(`--compare TRACE`), the implementation's value of that element beside stepnet's, once the
quantity's last writer has run, and what `stepnet compare` says of the whole quantity."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

import numpy as np

from stepnet.engine.notation import element, formatter
from stepnet.engine.op import Op
from stepnet.tui import names
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part, cut, head, wrap


class Formula(Part):
    """The formula, the selected element written out and the next op's formula; the op's
    phase and output on the frame."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"formula--formula", "formula--dim", "formula--fault", "formula--ok",
                                             "formula--wrong"}

    def shows(self, moment: Moment) -> Hashable:
        s = self.session
        op = s.last_op
        self.retitle(f"{op.phase} · {names.text(op.output)}" if op else "operation", self._trace())
        return moment.position, moment.at_start, moment.cursor, moment.digits, moment.runs

    def _trace(self) -> str:
        """On the frame: the trace compared, and where it first differs."""
        c = self.session.comparison
        if c is None:
            return ""
        from stepnet.compared import label  # with a comparison only

        first = c.first
        if first is None:
            return f"{self.session.trace}: all {len(c.entries):,} recorded values agree"
        return f"{self.session.trace}: first differs at {label(first.record)} (c stops there)"

    def _yours(self, op: Op) -> list[Line]:
        """The implementation's value of the selected element beside stepnet's, and what is
        said of the whole quantity; nothing where it recorded none of it (yet)."""
        s = self.session
        iteration, entries = s.recorded(op.output)
        if iteration != s.iteration or not entries or s.comparison is None:
            return []
        from stepnet.compared import label, verdict  # with a comparison only

        index, fmt = s.selected(), formatter(s.digits + 5)
        whole = next((e for e in entries if e.record.index is None), None)
        entry = whole or next((e for e in entries if e.record.index == index), None)
        if entry is None:  # some of its elements only, not the selected one
            return [[("yours    ", "formula--dim"), (f"recorded: {', '.join(label(e.record) for e in entries)}",
                                                      "formula--dim")]]
        record = entry.record
        name = element(str(record.name), index) + (f" ({record.written})" if record.written != str(record.name)
                                                   else "")
        if entry.differs is None:  # a shape of its own: transposed, or a row per sample
            return [[("yours    ", "formula--dim"), (f"{name}: {verdict(entry)}", "formula--wrong")]]
        value = s.comparison.recorded(record.name, iteration) if whole else None
        mine = float(value[index]) if value is not None else float(-record.value if record.negated else record.value)
        differs = bool(entry.differs[index] if whole else entry.differs.any())
        stepnet = float(np.asarray(s.values[record.name])[index])
        line: Line = [("yours    ", "formula--dim"), (f"{name} = {fmt(mine)}", ""), ("   stepnet ", "formula--dim"),
                      (fmt(stepnet), ""),
                      ("   ✗ differs" if differs else "   ✓ agrees", "formula--wrong" if differs else "formula--ok")]
        if not entry.ok:
            count = f"{int(entry.differs.sum()):,} of {entry.differs.size:,} elements differ · " if whole else ""
            line.append((f"   {count}{verdict(entry)}", "formula--wrong"))
        return [line]

    def draw(self) -> list[Line]:
        s = self.session
        d = s.debugger
        op = s.last_op
        text: list[Line]
        if op is None:
            text = [[("next  ", "formula--dim"), (d.next_op.formula, "formula--formula")],
                    [("Press n (or space) to perform it; ? lists every key.", "formula--dim")]]
        else:
            # the source's names beside stepnet's: `delta2[0,0] (δ_o1) = …`
            formula = s.glossary.annotate(op.formula, op.output, ())
            written = s.glossary.annotate(s.explain() or "", op.output, s.selected())
            text = [[(formula, "formula--formula")], [(written, "")], *self._yours(op),
                    [("next  ", "formula--dim"), (d.next_op.formula, "formula--dim")]]
            fault = d.fault
            if fault is not None and fault.position == d.position:
                text.append([(f"⚠ {fault.describe()}", "formula--fault")])
        width, height = self.size
        lines: list[Line] = []
        for line in text:  # each wrapped from no more text than the box can show
            pieces = wrap(cut(line, width * height), width)
            room = height - len(lines)
            if len(pieces) > room > 0:  # cut inside the line: the last shown says so, after a whole word
                last = pieces[room - 1]
                shown = "".join(text for text, _ in last)
                if len(shown) > width - 2:
                    end = shown.rfind(" ", 0, width - 1)
                    last = head(last, end if end > 0 else width - 2)
                pieces = [*pieces[: room - 1], [*last, (" …", "formula--dim")]]
            lines += pieces
        return lines[:height]
