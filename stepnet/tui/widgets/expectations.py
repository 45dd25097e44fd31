"""The scenario's `[[expect]]` figures: ✓ or ✗ once the engine has produced the quantity,
with the stated and computed figures for the one the last operation produced."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from stepnet.engine.notation import compact, formatter
from stepnet.tui.session import Session


class ExpectationsPanel(VerticalScroll, can_focus=False):
    _key: tuple | None = None  # what the panel shows: repainted only when it differs

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.body = Static()

    def compose(self) -> ComposeResult:
        yield self.body

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
        if not expectations:
            self.body.update(Text("no [[expect]] figures in this scenario", "dim"))
            return
        fmt = formatter(session.digits + 5)
        text = Text()
        focus = 0  # the line of the first expectation just produced: scrolled into view
        for i, e in enumerate(expectations):
            if i in fresh and not focus:
                focus = text.plain.count("\n")
            if i not in outcomes:
                text.append(f"·  {e.label}\n", "dim")
                continue
            outcome = outcomes[i]
            if outcome is None:
                text.append(f"–  {e.label} (run past, not seen)\n", "dim")
                continue
            mark, style = ("✓", "green") if outcome.ok else ("✗", "bold red")
            text.append(f"{mark}  ", style)
            text.append(e.label, "bold reverse" if i in fresh else "")
            if i in fresh or not outcome.ok:
                style = "" if i in fresh else "dim"
                text.append(f"\n   stated   {compact(e.value, fmt, 3)}", style)
                text.append(f"\n   computed {compact(outcome.computed, fmt, 3)}", style)
            text.append("\n")
        text.rstrip()
        self.body.update(text)
        self.call_after_refresh(self.scroll_to, y=focus, animate=False)
