"""What-if edits: `=` asks which value and its new value; `R`, with edits, asks whether to
restart with them or without; `w` asks where to save them as a new scenario file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from stepnet.engine.edits import Edit, EditError, apply
from stepnet.tui.screens.dialog import Dialog
from stepnet.tui.session import Session


class EditDialog(Dialog[Edit | None]):
    """Which value (an element of a parameter, an input or a target of the batch shown, the
    learning rate; stepnet's name or the source's), and its new value."""

    DEFAULT_CSS = "EditDialog Input { margin-bottom: 1; }"
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "dismiss(None)", "cancel")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.edit: Edit | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="edit"):
            yield Static("[b]What if[/b] a value were another? It is set as the run starts (iteration 1), and the "
                         "run is recomputed from there to here. Enter to set it, escape to cancel.")
            yield Input(self.session.edit_suggestion(), id="what", select_on_focus=False,
                        placeholder="W2[0,0], the source's w5, a0[0,1] (an input), y[0,0] (a target), learning_rate")
            yield Static("", id="now")
            yield Input(id="value", placeholder="the new value, e.g. 0")
            yield Static("", id="problem", classes="problem", markup=False)

    def on_mount(self) -> None:
        self._read(self.query_one("#what", Input).value)
        value = self.query_one("#value", Input)
        if self.edit is not None:
            value.value = repr(self.edit.value)
        value.focus()

    @on(Input.Changed, "#what")
    def changed(self, event: Input.Changed) -> None:
        self._read(event.value)

    def _read(self, text: str) -> None:
        """The value named, and what it is now; or why nothing is named."""
        now, problem = self.query_one("#now", Static), self.query_one("#problem", Static)
        try:
            self.edit = self.session.edit_of(text)
        except EditError as e:
            self.edit = None
            now.update("")
            problem.update(str(e))
            return
        edit = self.edit
        names = self.session.glossary.names(edit.target, edit.index) if edit.target is not None else []
        source = f" ({', '.join(names)})" if names else ""
        now.update(f"{escape(edit.where())}{escape(source)} is {edit.value!r} as the run starts")
        problem.update("")

    @on(Input.Submitted)
    def submitted(self, _: Input.Submitted) -> None:
        problem = self.query_one("#problem", Static)
        if self.edit is None:
            self.query_one("#what", Input).focus()
            return
        text = self.query_one("#value", Input).value.strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problem.update(f"Enter a finite number for the new value, got {text!r}.")
            self.query_one("#value", Input).focus()
            return
        edit = Edit(self.edit.target, self.edit.index, value)
        s = self.session
        try:  # a value no scenario could hold is refused here, with the scenario reader's reason
            apply(s.scenario.model, s.scenario.data, (*s.edits, edit))
        except EditError as e:
            problem.update(f"{e}.")
            self.query_one("#value", Input).focus()
            return
        self.dismiss(edit)


class RestartDialog(Dialog[bool | None]):
    """With what-if edits: restart with them (True) or from the scenario as written (False). Not
    w for "as written": w saves the edits, and R then w out of habit would lose them."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "dismiss(None)", "cancel"), ("e", "dismiss(True)", "with"),
                                             ("a", "dismiss(False)", "without")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("[b]Restart[/b] from the start of iteration 1: with the what-if edits (e), or from the "
                         "scenario as written, the edits forgotten (a)? Escape cancels.")
            with Horizontal(classes="buttons"):
                yield Button("With the edits (e)", id="with", variant="primary")
                yield Button("As written (a)", id="without")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "with")


def default_path(session: Session) -> Path:
    """`./<scenario>-whatif.toml` in the current directory, numbered past the names taken."""
    stem, k = session.scenario.path.stem, 1
    while (path := Path.cwd() / f"{stem}-whatif{'' if k == 1 else f'-{k}'}.toml").exists():
        k += 1
    return path


class SaveDialog(Dialog[Path | None]):
    """Where to save the what-if edits as a new scenario file (never over an existing one)."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "dismiss(None)", "cancel")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("[b]Save the what-if edits[/b] as a new scenario file: the original's text with the values "
                         "changed, its comments kept. Enter to save, escape to cancel.")
            yield Input(str(default_path(self.session)), id="path", select_on_focus=False)
            yield Static("", id="problem", classes="problem", markup=False)

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        from stepnet.files import typed
        from stepnet.whatif import SaveError, save

        problem = self.query_one("#problem", Static)
        if not event.value.strip():
            problem.update("Enter a file name.")
            return
        try:
            saved = save(self.session.scenario, self.session.edits, typed(event.value))
        except SaveError as e:
            problem.update(f"Not saved: {e}.")
            return
        notes = "".join(f"\n· {note}" for note in saved.notes)
        self.app.notify(f"The edits are saved as {saved.path}{notes}", title="What-if saved", timeout=10,
                        markup=False)
        self.dismiss(saved.path)
