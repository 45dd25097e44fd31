"""The loss of every iteration run so far, as a sparkline with the latest figure."""

from __future__ import annotations

import math

from rich.segment import Segment
from textual.renderables.sparkline import Sparkline
from textual.strip import Strip

from stepnet.tui.session import Session
from stepnet.tui.widgets.lines import LinesWidget


class LossPlot(LinesWidget):
    """Two lines: the latest loss, and Textual's sparkline of them all in the Sparkline
    widget's colours; redrawn only when an iteration adds a loss."""

    COMPONENT_CLASSES = {"loss--min-color", "loss--max-color"}

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._shown = -1  # how many losses the plot shows

    def show(self) -> None:
        if len(self.session.debugger.losses) != self._shown:
            self._shown = len(self.session.debugger.losses)
            self.redraw()

    def draw(self, width: int) -> list[Strip]:
        losses = self.session.debugger.losses
        label = f"loss {losses[-1]:.6g} · iteration {len(losses)}" if losses else "no loss yet"
        # the sparkline cannot scale NaN or Inf: those iterations are left out of the plot
        finite = [x for x in losses if math.isfinite(x)]
        if not finite:
            return [Strip([Segment(label)])]
        _, base = self.background_colors
        low, high = (base + self.get_component_styles(f"loss--{end}-color").color for end in ("min", "max"))
        console = self.app.console
        plot = console.render_lines(Sparkline(finite, width=width, min_color=low.rich_color, max_color=high.rich_color),
                                    console.options.update_width(width))
        return [Strip([Segment(label)]), Strip(plot[0])]
