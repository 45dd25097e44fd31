"""What the screens over the debugger share: they close once; and the dialogs', a modal screen
with its content in a framed box.

The dialogs' layout is theirs (DEFAULT_CSS), not the app's stylesheet: Textual parses it when
a dialog first opens, not at start-up, where every rule parsed showed (bench/tui.py).
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen

Result = TypeVar("Result")


class ClosesOnce(Screen[Result]):
    """A screen that closes once. Keys that come in one instant can answer it after it has
    closed (escape closes a dialog while the enter typed before it is still on its way; a
    second key reaches the training screen the first closed): Textual would then close the
    screen under it, or raise ScreenStackError on the last one and end the app. Put it after
    Textual's screen class among the bases: Textual inherits CSS along the first base only."""

    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        """Close with `result`, if this screen is the one on top; else nothing."""
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)


class Dialog(ModalScreen[Result], ClosesOnce[Result]):
    """Put the content in a container with the class `dialog`; a `problem` label says what is
    wrong with what was typed; `buttons` is a row of buttons. Below 100 columns the box takes
    the whole width."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (typed by Textual's Screen)

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        .dialog {
            width: 90%;
            max-width: 110;
            height: auto;
            max-height: 90%;
            border: thick $primary;
            background: $surface;
            padding: 1 2;
        }
        &.-narrow .dialog { width: 100%; padding: 0 1; }
        .problem { color: $error; }
        .buttons { height: auto; margin-top: 1; }
        .buttons Button { margin-right: 2; }
    }
    """
