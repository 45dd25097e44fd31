"""`s`: the screen as an SVG file, to a path the user chooses (the current directory by default).

The picture is taken when the key is pressed, before this dialog covers the screen. The file
is written atomically and never over an existing one: the dialog says so and waits for
another name.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from stepnet.files import typed, why_not_written, write_atomically
from stepnet.tui.screens.dialog import Dialog
from stepnet.tui.session import Session


def default_path(session: Session) -> Path:
    """`./<scenario>-iteration-<k>-op-<i>.svg`, in the current directory."""
    return Path.cwd() / f"{session.scenario.path.stem}-iteration-{session.iteration}-op-{session.index}.svg"


class ScreenshotDialog(Dialog[Path | None]):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "dismiss(None)", "cancel")]

    def __init__(self, svg: str, session: Session) -> None:
        super().__init__()
        self.svg = svg
        self.path = default_path(session)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("[b]Save a screenshot[/b] of the debugger screen as an SVG file: enter to save, "
                         "escape to cancel.")
            yield Input(str(self.path), id="path", select_on_focus=False)
            yield Static("", id="problem", classes="problem")

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#problem", Static).update("Enter a file name.")
            return
        path = typed(event.value)
        try:
            write_atomically(path, self.svg)
        except OSError as error:
            self.query_one("#problem", Static).update(f"{why_not_written(path, error, 'choose another name')}.")
        else:
            self.app.notify(f"Screenshot saved to {path}", timeout=6)
            self.dismiss(Path(path))
