"""The bottom line: the keys of `keys.ACTIONS` marked for the footer and the command palette's,
as Textual's Footer shows them; a click on a key presses it.

Textual's Footer would do, but it composes one widget per key only once the screen signals
its bindings, a frame or more after the first; and a widget of our own cost ~1.5 ms of the
start-up (mounting it, styling it, parsing its CSS: bench/tui.py). The keys are fixed, so
the board draws them as one of its parts.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.binding import Binding

from stepnet.tui.keys import bindings
from stepnet.tui.parts.lines import Segments, cells, fit
from stepnet.tui.parts.part import Part
from stepnet.tui.session import Session

Entry = tuple[str, str, str]  # (key, as the app writes it, label)


def entries(app: App) -> tuple[list[Entry], Entry | None]:
    """The keys the line shows, and the command palette's (None if it is off)."""
    shown = [(b.key.split(",")[0], app.get_key_display(b), b.description) for b in bindings() if b.show]
    palette = None
    if app.ENABLE_COMMAND_PALETTE:
        key = app.COMMAND_PALETTE_BINDING
        palette = (key, app.get_key_display(Binding(key, "", key_display=app.COMMAND_PALETTE_DISPLAY)), "palette")
    return shown, palette


class KeyLine(Part):
    """The board gives it the keys (`entries`) and the styles of a key and of the separator
    before the palette's; the labels are in the line's own style."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.entries: list[Entry] = []
        self.palette: Entry | None = None
        self.styles: tuple[Style, Style] = (Style(), Style())
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each entry drawn

    def show(self) -> None:
        """Nothing it shows changes with the engine's state."""

    def draw(self, width: int) -> list[Segments]:
        key_style, separator = self.styles
        right: Segments = []
        if self.palette is not None:  # on the right, after a thin separator, as the Footer docks it
            right = [Segment("▏", separator), Segment(self.palette[1], key_style), Segment(f" {self.palette[2]} ")]
        room = width - cells(right)
        shown = self.entries
        if sum(len(display) + len(label) + 2 for _, display, label in shown) > room:
            # too narrow for every label (80 columns): the keys alone, but for help's
            shown = [(key, display, label if n == 0 else "") for n, (key, display, label) in enumerate(shown)]
        left: Segments = []
        self._spans = []
        x = 0
        for key, display, label in shown:
            start = x
            left += [Segment(display, key_style), Segment(f" {label} " if label else " ")]
            x += len(display) + (len(label) + 1 if label else 0) + 1
            self._spans.append((start, min(x - 1, room), key))
        if self.palette is not None:
            self._spans.append((room, width, self.palette[0]))
        return [[*fit(left, room), *right]]

    def clicked(self, x: int) -> str | None:
        """The key drawn at column x, if any."""
        return next((key for start, end, key in self._spans if start <= x < end), None)
