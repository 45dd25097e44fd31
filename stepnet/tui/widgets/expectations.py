"""The scenario's `[[expect]]` figures: ✓ or ✗ once the engine has produced the quantity,
with the stated and computed figures for the one the last operation produced, and for each
one contradicted its cause in words (`inherited from …`, `rounding`, `updated-weights` …),
as `stepnet check` says them; then check's summary, naming the roots. A figure the source
rounded stands where the scenario declares its rounding."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.widgets import Static

from stepnet.engine.expect import Outcome
from stepnet.engine.notation import compact, formatter
from stepnet.tui import names
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Follows


class Expectations(Follows, VerticalScroll):
    """A scrolling list (the wheel, or the keys once Tab has focused it), written again only
    when an outcome changes; the figure the last op produced is scrolled into view."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"expectations--pending", "expectations--ok", "expectations--wrong",
                         "expectations--fresh"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.figures = Static(classes="lines")
        self._key: Hashable = None  # what the list shows
        self._text: list[Content] = []  # a line per label, stated and computed figure
        self._focus = range(0)  # the lines of the first figure just produced, in `_text`
        self._width = 0

    def compose(self) -> ComposeResult:
        yield self.figures

    def on_mount(self) -> None:
        self.retitle("expectations")

    def shows(self, moment: Moment) -> Hashable:
        return moment.position, moment.at_start, moment.digits, moment.runs

    def show(self) -> None:
        s = self.session
        expectations = s.scenario.expectations
        outcomes = s.outcomes()
        op = s.last_op
        fresh = {i for i in outcomes if op is not None and names.text(expectations[i].name) == names.text(op.output)
                 and expectations[i].iteration == s.iteration}
        key = (tuple((i, None if o is None else (o.ok, o.error)) for i, o in outcomes.items()),
               tuple(fresh), s.digits)
        if key != self._key:
            self._key = key
            self._text, self._focus = self._describe(outcomes, fresh)
            self._lay_out()

    def _describe(self, outcomes: dict[int, Outcome | None], fresh: set[int]) -> tuple[list[Content], range]:
        """The list's lines, and those of the first figure just produced."""
        s = self.session
        expectations, glossary = s.scenario.expectations, s.glossary
        if not expectations:
            return [Content.styled("no [[expect]] figures in this scenario", ".expectations--pending")], range(0)
        fmt = formatter(s.digits + 5)
        verdicts = s.findings.verdicts  # in the scenario's order, as the outcomes are
        text: list[Content] = []
        focus = range(0)
        for i, e in enumerate(expectations):
            start = len(text)
            label = f"{glossary.beside(e.name, e.index)} @ iteration {e.iteration}"
            outcome = outcomes.get(i)
            if i not in outcomes:
                text.append(Content.styled(f"·  {label}", ".expectations--pending"))
            elif outcome is None:
                text.append(Content.styled(f"–  {label} (run past, not seen)", ".expectations--pending"))
            else:
                verdict = verdicts[i]
                mark = ("✓  ", ".expectations--ok") if verdict.ok else ("✗  ", ".expectations--wrong")
                text.append(Content.assemble(mark, (label, ".expectations--fresh" if i in fresh else "")))
                style = "" if i in fresh else ".expectations--pending"
                if i in fresh or not outcome.ok:
                    exact = "exact" if verdict.ok and not outcome.ok else "computed"
                    text += [Content.styled(f"   stated   {compact(e.value, fmt, 3)}", style),
                             Content.styled(f"   {exact:<8} {compact(outcome.computed, fmt, 3)}", style)]
                if words := verdict.words(glossary):
                    text.append(Content.styled(f"   {words}", ".expectations--wrong" if not verdict.ok else style))
            if i in fresh and not focus:
                focus = range(start, len(text))
        if summary := s.findings.summary(glossary):
            text += [Content(""), Content.styled(f"check: {summary}", ".expectations--pending")]
        return text, focus

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._width:
            self._lay_out()

    def _lay_out(self) -> None:
        """The lines wrapped to the width (here, so that the fresh figure's place is known),
        and the fresh figure scrolled into view, or the first when none is fresh."""
        width = self._width = self.scrollable_content_region.width
        if width <= 0:
            return
        lines: list[Content] = []
        start = end = None
        for n, line in enumerate(self._text):
            if n == self._focus.start:
                start = len(lines)
            lines += line.wrap(width)
            if n + 1 == self._focus.stop:
                end = len(lines)
        self.figures.update(Content("\n").join(lines))
        if start is None or end is None:
            self.call_after_refresh(self.scroll_home, animate=False)
        else:
            region = Region(0, start, width, end - start)
            self.call_after_refresh(self.scroll_to_region, region, animate=False, top=False)

    @property
    def text(self) -> str:
        return "\n".join(line.plain for line in self._text)
