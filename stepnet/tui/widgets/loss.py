"""The loss of every iteration run so far, as a sparkline with the latest figure."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Sparkline

from stepnet.tui.session import Session


class LossPlot(Vertical):
    _shown = -1  # how many losses the plot shows

    def compose(self) -> ComposeResult:
        yield Label("no loss yet", id="loss-label")
        yield Sparkline([], id="loss-spark")

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session

    def show(self) -> None:
        losses = self.session.debugger.losses
        if len(losses) == self._shown:
            return
        self._shown = len(losses)
        label = self.query_one("#loss-label", Label)
        # the label has a fixed width (see stepnet.tcss): no layout pass for a new figure
        label.update(f"loss {losses[-1]:.6g} · iteration {len(losses)}" if losses else "no loss yet",
                     layout=False)
        # the sparkline cannot scale NaN or Inf: those iterations are left out of the plot
        self.query_one("#loss-spark", Sparkline).data = [x for x in losses if math.isfinite(x)]
