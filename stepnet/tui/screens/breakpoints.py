"""The breakpoints: listed, removed, and added as an output name or a condition."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, OptionList, Static

from stepnet.engine.breakpoints import ConditionError, parse
from stepnet.tui.screens.dialog import Dialog
from stepnet.tui.session import Session


class BreakpointsScreen(Dialog[None]):
    DEFAULT_CSS = "BreakpointsScreen OptionList { height: auto; max-height: 10; margin: 1 0; }"
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "dismiss", "close"), ("delete,backspace", "remove", "remove")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="breakpoints"):
            yield Static("[b]Breakpoints[/b]: c and C stop after an operation that matches one. "
                         "Select one and press delete to remove it; escape closes.")  # wraps: a Label would clip
            yield OptionList(id="list")
            yield Input(placeholder=self._example(), id="new")
            yield Static("", id="problem", classes="problem", markup=False)  # wraps: a Label would cut it
            with Horizontal(classes="buttons"):
                # for the mouse: Tab from the input goes to the list, where Enter presses nothing
                for button in (Button("Break on NaN/Inf", id="nan", variant="warning"), Button("Close", id="close")):
                    button.can_focus = False
                    yield button

    def _example(self) -> str:
        """What may be typed, with the source's first name where it has some."""
        source = next(iter(self.session.glossary.aliases), None)
        name = f"delta2, or the source's {source}" if source else "delta2"
        return f"an output ({name}), or a condition: nan · |delta| < 1e-6 · loss > 10"

    def on_mount(self) -> None:
        self._list()
        self.query_one(Input).focus()

    def _list(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([bp.describe() for bp in self.session.breakpoints] or ["(none)"])

    def _add(self, text: str) -> bool:
        """Add the breakpoint `text` describes, by stepnet's names or the source's; whether it
        was added (else the problem is shown)."""
        if not text.strip():
            return False
        try:
            bp = parse(text, self.session.debugger.program.quantities, self.session.glossary)
        except ConditionError as e:
            self.query_one("#problem", Static).update(str(e))
            return False
        self.query_one("#problem", Static).update("")
        if bp not in self.session.breakpoints:
            self.session.breakpoints.append(bp)
        self._list()
        return True

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if self._add(event.value):
            event.input.clear()  # on a problem, what was typed stays, to be mended

    @on(Button.Pressed, "#nan")
    def nan(self) -> None:
        self._add("nan")

    @on(Button.Pressed, "#close")
    def close(self) -> None:
        self.dismiss()

    def action_remove(self) -> None:
        options = self.query_one(OptionList)
        if options.has_focus and options.highlighted is not None and self.session.breakpoints:
            del self.session.breakpoints[options.highlighted]
            self._list()
