"""Where we are: iteration, phase, layer, operation k of N, and a NaN/Inf warning."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from stepnet.engine.debugger import Debugger


class StatusBar(Static):
    def show(self, debugger: Debugger) -> None:
        d = debugger
        op = d.last_op
        text = Text()
        text.append(f" iteration {d.iteration} ", "bold reverse")
        if op is None:
            text.append(f"  op 0 of {d.n_ops}  ·  ready: press n for {d.next_op.output}")
        else:
            layer = f"  ·  layer {op.layer}" if op.layer else ""
            text.append(f"  {op.phase}", "bold")
            text.append(f"{layer}  ·  op {d.index} of {d.n_ops}")
        if d.losses:
            text.append(f"  ·  loss {d.losses[-1]:.6g}")
        fault = d.fault
        if fault is not None and d.position >= fault.position:
            text.append(f"  ⚠ NaN/Inf since op {fault.position} ({fault.op.output}, "
                        f"iteration {fault.iteration})", "bold red")
        self.update(text, layout=False)  # always one line
