"""The network as columns of neurons, input side on the left, with the values of one sample.

Forward and loss phases show each layer's activation a; backward and update phases show
δ where it has been computed, so the error is seen flowing from right to left.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from stepnet.tui.cells import cell
from stepnet.tui.session import Session

ROWS = 8  # neurons drawn per column at most
WIDTH = 11  # characters per column


class NetworkDiagram(Static):
    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session

    @property
    def lines(self) -> int:
        """Lines the diagram takes: a header and the tallest column."""
        model = self.session.debugger.model
        return min(max(model.inputs, *(layer.units for layer in model.layers)), ROWS) + 1

    def show(self) -> None:
        session = self.session
        d = session.debugger
        op = d.last_op
        backward = op is not None and op.phase in ("backward", "update")
        current = op.layer if op is not None and op.phase != "loss" else d.model.depth if op else None
        columns = [self._column(session, l, backward, l == current) for l in range(d.model.depth + 1)]
        height = max(len(c) for c in columns)
        lines = []
        for row in range(height):
            line = Text()
            for l, column in enumerate(columns):
                # headers on the top line, each column's neurons centred below
                k = 0 if row == 0 else row - (height - len(column)) // 2
                line.append_text(column[k] if (k == 0) == (row == 0) and 0 <= k < len(column)
                                 else Text(" " * WIDTH))
                if l < len(columns) - 1:
                    line.append_text(self._arrow(row, backward, l + 1 == current))
            lines.append(line)
        if d.losses and op is not None and op.phase != "forward":
            lines[0].append(f"  J = {d.losses[-1]:.6g}", "bold magenta")
        self.border_subtitle = "sample 0" if d.data.batch_size > 1 else ""
        self.update(Text("\n").join(lines), layout=False)  # the screen sizes it to `lines`

    @staticmethod
    def _arrow(row: int, backward: bool, active: bool) -> Text:
        if row == 0:
            return Text("   ")
        style = "bold cyan" if active else "dim"
        return Text(" ◀ " if backward else " ▶ ", style) if row % 2 else Text("   ")

    @staticmethod
    def _column(session: Session, l: int, backward: bool, active: bool) -> list[Text]:
        d = session.debugger
        name = f"delta{l}" if backward and l > 0 and f"delta{l}" in d.values else f"a{l}"
        units = d.model.inputs if l == 0 else d.model.layers[l - 1].units
        label = ("δ" if name.startswith("delta") else "a") + str(l)
        header = Text(f"{label} ({units})".center(WIDTH), "bold reverse" if active else "bold")
        value = d.values.get(name)
        shown = units if units <= ROWS else ROWS - 1
        column = [header]
        for u in range(shown):
            number = cell(value[0, u], 3).strip() if value is not None else ""
            column.append(Text(f"○ {number}".ljust(WIDTH)[:WIDTH], "bold" if active else ""))
        if shown < units:
            column.append(Text(f"  … +{units - shown}".ljust(WIDTH), "dim"))
        return column
