"""Asks how many iterations to run."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from stepnet.tui.screens.dialog import Dialog


class IterationsPrompt(Dialog[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "dismiss(None)", "cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Run how many iterations? (enter to run, escape to cancel)")
            yield Input(placeholder="e.g. 100", type="integer", id="count")
            yield Label("", id="problem", classes="problem")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        try:
            n = int(event.value)
        except ValueError:
            n = 0
        if n < 1:
            self.query_one("#problem", Label).update("Enter a whole number of at least 1.")
            return
        self.dismiss(n)
