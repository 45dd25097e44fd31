"""Every key, and what the scenario is about."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from stepnet.tui.keys import ACTIONS, key_text
from stepnet.tui.screens.dialog import Dialog


def keys_table() -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column()
    for action in ACTIONS:
        table.add_row(key_text(action), action.description)
    table.add_row("ctrl+p", "Command palette: every action by name")
    return table


class HelpScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("escape,q,question_mark,f1", "dismiss", "close")]

    def __init__(self, title: str, description: str) -> None:
        super().__init__()
        self.scenario_title = title
        self.description = description

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static("[b]stepnet[/b]: one backprop operation per key. Lower case goes forward, "
                         "upper case goes back (like gdb's reverse keys). Escape closes this.")
            yield Static(keys_table())
            yield Markdown(f"## {self.scenario_title}\n\n{self.description}")
