"""How a quantity is shown (its value, its role in the op, what changed, the selected element),
the styles of the state view, and the rows of cells the tables and matrix windows share."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from rich.segment import Segment
from rich.style import Style

from stepnet.tui.cells import grid, width

Segments = list[Segment]  # one drawn line


class Palette(NamedTuple):
    """The state view's styles, from its component classes (so, from the theme)."""

    plain: Style
    read: Style  # a quantity the current op reads
    output: Style  # the quantity it writes
    changed: Style  # the elements it changed
    selected: Style  # the element written out in the formula
    indices: Style  # row and column indices
    blank: Style  # "not computed yet"
    heading: Style  # a layer's heading
    border: Style  # the frame of a quantity the op neither reads nor writes
    differs: Style  # an element that differs: from the implementation's (--compare), or between runs
    edited: Style  # an element set by a what-if edit

    def cell(self, role: str | None) -> Style:
        return self.read if role == "read" else self.output if role == "output" else self.plain

    def frame(self, role: str | None) -> Style:
        return self.read if role == "read" else self.output if role == "output" else self.border


@dataclass(frozen=True, eq=False)
class Shown:
    """A quantity as the screen shows it: its value (None: not computed in this iteration),
    its role in the current op, the elements the op changed, the selected element, and its
    marks: the elements that differ (from an implementation's recorded values, or from the
    other run of a what-if), and those a what-if edit set."""

    value: np.ndarray | None
    role: str | None = None  # "read" | "output"
    changed: np.ndarray | None = None
    selected: tuple[int, int] | None = None  # (row, column) in the drawn grid
    differs: np.ndarray | None = None
    edited: np.ndarray | None = None

    def __eq__(self, other: object) -> bool:
        # identity, not contents: the engine writes a new array whenever a value changes
        return (isinstance(other, Shown) and self.value is other.value and self.role == other.role
                and self.changed is other.changed and self.selected == other.selected
                and self.differs is other.differs and self.edited is other.edited)

    __hash__ = None  # type: ignore[assignment]


def cells(line: Segments) -> int:
    """How many cells `line` takes (the state's text is all one cell a character)."""
    return sum(len(segment.text) for segment in line)


def fit(line: Segments, width_: int, style: Style | None = None) -> Segments:
    """`line` as exactly `width_` cells: cut, or padded with spaces in `style` (itself if it fits)."""
    length = cells(line)
    if length < width_:
        return [*line, Segment(" " * (width_ - length), style)]
    return line if length == width_ else Segment.adjust_line_length(line, width_, style)


def runs(pieces: list[tuple[str, Style]]) -> Segments:
    """Pieces of text as a line, one segment per run of pieces in one style: Textual's work
    for a line grows with its segments."""
    return [Segment("".join(text for text, _ in run), style) for style, run in groupby(pieces, key=itemgetter(1))]


def row_segments(shown: Shown, texts: list[str], changed: np.ndarray | None, row: int,
                 columns: range, palette: Palette) -> Segments:
    """The cells of one row of a quantity (drawn as `cells.grid`; `texts` are those of
    `columns`), styled by role, change and selection."""
    plain, selected = palette.cell(shown.role), shown.selected
    differs, edited = (None if mask is None else grid(mask) for mask in (shown.differs, shown.edited))
    if (selected is None or selected[0] != row) and not any(m is not None and m[row].any()
                                                            for m in (changed, differs, edited)):
        return [Segment("".join(texts), plain)]  # most rows: one style
    return runs([(text, palette.selected if selected == (row, c) else
                  palette.changed if changed is not None and changed[row, c] else
                  palette.differs if differs is not None and differs[row, c] else
                  palette.edited if edited is not None and edited[row, c] else plain)
                 for text, c in zip(texts, columns)])


def header_segment(columns: range, digits: int, indent: int, palette: Palette) -> Segment:
    """The column indices over the cells, after `indent` cells (over the row indices)."""
    return Segment(" " * indent + "".join(str(c).rjust(width(digits)) for c in columns), palette.indices)
