"""The engine's state, layer by layer: every quantity the program has, in the order the
iteration first uses it, with the source's names for it and its elements (`[notation.names]`).
The op's inputs are in the read colour, its output in the output colour, the elements it
changed bold and underlined; a quantity not computed in this iteration has blank cells.
Small quantities are whole tables side by side; big ones, windows that follow the selected
element.

It has more lines than the screen: a line-API widget. A key takes the state and forgets the
lines of the quantities that show differently; Textual asks for the lines in view, and each
is drawn once until what it shows changes.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from stepnet.engine.model import Model
from stepnet.tui import names
from stepnet.tui.cells import texts as cell_texts
from stepnet.tui.matrix import MatrixWindow, is_big
from stepnet.tui.session import Moment
from stepnet.tui.shown import Palette, Shown
from stepnet.tui.tables import Table, flow, flow_line, table
from stepnet.tui.widgets.part import Follows


def heading(session_model: object, layer: int | None) -> str:
    """A group's heading: the input, a layer with its activation and units, or the rest."""
    if layer is None:
        return "the whole network" if isinstance(session_model, Model) else "the graph: its leaves and nodes"
    if layer == 0:
        return "input"
    spec = session_model.layers[layer - 1]  # type: ignore[attr-defined]
    return f"layer {layer} · {spec.activation.name} · {spec.units} unit{'s' if spec.units > 1 else ''}"


@dataclass
class Group:
    heading: str
    small: list[names.Name]  # drawn whole, side by side
    big: list[MatrixWindow]


class State(Follows, ScrollView):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"state--read", "state--output", "state--changed", "state--selected",
                         "state--index", "state--blank", "state--heading", "state--border", "state--differs",
                         "state--edited"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        d = self.session.debugger
        batch = len(d.data.batch(1)[0])
        self.groups: list[Group] = []
        self.shapes: dict[names.Name, tuple[int, ...]] = {}
        for layer, quantities in names.by_layer(d.program):
            shapes = {n: d.program.shape(n, batch) for n in quantities}
            self.shapes.update(shapes)
            self.groups.append(Group(heading(d.model, layer), [n for n in quantities if not is_big(shapes[n])],
                                     [MatrixWindow(n, shapes[n]) for n in quantities if is_big(shapes[n])]))
        self.shown: dict[names.Name, Shown] = dict.fromkeys(self.shapes, Shown(None))
        glossary = self.session.glossary
        #: each quantity's title, with the source's names for it (`loss (E_total)`), and the
        #: source's names for its elements (`w5 [0,0]`)
        self.titles = {n: glossary.beside(n) for n in self.shapes}
        self.named = {n: tuple(f"{', '.join(glossary.names(n, i))} [{','.join(map(str, i))}]"
                               for i in glossary.elements(n)) for n in self.shapes}
        self.digits = self.session.digits
        self._palette: Palette | None = None
        self._restyled = False  # the styles were worked out again: the palette is to be checked
        #: the cell texts of each small quantity, with the array and the digits they are of
        self._texts: dict[names.Name, tuple[np.ndarray, int, list[list[str]]]] = {}
        self.tables: dict[names.Name, Table] = {}
        self.line_map: list[tuple] = []  # what each line draws
        self.spans: dict[names.Name, tuple[int, int]] = {}  # the lines each quantity takes
        self.group_spans: dict[names.Name, tuple[int, int]] = {}  # the lines of its group (from the heading)
        self._strips: dict[int, Strip] = {}  # lines drawn since what they show last changed
        self._width = 0

    # --- styles and layout: worked out again when the theme, the width or the digits change

    @property
    def palette(self) -> Palette:
        return self._restyle() if self._palette is None or self._restyled else self._palette

    def _restyle(self) -> Palette:
        """The styles as they are now; the tables and lines drawn are forgotten if they were
        drawn in others (Textual restyles on every change of the screen's classes)."""
        self._restyled = False
        base = self.rich_style
        style = {name: base + self.get_component_rich_style(f"state--{name}", partial=True)
                 for name in ("read", "output", "changed", "selected", "index", "blank", "heading", "border",
                              "differs", "edited")}
        palette = Palette(plain=base, indices=style.pop("index"), **style)
        if palette != self._palette:
            self._palette = palette
            self.tables = {n: self._table(n, self.shown[n]) for g in self.groups for n in g.small}
            self._strips.clear()
        return palette

    def notify_style_update(self) -> None:
        """Drawn again in the new styles, if they are new (a theme switch): the restyles as the
        screen's size classes are set at start-up change none of the state's."""
        super().notify_style_update()
        self._restyled = True
        self.refresh()

    def _lay_out(self, width: int) -> None:
        self._width = width
        self.palette  # noqa: B018  (the tables, before they are laid out)
        lines: list[tuple] = []
        for g in self.groups:
            lines.append(("blank",))
            group_start = len(lines)
            lines.append(("heading", g.heading))
            if g.small:
                tables = [self.tables[n] for n in g.small]
                for row in flow(tables, width):
                    start, quantities = len(lines), tuple(g.small[i] for i in row)
                    height = max(len(tables[i].lines) for i in row)
                    lines += [("flow", quantities, y) for y in range(height)]
                    self.spans.update(dict.fromkeys(quantities, (start, len(lines))))
            for window in g.big:
                start = len(lines)
                lines += [("matrix", window, i) for i in range(window.lines)]
                self.spans[window.name] = (start, len(lines))
            self.group_spans.update(dict.fromkeys(g.small + [w.name for w in g.big], (group_start, len(lines))))
        self.line_map = lines
        self._strips.clear()
        self.virtual_size = Size(width, len(lines))
        self._say_where()

    def on_mount(self) -> None:
        self.retitle("state")
        self.show()  # the first frame shows the state, not the moment after

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._say_where()

    def _say_where(self) -> None:
        """Which lines are in view, on the frame (there is no scroll bar: it cost as much to
        draw as the lines that scrolled)."""
        total, height, top = len(self.line_map), self.scrollable_content_region.height, round(self.scroll_y)
        self.retitle(subtitle=f"lines {top + 1}–{min(top + height, total)} of {total}" if total > height > 0 else "")

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._width and width > 0:
            self._lay_out(width)
            self._reveal_output()

    # --- showing the state --------------------------------------------------------------

    def shows(self, moment: Moment) -> Hashable:
        return moment

    def show(self) -> None:
        """Take the state: rebuild the tables whose quantity shows differently, forget their
        drawn lines, and scroll the op's output into view."""
        s = self.session
        op = s.last_op
        change = s.change()
        values = s.values
        relayout = s.digits != self.digits
        self.digits = s.digits
        roles = {} if op is None else {**dict.fromkeys(op.reads, "read"), op.output: "output"}
        forgotten: list[tuple[int, int]] = []
        for name, old in self.shown.items():
            value, role = values.get(name), roles.get(name)
            if role is None and old.role is None and value is old.value and not relayout:
                continue  # most quantities, on most keys: neither in this op nor the last
            output = role == "output"
            shown = Shown(value, role, change[1] if output and change else None,
                          s.selected_cell() if output else None,
                          *((None, None) if value is None else s.marks(name, value)))
            if shown != old or relayout:
                self.shown[name] = shown
                if name in self.tables:
                    self.tables[name] = self._table(name, shown)
                forgotten.append(self.spans.get(name, (0, 0)))
        for g in self.groups:
            for window in g.big:
                window.fit(self.shown[window.name], s.digits, self._width)
        if relayout and self._width:
            self._lay_out(self._width)
            self.refresh()
        elif forgotten:
            for start, end in forgotten:
                for y in range(start, end):
                    self._strips.pop(y, None)
            # the lines in view, in one region: Textual's work grows with the regions
            top, height = round(self.scroll_y), self.scrollable_content_region.height
            first = max(min(start for start, _ in forgotten), top)
            last = min(max(end for _, end in forgotten), top + height)
            if last > first:
                self.refresh_lines(first, last - first)
        self._reveal_output()

    def _table(self, name: names.Name, shown: Shown) -> Table:
        """The quantity's table; its cells are formatted again only for a new array (the engine
        writes one whenever a value changes), not when only its role in the op changes."""
        value, digits, texts = shown.value, self.digits, None
        if value is not None:
            kept = self._texts.get(name)
            if kept is None or kept[0] is not value or kept[1] != digits:
                kept = self._texts[name] = (value, digits, cell_texts(value, digits))
            texts = kept[2]
        return table(self.titles[name], self.shapes[name], shown, digits, texts, self.palette, self.named[name])

    def _reveal_output(self) -> None:
        op = self.session.last_op
        if op is None:
            self.scroll_to(y=0, animate=False)
        elif op.output in self.spans:
            self._reveal(op.output)

    def _reveal(self, name: names.Name) -> None:
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
        self.scroll_to(y=y, animate=False)

    # --- the lines, as Textual asks for them ----------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = y + round(self.scroll_y)
        width = self.scrollable_content_region.width
        if width != self._width and width > 0:  # the first frame, before its resize event
            self._lay_out(width)
        elif self._restyled:
            self._restyle()
        if index >= len(self.line_map):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            strip = self._strips[index] = Strip(self._draw(index, width), width)
        return strip

    def _draw(self, y: int, width: int) -> list[Segment]:
        """Line y, exactly `width` cells."""
        item = self.line_map[y]
        kind, palette = item[0], self.palette
        if kind == "heading":
            return [Segment(item[1].ljust(width)[:width], palette.heading)]
        if kind == "flow":
            _, quantities, line = item
            return flow_line([self.tables[n] for n in quantities], line, width, palette.plain)
        if kind == "matrix":
            return item[1].line(item[2], width, palette)
        return [Segment(" " * width, palette.plain)]

    @property
    def text(self) -> str:
        """Every line of the state, in view or not, as plain text."""
        width = self._width
        return "\n".join("".join(s.text for s in self._draw(y, width)).rstrip() for y in range(len(self.line_map)))
