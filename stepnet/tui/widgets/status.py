"""Where we are: iteration, phase, layer, operation k of N, the loss, a NaN/Inf warning."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from stepnet.tui.session import Session


class StatusBar(Static):
    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session

    def show(self) -> None:
        d = self.session.debugger
        op = d.last_op
        parts: list[str | tuple[str, str]] = [(f" iteration {d.iteration} ", "bold reverse")]
        if op is None:
            parts.append(f"  op 0 of {d.n_ops}  ·  ready: press n for {d.next_op.output}")
        else:
            layer = f"  ·  layer {op.layer}" if op.layer else ""
            parts += [(f"  {op.phase}", "bold"), f"{layer}  ·  op {d.index} of {d.n_ops}"]
            if d.index == d.n_ops:
                parts.append(f"  ·  done: n starts iteration {d.iteration + 1}")
        if d.losses:
            earlier = f" (iteration {len(d.losses)})" if len(d.losses) != d.iteration else ""
            parts.append(f"  ·  loss{earlier} {d.losses[-1]:.6g}")
        fault = d.fault
        if fault is not None and d.position >= fault.position:
            parts.append((f"  ⚠ NaN/Inf since op {fault.position} ({fault.op.output}, "
                           f"iteration {fault.iteration})", "bold red"))
        self.update(Content.assemble(*parts), layout=False)  # always one line
