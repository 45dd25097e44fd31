"""The scenario's `[[expect]]` figures: ✓ or ✗ once the engine has produced the quantity,
with the stated and computed figures for the one the last operation produced."""

from __future__ import annotations

from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from stepnet.engine.notation import compact, formatter
from stepnet.tui.session import Session
from stepnet.tui.widgets.lines import Line, plain, wrap

PENDING, OK, WRONG, FRESH = Style(dim=True), Style(color="green"), Style(bold=True, color="red"), Style(bold=True, reverse=True)


class ExpectationsPanel(ScrollView, can_focus=False):
    """One scrolling list drawn on the line API, redrawn only when an outcome changes; the
    figure the last op produced is scrolled into view."""

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._key: tuple | None = None  # what the panel shows
        self._text: list[Line] = []
        self._focus = range(0)  # the lines of the first figure just produced
        self._lines: list[Strip] = []
        self._width = -1  # the width the lines were wrapped to

    @property
    def text(self) -> str:
        """What the panel shows (all of it, scrolled or not), as plain text."""
        return plain(self._lines)

    def show(self) -> None:
        session = self.session
        expectations = session.scenario.expectations
        outcomes = session.outcomes()
        op = session.debugger.last_op
        fresh = {i for i in outcomes if op is not None and expectations[i].name == op.output
                 and expectations[i].iteration == session.debugger.iteration}
        key = (tuple((i, None if o is None else (o.ok, o.error)) for i, o in outcomes.items()),
               tuple(fresh), session.digits)
        if key == self._key:
            return
        self._key = key
        self._text, self._focus = self._describe(outcomes, fresh)
        self._width = -1
        if self.size:
            self._layout()

    def _describe(self, outcomes: dict, fresh: set[int]) -> tuple[list[Line], range]:
        """The panel's lines, and those of the first figure just produced."""
        expectations = self.session.scenario.expectations
        if not expectations:
            return [[("no [[expect]] figures in this scenario", PENDING)]], range(0)
        fmt = formatter(self.session.digits + 5)
        text: list[Line] = []
        focus = range(0)
        for i, e in enumerate(expectations):
            if i in fresh and not focus:
                focus = range(len(text), len(text) + 3)  # its label, stated and computed
            outcome = outcomes.get(i, False)
            if outcome is False:
                text.append([(f"·  {e.label}", PENDING)])
            elif outcome is None:
                text.append([(f"–  {e.label} (run past, not seen)", PENDING)])
            else:
                text.append([("✓  ", OK) if outcome.ok else ("✗  ", WRONG), (e.label, FRESH if i in fresh else None)])
                if i in fresh or not outcome.ok:
                    style = None if i in fresh else PENDING
                    text += [[(f"   stated   {compact(e.value, fmt, 3)}", style)],
                             [(f"   computed {compact(outcome.computed, fmt, 3)}", style)]]
        return text, focus

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        """Wrap the text to the width, give it its extent, and scroll the fresh figure into view."""
        start, end = self._wrap()
        self.virtual_size = Size(self._width, len(self._lines))
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        if start < top or end > top + height:  # all of it if it fits, else its first lines
            self.scroll_to(y=min(start, max(end - height, 0)) if end - start <= height else start,
                           animate=False, immediate=True)
        self.refresh()

    def _wrap(self) -> tuple[int, int]:
        """The lines wrapped to the width; the span of lines the fresh figure takes."""
        self._width = self.scrollable_content_region.width
        self._lines, start, end = [], 0, 0
        for n, line in enumerate(self._text):
            if n == self._focus.start:
                start = len(self._lines)
            self._lines += wrap(line, self._width)
            if n + 1 == self._focus.stop:
                end = len(self._lines)
        return start, end

    def render_line(self, y: int) -> Strip:
        if self._width != self.scrollable_content_region.width:
            self._wrap()  # the first paint comes before the first resize: its lines, no scrolling
        y += round(self.scroll_y)
        line = self._lines[y] if y < len(self._lines) else Strip.blank(0)
        return line.crop_extend(0, self._width, None)
