"""The iteration's operations in a row, the current one marked, breakpoints marked."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from stepnet.tui.session import Session

GLYPH = {"forward": "▶", "loss": "◆", "backward": "◀", "update": "■"}
STYLE = {"forward": "green", "loss": "magenta", "backward": "cyan", "update": "yellow"}


class Timeline(Widget):
    """Three lines: one glyph per op (done ones bright), markers (▲ current, ● break), phase names."""

    class Jump(Message):
        """The user clicked an operation: go to the position just after it."""

        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._key: tuple | None = None

    def show(self) -> None:
        s = self.session
        key = (s.debugger.index, s.debugger.position == 0, tuple(s.breakpoints), self.size.width)
        if key != self._key:
            self._key = key
            self.refresh()

    def _cell(self) -> int:
        """Characters per operation: three when they all fit, else two."""
        return 3 if self.session.debugger.n_ops * 3 <= self.size.width else 2

    def _first(self) -> int:
        """The first op drawn: a window around the current op when they do not all fit."""
        fit = max(1, self.size.width // self._cell())
        n = self.session.debugger.n_ops
        return 0 if n <= fit else min(max(0, self.session.debugger.index - fit // 2), n - fit)

    def render(self) -> Text:
        d = self.session.debugger
        done = d.index if d.position else 0
        first, cell = self._first(), self._cell()
        ops = d.ops[first : first + max(1, self.size.width // cell)]
        phases, glyphs, marks = Text(), Text(), Text()
        previous = d.ops[first - 1].phase if first else None
        for i, op in enumerate(ops, start=first):
            start = (i - first) * cell
            if op.phase != previous and (len(phases) < start or start == 0):
                phases.append(" " * (start - len(phases)))
                phases.append(op.phase, STYLE[op.phase])
            previous = op.phase
            glyphs.append(GLYPH[op.phase], STYLE[op.phase] if i < done else "dim")
            glyphs.append(" " * (cell - 1))
            current = i == done - 1
            mark = "▲" if current else "●" if self.session.breaks_on(op) else " "
            marks.append(mark + " " * (cell - 1), "bold red" if self.session.breaks_on(op) else "bold")
        phases.truncate(self.size.width)
        return Text("\n").join([glyphs, marks, phases])

    def on_click(self, event: events.Click) -> None:
        index = self._first() + event.x // self._cell()
        if index < self.session.debugger.n_ops:
            self.post_message(self.Jump(index + 1))
