"""Small quantities as whole boxed tables, laid side by side and wrapped to the width."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style

from stepnet.tui.cells import grid, grid_shape, width
from stepnet.tui.shown import (
    Palette,
    Segments,
    Shown,
    fit,
    header_segment,
    row_segments,
)

GAP = 1  # columns between two tables
TITLE = 40  # a box is made wider for a title up to this long


@dataclass(frozen=True)
class Table:
    """A quantity drawn as a box: its lines, each `width` cells."""

    width: int
    lines: list[Segments]


class Box(NamedTuple):
    """What a quantity's table reads whatever its values and role. Tuples: every later table
    of the quantity shares them."""

    top: str
    bottom: str
    header: tuple[Segment, ...]  # the column indices (none for a single column)
    indices: tuple[tuple[Segment, ...], ...]  # each row's index (none for a single row)
    blank: tuple[Segment]  # a row of cells not computed yet
    named: tuple[Segment, ...]  # a line each: the source's names of its elements
    right: str  # after a row's cells: the space left, and the side
    columns: range
    inner: int  # the width inside the sides


def lines_of(entries: tuple[str, ...], width: int) -> list[str]:
    """Entries side by side, two spaces apart, as many a line as fit `width` (one too long cut)."""
    lines: list[str] = []
    for entry in entries:
        entry = entry if len(entry) <= width else entry[: width - 1] + "…"
        if lines and len(lines[-1]) + 2 + len(entry) <= width:
            lines[-1] += "  " + entry
        else:
            lines.append(entry)
    return lines


@lru_cache(maxsize=1024)
def box(name: str, shape: tuple[int, ...], digits: int, palette: Palette, named: tuple[str, ...] = ()) -> Box:
    """The quantity's box, worked out once per shape, digits, theme and the names its
    elements have in the source (`w5 [0,0]`, listed under its rows)."""
    rows, columns = grid_shape(shape)
    label = len(str(rows - 1)) + 1 if rows > 1 else 0
    title = str(name) + (" [sample 0]" if len(shape) == 3 else "")
    cells = label + columns * width(digits)
    inner = max(cells + 1, min(len(title) + 4, TITLE))  # wide enough for its title
    return Box(top=f"╭─ {title} "[: inner + 1].ljust(inner + 1, "─") + "╮",
               bottom="╰" + "─" * inner + "╯",
               header=(header_segment(range(columns), digits, label, palette),) if columns > 1 else (),
               indices=tuple((Segment(str(r).rjust(label - 1) + " ", palette.indices),) if label else ()
                             for r in range(rows)),
               blank=(Segment(" " * (columns * width(digits)), palette.plain),),
               named=tuple(Segment(f" {line:<{inner - 2}}", palette.indices) for line in lines_of(named, inner - 2)),
               right=" " * (inner - cells) + "│", columns=range(columns), inner=inner)


def table(name: str, shape: tuple[int, ...], shown: Shown, digits: int,
          texts: list[list[str]] | None, palette: Palette, named: tuple[str, ...] = ()) -> Table:
    """A small quantity as a boxed table: title, column indices, one line per row, the names
    of its elements; blank cells while it is not computed. `texts` are its cells as
    `cells.texts` writes them (None while it is not computed): the caller keeps them while
    the value is the same."""
    b = box(name, shape, digits, palette, named)
    border = palette.frame(shown.role)
    lines = [[Segment(b.top, border)]]
    # a space inside each side, in the border's style (it does not show): fewer segments
    left, right = Segment("│", border), Segment(b.right, border)
    if b.header:
        lines.append([left, *b.header, right])
    changed = None if shown.changed is None else grid(shown.changed)
    for r, index in enumerate(b.indices):
        row = b.blank if texts is None else row_segments(shown, texts[r], changed, r, b.columns, palette)
        lines.append([left, *index, *row, right])
    lines += [[left, line, right] for line in b.named]
    lines.append([Segment(b.bottom, border)])
    return Table(b.inner + 2, lines)


def flow(tables: list[Table], width_: int) -> list[list[int]]:
    """Which tables go on each row: as many as fit the width, left to right."""
    rows: list[list[int]] = [[]]
    used = 0
    for i, t in enumerate(tables):
        w = t.width
        if rows[-1] and used + GAP + w > width_:
            rows.append([])
            used = 0
        used += (GAP if rows[-1] else 0) + w
        rows[-1].append(i)
    return rows


def flow_line(tables: list[Table], y: int, width_: int, plain: Style) -> Segments:
    """Line y of a row of tables placed side by side, `width_` cells (the tables fit: `flow`).
    The spaces after a table are in its line's last segment (its side or border: spaces show
    no colour), as Textual's work for a line grows with its segments."""
    segments: list[Segment] = []
    used = 0
    last = len(tables) - 1
    for n, t in enumerate(tables):
        used += t.width
        after = GAP if n < last else max(width_ - used, 0)  # after the last: the rest of the line
        used += after
        if y >= len(t.lines):  # below a shorter table
            segments.append(Segment(" " * (t.width + after), plain))
        else:
            line = t.lines[y]
            segments += line[:-1]
            end = line[-1]
            segments.append(Segment(end.text + " " * after, end.style) if after else end)
    return segments if used == width_ else fit(segments, width_, plain)  # one table wider than the view
