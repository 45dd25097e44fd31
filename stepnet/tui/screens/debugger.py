"""The main screen: every key moves the engine, then each part is shown the new state."""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen

from stepnet.engine.debugger import Fault
from stepnet.tui import keys
from stepnet.tui.screens.breakpoints import BreakpointsScreen
from stepnet.tui.screens.gradcheck import GradcheckScreen
from stepnet.tui.screens.iterations import IterationsPrompt
from stepnet.tui.parts.timeline import Timeline
from stepnet.tui.session import Session
from stepnet.tui.widgets.board import Board, fits


class DebuggerScreen(Screen):
    BINDINGS = keys.bindings()
    BLANK = True  # the board covers it: Textual need not render the screen's own lines under it

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.busy = False  # a long run is in a worker thread: the engine is not to be touched

    def compose(self) -> ComposeResult:
        # the whole screen, keys included, is one widget: see widgets/board.py
        self.board = Board(self.session, id="board")
        yield self.board

    def on_mount(self) -> None:
        self.sync()

    def sync(self) -> None:
        """Show every part the engine's current state; the board repaints what changed."""
        self.board.sync()

    # --- moves ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Below the minimum size the board shows only a message: no key may move the engine
        unseen (quitting is the app's action, help the app's too)."""
        return fits(self.size)

    def _refused(self) -> bool:
        if self.busy:
            self.notify("Still running: wait for the run to finish.", severity="warning", timeout=2)
        return self.busy

    def _move(self, move: Callable[..., object], *args: object) -> None:
        if not self._refused():
            fault = self.session.debugger.fault
            move(*args)
            self._after(fault)

    def _after(self, fault_before: Fault | None) -> None:
        self.sync()
        fault = self.session.debugger.fault
        if fault_before is None and fault is not None:
            self.notify(fault.describe(), title="NaN / Inf", severity="error", timeout=10)

    def action_step(self) -> None:
        self._move(self.session.step)

    def action_back(self) -> None:
        self._move(self.session.back)

    def action_boundary(self, key: str, forward: bool) -> None:
        self._move(self.session.to_boundary, key, forward)

    def action_restart(self) -> None:
        self._move(self.session.restart)

    def action_select(self, rows: int, columns: int) -> None:
        if self._refused():  # a run is changing the engine: the screen shows it when it ends
            return
        self.session.move(rows, columns)
        self.sync()

    def action_scroll_state(self, pages: int) -> None:
        state = self.board.state
        self.board.scroll_part(state, pages * state.size.height)

    def action_digits(self, change: int) -> None:
        if self._refused():
            return
        self.session.digits = min(max(self.session.digits + change, 2), 12)
        self.sync()

    @on(Timeline.Jump)
    def jump(self, message: Timeline.Jump) -> None:
        d = self.session.debugger
        start = (d.iteration - 1) * d.n_ops if d.position else 0
        self._move(d.goto, start + message.index)

    # --- runs that may take a while: a worker thread; moves are refused until it ends

    def _run(self, move: Callable[..., object], *args: object) -> None:
        if not self._refused():
            self.busy = True
            self.board.sync("  running…  (other keys wait until it ends; q quits)")
            self._worker(move, *args)

    @work(thread=True, exclusive=True, group="run")
    def _worker(self, move: Callable[..., object], *args: object) -> None:
        fault, stopped = self.session.debugger.fault, None
        try:
            stopped = move(*args)
        finally:
            self.app.call_from_thread(self._run_ended, fault, stopped)

    def _run_ended(self, fault_before: Fault | None, stopped: object) -> None:
        self.busy = False
        self._after(fault_before)
        if stopped is True:
            op = self.session.debugger.last_op
            self.notify(f"Stopped at a breakpoint: {op.output}", timeout=3)

    def action_continue_(self, forward: bool) -> None:
        self._run(self.session.continue_, forward)

    def action_iterations(self) -> None:
        def run(n: int | None) -> None:
            if n:
                from stepnet.tui.screens.training import TrainingScreen  # plotext: only when needed

                fault = self.session.debugger.fault
                self.app.push_screen(TrainingScreen(self.session, n), lambda _: self._after(fault))

        if not self._refused():
            self.app.push_screen(IterationsPrompt(), run)

    # --- other screens --------------------------------------------------------------

    def action_toggle_breakpoint(self) -> None:
        if self._refused():
            return
        bp = self.session.toggle_breakpoint()
        on = bp in self.session.breakpoints
        self.notify(f"Breakpoint {'set' if on else 'removed'}: {bp.describe()}", timeout=2)
        self.sync()

    def action_breakpoints(self) -> None:
        def done(_: object) -> None:
            self.sync()

        if not self._refused():
            self.app.push_screen(BreakpointsScreen(self.session), done)

    def action_gradcheck(self) -> None:
        if not self._refused():
            self.app.push_screen(GradcheckScreen(self.session))
