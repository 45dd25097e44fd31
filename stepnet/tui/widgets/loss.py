"""The loss of every iteration run so far: the latest figure, and a sparkline with its range."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import ClassVar

from textual.renderables.sparkline import Sparkline

from stepnet.tui.cells import number
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part


def scale(low: float, high: float) -> str:
    """The range a sparkline spans, for the right of it: ` 0.0101–0.689`."""
    low_text, high_text = number(low, 3, 9), number(high, 3, 9)
    return f" {low_text}" if low_text == high_text else f" {low_text}–{high_text}"


class Loss(Part):
    """Two lines; drawn again only when an iteration adds a loss. The sparkline's colours are
    Textual's Sparkline's (`$primary` and 30 % of it); NaN and Inf, which it cannot scale,
    are left out of it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"loss--min-color", "loss--max-color", "loss--scale"}

    def shows(self, moment: Moment) -> Hashable:
        return len(self.session.debugger.losses), self.session.iteration, moment.runs

    def draw(self) -> list[Line]:
        losses = self.session.debugger.losses
        if not self.session.debugger.program.has_loss:
            return [[("no loss: each iteration stops", "loss--scale")], [("after the forward pass", "loss--scale")]]
        if not losses:
            return [[("no loss yet", "")]]
        label: Line = [(f"loss {losses[-1]:.6g} · iteration {len(losses)}", "")]
        finite = [x for x in losses if math.isfinite(x)]
        if not finite:
            return [label]
        span = scale(min(finite), max(finite))
        width = max(self.size.width - len(span), 1)
        base = self.background_colors[1]
        low, high = ((base + self.get_component_styles(f"loss--{end}-color").color).rich_color
                     for end in ("min", "max"))
        console = self.app.console
        segments = console.render(Sparkline(finite, width=width, min_color=low, max_color=high),
                                  console.options.update_width(width))
        line: Line = [(s.text, s.style) for s in segments if s.text != "\n" and s.style is not None]
        return [label, [*line, (span, "loss--scale")]]
