"""The current operation: its formula in symbols, one element with the numbers substituted."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from stepnet.tui.session import Session


class FormulaPanel(Static):
    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session

    def show(self) -> None:
        session = self.session
        d = session.debugger
        op = d.last_op
        if op is None:
            parts = [("next  ", "dim"), (d.next_op.formula, "bold"),
                     ("\nPress n (or space) to perform it; ? lists every key.", "dim")]
        else:
            parts = [(op.formula, "bold"), "\n", session.explain() or "",
                     ("\nnext  ", "dim"), (d.next_op.formula, "dim")]
            fault = d.fault
            if fault is not None and fault.position == d.position:
                parts.append((f"\n⚠ {fault.describe()}", "bold red"))
        self.border_title = f"{op.phase} · {op.output}" if op else "operation"
        self.update(Content.assemble(*parts), layout=False)  # a fixed height: see stepnet.tcss
