"""The stepping machine: one operation forward or back, runs, breakpoints, exact history.

A position is the number of operations performed since the start: iteration k's ops are
positions (k−1)·N + 1 … k·N. Stepping back does not undo anything: it restores the
parameters at the start of the iteration and replays the ops up to the target, which
is exact because every op is a deterministic function of the state. Parameters at
iteration boundaries are kept as checkpoints thinned to a memory budget; a boundary
between two checkpoints is reached by running the fast path from the earlier one.
"""

from __future__ import annotations

import contextvars
import time
from collections import ChainMap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

import numpy as np

from stepnet.engine.model import Dataset
from stepnet.engine.names import LOSS, Name
from stepnet.engine.notation import DEFAULT_DIGITS, formatter
from stepnet.engine.op import Op
from stepnet.engine.program import Program, build_program, finite
from stepnet.engine.trainable import Trainable

if TYPE_CHECKING:  # not imported to run: `stepnet train` starts ~2 ms sooner without them
    from stepnet.engine.breakpoints import Breakpoint
    from stepnet.engine.gradcheck import ParameterCheck

Array = np.ndarray
State = dict[Name, Array]
#: what the debugger runs: a network (`Model`) or a computation graph (`Graph`)
M = TypeVar("M", bound=Trainable)

#: how much memory the boundary checkpoints may take before they are thinned
HISTORY_BUDGET = 32 * 2**20
#: a state is kept only after iterations that took this long per byte of it (see Checkpoints)
SECONDS_PER_BYTE_KEPT = 100 * 2.3e-6 / 4096


def _nbytes(state: State) -> int:
    return sum(a.nbytes for a in state.values())


class Checkpoints:
    """Parameters at some iteration boundaries, to replay from when going back.

    Every state kept alive makes the iterations after it allocate fresh memory, and the
    system's first touch of each fresh page (4 KB) takes ~2.3 µs: on 784-64-10 a kept state
    costs about what an iteration does. So a state is kept only once the iterations since
    the last kept one took 100 times that (`spacing` seconds): the pages cost ~1 % of a run,
    and reaching any boundary replays at most about `spacing` (23 ms on 784-64-10, 0.8 s on
    784-1024-1024-10). Past the budget every other one is dropped and the spacing doubles.
    The first state offered (the initial one) is always kept.
    """

    def __init__(self, state_bytes: int, budget: int = HISTORY_BUDGET) -> None:
        self.state_bytes = state_bytes
        self.budget = budget
        self.spacing = state_bytes * SECONDS_PER_BYTE_KEPT
        self.saved: dict[int, State] = {}
        self._since = 0.0  # seconds of iterations offered since the last kept state

    @property
    def nbytes(self) -> int:
        return self.state_bytes * len(self.saved)

    def offer(self, boundary: int, state: State, seconds: float = 0.0) -> None:
        """The state after `boundary` iterations, the last of which took `seconds` to compute
        (0: not measured, as when stepping)."""
        self._since += seconds
        if self.saved and self._since < self.spacing:
            return
        self._since = 0.0
        self.saved[boundary] = state
        if self.nbytes > self.budget and len(self.saved) > 2:
            kept = sorted(self.saved)[::2]
            self.saved = {k: self.saved[k] for k in kept}
            self.spacing *= 2

    def latest(self, boundary: int) -> tuple[int, State]:
        k = max(k for k in self.saved if k <= boundary)
        return k, self.saved[k]


class Fault(NamedTuple):
    """The first operation that produced a NaN or ±Inf."""

    position: int
    iteration: int
    op: Op

    def describe(self) -> str:
        return (f"{self.op.output} became non-finite (NaN or Inf) in iteration {self.iteration}, "
                f"at `{self.op.formula}`")


class Debugger(Generic[M]):
    """Drives a program one operation at a time, forward and back, over many iterations."""

    #: the state after `position` operations, and what the last op overwrote (None: nothing)
    values: State
    position: int
    _overwritten: Array | None

    def __init__(self, model: M, data: Dataset, history_budget: int = HISTORY_BUDGET,
                 program: Program | None = None) -> None:
        """`program`: `build_program(model, data)`, when the caller has it already (a scenario
        read it to check its figures' names), so that it is not built twice."""
        assert program is None or (program.model is model and program.data is data), "another model's program"
        self.model = model
        self.data = data
        self.program = build_program(model, data) if program is None else program
        self.ops = self.program.ops
        self._checkpoints = Checkpoints(_nbytes(model.initial_state()), history_budget)
        self._losses: list[float] = []
        self.fault: Fault | None = None
        # Ops run in a context of the debugger's own, in which NumPy ignores floating-point
        # errors: a NaN or Inf is flagged as `fault`, not warned about. Entering it costs a
        # tenth of an `np.errstate` block, which was a fifth of the time of a step.
        self._quiet = contextvars.Context()
        self._quiet.run(np.seterr, all="ignore")
        self.restart()

    # --- where we are ---------------------------------------------------------------

    @property
    def n_ops(self) -> int:
        """Operations in one iteration."""
        return len(self.ops)

    @property
    def iteration(self) -> int:
        """The iteration the last performed op belongs to (1 before anything ran)."""
        return max(1, -(-self.position // self.n_ops))

    @property
    def index(self) -> int:
        """Ops of the current iteration performed: 0 … N."""
        return self.position - (self.iteration - 1) * self.n_ops

    @property
    def last_op(self) -> Op | None:
        return self.ops[(self.position - 1) % self.n_ops] if self.position else None

    @property
    def next_op(self) -> Op:
        return self.ops[self.position % self.n_ops]

    @property
    def losses(self) -> list[float]:
        """The loss of every iteration whose loss op has run by the current position (none
        without a loss op)."""
        if self.program.loss_index == self.n_ops:
            return []
        done, i = divmod(self.position, self.n_ops)
        return self._losses[: done + (i > self.program.loss_index)]

    @property
    def history_bytes(self) -> int:
        """Memory the history holds: boundary checkpoints, the iteration start, the losses."""
        return self._checkpoints.nbytes + _nbytes(self._start[1]) + 8 * len(self._losses)

    def explain(self, index: Sequence[int], digits: int = DEFAULT_DIGITS) -> str | None:
        """The last op's result at `index`, written out with the numbers substituted."""
        op = self.last_op
        if op is None:
            return None
        overwritten = {op.output: self._overwritten} if self._overwritten is not None else {}
        before = ChainMap(overwritten, self.values)
        return op.explain(before, self.values[op.output], index, formatter(digits))

    def changed(self) -> tuple[Name, Array] | None:
        """The quantity the last op wrote and a mask of its elements that differ from before
        (all of them when it was not in the state yet); None before the first op."""
        op = self.last_op
        if op is None:
            return None
        value = np.asarray(self.values[op.output])
        before = self._overwritten
        if before is None or np.shape(before) != value.shape:
            return op.output, np.ones(value.shape, dtype=bool)
        same = (before == value) | (np.isnan(before) & np.isnan(value))
        return op.output, ~same

    def gradient_check(self, eps: float = 1e-6) -> list[ParameterCheck]:
        """Backprop against finite differences for the current iteration: at the parameters
        it started from, on its batch, with its dropout masks."""
        from stepnet.engine.gradcheck import gradient_check

        return gradient_check(self.program, self.start_parameters, self.iteration, eps)

    @property
    def start_parameters(self) -> State:
        """The parameters the current iteration started from: its gradients come from these."""
        return self._start[1]

    # --- moving ---------------------------------------------------------------------

    def restart(self) -> None:
        """Back to the scenario's initial state (the history is kept: it is still valid)."""
        initial = self.model.initial_state()
        self._checkpoints.offer(0, initial)
        self._restore(0, initial)

    def step(self) -> Op:
        """Perform the next operation."""
        return self._quiet.run(self._step)

    def _step(self) -> Op:
        position, values, ops = self.position, self.values, self.ops
        done, i = divmod(position, len(ops))
        if i == 0:  # (no checkpoint offered: stepping's time is not measured, so none would be kept)
            self._start = (done, self.parameters())
        op = ops[i]
        output = op.output
        self._overwritten = values.get(output)
        value = op.run(values, done + 1)
        self.position = position + 1
        if output is LOSS:
            self._record_loss(done + 1, float(value))
        if self.fault is None and not finite(value):
            self.fault = Fault(position + 1, done + 1, op)
        return op

    def back(self) -> None:
        """Undo the last operation, exactly."""
        self.goto(self.position - 1)

    def goto(self, target: int) -> None:
        """Move to `target` operations since the start, forward or back."""
        target = max(0, target)
        boundary = max(0, (target - 1) // self.n_ops)  # the iteration holding target starts here
        current = max(0, (self.position - 1) // self.n_ops)
        if not (target >= self.position and (boundary == current or self.position == boundary * self.n_ops)):
            self._restore(boundary, self._boundary_state(boundary))
        while self.position < target:
            self.step()

    def parameters_after(self, iterations: int) -> State:
        """The parameters after that many iterations, through the fast path (or from
        history); the position does not move."""
        return self._boundary_state(iterations)

    def run_iterations(self, n: int) -> None:
        """Complete n iterations (the current, unfinished one counts) through the fast path."""
        self.goto((self.position // self.n_ops + n) * self.n_ops)

    def continue_(self, breakpoints: Iterable[Breakpoint], limit: int) -> bool:
        """Step until an op matching a breakpoint has run, or `limit` is reached.

        Returns whether a breakpoint stopped the run.
        """
        breakpoints = list(breakpoints)
        while self.position < limit:
            op = self.step()
            if any(bp.matches(op, self.values[op.output]) for bp in breakpoints):
                return True
        return False

    def reverse_continue(self, breakpoints: Iterable[Breakpoint], limit: int) -> bool:
        """Go back to the latest position before this one, not before `limit`, where an op
        matching a breakpoint had just run; to `limit` if there is none."""
        breakpoints = list(breakpoints)
        end = self.position - 1
        while end > limit:
            boundary = (end - 1) // self.n_ops
            hits = [p for p in self._matches(boundary, breakpoints) if limit < p <= end]
            if hits:
                self.goto(hits[-1])
                return True
            end = boundary * self.n_ops
        self.goto(limit)
        return False

    def boundary(self, key: str, forward: bool = True) -> int:
        """The next (or previous) position that ends a `key` = "layer", "phase" or "iteration":
        where the op just run and the one after it belong to different groups."""

        def group(op: Op) -> object:
            return {"layer": (op.phase, op.layer), "phase": op.phase, "iteration": None}[key]

        step = 1 if forward else -1
        p = self.position + step
        while p > 0:
            if p % self.n_ops == 0 or group(self.ops[(p - 1) % self.n_ops]) != group(self.ops[p % self.n_ops]):
                return p
            p += step
        return 0

    # --- history --------------------------------------------------------------------

    def parameters(self) -> State:
        """The parameters (and velocities) at the current position."""
        return {name: self.values[name] for name in self.program.kept}

    def _restore(self, boundary: int, state: State) -> None:
        self.values = dict(state)
        self.position = boundary * self.n_ops
        self._start = (boundary, state)
        self._overwritten = None

    def _boundary_state(self, boundary: int) -> State:
        """Parameters after `boundary` iterations, from the nearest earlier known state."""
        k, state = self._checkpoints.latest(boundary)
        if k < self._start[0] <= boundary:
            k, state = self._start
        start, finite = state, True
        for iteration in range(k + 1, boundary + 1):
            started = time.perf_counter()
            state, loss, ok = self._quiet.run(self.program.iterate, state, iteration)
            self._checkpoints.offer(iteration, state, time.perf_counter() - started)
            self._record_loss(iteration, loss)
            finite = finite and ok
        if self.fault is None and not (finite and self.program.finite(state)):
            self._locate_fault(k, start, boundary)
        return state

    def _replay(self, iteration: int, values: State) -> Iterable[tuple[int, Op, Array]]:
        """Run iteration `iteration` op by op on `values`, a scratch state."""
        for i, op in enumerate(self.ops):
            self._quiet.run(op.run, values, iteration)
            yield (iteration - 1) * self.n_ops + i + 1, op, values[op.output]

    def _locate_fault(self, boundary: int, state: State, last: int) -> None:
        """Replay iterations boundary+1 … last op by op from `state` and flag the first op
        whose output is not finite — exactly the one stepping would have stopped at."""
        for iteration in range(boundary + 1, last + 1):
            values = dict(state)
            for position, op, value in self._replay(iteration, values):
                if not finite(value):
                    self.fault = Fault(position, iteration, op)
                    return
            state = {name: values[name] for name in self.program.kept}

    def _matches(self, boundary: int, breakpoints: list[Breakpoint]) -> list[int]:
        """Positions of iteration boundary+1 at which a breakpoint matches."""
        if not any(bp.needs_value for bp in breakpoints):
            return [boundary * self.n_ops + i + 1 for i, op in enumerate(self.ops)
                    if any(bp.matches(op, None) for bp in breakpoints)]
        return [p for p, op, value in self._replay(boundary + 1, dict(self._boundary_state(boundary)))
                if any(bp.matches(op, value) for bp in breakpoints)]

    def _record_loss(self, iteration: int, loss: float) -> None:
        if len(self._losses) >= iteration:
            self._losses[iteration - 1] = loss
        else:
            self._losses.append(loss)
