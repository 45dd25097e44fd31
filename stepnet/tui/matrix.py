"""A big matrix as a boxed window of at most ROWS rows and as many columns as fit, following
the selected element: only the window's cells are ever formatted, so a 64 × 784 layer costs
no more to draw than a 2 × 2 one."""

from __future__ import annotations

from rich.segment import Segment

from stepnet.engine.names import Name
from stepnet.tui.cells import cell, grid, grid_shape, width
from stepnet.tui.shown import (
    Palette,
    Segments,
    Shown,
    fit,
    header_segment,
    row_segments,
)

ROWS = 8  # rows of a big matrix drawn at once


def is_big(shape: tuple[int, ...]) -> bool:
    """Whether a quantity is drawn as a matrix window rather than whole, in a table."""
    rows, columns = grid_shape(shape)
    return columns > 5 or rows > 12


class MatrixWindow:
    """The window of one big quantity; `lines` is fixed, `line(i, width)` draws line i."""

    def __init__(self, name: Name, shape: tuple[int, ...]) -> None:
        self.name = name
        self.shape = shape
        self.rows, self.columns = grid_shape(shape)
        self.label = len(str(self.rows - 1)) + 1
        self.top = self.left = 0  # the first row and column shown
        self.shown = Shown(None)
        self.digits = 4

    @property
    def lines(self) -> int:
        return min(self.rows, ROWS) + 3  # title, column indices, rows, bottom

    def fit(self, shown: Shown, digits: int, width_: int) -> None:
        """Take what to show; move the window so the selected element is in it."""
        self.shown, self.digits = shown, digits
        if shown.selected is None:
            return
        row, column = shown.selected
        visible = max(1, (width_ - 2 - self.label) // width(digits))
        self.top = min(self.top, row) if row < self.top else max(self.top, row - ROWS + 1)
        self.left = column if column < self.left else max(self.left, column - visible + 1)

    def line(self, i: int, width_: int, palette: Palette) -> Segments:
        s, cw = self.shown, width(self.digits)
        inner = width_ - 2
        columns = range(self.left, min(self.columns, self.left + max(1, (inner - self.label) // cw)))
        border = palette.frame(s.role)
        rows = range(self.top, min(self.rows, self.top + ROWS))
        if i == 0:
            where = (f" rows {rows.start}–{rows.stop - 1} of {self.rows}, "
                     f"columns {columns.start}–{columns.stop - 1} of {self.columns} ")
            title = f"╭─ {self.name}{' [sample 0]' if len(self.shape) == 3 else ''} "
            return [Segment((title + where.rjust(inner + 1 - len(title), "─"))[:inner + 1] + "╮", border)]
        if i == self.lines - 1:
            return [Segment("╰" + "─" * inner + "╯", border)]
        side = Segment("│", border)
        if s.value is None:
            text = " not computed yet in this iteration" if i == 1 else ""
            body = [Segment(text[:inner].ljust(inner), palette.blank)]
        elif i == 1:
            body = [header_segment(columns, self.digits, self.label, palette)]
        else:
            row = rows.start + i - 2
            if row >= rows.stop:
                body = []
            else:
                values = grid(s.value)  # only the window's cells are formatted
                texts = [cell(values[row, c], self.digits) for c in columns]
                changed = None if s.changed is None else grid(s.changed)
                body = [Segment(str(row).rjust(self.label - 1) + " ", palette.indices),
                        *row_segments(s, texts, changed, row, columns, palette)]
        return [side, *fit(body, inner, palette.plain), side]
