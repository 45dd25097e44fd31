"""Where we are: iteration, phase, layer, operation k of N, the loss, a NaN/Inf warning."""

from __future__ import annotations

from typing import ClassVar

from stepnet.tui import names
from stepnet.tui.session import Moment
from stepnet.tui.widgets.part import Line, Part

RUNNING = "  running…  (other keys wait until it ends; q quits)"


class Status(Part):
    """One line. After the position come what fits whole of (most wanted first) a NaN/Inf
    warning, the loss, the hint at the end of an iteration: never a figure cut short."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"status--iteration", "status--phase", "status--fault", "status--edited"}

    def watch_moment(self, moment: Moment | None) -> None:
        self.show()  # every move changes it, and it says when a run is on

    def render_line(self, y: int):  # type: ignore[no-untyped-def]
        if self.session.running:
            self._strips = None  # the run's line now, the position's once it ends
            return self._strip([(RUNNING, "")], self.size.width)
        return super().render_line(y)

    def draw(self) -> list[Line]:
        s = self.session
        d = s.debugger
        op = s.last_op
        parts: Line = [(f" iteration {s.iteration} ", "status--iteration")]
        if s.edited is not None:  # which run: the edited one, or the original beside it
            edits = f"{len(s.edits)} edit{'s' * (len(s.edits) > 1)}"
            parts.append((f" original run ({edits}: o) " if s.showing_original else f" what-if: {edits} ",
                          "status--edited"))
        hint = loss = warning = None
        if op is None:
            parts.append((f"  op 0 of {d.n_ops}  ·  ready: press n for {names.text(d.next_op.output)}", ""))
        else:
            layer = f"  ·  layer {op.layer}" if op.layer else ""
            parts += [(f"  {op.phase}", "status--phase"), (f"{layer}  ·  op {s.index} of {d.n_ops}", "")]
            if s.index == d.n_ops:
                hint = f"  ·  done: n starts iteration {s.iteration + 1}"
        if d.losses:
            earlier = f" (iteration {len(d.losses)})" if len(d.losses) != s.iteration else ""
            loss = f"  ·  loss{earlier} {d.losses[-1]:.6g}"
        fault = d.fault
        if fault is not None and d.position >= fault.position:
            k = fault.position - (fault.iteration - 1) * d.n_ops  # counted as "op k of N" is
            warning = f"  ⚠ NaN/Inf since iteration {fault.iteration}, op {k} ({names.text(fault.op.output)})"
        room = self.size.width - sum(len(text) for text, _ in parts)
        shown = []
        for extra in (warning, loss, hint):
            if extra is not None and len(extra) <= room:
                room -= len(extra)
                shown.append(extra)
        parts += [(extra, "") for extra in (hint, loss) if extra in shown]
        if warning in shown:
            parts.append((warning, "status--fault"))
        return [parts]
