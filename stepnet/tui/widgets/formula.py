"""The current operation: its formula in symbols, one element with the numbers substituted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from stepnet.tui.session import Session


class FormulaPanel(Static):
    def show(self, session: Session) -> None:
        d = session.debugger
        op = d.last_op
        text = Text()
        if op is None:
            text.append("next  ", "dim")
            text.append(d.next_op.formula, "bold")
            text.append("\nPress n (or space) to perform it; ? lists every key.", "dim")
        else:
            text.append(op.formula, "bold")
            explained = session.explain()
            if explained:
                text.append("\n")
                text.append(explained)
            text.append("\nnext  ", "dim")
            text.append(d.next_op.formula, "dim")
            fault = d.fault
            if fault is not None and fault.position == d.position:
                text.append(f"\n⚠ {fault.describe()}", "bold red")
        self.border_title = f"{op.phase} · {op.output}" if op else "operation"
        self.update(text, layout=False)  # a fixed height: see stepnet.tcss
