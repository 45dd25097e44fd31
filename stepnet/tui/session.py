"""What the debugger screen drives: the engine, the user's breakpoints, the selected element.

No numbers are computed here; moves are delegated to `Debugger`, and the selection is only
an index kept inside the shape of the quantity the last operation wrote.

The end of iteration k and the start of iteration k + 1 are one position of the engine. The
session shows it as the end when it was reached going forward (n, e, c) and as the start of
the next iteration when it was reached going back (N, E, C): after E the screen reads
"iteration 50, op 0", with nothing of iteration 50 computed yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from stepnet.engine import edits as what_if
from stepnet.engine.breakpoints import Breakpoint, OpBreakpoint
from stepnet.engine.conventions import Glossary
from stepnet.engine.debugger import Debugger
from stepnet.engine.edits import Edit
from stepnet.engine.expect import Outcome, checkable
from stepnet.engine.graph import Graph
from stepnet.engine.judge import Findings, judge
from stepnet.engine.model import Model
from stepnet.engine.neuron import Story, neuron_of, story
from stepnet.engine.notation import element
from stepnet.engine.program import Op
from stepnet.scenario import Scenario
from stepnet.tui import names
from stepnet.tui.cells import grid_shape

if TYPE_CHECKING:
    from stepnet.engine.comparison import Comparison, Entry  # only a --compare run makes one

Values = dict[names.Name, np.ndarray]
#: what stopped a run: a breakpoint that hit, the first divergence from a comparison, or neither
Stop = Literal["breakpoint", "divergence"] | None


class Moment(NamedTuple):
    """Everything the screen shows is a function of this: when it is equal, nothing changed."""

    position: int
    at_start: bool
    cursor: tuple[int, int]
    digits: int
    breakpoints: tuple[Breakpoint, ...]
    running: bool  # a run in a worker thread: the engine is not to be read
    view: str  # views.VIEWS
    neuron: tuple[int, int] | None  # (layer, unit) the neuron view tells; None for a graph
    runs: int  # Session.runs: which run is shown changed


@dataclass
class Session:
    """The engine on a scenario and what the user set up around it; the screen's model."""

    scenario: Scenario
    #: the scenario's run, and with what-if edits the run with them (`edited`)
    original: Debugger = field(init=False)
    breakpoints: list[Breakpoint] = field(default_factory=list)
    #: (row, column) of the selected element, kept inside the shape of what is shown
    cursor: tuple[int, int] = (0, 0)
    #: significant digits in tables (formulas show five more)
    digits: int = 4
    #: the outcome of each expectation (by its place in the scenario) as last checked
    checked: dict[int, Outcome] = field(default_factory=dict)
    #: at an iteration boundary reached going back: shown as the start of the next iteration
    at_start: bool = True
    running: bool = False
    #: the sample the network diagram shows: the selected one's, while a per-sample quantity is
    sample: int = 0
    #: the arrangement of the parts (views.VIEWS)
    view: str = "full"
    #: (layer, unit) of the neuron the neuron view tells: the selected element's, when one of a
    #: layer's was last selected; at first unit 0 of the output layer. None for a graph
    neuron: tuple[int, int] | None = None
    #: an implementation's recorded values compared with the scenario's (`--compare TRACE`),
    #: and the trace's file name
    comparison: Comparison | None = None
    trace: str = ""
    #: what-if edits, the later of two of the same value last; the run with them; with them,
    #: whether the original run is the one shown; how many times the runs changed (a new edit,
    #: a switch, a restart without the edits): the screen shows all of it again then
    edits: tuple[Edit, ...] = ()
    edited: Debugger | None = field(init=False, default=None)
    showing_original: bool = False
    runs: int = 0

    def __post_init__(self) -> None:
        self.original = self.scenario.debugger()
        model = self.original.model
        if isinstance(model, Model):
            self.neuron = (model.depth, 0)
        # what the engine said at a position of a run, asked once
        self._change: tuple[Debugger | None, int, tuple[names.Name, np.ndarray] | None] = (None, -1, None)
        self._start_values: tuple[Debugger | None, int, Values] = (None, -1, {})
        self._findings: dict[tuple[Edit, ...], Findings] = {}
        self._story: Story | None = None
        self._differing: dict[tuple[names.Name, int], np.ndarray | None] = {}

    def moment(self) -> Moment:
        return Moment(self.debugger.position, self.at_start, self.cursor, self.digits,
                      tuple(self.breakpoints), self.running, self.view, self.neuron, self.runs)

    @property
    def debugger(self) -> Debugger:
        """The run shown: the scenario's, or with what-if edits the edited one unless the
        original is asked for."""
        return self.original if self.edited is None or self.showing_original else self.edited

    @property
    def hidden(self) -> Debugger | None:
        """With what-if edits, the run not shown, wherever it is; else None."""
        if self.edited is None:
            return None
        return self.edited if self.showing_original else self.original

    def other(self) -> Debugger | None:
        """The run not shown, brought to where the shown one is when it is asked for
        (stepping it along on every move doubled a key's work); None without edits."""
        other = self.hidden
        if other is not None and other.position != self.debugger.position:
            other.goto(self.debugger.position)
        return other

    def catch_up(self, stop: Callable[[], bool]) -> None:
        """The run not shown to where the shown one is, an iteration at a time until `stop()`
        says otherwise: a worker's, after a run (`i`, `c`, `j`), so that the screen's thread
        does not replay it (what is left, `other` does when it must)."""
        other, target = self.hidden, self.debugger.position
        if other is None:
            return
        n = other.n_ops
        while other.position != target and not stop():
            other.goto(target if other.position > target else min(target, (other.position // n + 1) * n))

    # --- the figures a source states, judged as the run passes them --------------------

    def unjudged(self) -> set[int]:
        """The iterations some of whose stated figures are not judged yet."""
        return {e.iteration for i, e in enumerate(self.scenario.expectations) if i not in self.checked}

    def judge_here(self) -> None:
        """Judge the stated figures whose quantities are final where the run shown is."""
        self.checked.update(checkable(self.debugger, self.scenario.expectations))

    @property
    def glossary(self) -> Glossary:
        """The source's names for stepnet's quantities and elements (`[notation.names]`)."""
        return self.scenario.notation.names

    @property
    def findings(self) -> Findings:
        """The scenario's figures judged as `stepnet check` judges them, with their causes, in
        the run shown: once per run, on a debugger of its own (judging moves the debugger it
        is given)."""
        key = () if self.debugger is self.original else self.edits
        if key not in self._findings:
            s, d = self.scenario, self.debugger
            fresh = Debugger(d.model, d.data, program=d.program)
            self._findings[key] = judge(fresh, s.expectations, s.notation.rounding)
        return self._findings[key]

    def nothing_to_train(self) -> str | None:
        """Why running iterations would change nothing; None if it would."""
        why = self.debugger.program.untrainable
        return None if why is None else f"Nothing to train: {why}."

    def nothing_to_check(self) -> str | None:
        """Why there are no gradients to check; None if there are."""
        program = self.debugger.program
        if program.has_loss:
            return None
        return f"Nothing to check: a gradient check compares ∂J/∂θ, and each iteration stops {program.stops}."

    @property
    def graph(self) -> Graph | None:
        """The computation graph a `[graph]` scenario steps through; None for a network."""
        model = self.debugger.model
        return model if isinstance(model, Graph) else None

    # --- moves ----------------------------------------------------------------------

    def _arrive(self, forward: bool) -> None:
        d = self.debugger
        self.at_start = d.position == 0 or (not forward and d.position % d.n_ops == 0)
        self._follow_sample()

    def _goto(self, target: int) -> None:
        """The run shown to position `target`. Going forward, it stops at the end of each
        iteration it passes whose figures are not checked yet, and checks them there: a held
        n (taken as one move), e or j would otherwise run past them unseen."""
        d = self.debugger
        if target > d.position:
            for end in sorted(iteration * d.n_ops for iteration in self.unjudged()):
                if d.position <= end < target:  # at `target` itself, `outcomes` judges them when drawn
                    d.goto(end)
                    self.judge_here()
        d.goto(target)

    def go(self, ops: int) -> None:
        """`ops` operations forward (back if negative), as that many n (N) would."""
        self._goto(max(0, self.debugger.position + ops))
        self._arrive(ops > 0)

    def to_boundary(self, key: str, forward: bool) -> None:
        self._goto(self.debugger.boundary(key, forward))
        self._arrive(forward)

    def jump(self, index: int) -> None:
        """To just after op `index` (1 … N) of the iteration shown."""
        d = self.debugger
        before = d.position
        self._goto((self.iteration - 1) * d.n_ops + index)
        self._arrive(d.position >= before)

    def go_to_iteration(self, iteration: int) -> None:
        """To the start of `iteration`: op 0 of it, nothing of it computed yet."""
        self._goto((iteration - 1) * self.debugger.n_ops)
        self._arrive(False)

    def continue_(self, forward: bool) -> Stop:
        """To the next (previous) breakpoint hit, at most to the end (start) of the iteration;
        forward, with a comparison, to its first divergence if that comes first or is further
        on. What stopped it: a breakpoint, the divergence, or neither."""
        d = self.debugger
        if forward:
            divergence = self.divergence()
            limit = (d.position // d.n_ops + 1) * d.n_ops
            if divergence is not None and d.position < divergence:
                limit = divergence
            hit = d.continue_(self.breakpoints, limit)
            stopped: Stop = "breakpoint" if hit else "divergence" if d.position == divergence else None
        else:
            hit = d.reverse_continue(self.breakpoints, max(0, (d.position - 1) // d.n_ops) * d.n_ops)
            stopped = "breakpoint" if hit else None
        self._arrive(forward)
        return stopped

    # --- an implementation's values beside stepnet's (`--compare`) ----------------------

    def divergence(self) -> int | None:
        """Where the first recorded value that differs is compared: just after its last writer."""
        c = self.comparison
        if c is None or c.first is None or self.debugger is not self.original:  # it was recorded on the original
            return None
        return c.position(c.first)

    def recorded(self, name: names.Name) -> tuple[int, list[Entry]]:
        """The iteration whose value of `name` the state holds (as its last writer leaves it)
        and the recorded values of it then compared; (0, []) for none."""
        c = None if self.debugger is not self.original else self.comparison  # it was recorded on the original
        iteration = None if c is None else c.as_of(name, self.debugger.position)
        return (0, []) if c is None or iteration is None else (iteration, c.at(name, iteration))

    def differing(self, name: names.Name, shape: tuple[int, ...]) -> np.ndarray | None:
        """Per element of `name` as the state holds it, whether the recorded value differs;
        None where nothing of it is compared (one array per quantity and iteration)."""
        iteration, entries = self.recorded(name)
        if not entries:
            return None
        key = (name, iteration)
        if key not in self._differing:
            assert self.comparison is not None
            self._differing[key] = self.comparison.differing(name, iteration, shape)
        return self._differing[key]

    def run_ended(self) -> None:
        """After iterations run elsewhere (the training view): at the end of the last, or
        just after the op where a breakpoint stopped them."""
        self._arrive(True)

    def restart(self, edits: bool = True) -> None:
        """To the start: of the run shown; without `edits`, of the scenario as written, the
        what-if edits forgotten."""
        if not edits and self.edited is not None:
            self.edits, self.edited, self.showing_original = (), None, False
            self._changed_runs()
        self.debugger.restart()
        self._arrive(False)

    # --- what-if edits ----------------------------------------------------------------

    def edit(self, edit: Edit) -> None:
        """Set one more value (in place of an earlier edit of it): the edited run is made anew,
        recomputed from its start to where the screen is, and shown."""
        self.edits = (*(e for e in self.edits if not e.same(edit)), edit)
        model, data = what_if.apply(self.scenario.model, self.scenario.data, self.edits)
        self.edited = Debugger(model, data)
        self.showing_original = False
        self._changed_runs()
        self.edited.goto(self.original.position)

    def switch(self) -> None:
        """Show the other run: the original, or the edited one."""
        assert self.edited is not None
        self.catch_up(lambda: False)  # the run to show, where this one is
        self.showing_original = not self.showing_original
        self._changed_runs()

    def _changed_runs(self) -> None:
        self.runs += 1
        self.checked.clear()  # the outcomes seen were another run's

    def edit_of(self, text: str) -> Edit:
        """The value `text` names (an EditError says why it names none), its value as the
        edited run has it (or the scenario)."""
        run = self.edited or self.original
        edit = what_if.parse(text, run.model, run.data, self.glossary, self.iteration)
        return replace(edit, value=what_if.value(run.model, run.data, edit))

    def edit_suggestion(self) -> str:
        """What `=` offers to edit: the selected element, if it is a value that can be; else
        the first the operation reads, or the learning rate."""
        op = self.last_op
        model = self.debugger.model
        allowed = what_if.editable(model)
        if op is not None and op.output in allowed:
            return element(names.text(op.output), self.selected())
        read = next((name for name in op.reads if name in allowed), None) if op else None
        if read is not None:
            return element(names.text(read), (0,) * len(np.shape(self.values[read])))
        return what_if.LEARNING_RATE if model.optimizer is not None and model.trained_parameters() else \
            element(names.text(allowed[0]), (0,) * len(np.shape(model.initial_state()[allowed[0]])))

    def marks(self, name: names.Name, value: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """What the state marks in a value: the elements that differ (from the other run, with
        what-if edits; else from the implementation's recorded values) and those edits set."""
        other = self.other()
        if other is None:
            return self.differing(name, np.shape(value)), None
        rows = self.debugger.data.rows(self.iteration)
        return what_if.differs(value, other.values.get(name)), what_if.marks(self.edits, name, np.shape(value), rows)

    # --- what is shown of the position ----------------------------------------------

    @property
    def iteration(self) -> int:
        d = self.debugger
        return d.iteration + 1 if self.at_start and d.position else d.iteration

    @property
    def index(self) -> int:
        """Ops of the iteration shown performed: 0 … N."""
        return 0 if self.at_start else self.debugger.index

    @property
    def last_op(self) -> Op | None:
        return None if self.at_start else self.debugger.last_op

    @property
    def values(self) -> Values:
        """The state as shown: at the start of an iteration, only what carries over to it
        (its batch op clears the rest)."""
        d = self.debugger
        if not self.at_start or d.position == 0:
            return d.values
        if self._start_values[:2] != (d, d.position):
            kept = set(d.model.state_names())
            self._start_values = (d, d.position, {n: v for n, v in d.values.items() if n in kept})
        return self._start_values[2]

    def computed(self, name: names.Name) -> bool:
        """Whether the iteration shown has computed `name` yet: for what it keeps (a parameter,
        an optimizer's state), whether its update has run."""
        program = self.debugger.program
        if name not in self.values:
            return False
        if name not in program.kept:
            return True
        writer = program.last_writer.get(name)
        return writer is not None and writer < self.index

    @property
    def start_values(self) -> Values:
        """The parameters as the iteration shown started (what its gradients are of)."""
        return self.values if self.at_start else self.debugger.start_parameters

    # --- breakpoints ----------------------------------------------------------------

    @property
    def focus_op(self) -> Op:
        """The operation a breakpoint toggle refers to: the last one, or the next before any."""
        return self.last_op or self.debugger.next_op

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

    def stop(self) -> str:
        """Where a run stopped at a breakpoint, and which: `|delta| < 1e-6 — delta1 in
        iteration 437, op 12` (a breakpoint on an output is its name: said once)."""
        op = self.debugger.last_op
        assert op is not None  # a run stopped after an op
        output = names.text(op.output)
        which = " · ".join(bp.describe() for bp in self.stopped_by() if bp.describe() != output)
        return f"{which + ' — ' if which else ''}{output} in iteration {self.iteration}, op {self.index}"

    def stopped_by(self) -> list[Breakpoint]:
        """The breakpoints the last operation matches (a run stopped there)."""
        op = self.debugger.last_op
        if op is None:
            return []
        value = self.debugger.values[op.output]
        return [bp for bp in self.breakpoints if bp.matches(op, value)]

    # --- the selected element -------------------------------------------------------

    def move(self, rows: int, columns: int) -> None:
        top, right = (n - 1 for n in grid_shape(self.shape()))
        r, c = self.cursor
        self.cursor = (min(max(r + rows, 0), top), min(max(c + columns, 0), right))
        self._follow_sample()
        self.follow_neuron()

    def follow_neuron(self) -> None:
        """The neuron of the selected element, if it is one of a layer's (not on steps: the
        same cursor is another neuron's element in W than in z)."""
        op = self.last_op
        if op is not None and self.neuron is not None:
            self.neuron = neuron_of(op.output, self.selected()) or self.neuron

    def story(self) -> Story | None:
        """The story of the neuron the neuron view tells, from the engine; None for a graph."""
        if self.neuron is None:
            return None
        if self._story is None or (self._story.layer, self._story.unit) != self.neuron:
            self._story = story(self.debugger.program, *self.neuron)
        return self._story

    def shape(self) -> tuple[int, ...]:
        op = self.last_op
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
        return (0, 0) if not index else (0, index[0]) if len(index) == 1 else (index[-2], index[-1])

    def _follow_sample(self) -> None:
        """The selected element's sample, when the last op wrote a quantity with a row per
        sample (a Jacobian's shown matrix is its first sample's)."""
        op = self.last_op
        if op is not None and names.per_sample(self.debugger.program, op.output):
            index = self.selected()
            self.sample = index[0] if len(index) == 2 else 0

    # --- what the engine says about this step ---------------------------------------

    def change(self) -> tuple[names.Name, np.ndarray] | None:
        """The engine's `changed()` for this position, asked once per position."""
        if self.at_start:
            return None
        d = self.debugger
        if self._change[:2] != (d, d.position):
            self._change = (d, d.position, d.changed())
        return self._change[2]

    def explain(self) -> str | None:
        return None if self.at_start else self.debugger.explain(self.selected(), self.digits + 5)

    def outcomes(self) -> dict[int, Outcome | None]:
        """Each expectation (by its place in the scenario) the engine is past: checked now if it
        belongs to this iteration, else as seen in its own (None if it was run past unseen)."""
        d = self.debugger
        now = checkable(d, self.scenario.expectations)
        self.checked.update(now)
        return {i: now.get(i, self.checked.get(i)) for i, e in enumerate(self.scenario.expectations)
                if e.iteration < d.iteration or i in now}
