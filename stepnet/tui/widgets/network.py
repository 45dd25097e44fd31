"""The network as columns of neurons, input side on the left, with the values of one sample.

Forward and loss phases show each layer's activation a; backward and update phases show
δ where it has been computed, so the error is seen flowing from right to left. A neuron
identical to another of its layer (same weights and bias: symmetry) is drawn ≡, one
dropped by dropout in the sample shown ✕; under each layer, ‖∂J/∂W‖ once this iteration
has computed it, so vanishing gradients show at a glance. The sample shown is the selected
element's, while the last op wrote a quantity with a row per sample. What does not fit is
marked: `… +56` under a column, `◀+2` and `+3▶` beside the layers shown.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from textual.geometry import Size

from stepnet.engine.metrics import identical_neurons, layer_gradient_norms
from stepnet.tui import names
from stepnet.tui.cells import GLYPHS, number
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part, Piece

ROWS = 8  # neurons drawn per column at most
#: (column width, arrow width, significant digits), widest first: the first that fits is used
LAYOUTS = ((11, 3, 3), (11, 1, 3), (9, 1, 2), (8, 1, 1))
#: the presenter's, tried before those; its channels between the columns widen up to MAX_ARROW
LARGE = ((16, 5, 5), (14, 3, 4))
MAX_ARROW = 15
#: an edge's weight takes its digits and this many characters more (a sign, a point, an
#: exponent); the wire, its bus and its arrow take EDGE
EDGE_DIGITS, EDGE = 5, 6
MARKER = 5  # columns of a `◀+2 ` marker beside layers left out


class Network(Part):
    keeps_height = True  # a header, the tallest column that fits, the norms
    COMPONENT_CLASSES: ClassVar[set[str]] = {"network--header", "network--active-header", "network--arrow",
                         "network--active-arrow", "network--loss", "network--twin", "network--active",
                         "network--dim"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._arrays: tuple = ()  # what the diagram was drawn from, kept so their ids stay theirs
        self._twins: dict[int, tuple[object, object, set[int]]] = {}  # per layer: W, b, its twins
        self._norms: tuple[tuple, dict[int, float]] = ((), {})  # the grad_W arrays and their norms

    def shows(self, moment: Moment) -> Hashable:
        s = self.session
        op = s.last_op
        values = s.values
        self._arrays = tuple(values.get(name) for l in range(s.debugger.model.depth + 1)
                             for name in (names.activation(l), names.delta(l), names.mask(l), names.weights(l),
                                          names.bias(l), names.weight_gradient(l)))
        batch = s.debugger.data.batch_size
        self.retitle(subtitle=f"sample {s.sample} of {batch}" if batch > 1 else "")
        neuron = moment.neuron if moment.view == "neuron" else None
        lit = op and op.output if neuron else None  # the neuron's edges light up for the weights' op
        return (op and op.phase, op and op.layer, lit, s.debugger.losses[-1:], s.sample,
                tuple(map(id, self._arrays)), moment.view, neuron)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """A header, the tallest column (ROWS units at most, and a line for those left out),
        the norms: the height of the neuron view's diagram."""
        model = self.session.debugger.model
        tallest = max(model.inputs, *(layer.units for layer in model.layers))
        return 2 + (tallest if tallest <= ROWS else ROWS + 1)

    def draw(self) -> list[Line]:
        s = self.session
        d = s.debugger
        op = s.last_op
        width, height = self.size
        backward = op is not None and op.phase in ("backward", "update")
        current = None if op is None else d.model.depth if op.phase == "loss" else op.layer
        neuron = s.neuron if s.view == "neuron" else None
        spacious = s.view == "presenter"
        column_width, arrow, digits, layers, edges = self._layout(width, current, neuron, spacious)
        depth = d.model.depth
        cut = len(layers) <= depth
        self.retitle(f"network · layers {layers.start}–{layers.stop - 1} of 0–{depth}" if cut else "network")
        rows = max(height - 2, 1)  # a header and the norms
        tallest_layer = max(d.model.inputs, *(layer.units for layer in d.model.layers))
        # the presenter's: blank lines between neurons and wide channels, as many as fit
        gap = next((g for g in range(3, 0, -1) if spacious and tallest_layer * (g + 1) - g <= rows), 0)
        if spacious and len(layers) > 1:
            arrow = max(arrow, min(MAX_ARROW, (width - len(layers) * column_width) // (len(layers) - 1)))
        norms = self._gradient_norms()
        columns = [self._column(l, backward, l == current, rows, column_width, digits, gap) for l in layers]
        tallest = max(len(c) for c in columns)
        columns = [c + [(" " * column_width, "")] * (tallest - len(c)) for c in columns]
        for l, column in zip(layers, columns):
            label = "‖∂J/∂W‖" if l == 0 and norms else f"{norms[l]:.2e}" if l in norms else ""
            column.append((label.center(column_width)[:column_width], "network--dim"))
        channels = {l: self._arrows(tallest, arrow, backward, l == current, gap) for l in layers[1:]}
        if edges and neuron is not None:
            by_layer = dict(zip(layers, columns))
            channels[neuron[0]] = self._edges(neuron, tallest, by_layer[neuron[0] - 1], by_layer[neuron[0]], digits,
                                              gap)
        left = f"◀+{layers.start}".ljust(MARKER) if layers.start > 0 else ""
        right = f"+{depth - layers.stop + 1}▶".rjust(MARKER) if layers.stop <= depth else ""
        drawn = len(left) + len(columns) * column_width + sum(len(c[0][0]) for c in channels.values())
        loss = d.losses[-1] if d.losses and op is not None and op.phase != "forward" else None
        label = f"  J = {loss:.6g}" if loss is not None else ""
        lines = []
        for row in range(tallest + 1):
            parts: list[Piece] = [(left, "network--dim") if row == 0 else (" " * len(left), "")]
            for l, column in zip(layers, columns):
                if l in channels:
                    parts.append(channels[l][row])
                parts.append(column[row])
            if row == 0 and right:
                parts.append((right, "network--dim"))
            elif row == 0 and label and drawn + len(label) <= width:  # the status line has it too
                parts.append((label, "network--loss"))
            lines.append(parts)
        if spacious:  # in the middle of the box
            margin = " " * max(0, (width - drawn - len(label)) // 2)
            lines = [[]] * max(0, (height - len(lines)) // 2) + [[(margin, ""), *line] for line in lines]
        return lines

    @staticmethod
    def _arrows(rows: int, arrow: int, backward: bool, active: bool, gap: int = 0) -> list[Piece]:
        """The channel into a layer: an arrow the way the values flow, on every other row (on
        each neuron's row, with blank lines between them)."""
        glyph = "◀" if backward else "▶"
        style = "network--active-arrow" if active else "network--arrow"
        return [(glyph.center(arrow), style) if row < rows and (row % 2 if not gap else (row - 1) % (gap + 1) == 0)
                else (" " * arrow, "") for row in range(rows + 1)]

    def _edges(self, neuron: tuple[int, int], rows: int, inputs: list[Piece], units: list[Piece], digits: int,
               gap: int) -> list[Piece]:
        """The channel into the neuron's layer, in the neuron view: a wire from each input
        drawn into the neuron, labelled with its weight, gathered by a bus into an arrow."""
        s = self.session
        l, j = neuron
        W = s.values[names.weights(l)]
        op = s.last_op
        lit = op is not None and names.weights(l) in (op.output, *op.reads)
        room = digits + EDGE_DIGITS
        target = 1 + j * (gap + 1)
        if not _shown(units, target):  # below `… +56`: no edges to draw
            return self._arrows(rows, room + EDGE, False, False, gap)
        at = {row: i for i in range(W.shape[1]) if _shown(inputs, row := 1 + i * (gap + 1))}
        top, bottom = min([*at, target]), max([*at, target])
        wire = "network--active-arrow" if lit else "network--arrow"
        channel: list[Piece] = []
        for row in range(rows + 1):
            arms = ("n" if top < row <= bottom else "") + ("s" if top <= row < bottom else "") + \
                   ("e" if row == target else "") + ("w" if row in at else "")
            weight = f" {number(W[j, at[row]], digits, room)} ".center(room + 2, "─") if row in at else " " * (room + 2)
            bus = GLYPHS.get("".join(sorted(arms, key="nsew".index)), " ")
            channel.append((f"{weight}{bus}{'─▶' if row == target else '  '} ", wire if arms else ""))
        return channel

    def _layout(self, width: int, current: int | None, neuron: tuple[int, int] | None,
                spacious: bool) -> tuple[int, int, int, range, bool]:
        """The widest layout whose columns all fit (the presenter's first: wider, more digits),
        and all the layers; else the narrowest, and as many layers as fit around the current
        one (the neuron's) beside the markers. In the neuron view, whether the weights fit on
        the edges into the neuron."""
        count = self.session.debugger.model.depth + 1
        layouts = (LARGE + LAYOUTS) if spacious else LAYOUTS
        for edges in ((True, False) if neuron else (False,)):
            for column_width, arrow, digits in layouts:
                extra = digits + EDGE_DIGITS + EDGE - arrow if edges else 0
                if count * column_width + (count - 1) * arrow + extra <= width:
                    return column_width, arrow, digits, range(count), edges
        column_width, arrow, digits = LAYOUTS[-1]
        centre = neuron[0] if neuron else current or 0
        fit = max(1, (width - 2 * MARKER + arrow) // (column_width + arrow))
        first = min(max(0, centre - fit // 2), count - fit)
        return column_width, arrow, digits, range(first, first + fit), False

    def _gradient_norms(self) -> dict[int, float]:
        """The engine's ‖∂J/∂W‖ per layer, asked again only when a grad_W is a new array."""
        values = self.session.values
        depth = self.session.debugger.model.depth
        grads = tuple(values.get(names.weight_gradient(l)) for l in range(1, depth + 1))
        if len(grads) != len(self._norms[0]) or any(a is not b for a, b in zip(grads, self._norms[0])):
            self._norms = (grads, layer_gradient_norms(values, depth))
        return self._norms[1]

    def _column(self, l: int, backward: bool, active: bool, rows: int, width: int,
                digits: int, gap: int = 0) -> list[Piece]:
        """Layer l's column: a header, then a neuron a line (and `gap` blank lines after
        each), as many as `rows` hold."""
        s = self.session
        values, model = s.values, s.debugger.model
        computed = backward and l > 0 and names.delta(l) in values
        value = values.get(names.delta(l) if computed else names.activation(l))
        mask = values.get(names.mask(l))
        twins = self._twins_of(l) if l else set()
        units = model.inputs if l == 0 else model.layers[l - 1].units
        label = f"{'δ' if computed else 'a'}{l} ({units})"
        column: list[Piece] = [(label.center(width)[:width], "network--active-header" if active else "network--header")]
        shown = units if units * (gap + 1) - gap <= rows else max((rows - 1 + gap) // (gap + 1), 0)
        sample = min(s.sample, len(value) - 1) if value is not None else 0
        for u in range(shown):
            text = number(value[sample, u], digits, width - 2) if value is not None else ""
            glyph = "✕" if mask is not None and mask[sample, u] == 0 else "≡" if u in twins else "○"
            style = "network--twin" if glyph == "≡" else "network--active" if active else ""
            column.append((f"{glyph} {text}".ljust(width), style))
            if u < shown - 1:
                column += [(" " * width, "")] * gap
        if shown < units:
            column.append((f"  … +{units - shown}".ljust(width)[:width], "network--dim"))
        return column

    def _twins_of(self, l: int) -> set[int]:
        """Layer l's neurons identical to another, asked of the engine only when W or b is a
        new array (at its update): not on every key."""
        values = self.session.values
        W, b = values.get(names.weights(l)), values.get(names.bias(l))
        cached = self._twins.get(l)  # (W, b, twins): the arrays kept, so `is` cannot be fooled
        if cached is None or cached[0] is not W or cached[1] is not b:
            cached = (W, b, {u for group in identical_neurons(values, l) for u in group} if W is not None else set())
            self._twins[l] = cached
        return cached[2]


def _shown(column: list[Piece], row: int) -> bool:
    """Whether a column's row is a neuron's (not a blank, `… +56` or the norms)."""
    return row < len(column) and column[row][0].startswith(("○", "≡", "✕"))
