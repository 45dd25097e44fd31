"""The loss of every iteration run so far, as a sparkline with the latest figure."""

from __future__ import annotations

import math

from rich.console import Console
from rich.segment import Segment
from rich.color import Color
from textual.renderables.sparkline import Sparkline

from stepnet.tui.parts.lines import Segments
from stepnet.tui.parts.part import Part
from stepnet.tui.session import Session


class LossPlot(Part):
    """Two lines: the latest loss, and Textual's sparkline of them all; redrawn only when an
    iteration adds a loss. The board sets the sparkline's colours from the theme."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._shown = -1  # how many losses the plot shows
        #: what renders the sparkline (the app's console) and its colours, lowest and highest loss
        self.painter: tuple[Console, Color, Color] | None = None

    def show(self) -> None:
        if len(self.session.debugger.losses) != self._shown:
            self._shown = len(self.session.debugger.losses)
            self.redraw()

    def draw(self, width: int) -> list[Segments]:
        losses = self.session.debugger.losses
        label = f"loss {losses[-1]:.6g} · iteration {len(losses)}" if losses else "no loss yet"
        # the sparkline cannot scale NaN or Inf: those iterations are left out of the plot
        finite = [x for x in losses if math.isfinite(x)]
        if not finite or self.painter is None:
            return [[Segment(label)]]
        console, low, high = self.painter
        plot = console.render_lines(Sparkline(finite, width=width, min_color=low, max_color=high),
                                    console.options.update_width(width))
        return [[Segment(label)], plot[0]]
