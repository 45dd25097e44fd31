"""The iteration's operations in a row, the current one marked, breakpoints marked."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from textual import events
from textual.message import Message

from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part

GLYPH = {"forward": "▶", "loss": "◆", "backward": "◀", "update": "■"}


class Timeline(Part):
    """Three lines: one glyph per op (done ones bright), markers (▲ current, ● break), the
    phases' names (left out on a short screen). When the ops do not all fit, a window around
    the current one, with how many are left out at each cut end: `◀12`, `9▶`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--pending", "timeline--current", "timeline--break", "timeline--cut",
        *(f"timeline--{phase}" for phase in GLYPH)}

    class Jump(Message):
        """The user clicked an operation: go to the position just after it (1 … N)."""

        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def shows(self, moment: Moment) -> Hashable:
        return self.session.index, self.session.iteration, moment.breakpoints

    def _window(self, width: int) -> tuple[int, range, str, str]:
        """Characters per op (three when all fit, else two), the ops drawn, and the markers
        at the left and right cut ends."""
        n, current = self.session.debugger.n_ops, self.session.index
        if n * 3 <= width:
            return 3, range(n), "", ""
        if n * 2 <= width:
            return 2, range(n), "", ""
        room = max(1, (width - 2 * (len(str(n)) + 2)) // 2)  # room for a marker at each end
        first = min(max(0, current - room // 2), n - room)
        shown = range(first, first + room)
        return 2, shown, f"◀{first} " if first else "", f" {n - shown.stop}▶" if shown.stop < n else ""

    def draw(self) -> list[Line]:
        s = self.session
        d = s.debugger
        done = s.index
        cell, shown, left, right = self._window(self.size.width)
        pad = " " * (cell - 1)
        glyphs: Line = [(left, "timeline--cut")]
        marks: Line = [(" " * len(left), "")]
        phases: Line = [(" " * len(left), "")]
        used, previous = len(left), None
        for i in shown:
            op = d.ops[i]
            glyphs.append((GLYPH[op.phase] + pad, f"timeline--{op.phase}" if i < done else "timeline--pending"))
            breaks = bool(s.breakpoints) and s.breaks_on(op)
            mark = "▲" if i == done - 1 else "●" if breaks else " "
            marks.append((mark + pad, "timeline--break" if breaks else "timeline--current" if mark != " " else ""))
            if op.phase != previous:  # the phase's name where it starts (or where the window does)
                x = len(left) + (i - shown.start) * cell
                start = max(x, used + 1) if used > len(left) else x  # a long name pushes the next along
                phases += [(" " * (start - used), ""), (op.phase, f"timeline--{op.phase}")]
                used = start + len(op.phase)
            previous = op.phase
        glyphs.append((right, "timeline--cut"))
        return [glyphs, marks, phases]

    def on_click(self, event: events.Click) -> None:
        """A click on an op's glyph jumps there."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        cell, shown, left, _ = self._window(self.size.width)
        x = offset.x - len(left)
        if offset.y == 0 and x >= 0 and x // cell < len(shown):
            self.post_message(self.Jump(shown.start + x // cell + 1))
