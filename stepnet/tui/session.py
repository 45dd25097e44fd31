"""What the debugger screen drives: the engine, the user's breakpoints, the selected element.

No numbers are computed here; moves are delegated to `Debugger`, and the selection is only
an index kept inside the shape of the quantity the last operation wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stepnet.engine.breakpoints import Breakpoint, OpBreakpoint
from stepnet.engine.debugger import Debugger
from stepnet.engine.expect import Outcome, checkable
from stepnet.engine.program import Op
from stepnet.scenario import Scenario
from stepnet.tui.cells import grid_shape


@dataclass
class Session:
    """The engine on a scenario and what the user set up around it; the screen's model."""

    scenario: Scenario
    debugger: Debugger = field(init=False)
    breakpoints: list[Breakpoint] = field(default_factory=list)
    #: (row, column) of the selected element, kept inside the shape of what is shown
    cursor: tuple[int, int] = (0, 0)
    #: significant digits in tables (formulas show five more)
    digits: int = 4
    #: the outcome of each expectation (by its place in the scenario) as last checked
    checked: dict[int, Outcome] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.debugger = self.scenario.debugger()
        self._change: tuple[int, tuple[str, np.ndarray] | None] = (-1, None)

    # --- moves ----------------------------------------------------------------------

    def step(self) -> None:
        self.debugger.step()

    def back(self) -> None:
        self.debugger.back()

    def to_boundary(self, key: str, forward: bool) -> None:
        self.debugger.goto(self.debugger.boundary(key, forward))

    def continue_(self, forward: bool) -> bool:
        """To the next (previous) breakpoint hit, at most to the end (start) of the iteration."""
        d = self.debugger
        if forward:
            return d.continue_(self.breakpoints, (d.position // d.n_ops + 1) * d.n_ops)
        return d.reverse_continue(self.breakpoints, max(0, (d.position - 1) // d.n_ops) * d.n_ops)

    def restart(self) -> None:
        self.debugger.restart()

    # --- breakpoints ----------------------------------------------------------------

    @property
    def focus_op(self) -> Op:
        """The operation a breakpoint toggle refers to: the last one, or the first before any."""
        return self.debugger.last_op or self.debugger.next_op

    def toggle_breakpoint(self) -> OpBreakpoint:
        """Every operation writing the current op's output (e.g. every delta2); on or off."""
        bp = OpBreakpoint(output=self.focus_op.output)
        if bp in self.breakpoints:
            self.breakpoints.remove(bp)
        else:
            self.breakpoints.append(bp)
        return bp

    def breaks_on(self, op: Op) -> bool:
        return any(isinstance(bp, OpBreakpoint) and bp.matches(op) for bp in self.breakpoints)

    # --- the selected element -------------------------------------------------------

    def move(self, rows: int, columns: int) -> None:
        top, right = (n - 1 for n in grid_shape(self.shape()))
        r, c = self.cursor
        self.cursor = (min(max(r + rows, 0), top), min(max(c + columns, 0), right))

    def shape(self) -> tuple[int, ...]:
        op = self.debugger.last_op
        return np.shape(self.debugger.values[op.output]) if op else ()

    def selected(self) -> tuple[int, ...]:
        """The cursor as an index into the last op's output: () for a scalar, (c,) for a
        vector (shown as a row), (r, c) for a matrix, (0, r, c) for a per-sample Jacobian."""
        shape = self.shape()
        rows, columns = grid_shape(shape)
        r, c = min(self.cursor[0], rows - 1), min(self.cursor[1], columns - 1)
        return ((), (c,), (r, c), (0, r, c))[min(len(shape), 3)]

    def selected_cell(self) -> tuple[int, int]:
        """The selected element's (row, column) in the drawn grid (see `cells.grid`)."""
        index = self.selected()
        return (0, 0) if not index else (0, index[0]) if len(index) == 1 else index[-2:]

    # --- what the engine says about this step ---------------------------------------

    def change(self) -> tuple[str, np.ndarray] | None:
        """The engine's `changed()` for this position, asked once per position."""
        if self._change[0] != self.debugger.position:
            self._change = (self.debugger.position, self.debugger.changed())
        return self._change[1]

    def explain(self) -> str | None:
        return self.debugger.explain(self.selected(), self.digits + 5)

    def outcomes(self) -> dict[int, Outcome | None]:
        """Each expectation (by its place in the scenario) the engine is past: checked now if it
        belongs to this iteration, else as seen in its own (None if it was run past unseen)."""
        d = self.debugger
        now = checkable(d, self.scenario.expectations)
        self.checked.update(now)
        return {i: now.get(i, self.checked.get(i)) for i, e in enumerate(self.scenario.expectations)
                if e.iteration < d.iteration or i in now}
