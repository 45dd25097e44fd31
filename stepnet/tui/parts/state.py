"""The engine's state, layer by layer: W, b, z, a and, once computed, grad_a, dact, delta,
grad_W, grad_b and the velocities. The op's inputs are cyan, its output yellow, the elements
it changed bold and underlined; a quantity not computed in this iteration has blank cells.

Only the lines in view are drawn, each once until what it shows changes; a table is rebuilt
only when what it shows changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size

from stepnet.engine.names import Name
from stepnet.tui.cells import texts as cell_texts
from stepnet.tui.parts.lines import Segments, plain
from stepnet.tui.parts.matrix import MatrixWindow, is_big
from stepnet.tui.parts.part import ScrollingPart
from stepnet.tui.parts.styles import Shown
from stepnet.tui.parts.tables import Table, flow, flow_line, table
from stepnet.tui.session import Session

HEADING = Style(bold=True, color="magenta")


def groups(session: Session) -> list[tuple[str, list[Name]]]:
    """(heading, quantity names) for the input, every layer, and what belongs to no layer
    (the target, the loss, the learning rate), each in the order the engine lists them."""
    model = session.debugger.model
    names = session.debugger.program.quantities
    result = [("input", [n for n in names if n.layer == 0])]
    for l, layer in enumerate(model.layers, start=1):
        heading = f"layer {l} · {layer.activation.name} · {layer.units} unit{'s' if layer.units > 1 else ''}"
        result.append((heading, [n for n in names if n.layer == l]))
    result.append(("target and loss", [n for n in names if n.layer is None]))
    return result


@dataclass
class Group:
    heading: str
    small: list[str]  # drawn whole, side by side
    big: list[MatrixWindow]


class StateView(ScrollingPart):
    """Draws lazily: only the lines in view, kept until what they show changes (`view`), not
    all its lines at once as `Part.redraw` would."""

    title = "state"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        d = session.debugger
        batch = len(d.data.batch(1)[0])
        self.groups: list[Group] = []
        self.shapes: dict[str, tuple[int, ...]] = {}
        for heading, names in groups(session):
            shapes = {n: d.program.shape(n, batch) for n in names}
            self.shapes.update(shapes)
            self.groups.append(Group(heading, [n for n in names if not is_big(shapes[n])],
                                     [MatrixWindow(n, shapes[n]) for n in names if is_big(shapes[n])]))
        self.shown: dict[str, Shown] = dict.fromkeys(self.shapes, Shown(None))
        self.digits = session.digits
        #: the cell texts of each small quantity, with the array and the digits they are of
        self._texts: dict[str, tuple[np.ndarray, int, list[list[str]]]] = {}
        self.tables = {n: self._table(n, self.shown[n]) for g in self.groups for n in g.small}
        self.line_map: list[tuple] = []  # what each line of the view draws
        self.spans: dict[str, tuple[int, int]] = {}  # the lines each quantity takes
        self.group_spans: dict[str, tuple[int, int]] = {}  # the lines of its group (from the heading)
        self._drawn: dict[int, Segments] = {}  # lines drawn since what they show last changed

    # --- layout: recomputed only when the width or the digits change --------------------

    def _layout(self, width: int) -> None:
        lines: list[tuple] = []
        for g in self.groups:
            lines.append(("blank",))
            group_start = len(lines)
            lines.append(("heading", g.heading))
            if g.small:
                tables = [self.tables[n] for n in g.small]
                for row in flow(tables, width):
                    start, names = len(lines), tuple(g.small[i] for i in row)
                    height = max(len(tables[i].lines) for i in row)
                    lines += [("flow", names, y) for y in range(height)]
                    self.spans.update(dict.fromkeys(names, (start, len(lines))))
            for window in g.big:
                start = len(lines)
                lines += [("matrix", window, i) for i in range(window.lines)]
                self.spans[window.name] = (start, len(lines))
            self.group_spans.update(dict.fromkeys(g.small + [w.name for w in g.big], (group_start, len(lines))))
        self.line_map = lines
        self._drawn.clear()

    def resize(self, size: Size) -> None:
        if size.width != self.size.width:
            self._layout(size.width)
        self.size = size
        self.show()
        self.scroll_to(self.scroll_y)  # within the new extent

    @property
    def total(self) -> int:
        return len(self.line_map)

    @property
    def text(self) -> str:
        return plain([self._line(y) for y in range(self.total)])

    # --- showing the state --------------------------------------------------------------

    def show(self) -> None:
        """Take the state: rebuild the tables whose quantity shows differently, forget their
        drawn lines, and scroll the op's output into view."""
        s = self.session
        d = s.debugger
        op = d.last_op
        change = s.change()
        relayout = s.digits != self.digits
        self.digits = s.digits
        width = self.size.width
        roles = {} if op is None else {**dict.fromkeys(op.reads, "read"), op.output: "output"}
        for name, old in self.shown.items():
            value, role = d.values.get(name), roles.get(name)
            if role is None and old.role is None and value is old.value and not relayout:
                continue  # most quantities, on most keys: neither in this op nor the last
            output = role == "output"
            shown = Shown(value, role, change[1] if output and change else None,
                          s.selected_cell() if output else None)
            if shown != old or relayout:
                self.shown[name] = shown
                if name in self.tables:
                    self.tables[name] = self._table(name, shown)
                for y in range(*self.spans.get(name, (0, 0))):
                    self._drawn.pop(y, None)
        for g in self.groups:
            for window in g.big:
                window.fit(self.shown[window.name], s.digits, width)
        if relayout and width:
            self._layout(width)
            self.scroll_to(self.scroll_y)  # within the new extent
        if op is None:
            self.scroll_to(0)
        elif op.output in self.spans:
            self._reveal(op.output)

    def _table(self, name: str, shown: Shown) -> Table:
        """The quantity's table; its cells are formatted again only for a new array (the engine
        writes one whenever a value changes), not when only its role in the op changes."""
        value, digits, texts = shown.value, self.digits, None
        if value is not None:
            kept = self._texts.get(name)
            if kept is None or kept[0] is not value or kept[1] != digits:
                kept = self._texts[name] = (value, digits, cell_texts(value, digits))
            texts = kept[2]
        return table(name, self.shapes[name], shown, digits, texts)

    def _reveal(self, name: str) -> None:
        """Scroll so the quantity `name` is in view, by whole groups where they fit, so that
        stepping through a layer scrolls once for the layer rather than once per quantity."""
        start, end = self.spans[name]
        top, height = self.scroll_y, self.size.height
        if top <= start and end <= top + height:
            return
        group_start, group_end = self.group_spans[name]
        if end - start > height:  # taller than the view: its top
            y = start
        elif group_end - group_start <= height:  # the whole layer
            y = group_start
        elif start < top:  # going up (the backward pass): it at the bottom, what is above it
            y = max(end - height, group_start)
        else:  # going down: it at the top, what follows it below
            y = min(start, group_end - height)
        self.scroll_to(y)

    def view(self) -> list[Segments]:
        return [self._line(y) for y in range(self.scroll_y, min(self.scroll_y + self.size.height, self.total))]

    def _line(self, y: int) -> Segments:
        line = self._drawn.get(y)
        if line is None:
            line = self._drawn[y] = self._draw(y, self.size.width)
        return line

    def _draw(self, y: int, width: int) -> Segments:
        """Line y, exactly `width` cells."""
        item = self.line_map[y]
        kind = item[0]
        if kind == "heading":
            return [Segment(item[1].ljust(width)[:width], HEADING)]
        if kind == "flow":
            _, names, line = item
            return flow_line([self.tables[n] for n in names], line, width)
        if kind == "matrix":
            return item[1].line(item[2], width)
        return [Segment(" " * width)]
