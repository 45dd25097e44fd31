"""The iteration's operations in a row, the current one marked, breakpoints marked."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.message import Message

from stepnet.tui.parts.lines import Segments, runs
from stepnet.tui.parts.part import Part
from stepnet.tui.session import Session

GLYPH = {"forward": "▶", "loss": "◆", "backward": "◀", "update": "■"}
STYLE = {phase: Style(color=color) for phase, color in
         {"forward": "green", "loss": "magenta", "backward": "cyan", "update": "yellow"}.items()}
PENDING, CURRENT, BREAK = Style(dim=True), Style(bold=True), Style(bold=True, color="red")


class Timeline(Part):
    """Three lines: one glyph per op (done ones bright), markers (▲ current, ● break), phase
    names; a step repaints the two lines whose marks moved."""

    class Jump(Message):
        """The user clicked an operation: go to the position just after it."""

        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._key: tuple | None = None  # what the lines show

    def show(self) -> None:
        s = self.session
        key = (s.debugger.index if s.debugger.position else 0, tuple(s.breakpoints))
        if key != self._key:
            self._key = key
            self.redraw()

    def _cell(self) -> int:
        """Characters per operation: three when they all fit, else two."""
        return 3 if self.session.debugger.n_ops * 3 <= self.size.width else 2

    def _first(self) -> int:
        """The first op drawn: a window around the current op when they do not all fit."""
        fit = max(1, self.size.width // self._cell())
        n = self.session.debugger.n_ops
        return 0 if n <= fit else min(max(0, self.session.debugger.index - fit // 2), n - fit)

    def draw(self, width: int) -> list[Segments]:
        d = self.session.debugger
        done = d.index if d.position else 0
        first, cell = self._first(), self._cell()
        pad = " " * (cell - 1)
        glyphs: list[tuple[str, Style]] = []  # (text, style) per op, merged into runs below
        marks: list[tuple[str, Style]] = []
        starts: list[tuple[int, str]] = []  # where each phase's name goes
        previous = d.ops[first - 1].phase if first else None
        breaking = self.session.breakpoints
        ops = d.ops[first : first + max(1, width // cell)]
        for i, op in enumerate(ops, start=first):
            if op.phase != previous:
                starts.append(((i - first) * cell, op.phase))
            previous = op.phase
            glyphs.append((GLYPH[op.phase] + pad, STYLE[op.phase] if i < done else PENDING))
            breaks = bool(breaking) and self.session.breaks_on(op)
            marks.append(("▲" if i == done - 1 else "●" if breaks else " ", BREAK if breaks else CURRENT))
            marks.append((pad, CURRENT))
        phases, used = [], 0
        for start, phase in starts:
            start = max(start, used + 1) if used else start  # a name too long for its phase pushes the next one right
            phases += [Segment(" " * (start - used)), Segment(phase, STYLE[phase])]
            used = start + len(phase)
        return [runs(glyphs), runs(marks), phases]

    def clicked(self, x: int, y: int) -> Message | None:
        """What a click at (x, y) in the content asks for: a jump, on the glyph line."""
        index = self._first() + x // self._cell()
        if y == 0 and index < self.session.debugger.n_ops:
            return self.Jump(index + 1)
        return None
