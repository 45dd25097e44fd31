"""Where we are: iteration, phase, layer, operation k of N, the loss, a NaN/Inf warning."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style

from stepnet.tui.parts.lines import Segments, cells
from stepnet.tui.parts.part import Part
from stepnet.tui.session import Session

ITERATION, PHASE, FAULT = Style(bold=True, reverse=True), Style(bold=True), Style(bold=True, color="red")


class StatusBar(Part):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.message: str | None = None  # shown instead of the position, e.g. while running

    def show(self, message: str | None = None) -> None:
        self.message = message
        self.redraw()

    def draw(self, width: int) -> list[Segments]:
        if self.message is not None:
            return [[Segment(self.message)]]
        d = self.session.debugger
        op = d.last_op
        parts = [Segment(f" iteration {d.iteration} ", ITERATION)]
        # after the position, what fits whole of (most wanted first) a NaN/Inf warning, the
        # loss, the hint at the end of an iteration; never a figure cut short
        hint = loss = warning = None
        if op is None:
            parts.append(Segment(f"  op 0 of {d.n_ops}  ·  ready: press n for {d.next_op.output}"))
        else:
            layer = f"  ·  layer {op.layer}" if op.layer else ""
            parts += [Segment(f"  {op.phase}", PHASE), Segment(f"{layer}  ·  op {d.index} of {d.n_ops}")]
            if d.index == d.n_ops:
                hint = Segment(f"  ·  done: n starts iteration {d.iteration + 1}")
        if d.losses:
            earlier = f" (iteration {len(d.losses)})" if len(d.losses) != d.iteration else ""
            loss = Segment(f"  ·  loss{earlier} {d.losses[-1]:.6g}")
        fault = d.fault
        if fault is not None and d.position >= fault.position:
            k = fault.position - (fault.iteration - 1) * d.n_ops  # counted as "op k of N" is
            warning = Segment(f"  ⚠ NaN/Inf since iteration {fault.iteration}, op {k} ({fault.op.output})", FAULT)
        room, shown = width - cells(parts), set()
        for extra in (warning, loss, hint):
            if extra is not None and cells([extra]) <= room:
                room -= cells([extra])
                shown.add(id(extra))
        return [parts + [extra for extra in (hint, loss, warning) if id(extra) in shown]]
