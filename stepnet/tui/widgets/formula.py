"""The current operation: its formula in symbols, one element with the numbers substituted,
with the source's names beside stepnet's (`delta2[0,0] (δ_o1) = …`)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from stepnet.tui import names
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part, cut, head, wrap


class Formula(Part):
    """The formula, the selected element written out and the next op's formula; the op's
    phase and output on the frame."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"formula--formula", "formula--dim", "formula--fault"}

    def shows(self, moment: Moment) -> Hashable:
        op = self.session.last_op
        self.retitle(f"{op.phase} · {names.text(op.output)}" if op else "operation")
        return moment.position, moment.at_start, moment.cursor, moment.digits

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
            element = s.glossary.annotate(s.explain() or "", op.output, s.selected())
            text = [[(formula, "formula--formula")], [(element, "")],
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
