"""The current operation: its formula in symbols, one element with the numbers substituted."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from stepnet.tui import names
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part, cut, wrap


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
        if op is None:
            text = [[("next  ", "formula--dim"), (d.next_op.formula, "formula--formula")],
                    [("Press n (or space) to perform it; ? lists every key.", "formula--dim")]]
        else:
            text = [[(op.formula, "formula--formula")], [(s.explain() or "", "")],
                    [("next  ", "formula--dim"), (d.next_op.formula, "formula--dim")]]
            fault = d.fault
            if fault is not None and fault.position == d.position:
                text.append([(f"⚠ {fault.describe()}", "formula--fault")])
        width, height = self.size
        lines: list[Line] = []
        for line in text:  # each wrapped from no more text than the box can show
            lines += wrap(cut(line, width * height), width)
        if len(lines) > height:  # the last line shown says there is more
            last = cut(lines[height - 1], width - 1)
            if not last or not last[-1][0].endswith("…"):
                last.append(("…", ""))
            lines = [*lines[: height - 1], last]
        return lines[:height]
