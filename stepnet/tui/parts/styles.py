"""How a quantity is shown (its value, its role in the op, what changed, the selected element)
and the cell styles shared by the quantity blocks and the matrix views."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style

from stepnet.tui.cells import width
from stepnet.tui.parts.lines import Segments, runs

#: plain, read by the current op, written by it, changed by it, selected, indices, blank
CELL_STYLE = {
    "plain": Style(),
    "read": Style(color="cyan"),
    "output": Style(color="yellow"),
    "changed": Style(color="yellow", bold=True, underline=True),
    "selected": Style(reverse=True, bold=True),
    "index": Style(dim=True),
    "blank": Style(dim=True, italic=True),
}
#: the border and title of a quantity by its role in the current op
ROLE_STYLE = {None: Style(dim=True), "read": Style(color="cyan", bold=True),
              "output": Style(color="yellow", bold=True)}


@dataclass(frozen=True, eq=False)
class Shown:
    """A quantity as the screen shows it: its value (None: not computed in this iteration),
    its role in the current op, the elements the op changed, the selected element."""

    value: np.ndarray | None
    role: str | None = None  # "read" | "output"
    changed: np.ndarray | None = None
    selected: tuple[int, int] | None = None  # (row, column) in the drawn grid

    def __eq__(self, other: object) -> bool:
        # identity, not contents: the engine writes a new array whenever a value changes
        return (isinstance(other, Shown) and self.value is other.value and self.role == other.role
                and self.changed is other.changed and self.selected == other.selected)

    __hash__ = None  # type: ignore[assignment]


def row_segments(shown: Shown, texts: list[str], changed: np.ndarray | None, row: int,
                 columns: range) -> Segments:
    """The cells of one row of a quantity (drawn as `grid`; `texts` are those of `columns`),
    styled by role, change and selection: one segment per run of cells in one style."""
    plain, selected = CELL_STYLE[shown.role or "plain"], shown.selected
    if (selected is None or selected[0] != row) and (changed is None or not changed[row].any()):
        return [Segment("".join(texts), plain)]  # most rows: one style
    return runs([(text, CELL_STYLE["selected"] if selected == (row, c) else
                  CELL_STYLE["changed"] if changed is not None and changed[row, c] else plain)
                 for text, c in zip(texts, columns)])


def header_segment(columns: range, digits: int, indent: int) -> Segment:
    """The column indices over the cells, after `indent` cells (over the row indices)."""
    return Segment(" " * indent + "".join(str(c).rjust(width(digits)) for c in columns), CELL_STYLE["index"])
