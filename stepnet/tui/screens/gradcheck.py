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

KINK = ("at kink: θ ± ε puts an activation's input across its kink (ReLU at z = 0), where the difference "
        "quotient measures neither side; such elements are not judged (–: none could be)")


def results_table(results: list[ParameterCheck], tolerance: float = TOLERANCE) -> Table:
    """The table at its own width, two lines a row: a cell is never wrapped nor cut (the dialog
    scrolls it). Each row says what it is judged by: its relative error beyond the difference
    quotient's rounding, against the tolerance; elements at a kink are counted, not judged."""
    table = Table(box=None, padding=(0, 1, 0, 0))  # 80 columns hold a row's every figure
    for title in ("", "parameter", "checked", "max rel.\nerror", "judged: beyond\nrounding", "worst\nelement",
                  "numeric\nbackprop"):
        table.add_column(title, justify="left" if title in ("", "parameter") else "right", no_wrap=True)
    for r in results:
        checked = f"{r.checked}/{r.size}" + (f"\n{r.at_kink} at kink" if r.at_kink else "")
        if not r.judged:
            table.add_row("–", str(r.name), checked, "not judged")
            continue
        ok = r.passes(tolerance)
        table.add_row("[green]✓[/]" if ok else "[bold red]✗[/]", str(r.name), checked, f"{r.relative_error:.2e}",
                      f"{r.excess_error:.2e} {'≤' if ok else '>'} {tolerance:g}",
                      str(list(r.worst_index)) if r.worst_index else "", f"{r.numeric:.6e}\n{r.backprop:.6e}")
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
            yield Static(f"[b]Gradient check[/b] at the parameters iteration {d.iteration} starts from: backprop "
                         "against (J(θ + ε) − J(θ − ε))/2ε, ε = 1e-6. A row passes when its relative error beyond "
                         f"the quotient's own rounding error, 8·ε_machine·max(1, |J|)/ε, is at most {TOLERANCE:g}. "
                         "Escape closes.")
            with HorizontalScroll():  # wider than the dialog: it scrolls, it never cuts a number
                yield Static("checking…", id="results")
            yield Static("", id="kinks")

    def on_mount(self) -> None:
        self.check()

    @work(thread=True, exclusive=True)
    def check(self) -> None:
        results = self.session.debugger.gradient_check()
        self.app.call_from_thread(self._show, results)

    def _show(self, results: list[ParameterCheck]) -> None:
        if self.is_attached:  # not closed while it ran
            self.query_one("#results", Static).update(results_table(results))
            if any(r.at_kink for r in results):
                self.query_one("#kinks", Static).update(KINK)
