"""The scenario's `[[expect]]` figures: ✓ or ✗ where the engine produced the quantity."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from stepnet.engine.expect import Outcome
from stepnet.engine.notation import compact, formatter
from stepnet.tui.session import Session


class ExpectationsPanel(Static):
    _key: tuple | None = None  # what the panel shows: repainted only when it differs
    def show(self, session: Session, now: list[Outcome]) -> None:
        expectations = session.scenario.expectations
        key = (tuple(map(id, map(session.outcome, range(len(expectations))))), tuple(map(id, now)),
               session.digits)
        if key == self._key:
            return
        self._key = key
        if not expectations:
            self.update(Text("no [[expect]] figures in this scenario", "dim"))
            return
        fmt = formatter(session.digits + 5)
        text = Text()
        for i, e in enumerate(expectations):
            outcome = session.outcome(i)
            fresh = any(o is outcome for o in now)
            if outcome is None:
                text.append(f"·  {e.label}\n", "dim")
                continue
            mark, style = ("✓", "green") if outcome.ok else ("✗", "bold red")
            text.append(f"{mark}  ", style)
            text.append(e.label, "bold reverse" if fresh else "")
            if fresh or not outcome.ok:
                style = "" if fresh else "dim"
                text.append(f"\n   stated   {compact(e.value, fmt, 3)}", style)
                text.append(f"\n   computed {compact(outcome.computed, fmt, 3)}", style)
            text.append("\n")
        text.rstrip()
        self.update(text)
