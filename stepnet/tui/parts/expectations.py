"""The scenario's `[[expect]]` figures: ✓ or ✗ once the engine has produced the quantity,
with the stated and computed figures for the one the last operation produced."""

from __future__ import annotations

from rich.style import Style

from stepnet.engine.notation import compact, formatter
from stepnet.tui.parts.lines import Line, Segments, wrap
from stepnet.tui.parts.part import ScrollingPart
from stepnet.tui.session import Session

PENDING, OK, WRONG, FRESH = Style(dim=True), Style(color="green"), Style(bold=True, color="red"), Style(bold=True, reverse=True)


class ExpectationsPanel(ScrollingPart):
    """A scrolling list, redrawn only when an outcome changes; the figure the last op
    produced is scrolled into view."""

    title = "expectations"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._key: tuple | None = None  # what the panel shows
        self._text: list[Line] = []
        self._focus = range(0)  # the lines of the first figure just produced, in `_text`
        self._fresh: tuple[int, int] | None = None  # and once wrapped (None: no figure is fresh)

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
        self.redraw()

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

    def redraw(self) -> None:
        super().redraw()
        if self._fresh is None:
            self.scroll_to(0)  # no figure just produced: from the first, as at the start
        else:
            self.reveal(*self._fresh)

    def draw(self, width: int) -> list[Segments]:
        """The text wrapped to the width; where the fresh figure's lines went, in `_fresh`."""
        lines: list[Segments] = []
        start = end = None
        for n, line in enumerate(self._text):
            if n == self._focus.start:
                start = len(lines)
            lines += wrap(line, width)
            if n + 1 == self._focus.stop:
                end = len(lines)
        self._fresh = None if start is None or end is None else (start, end)
        return lines
