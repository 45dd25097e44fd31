"""Small quantities as whole boxed tables, laid side by side and wrapped to the width."""

from __future__ import annotations

from rich.segment import Segment

from stepnet.tui.cells import grid, grid_shape, width
from stepnet.tui.parts.lines import Segments, cells, fit
from stepnet.tui.parts.styles import CELL_STYLE, ROLE_STYLE, Shown, header_segments, row_segments

GAP = 1  # columns between two tables


def table(name: str, shape: tuple[int, ...], shown: Shown, digits: int,
          texts: list[list[str]] | None) -> list[Segments]:
    """A small quantity as a boxed table: title, column indices, one line per row; blank
    cells while it is not computed. `texts` are its cells as `cells.texts` writes them (None
    while it is not computed): the caller keeps them while the value is the same."""
    rows, columns = grid_shape(shape)
    label = len(str(rows - 1)) + 1 if rows > 1 else 0
    inner = label + columns * width(digits) + 1
    border = ROLE_STYLE[shown.role]
    title = name + (" [sample 0]" if len(shape) == 3 else "")
    lines = [[Segment(f"╭─ {title} "[: inner + 1].ljust(inner + 1, "─") + "╮", border)]]
    side = Segment("│", border)
    if columns > 1:
        lines.append([side, Segment(" " * label), *header_segments(range(columns), digits), Segment(" "), side])
    changed = None if shown.changed is None else grid(shown.changed)
    for r in range(rows):
        index = [Segment(str(r).rjust(label - 1) + " ", CELL_STYLE["index"])] if label else []
        row = ([Segment(" " * (columns * width(digits)))] if texts is None else
               row_segments(shown, texts[r], changed, r, range(columns)))
        lines.append([side, *index, *row, Segment(" "), side])
    lines.append([Segment("╰" + "─" * inner + "╯", border)])
    return lines


def flow(tables: list[list[Segments]], width_: int) -> list[list[int]]:
    """Which tables go on each row: as many as fit the width, left to right."""
    rows: list[list[int]] = [[]]
    used = 0
    for i, lines in enumerate(tables):
        w = cells(lines[0])
        if rows[-1] and used + GAP + w > width_:
            rows.append([])
            used = 0
        used += (GAP if rows[-1] else 0) + w
        rows[-1].append(i)
    return rows


def flow_line(tables: list[list[Segments]], row: list[int], y: int, width_: int) -> Segments:
    """Line y of a row of tables placed side by side, `width_` cells (the tables fit: `flow`)."""
    segments: list[Segment] = []
    used = 0
    for i in row:
        lines = tables[i]
        w = cells(lines[0])
        if y < len(lines):
            segments += lines[y]
        else:
            segments.append(Segment(" " * w))
        used += w
        if used < width_:
            segments.append(Segment(" " * min(GAP, width_ - used)))
            used += GAP
    if used < width_:
        segments.append(Segment(" " * (width_ - used)))
    elif used > width_:  # one table wider than the view
        return fit(segments, width_)
    return segments
