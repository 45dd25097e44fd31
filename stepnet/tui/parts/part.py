"""What every part of the debugger board is: lines drawn for a width from the session's state.

A part is not a widget. The board (`widgets/board.py`) gives it the size of its content area,
asks it to `show()` the engine's state after every key, and frames, places and repaints the
lines it has in `view()`. A part draws again only when what it shows changed.
"""

from __future__ import annotations

from textual.geometry import Size

from stepnet.tui.parts.lines import Segments, fit, plain
from stepnet.tui.session import Session


class Part:
    title = ""  # on the top border, when the board frames the part
    subtitle = ""  # on the bottom border

    def __init__(self, session: Session) -> None:
        self.session = session
        self.size = Size(0, 0)  # of the content area; nothing is drawn until the board sets it
        self.lines: list[Segments] = []  # every line, each exactly `size.width` cells

    def draw(self, width: int) -> list[Segments]:
        """The part's lines for the current state, at most `width` cells each."""
        raise NotImplementedError

    def show(self) -> None:
        """Take the engine's current state; parts that can tell nothing changed skip `redraw`."""
        self.redraw()

    def resize(self, size: Size) -> None:
        self.size = size
        self.redraw()

    def redraw(self) -> None:
        width = self.size.width
        self.lines = [fit(line, width) for line in self.draw(width)] if width > 0 else []

    def view(self) -> list[Segments]:
        """The lines in view, at most `size.height` of them."""
        return self.lines[: self.size.height]

    @property
    def text(self) -> str:
        """What the part shows (all of it, in view or not), as plain text."""
        return plain(self.lines)


class ScrollingPart(Part):
    """A part with more lines than fit: `view()` is the window from line `scroll_y`, and the
    bottom border says which lines those are (there is no scroll bar)."""

    scroll_y = 0

    @property
    def total(self) -> int:
        """How many lines the part has."""
        return len(self.lines)

    @property
    def max_scroll_y(self) -> int:
        return max(0, self.total - self.size.height)

    @property
    def subtitle(self) -> str:  # type: ignore[override]
        total, height, top = self.total, self.size.height, self.scroll_y
        return f"lines {top + 1}–{min(top + height, total)} of {total}" if total > height > 0 else ""

    def scroll_to(self, y: int) -> None:
        self.scroll_y = min(max(0, y), self.max_scroll_y)

    def redraw(self) -> None:
        super().redraw()
        self.scroll_to(self.scroll_y)  # within the new extent

    def view(self) -> list[Segments]:
        return self.lines[self.scroll_y : self.scroll_y + self.size.height]

    def reveal(self, start: int, end: int) -> None:
        """Scroll lines start to end (excluded) into view: all of them if they fit, else the first."""
        top, height = self.scroll_y, self.size.height
        if start < top or end > top + height:
            self.scroll_to(min(start, max(end - height, 0)) if end - start <= height else start)
