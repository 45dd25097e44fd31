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

from stepnet.engine.metrics import identical_neurons, layer_gradient_norms
from stepnet.tui import names
from stepnet.tui.cells import number
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part, Piece

ROWS = 8  # neurons drawn per column at most
#: (column width, arrow width, significant digits), widest first: the first that fits is used
LAYOUTS = ((11, 3, 3), (11, 1, 3), (9, 1, 2), (8, 1, 1))
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
        return (op and op.phase, op and op.layer, s.debugger.losses[-1:], s.sample, tuple(map(id, self._arrays)))

    def draw(self) -> list[Line]:
        s = self.session
        d = s.debugger
        op = s.last_op
        width, height = self.size
        backward = op is not None and op.phase in ("backward", "update")
        current = None if op is None else d.model.depth if op.phase == "loss" else op.layer
        column_width, arrow, digits, layers = self._layout(width, current)
        depth = d.model.depth
        cut = len(layers) <= depth
        self.retitle(f"network · layers {layers.start}–{layers.stop - 1} of 0–{depth}" if cut else "network")
        rows = max(height - 2, 1)  # a header and the norms
        norms = self._gradient_norms()
        columns = [self._column(l, backward, l == current, rows, column_width, digits) for l in layers]
        tallest = max(len(c) for c in columns)
        columns = [c + [(" " * column_width, "")] * (tallest - len(c)) for c in columns]
        for l, column in zip(layers, columns):
            label = "‖∂J/∂W‖" if l == 0 and norms else f"{norms[l]:.2e}" if l in norms else ""
            column.append((label.center(column_width)[:column_width], "network--dim"))
        left = f"◀+{layers.start}".ljust(MARKER) if layers.start > 0 else ""
        right = f"+{depth - layers.stop + 1}▶".rjust(MARKER) if layers.stop <= depth else ""
        drawn = len(left) + len(columns) * column_width + (len(columns) - 1) * arrow
        loss = d.losses[-1] if d.losses and op is not None and op.phase != "forward" else None
        label = f"  J = {loss:.6g}" if loss is not None else ""
        lines = []
        for row in range(tallest + 1):
            # between the columns: an arrow on every other row, pointing the way the values flow
            flowing = row % 2 and row < tallest
            parts: list[Piece] = [(left, "network--dim") if row == 0 else (" " * len(left), "")]
            for n, (l, column) in enumerate(zip(layers, columns)):
                if n:
                    glyph = ("◀" if backward else "▶") if flowing else " "
                    style = "" if glyph == " " else "network--active-arrow" if l == current else "network--arrow"
                    parts.append((glyph.center(arrow), style))
                parts.append(column[row])
            if row == 0 and right:
                parts.append((right, "network--dim"))
            elif row == 0 and label and drawn + len(label) <= width:  # the status line has it too
                parts.append((label, "network--loss"))
            lines.append(parts)
        return lines

    def _layout(self, width: int, current: int | None) -> tuple[int, int, int, range]:
        """The widest layout whose columns all fit, and all the layers; else the narrowest,
        and as many layers as fit around the current one beside the markers."""
        count = self.session.debugger.model.depth + 1
        for column_width, arrow, digits in LAYOUTS:
            if count * column_width + (count - 1) * arrow <= width:
                return column_width, arrow, digits, range(count)
        fit = max(1, (width - 2 * MARKER + arrow) // (column_width + arrow))
        first = min(max(0, (current or 0) - fit // 2), count - fit)
        return column_width, arrow, digits, range(first, first + fit)

    def _gradient_norms(self) -> dict[int, float]:
        """The engine's ‖∂J/∂W‖ per layer, asked again only when a grad_W is a new array."""
        values = self.session.values
        depth = self.session.debugger.model.depth
        grads = tuple(values.get(names.weight_gradient(l)) for l in range(1, depth + 1))
        if len(grads) != len(self._norms[0]) or any(a is not b for a, b in zip(grads, self._norms[0])):
            self._norms = (grads, layer_gradient_norms(values, depth))
        return self._norms[1]

    def _column(self, l: int, backward: bool, active: bool, rows: int, width: int,
                digits: int) -> list[Piece]:
        """Layer l's column: a header, then a neuron a line, as many as `rows` hold."""
        s = self.session
        values, model = s.values, s.debugger.model
        computed = backward and l > 0 and names.delta(l) in values
        value = values.get(names.delta(l) if computed else names.activation(l))
        mask = values.get(names.mask(l))
        twins = self._twins_of(l) if l else set()
        units = model.inputs if l == 0 else model.layers[l - 1].units
        label = f"{'δ' if computed else 'a'}{l} ({units})"
        column: list[Piece] = [(label.center(width)[:width], "network--active-header" if active else "network--header")]
        shown = units if units <= rows else max(rows - 1, 0)
        sample = min(s.sample, len(value) - 1) if value is not None else 0
        for u in range(shown):
            text = number(value[sample, u], digits, width - 2) if value is not None else ""
            glyph = "✕" if mask is not None and mask[sample, u] == 0 else "≡" if u in twins else "○"
            style = "network--twin" if glyph == "≡" else "network--active" if active else ""
            column.append((f"{glyph} {text}".ljust(width), style))
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
