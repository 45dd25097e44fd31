"""The network as columns of neurons, input side on the left, with the values of one sample.

Forward and loss phases show each layer's activation a; backward and update phases show
δ where it has been computed, so the error is seen flowing from right to left. A neuron
identical to another of its layer (same weights and bias: symmetry) is drawn ≡, one
dropped by dropout in the sample shown ✕; under each layer, ‖∂J/∂W‖ once this iteration
has computed it, so vanishing gradients show at a glance. Redrawn only when the values or
the phase change.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style

from stepnet.engine.names import Name, grad
from stepnet.engine.metrics import identical_neurons, layer_gradient_norms
from stepnet.tui.cells import number
from stepnet.tui.parts.lines import Segments
from stepnet.tui.parts.part import Part
from stepnet.tui.session import Session

ROWS = 8  # neurons drawn per column at most
#: (column width, arrow width, significant digits), widest first: the first that fits is used
LAYOUTS = ((11, 3, 3), (11, 1, 3), (9, 1, 2), (8, 1, 1))
PLAIN, BOLD, DIM = Style(), Style(bold=True), Style(dim=True)
HEADER, ACTIVE_HEADER = Style(bold=True), Style(bold=True, reverse=True)
ARROW, ACTIVE_ARROW = Style(dim=True), Style(bold=True, color="cyan")
LOSS = Style(bold=True, color="magenta")
TWIN = Style(color="magenta")
NORM = Style(dim=True)
NO_TWINS: frozenset[int] = frozenset()


class NetworkDiagram(Part):
    title = "network"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._key: tuple | None = None  # what the lines show
        self._twins_cache: dict[int, tuple[object, object, set[int]]] = {}
        #: per layer: how its column is drawn, the arrays it shows (compared by identity), the column
        self._columns: dict[int, tuple[tuple, tuple, list[Segment]]] = {}
        self._norms: tuple[tuple, dict[int, float]] = ((), {})  # the grad_W arrays and their norms
        self.subtitle = "sample 0" if session.debugger.data.batch_size > 1 else ""
        #: the quantities the diagram shows or is drawn from
        self._watched = tuple(Name(p, l) for l in range(session.debugger.model.depth + 1)
                              for p in ("a", "delta", "W", "b", "m", "grad_W"))

    @property
    def height(self) -> int:
        """Lines the diagram takes: a header, the tallest column, the gradient norms."""
        model = self.session.debugger.model
        return min(max(model.inputs, *(layer.units for layer in model.layers)), ROWS) + 2

    def show(self) -> None:
        d = self.session.debugger
        op = d.last_op
        shown = [d.values.get(name) for name in self._watched]
        key = (op and op.phase, op and op.layer, d.losses[-1:])
        if self._key is None or key != self._key[0] or any(a is not b for a, b in zip(shown, self._key[1])):
            self._key = (key, shown)  # the arrays themselves: the engine writes new ones on a change
            self.redraw()

    def draw(self, width: int) -> list[Segments]:
        d = self.session.debugger
        op = d.last_op
        backward = op is not None and op.phase in ("backward", "update")
        current = None if op is None else d.model.depth if op.phase == "loss" else op.layer
        loss = d.losses[-1] if d.losses and op is not None and op.phase != "forward" else None
        layers = self._layers(width, current)
        column_width = self._width
        norms = self._gradient_norms()
        columns = [self._column(l, self._quantity(l, backward), l == current) for l in layers]
        height = max(len(c) for c in columns)
        columns = [c + [Segment(" " * column_width)] * (height - len(c)) for c in columns]
        for l, column in zip(layers, columns):
            label = "‖∂J/∂W‖" if l == 0 and norms else f"{norms[l]:.2e}" if l in norms else ""
            column.append(Segment(label.center(column_width)[:column_width], NORM))
        height += 1
        lines = []
        drawn = len(columns) * column_width + (len(columns) - 1) * self._arrow  # cells of a row (each cut to its width)
        # between the columns: an arrow on every other row, pointing the way the values flow
        styles = [ACTIVE_ARROW if l == current else ARROW for l in layers[1:]]
        arrows = [Segment(("◀" if backward else "▶").center(self._arrow), style) for style in styles]
        gaps = [Segment(" " * self._arrow, style) for style in styles]
        for row in range(height):
            between = arrows if row % 2 and row < height - 1 else gaps
            segments = [columns[0][row]]
            for gap, column in zip(between, columns[1:]):
                segments += (gap, column[row])
            label = f"  J = {loss:.6g}" if loss is not None and row == 0 else ""
            if label and drawn + len(label) <= width:  # when it fits: the status line has it too
                segments.append(Segment(label, LOSS))
            lines.append(segments)
        return lines

    def _layers(self, width: int, current: int | None) -> range:
        """The layers drawn: all of them if they fit, else as many as do around the current
        one, the title saying which (80 columns hold four)."""
        depth = self.session.debugger.model.depth
        self._fit(depth + 1, width)
        fit = max(1, (width + self._arrow) // (self._width + self._arrow))
        if fit > depth:
            self.title = "network"
            return range(depth + 1)
        first = min(max(0, (current or 0) - fit // 2), depth + 1 - fit)
        self.title = f"network · layers {first}–{first + fit - 1} of 0–{depth}"
        return range(first, first + fit)

    def _fit(self, columns: int, room: int) -> None:
        """The widest layout whose columns fit in `room` cells (the last one if none does)."""
        for width, arrow, digits in LAYOUTS:
            if columns * width + (columns - 1) * arrow <= room:
                break
        self._width, self._arrow, self._digits = width, arrow, digits

    def _quantity(self, l: int, backward: bool) -> Name:
        """What a column shows: δ in the backward phases once computed, else a."""
        delta = Name("delta", l)
        return delta if backward and l > 0 and delta in self.session.debugger.values else Name("a", l)

    def _gradient_norms(self) -> dict[int, float]:
        """The engine's ‖∂J/∂W‖ per layer, asked again only when a grad_W is a new array."""
        values = self.session.debugger.values
        grads = tuple(values.get(grad(Name("W", l))) for l in range(1, self.session.debugger.model.depth + 1))
        if len(grads) != len(self._norms[0]) or any(a is not b for a, b in zip(grads, self._norms[0])):
            self._norms = (grads, layer_gradient_norms(values, len(grads)))
        return self._norms[1]

    def _column(self, l: int, name: Name, active: bool) -> list[Segment]:
        """Layer l's column: drawn again only when what it shows changed (a step changes one
        or two columns of the diagram)."""
        d = self.session.debugger
        value, mask = d.values.get(name), d.values.get(Name("m", l))
        twins = self._twins(l) if l else NO_TWINS
        how, arrays = (name, active, self._width, self._digits), (value, mask, twins)
        kept = self._columns.get(l)
        if kept is None or kept[0] != how or any(a is not b for a, b in zip(kept[1], arrays)):
            kept = self._columns[l] = (how, arrays, self._draw_column(l, name, active, value, mask, twins))
        return kept[2]

    def _draw_column(self, l: int, name: Name, active: bool, value: np.ndarray | None,
                     mask: np.ndarray | None, twins: frozenset[int] | set[int]) -> list[Segment]:
        d = self.session.debugger
        units = d.model.inputs if l == 0 else d.model.layers[l - 1].units
        width = self._width
        label = ("δ" if name.kind == "delta" else "a") + str(l)
        column = [Segment(f"{label} ({units})".center(width)[:width], ACTIVE_HEADER if active else HEADER)]
        shown = units if units <= ROWS else ROWS - 1
        for u in range(shown):
            text = number(value[0, u], self._digits, width - 2) if value is not None else ""
            glyph = "✕" if mask is not None and mask[0, u] == 0 else "≡" if u in twins else "○"
            style = TWIN if glyph == "≡" else BOLD if active else PLAIN
            column.append(Segment(f"{glyph} {text}".ljust(width), style))
        if shown < units:
            column.append(Segment(f"  … +{units - shown}".ljust(width)[:width], DIM))
        return column

    def _twins(self, l: int) -> set[int]:
        """Layer l's neurons identical to another, asked of the engine only when W or b is a
        new array (at its update): not on every key."""
        values = self.session.debugger.values
        W, b = values.get(Name("W", l)), values.get(Name("b", l))
        cached = self._twins_cache.get(l)  # (W, b, twins): the arrays kept, so `is` cannot be fooled
        if cached is None or cached[0] is not W or cached[1] is not b:
            cached = (W, b, {u for group in identical_neurons(values, l) for u in group})
            self._twins_cache[l] = cached
        return cached[2]
