"""Asks for a number of iterations: how many to run (`i`), or which to go to (`j`)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from stepnet.tui.screens.dialog import Dialog

RUN = "Run how many iterations? (enter to run, escape to cancel)"
GO_TO = "Go to the start of which iteration? (enter to go, escape to cancel)"


class IterationsPrompt(Dialog[int | None]):
    """A whole number from 1 to `most`, asked with `question`."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "dismiss(None)", "cancel")]

    def __init__(self, question: str = RUN, most: int | None = None, example: str = "e.g. 100") -> None:
        super().__init__()
        self.question, self.most, self.example = question, most, example

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Input(placeholder=self.example, type="integer", id="count")
            yield Label("", id="problem", classes="problem")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        try:
            n = int(event.value)
        except ValueError:
            n = 0
        if n < 1 or (self.most is not None and n > self.most):
            limit = f"from 1 to {self.most:,}" if self.most is not None else "of at least 1"
            self.query_one("#problem", Label).update(f"Enter a whole number {limit}.")
            return
        self.dismiss(n)
