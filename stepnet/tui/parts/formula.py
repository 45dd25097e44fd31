"""The current operation: its formula in symbols, one element with the numbers substituted."""

from __future__ import annotations

from rich.style import Style

from stepnet.tui.parts.lines import Line, Segments, wrap
from stepnet.tui.parts.part import Part
from stepnet.tui.session import Session

BOLD, DIM, FAULT = Style(bold=True), Style(dim=True), Style(bold=True, color="red")


class FormulaPanel(Part):
    """The formula, the selected element's substitution and the next op's formula; a step
    repaints the lines that changed, not the whole boxed panel."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._text: list[Line] = []

    def show(self) -> None:
        session = self.session
        d = session.debugger
        op = d.last_op
        if op is None:
            self._text = [[("next  ", DIM), (d.next_op.formula, BOLD)],
                          [("Press n (or space) to perform it; ? lists every key.", DIM)]]
        else:
            self._text = [[(op.formula, BOLD)], [(session.explain() or "", None)],
                          [("next  ", DIM), (d.next_op.formula, DIM)]]
            fault = d.fault
            if fault is not None and fault.position == d.position:
                self._text.append([(f"⚠ {fault.describe()}", FAULT)])
        self.title = f"{op.phase} · {op.output}" if op else "operation"
        self.redraw()

    def draw(self, width: int) -> list[Segments]:
        return [piece for line in self._text for piece in wrap(line, width)]
