"""The current operation: its formula in symbols, one element with the numbers substituted."""

from __future__ import annotations

import textwrap
from itertools import accumulate

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from stepnet.tui.session import Session
from stepnet.tui.widgets.lines import LinesWidget, set_border_title

BOLD, DIM, FAULT = Style(bold=True), Style(dim=True), Style(bold=True, color="red")
Line = list[tuple[str, Style | None]]  # one line of text, in styled parts


def wrap(line: Line, width: int) -> list[Strip]:
    """A line as strips of at most `width` cells, broken at spaces where it is too long."""
    strip = Strip([Segment(text, style) for text, style in line if text])
    if strip.cell_length <= width:
        return [strip]
    # whitespace kept: the pieces are the line cut in order, and the styles are cut with it
    pieces = textwrap.wrap(strip.text, width, drop_whitespace=False)
    return strip.divide(list(accumulate(cell_len(piece) for piece in pieces)))


class FormulaPanel(LinesWidget):
    """The formula, the selected element's substitution and the next op's formula; a step
    repaints the lines that changed, not the whole boxed panel."""

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
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
        set_border_title(self, f"{op.phase} · {op.output}" if op else "operation")
        self.redraw()

    def draw(self, width: int) -> list[Strip]:
        return [strip for line in self._text for strip in wrap(line, width)]
