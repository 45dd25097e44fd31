"""Backprop's gradients of this iteration against central finite differences."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import HorizontalScroll, Vertical
from textual.widgets import Static

from stepnet.engine.gradcheck import TOLERANCE, ParameterCheck
from stepnet.tui.screens.dialog import Dialog
from stepnet.tui.session import Session


def results_table(results: list[ParameterCheck]) -> Table:
    """The table at its own width: a cell is never wrapped nor cut (the dialog scrolls it)."""
    table = Table(box=None, padding=(0, 2, 0, 0))
    for title in ("", "parameter", "checked", "max rel.\nerror", "worst\nelement", "numeric", "backprop"):
        table.add_column(title, justify="left" if title in ("", "parameter") else "right", no_wrap=True)
    for r in results:
        ok = r.passes()
        table.add_row("[green]✓[/]" if ok else "[bold red]✗[/]", str(r.name), f"{r.checked}/{r.size}",
                      f"{r.relative_error:.2e}", str(list(r.worst_index)), f"{r.numeric:.6e}", f"{r.backprop:.6e}")
    return table


class GradcheckScreen(Dialog[None]):
    DEFAULT_CSS = "GradcheckScreen { HorizontalScroll { height: auto; } #results { width: auto; } }"
    BINDINGS: ClassVar[list[BindingType]] = [("escape,q,g", "dismiss", "close")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        d = self.session.debugger
        with Vertical(classes="dialog", id="gradcheck"):
            yield Static(f"[b]Gradient check[/b] at the parameters iteration {d.iteration} starts from "
                         f"(central differences, ε = 1e-6, tolerance {TOLERANCE:g}). Escape closes.")
            with HorizontalScroll():  # wider than the dialog: it scrolls, it never cuts a number
                yield Static("checking…", id="results")

    def on_mount(self) -> None:
        self.check()

    @work(thread=True, exclusive=True)
    def check(self) -> None:
        results = self.session.debugger.gradient_check()
        self.app.call_from_thread(self._show, results)

    def _show(self, results: list[ParameterCheck]) -> None:
        if self.is_attached:  # not closed while it ran
            self.query_one("#results", Static).update(results_table(results))
