"""The main screen: its parts, laid out by the stylesheet; keys move the engine, and the new
state flows down to every part as the screen's `moment`.

Each part is a widget of its own (`widgets/`) bound to `moment`; a part's events come up as
messages (`Timeline.Jump`). Steps are coalesced: `n` and `N` only count, and the count is
worked off when the keys already queued have been read, so that holding a key (or a burst
of them) moves the engine once and paints once per frame, not once per key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.notifications import Notification, Notify
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from stepnet import limits
from stepnet.engine.debugger import Fault
from stepnet.engine.edits import Edit
from stepnet.tui import keys, views
from stepnet.tui.screens.breakpoints import BreakpointsScreen
from stepnet.tui.screens.edit import EditDialog, RestartDialog, SaveDialog
from stepnet.tui.screens.gradcheck import GradcheckScreen
from stepnet.tui.screens.iterations import GO_TO, IterationsPrompt
from stepnet.tui.session import Moment, Session
from stepnet.tui.widgets.about import About
from stepnet.tui.widgets.expectations import Expectations
from stepnet.tui.widgets.formula import Formula
from stepnet.tui.widgets.graph import GraphView
from stepnet.tui.widgets.loss import Loss
from stepnet.tui.widgets.network import Network
from stepnet.tui.widgets.neuron import Neuron
from stepnet.tui.widgets.state import State
from stepnet.tui.widgets.status import Status
from stepnet.tui.widgets.timeline import Timeline

NO_EDITS = "No what-if edits yet: = sets a value (a weight, an input, a target, the learning rate)."
MIN_WIDTH, MIN_HEIGHT = 80, 24  # below, the screen shows a message instead of the parts
TOO_SMALL = (f"This terminal is too small for stepnet: make it at least {MIN_WIDTH}×{MIN_HEIGHT}, "
             "or press q to quit.")


class DebuggerScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings()
    AUTO_FOCUS = ""  # none: the arrows select elements; Tab focuses a scrolling panel to scroll it
    # the classes the stylesheet lays the parts out by (stepnet.tcss); typed by Textual's Screen
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-narrow"), (110, "-wide"), (170, "-widest")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-short"), (32, "-tall"), (48, "-taller")]  # noqa: RUF012

    moment: reactive[Moment | None] = reactive(None, repaint=False)  # the parts repaint themselves

    def __init__(self, session: Session, iteration: int | None = None) -> None:
        """`iteration`: where to open, at its start (else at the first)."""
        figures = "-figures" if session.scenario.expectations else "-no-figures"
        super().__init__(classes=figures if session.graph is None else f"{figures} -graph")
        self.session = session
        graph = session.graph is not None
        self._no_neurons = graph and session.view not in views.GRAPH_VIEWS  # --view neuron on a graph
        self._open_at = iteration
        self._view(views.cycled(session.view, 0, graph))
        self._pending = 0  # steps counted (N negative), not taken yet
        self._notices: dict[str, Notification] = {}  # the last notice of each kind that replaces its last

    def compose(self) -> ComposeResult:
        s = self.session
        bound = DebuggerScreen.moment
        yield Status(s, id="status").data_bind(bound)
        yield Timeline(s, id="timeline").data_bind(bound)
        yield Formula(s, id="formula").data_bind(bound)
        if s.graph is None:
            yield Network(s, id="network").data_bind(bound)
        else:
            yield GraphView(s, id="graph").data_bind(bound)
        with Vertical(id="side"):
            yield Loss(s, id="loss").data_bind(bound)
            yield Expectations(s, id="expectations").data_bind(bound)
            yield About(s, id="about")
        yield State(s, id="state").data_bind(bound)
        if s.graph is None:
            yield Neuron(s, id="neuron").data_bind(bound)
        yield Static(TOO_SMALL, id="too-small")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.moment = self.session.moment()
        if self._no_neurons:
            self.notify(views.NO_NEURONS, timeout=8)
        if self._open_at and self._open_at > 1:
            self._run(self.session.go_to_iteration, self._open_at)

    @property
    def fits(self) -> bool:
        return self.size.width >= MIN_WIDTH and self.size.height >= MIN_HEIGHT

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Below the minimum size only a message shows: no key may move the engine unseen
        (quitting and help are the app's actions)."""
        return self.fits

    # --- moves ----------------------------------------------------------------------

    def _refused(self) -> bool:
        if self.session.running:
            self.notify("Still running: wait for the run to finish.", severity="warning", timeout=2)
        return self.session.running

    def _steps(self, ops: int) -> None:
        """Count a step; the count is taken once the keys already queued have been read."""
        if self._refused():
            return
        if self._pending == 0:
            self.call_later(self._take_steps)
        self._pending += ops

    def _take_steps(self) -> None:
        ops, self._pending = self._pending, 0
        if ops:
            self._move(self.session.go, ops)

    def _move(self, move: Callable[..., object], *args: object) -> None:
        if not self._refused():
            self._take_steps()  # steps counted before this key come first
            fault = self.session.debugger.fault
            move(*args)
            self._after(fault)

    def _after(self, fault_before: Fault | None) -> None:
        self.moment = self.session.moment()
        fault = self.session.debugger.fault
        if fault_before is None and fault is not None:
            self.notify(fault.describe(), title="NaN / Inf", severity="error", timeout=10)

    def action_step(self) -> None:
        self._steps(1)

    def action_back(self) -> None:
        self._steps(-1)

    def action_boundary(self, key: str, forward: bool) -> None:
        self._move(self.session.to_boundary, key, forward)

    def action_restart(self) -> None:
        """From the start; with what-if edits, asked whether with them or as written."""
        def restart(edits: bool | None) -> None:
            if edits is not None:
                self._move(self.session.restart, edits)

        if self.session.edited is None:
            self._move(self.session.restart)
        elif not self._refused():
            self._take_steps()
            self.app.push_screen(RestartDialog(), restart)

    # --- what-if edits ----------------------------------------------------------------

    def action_edit(self) -> None:
        """Ask for a value and its new value; the run is recomputed with it from its start."""
        def edit(made: Edit | None) -> None:
            if made is not None:
                names = self.session.glossary.names(made.target, made.index) if made.target is not None else []
                source = f" ({', '.join(names)})" if names else ""
                self.notify(f"{made.where()}{source} = {made.value!r}: recomputed from the start. o switches to the "
                            "original run and back, R restarts, w saves the edits.", title="What if", timeout=6,
                            markup=False)
                self._run(self.session.edit, made)

        if not self._refused():
            self._take_steps()
            self.app.push_screen(EditDialog(self.session), edit)

    def action_switch(self) -> None:
        """The original run, or the edited one: what differs is marked in the state."""
        s = self.session
        if self._nothing(None if s.edited else NO_EDITS):
            return
        self._move(s.switch)
        shown = "the original run (as the scenario is written)" if s.showing_original else "the edited run"
        self.notify(f"Showing {shown}; what differs from the other is marked.", timeout=3)

    def action_save_edits(self) -> None:
        if not self._nothing(None if self.session.edited else NO_EDITS) and not self._refused():
            self._take_steps()
            self.app.push_screen(SaveDialog(self.session))

    def action_view(self, step: int) -> None:
        """The next (previous) view; a graph has no neuron view, and says so once."""
        s = self.session
        view = views.cycled(s.view, step, s.graph is not None)
        if s.graph is not None and views.cycled(s.view, step, False) == "neuron":
            self.notify(views.NO_NEURONS, timeout=6)
        self._move(self._view, view)
        self._replace_notice("View", f"{view} view: {views.VIEWS[view]}", timeout=3)

    def _view(self, view: str) -> None:
        """Lay the parts out as `view` arranges them (stepnet.tcss), from the selected neuron."""
        self.session.view = view
        for name in views.VIEWS:
            self.set_class(name == view, f"-view-{name}")
        if view == "neuron":
            self.session.follow_neuron()

    def action_select(self, rows: int, columns: int) -> None:
        self._move(self.session.move, rows, columns)

    def action_digits(self, change: int) -> None:
        self._move(setattr, self.session, "digits", min(max(self.session.digits + change, 2), 12))

    def action_scroll_state(self, pages: int) -> None:
        state = self.query_one(State)
        (state.scroll_page_down if pages > 0 else state.scroll_page_up)(animate=False)

    def action_blur(self) -> None:
        self.set_focus(None)

    @on(Timeline.Jump)
    def jump(self, message: Timeline.Jump) -> None:
        self._move(self.session.jump, message.index)

    # --- runs that may take a while: a worker thread; moves are refused until it ends

    def _run(self, move: Callable[..., object], *args: object) -> None:
        if not self._refused():
            self._take_steps()
            self.session.running = True
            self.moment = self.session.moment()
            self._worker(move, *args)

    @work(thread=True, exclusive=True, group="run")
    def _worker(self, move: Callable[..., object], *args: object) -> None:
        fault, stopped = self.session.debugger.fault, None
        worker = get_current_worker()
        try:
            stopped = move(*args)
            self.session.catch_up(lambda: worker.is_cancelled)
        finally:
            self.app.call_from_thread(self._run_ended, fault, stopped)

    def _run_ended(self, fault_before: Fault | None, stopped: object) -> None:
        self.session.running = False
        self._after(fault_before)
        if stopped == "breakpoint":
            self._stopped()
        elif stopped == "divergence":
            self._diverged()

    def _stopped(self) -> None:
        """Say which breakpoint stopped the run."""
        self._replace_notice("Stopped at a breakpoint", self.session.stop(), timeout=4)

    def _replace_notice(self, title: str, message: str, timeout: float) -> None:
        """A notice in place of the last with that title: repeated keys do not pile them up."""
        last = self._notices.get(title)
        if last is not None:
            last.timeout = 0  # expired: Textual takes its toast away as the next comes
        self._notices[title] = notice = Notification(message, title=title, timeout=timeout)
        self.app.post_message(Notify(notice))

    def action_go_to(self) -> None:
        """Ask for an iteration, and go to its start (through the fast path)."""
        def go(n: int | None) -> None:
            s = self.session
            work = limits.parameters(s.debugger.model)
            too_much = n and s.scenario.limits.too_much_work("the debugger", work, n, "j")
            if too_much:  # as --iteration N is refused on the command line
                self.notify(too_much, title="Not gone", severity="warning", timeout=8, markup=False)
            elif n:
                self._run(s.go_to_iteration, n)

        if not self._refused():
            self._take_steps()
            self.app.push_screen(IterationsPrompt(GO_TO, limits.MAX_GO_TO_ITERATION, "e.g. 200"), go)

    def _diverged(self) -> None:
        """Say that the run stopped at the first value the implementation's trace differs in."""
        from stepnet.compared import label, verdict

        c = self.session.comparison
        assert c is not None and c.first is not None
        cause = c.first.cause
        words = verdict(c.first) + (f" — {cause.explanation}" if cause and not c.first.inherits_from else "")
        self.notify(f"{label(c.first.record)}: {words}", title="Stopped at the first divergence", severity="warning",
                    timeout=8, markup=False)

    def action_continue_(self, forward: bool) -> None:
        self._run(self.session.continue_, forward)

    def action_iterations(self) -> None:
        def run(n: int | None) -> None:
            if n:
                from stepnet.tui.screens.training import (
                    TrainingScreen,  # plotext: only when needed
                )

                fault = self.session.debugger.fault

                training = TrainingScreen(self.session, n)

                def ended(_: object) -> None:  # the training screen has told the session where the run ended
                    self._after(fault)
                    if training.hit:
                        self._stopped()

                self.app.push_screen(training, ended)

        if self._nothing(self.session.nothing_to_train()) or self._refused():
            return
        self._take_steps()
        self.app.push_screen(IterationsPrompt(), run)

    # --- other screens --------------------------------------------------------------

    def action_toggle_breakpoint(self) -> None:
        def toggle() -> None:
            bp = self.session.toggle_breakpoint()
            on = bp in self.session.breakpoints
            self.notify(f"Breakpoint {'set' if on else 'removed'}: {bp.describe()}", timeout=2)

        self._move(toggle)

    def action_breakpoints(self) -> None:
        def done(_: object) -> None:
            self.moment = self.session.moment()

        if not self._refused():
            self._take_steps()
            self.app.push_screen(BreakpointsScreen(self.session), done)

    def action_gradcheck(self) -> None:
        if not self._nothing(self.session.nothing_to_check()) and not self._refused():
            self._take_steps()
            self.app.push_screen(GradcheckScreen(self.session))

    def _nothing(self, why: str | None) -> bool:
        """Say why a key has nothing to do, if it has not."""
        if why:
            self.notify(why, severity="warning", timeout=6, markup=False)  # [loss] is text
        return why is not None

    def action_screenshot(self) -> None:
        from stepnet.tui.screens.screenshot import ScreenshotDialog

        self._take_steps()
        self.app.push_screen(ScreenshotDialog(self.app.export_screenshot(), self.session))
