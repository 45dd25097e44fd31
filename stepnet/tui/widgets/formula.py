"""The current operation: its formula in symbols, one element with the numbers substituted."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

from stepnet.tui.session import Session
from stepnet.tui.widgets.lines import repaint, set_border_title


class FormulaPanel(Widget):
    """On the line API: a step repaints the lines that changed (the formula and its numbers),
    not the whole boxed panel; the text is wrapped as a Static would wrap it."""

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._content = Content("")
        self._lines: list[Strip] = []
        self._size = Size(0, 0)  # the size the lines were wrapped to

    def show(self) -> None:
        session = self.session
        d = session.debugger
        op = d.last_op
        if op is None:
            parts = [("next  ", "dim"), (d.next_op.formula, "bold"),
                     ("\nPress n (or space) to perform it; ? lists every key.", "dim")]
        else:
            parts = [(op.formula, "bold"), "\n", session.explain() or "",
                     ("\nnext  ", "dim"), (d.next_op.formula, "dim")]
            fault = d.fault
            if fault is not None and fault.position == d.position:
                parts.append((f"\n⚠ {fault.describe()}", "bold red"))
        set_border_title(self, f"{op.phase} · {op.output}" if op else "operation")
        self._content = Content.assemble(*parts)
        if self._size:
            old, self._lines = self._lines, self._wrap()
            repaint(self, old, self._lines)

    @property
    def content(self) -> Content:
        """What the panel shows (as `Static.content` would give it)."""
        return self._content

    def _wrap(self) -> list[Strip]:
        width, height = self._size
        lines = Visual.to_strips(self, self._content, width, height, self.visual_style)
        return lines + [Strip.blank(width, self.visual_style.rich_style)] * (height - len(lines))

    def render_line(self, y: int) -> Strip:
        if self.size != self._size:  # the first paint, or a resize
            self._size = self.size
            self._lines = self._wrap()
        return self._lines[y] if y < len(self._lines) else Strip.blank(self._size.width)
