"""The engine's state, layer by layer: W, b, z, a and, once computed, grad_a, dact, delta,
grad_W, grad_b and the velocities. The op's inputs are cyan, its output yellow, the elements
it changed bold and underlined; a quantity not computed in this iteration has blank cells.

One ScrollView on Textual's line API draws it all: scrolling or stepping repaints only the
visible lines, and a table is rebuilt only when what it shows changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from stepnet.engine.program import quantity_shape
from stepnet.tui.session import Session
from stepnet.tui.widgets.matrix import MatrixWindow, is_big
from stepnet.tui.widgets.styles import Shown
from stepnet.tui.widgets.lines import set_border_title
from stepnet.tui.widgets.tables import flow, flow_line, table

PREFIXES = ("W", "b", "z", "m", "a", "grad_a", "dact", "delta", "grad_W", "grad_b", "v_W", "v_b")
HEADING = Style(bold=True, color="magenta")


def groups(session: Session) -> list[tuple[str, list[str]]]:
    """(heading, quantity names) for the input, every layer, and the target and loss."""
    model = session.debugger.model
    names = set(session.debugger.program.quantities())
    result = [("input", ["a0"])]
    for l, layer in enumerate(model.layers, start=1):
        heading = f"layer {l} · {layer.activation.name} · {layer.units} unit{'s' if layer.units > 1 else ''}"
        result.append((heading, [f"{p}{l}" for p in PREFIXES if f"{p}{l}" in names]))
    result.append(("target and loss", ["y", "loss"]))
    return result


@dataclass
class Group:
    heading: str
    small: list[str]  # drawn whole, side by side
    big: list[MatrixWindow]


class StateView(ScrollView, can_focus=False):
    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        d = session.debugger
        batch = len(d.data.batch(1)[0])
        self.groups: list[Group] = []
        self.shapes: dict[str, tuple[int, ...]] = {}
        for heading, names in groups(session):
            shapes = {n: quantity_shape(d.model, n, batch) for n in names}
            self.shapes.update(shapes)
            self.groups.append(Group(heading, [n for n in names if not is_big(shapes[n])],
                                     [MatrixWindow(n, shapes[n]) for n in names if is_big(shapes[n])]))
        self.shown: dict[str, Shown] = dict.fromkeys(self.shapes, Shown(None))
        self.tables = {n: table(n, self.shapes[n], self.shown[n], session.digits)
                       for g in self.groups for n in g.small}
        self.digits = session.digits
        self.line_map: list[tuple] = []  # what each line of the view draws
        self.spans: dict[str, tuple[int, int]] = {}  # the lines each quantity takes
        self.group_spans: dict[str, tuple[int, int]] = {}  # the lines of its group (from the heading)
        self._laid_out_for = -1
        self._drawn: dict[int, Strip] = {}  # lines drawn since what they show last changed

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
                    start = len(lines)
                    height = max(len(tables[i]) for i in row)
                    lines += [("flow", g, row, y) for y in range(height)]
                    self.spans.update({g.small[i]: (start, len(lines)) for i in row})
            for window in g.big:
                start = len(lines)
                lines += [("matrix", window, i) for i in range(window.lines)]
                self.spans[window.name] = (start, len(lines))
            self.group_spans.update(dict.fromkeys(g.small + [w.name for w in g.big], (group_start, len(lines))))
        self.line_map = lines
        self._drawn.clear()
        self._laid_out_for = width
        self.virtual_size = Size(width, len(lines))

    def on_resize(self) -> None:
        self._layout(self.scrollable_content_region.width)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        # Textual calls this while it arranges the screen, before the frame is painted: laying
        # the lines out here for the new width sets the virtual size and the position in the
        # border within that frame. Laid out later (on_resize, render_line), the screen was
        # complete only two frames and ~30 ms later at start-up.
        width = size.width - self.styles.gutter.width  # no scroll bar: see `allow_vertical_scroll`
        if width > 0 and width != self._laid_out_for:
            self._layout(width)
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        self._show_position()
        return changed

    @property
    def allow_vertical_scroll(self) -> bool:
        # overflow-y is hidden (stepnet.tcss), so Textual would refuse to scroll: the wheel and
        # `_reveal` scroll it all the same. A scroll bar, even a zero-wide one, was refreshed on
        # every scroll, and a refreshed widget not on screen makes Textual arrange the whole
        # screen anew for the next frame (~0.5 ms a key on the 784-64-10 network).
        return True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._show_position()

    def _show_position(self) -> None:
        """Which lines are in view, in the bottom border: the view has no scroll bar, whose
        every line was repainted on each scroll."""
        total, height = len(self.line_map), self.scrollable_content_region.height
        top = round(self.scroll_y)
        where = f"lines {top + 1}–{min(top + height, total)} of {total}" if total > height > 0 else ""
        set_border_title(self, where, subtitle=True)

    # --- showing the state --------------------------------------------------------------

    def show(self) -> None:
        s = self.session
        d = s.debugger
        op = d.last_op
        change = s.change()
        relayout = s.digits != self.digits
        self.digits = s.digits
        width = self.scrollable_content_region.width
        dirty = []
        for g in self.groups:
            for name in g.small + [w.name for w in g.big]:
                output = op is not None and name == op.output
                role = "output" if output else "read" if op is not None and name in op.reads else None
                shown = Shown(d.values.get(name), role, change[1] if output and change else None,
                              s.selected_cell() if output else None)
                if shown != self.shown[name] or relayout:
                    self.shown[name] = shown
                    dirty.append(name)
                    if name in self.tables:
                        self.tables[name] = table(name, self.shapes[name], shown, s.digits)
            for window in g.big:
                window.fit(self.shown[window.name], s.digits, width)
        if relayout and width:
            self._layout(width)
            self.refresh()
            return
        # forget the lines of what changed, then scroll (a scroll repaints the whole view)
        stale = {}
        for name in dirty:
            if name in self.spans:
                for y in range(*self.spans[name]):
                    stale[y] = self._drawn.pop(y, None)
        top = round(self.scroll_y)
        if op is None:
            self.scroll_to(y=0, animate=False, immediate=True)
        elif op.output in self.spans:
            self._reveal(op.output)
        if round(self.scroll_y) != top:
            return
        if width != self._laid_out_for:  # a resize is pending: its layout repaints everything
            self.refresh()
            return
        # no scroll: repaint only the visible lines that now draw differently; a table that
        # changed its role is redrawn whole, one that only gained a value only in its rows
        height = self.scrollable_content_region.height
        regions = []
        for y, old in stale.items():
            if top <= y < top + height and y < len(self.line_map):
                self._drawn[y] = new = self._draw(y, width).simplify()
                if new != old:
                    regions.append(Region(0, y - top, width, 1))
        if regions:
            self.refresh(*regions)  # one call: each refresh() walks up to the screen

    def _reveal(self, name: str) -> None:
        """Scroll so the quantity `name` is in view, by whole groups where they fit, so that
        stepping through a layer scrolls once for the layer rather than once per quantity."""
        start, end = self.spans[name]
        top, height = round(self.scroll_y), self.scrollable_content_region.height
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
        self.scroll_to(y=y, animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._laid_out_for:
            self._layout(width)
        y += round(self.scroll_y)
        if y >= len(self.line_map):
            return Strip.blank(width)
        if y not in self._drawn:
            self._drawn[y] = self._draw(y, width).simplify()
        return self._drawn[y]

    def _draw(self, y: int, width: int) -> Strip:
        item = self.line_map[y]
        kind = item[0]
        if kind == "heading":
            return Strip([Segment(item[1], HEADING)]).extend_cell_length(width)
        if kind == "flow":
            _, g, row, line = item
            return flow_line([self.tables[n] for n in g.small], row, line, width)
        if kind == "matrix":
            return item[1].line(item[2], width)
        return Strip.blank(width)
