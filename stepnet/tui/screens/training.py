"""`i`: N iterations through the fast path, watched as live curves; any key pauses.

The run happens in a worker thread, through `stepnet.engine.training.train` (the same
code `stepnet train` runs). Each report (every ~1/40 of the run, or fewer where evaluating
every sample would take over ~10 % of the run: `report_spacing`, and the view's reports
spaced further while they take over ~10 % of its time) brings the loss and, for
classification, the accuracy over the whole data set, and each layer's ‖∂J/∂W‖ of the
gradient the iteration applied (a graph's: each trained leaf's |∂J/∂θ|); between reports,
progress updates bring the batch losses so far. The worker only records
them — it never waits for the screen — and a timer draws the latest a few times a second.
Pausing keeps every iteration done: stepping resumes from there.
"""

from __future__ import annotations

import math
from typing import Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Key
from textual.widgets import ProgressBar, Static
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from stepnet.engine.metrics import is_classification
from stepnet.engine.training import Report, completed, report_spacing, train
from stepnet.tui import names
from stepnet.tui.screens.dialog import ClosesOnce
from stepnet.tui.session import Session

#: reports per run: each evaluates the whole data set, so they are kept few
REPORTS = 40
#: points drawn of the batch-loss curve at most (every k-th iteration beyond that)
MAX_POINTS = 400
#: seconds between two redraws of the curves
REDRAW = 0.25


def plot(plt: Any, xs: list[int], ys: list[float], log: bool = False, **options: object) -> bool:
    """Plot the points plotext can draw, if any: NaN and ±Inf (a diverged run) are left out,
    and with `log` zero too (a layer that gets no gradient). plotext crashes on those. With
    `log` the points are log10(y) on a linear axis: plotext's own log axis takes the log
    again on every redraw (a theme switch, a resize) and crashes. Whether anything was
    plotted."""
    points = [(x, math.log10(y) if log else y) for x, y in zip(xs, ys) if math.isfinite(y) and (y > 0 or not log)]
    if points:
        plt.plot([x for x, _ in points], [y for _, y in points], **options)
    return bool(points)


def spans_decades(values: list[float]) -> bool:
    """Whether positive finite values span more than two powers of ten: a log axis then."""
    shown = [v for v in values if math.isfinite(v) and v > 0]
    return bool(shown) and max(shown) > 100 * min(shown)


def y_axis(plt: Any, values: list[float], log: bool) -> None:
    """Short tick labels, whatever the size of the figures (full decimals of 1e190 took the
    plot's whole width): powers of ten on a log axis, at most six of them; else five
    evenly spaced ticks with three significant digits."""
    shown = [v for v in values if math.isfinite(v) and (v > 0 or not log)]
    if not shown:
        return
    if log:
        bottom, top = math.floor(math.log10(min(shown))), math.ceil(math.log10(max(shown)))
        ticks = list(range(bottom, top + 1, max(1, -(-(top - bottom) // 5))))
        plt.ylim(bottom, max(top, bottom + 1))  # plotext leaves out ticks beyond the data
        plt.yticks(ticks, [f"1e{k}" for k in ticks])
    else:
        low, high = min(shown), max(shown)
        spaced = [low + (high - low) * k / 4 for k in range(5)] if high > low else [low]
        plt.yticks(spaced, [f"{t:.3g}" for t in spaced])


def first_non_finite(values: list[float], first: int) -> int | None:
    """The iteration (counted from `first`) of the first NaN or Inf, if any."""
    return next((first + i for i, v in enumerate(values) if not math.isfinite(v)), None)


class TrainingScreen(ClosesOnce[None]):
    """Runs `iterations` iterations of the session's debugger and plots them as they come."""

    DEFAULT_CSS = """
    TrainingScreen {
        #training { padding: 0 1; }
        #training-title { height: 1; }
        #training-progress { height: 1; margin: 1 0; }
        #training-curves { height: 1fr; }
        #norm-curves { height: 1fr; }
        #training-state { height: auto; background: $boost; }
    }
    """

    def __init__(self, session: Session, iterations: int) -> None:
        super().__init__()
        self.session = session
        self.iterations = iterations
        d = session.debugger
        self.start = completed(d)
        self.classifying = is_classification(d.model, d.data.targets)
        self.norms, self.weights = names.plotted_gradients(d.model)
        self.reports: list[Report] = []
        self.running = True
        # written by the worker, read by the redraw timer: iterations done and batch losses
        self._progress: tuple[int, list[float]] = (0, [])
        self._drawn: tuple[int, int] = (0, 0)

    def compose(self) -> ComposeResult:
        with Vertical(id="training"):
            yield Static(Content.from_markup(  # the title as text: `[b]` in it is not markup
                f"[b]Training[/b] iterations {self.start + 1:,}–{self.start + self.iterations:,} — $title",
                title=self.session.scenario.title), id="training-title")
            yield ProgressBar(total=self.iterations, show_eta=True, id="training-progress")
            with Horizontal(id="training-curves"):
                yield PlotextPlot(id="loss-curve")
                if self.classifying:
                    yield PlotextPlot(id="accuracy-curve")
            yield PlotextPlot(id="norm-curves")
            yield Static("running — any key or esc pauses", id="training-state")

    def on_mount(self) -> None:
        self._run()
        self.set_interval(REDRAW, self._draw)

    @work(thread=True, exclusive=True, group="training")
    def _run(self) -> None:
        d = self.session.debugger
        worker = get_current_worker()

        def progress(done: int) -> None:
            self._progress = (done, d.losses[self.start:])

        s = self.session
        try:
            for report in train(d, self.iterations, report_spacing(d.program, self.iterations, REPORTS), progress,
                                stop=lambda: worker.is_cancelled, breakpoints=s.breakpoints, adaptive=True,
                                ends=s.unjudged(), at_end=s.judge_here):  # the figures stated, judged as it passes
                self.reports.append(report)
            s.catch_up(lambda: worker.is_cancelled)
        finally:
            self.app.call_from_thread(self._stopped, worker.is_cancelled)

    # --- drawing what the run reports -----------------------------------------------

    def _draw(self) -> None:
        """The curves as the worker last recorded them, if anything is new."""
        done, losses = self._progress
        if (done, len(self.reports)) == self._drawn:
            return
        self._drawn = (done, len(self.reports))
        self._draw_losses(done, losses)
        if self.reports:
            self._draw_reports()

    def _draw_losses(self, done: int, losses: list[float]) -> None:
        self.query_one(ProgressBar).update(progress=done)
        stride = max(1, len(losses) // MAX_POINTS)
        curves = self.query_one("#loss-curve", PlotextPlot)
        first = self.start + 1
        overall = [r.evaluation.loss for r in self.reports]
        log = spans_decades(losses + overall)
        title = f"loss{' (log)' if log else ''}: ── batch · • all samples"
        broke = first_non_finite(losses, first)
        if broke is not None:
            title += f" · NaN/Inf from iteration {broke:,} left out"
        plt = self._clear(curves, title)
        plotted = plot(plt, list(range(first, first + len(losses), stride)), losses[::stride], log=log)
        plotted = plot(plt, [r.iteration for r in self.reports], overall, log=log, marker="•") or plotted
        if not plotted and broke is not None:
            plt.title(f"loss: NaN or Inf from iteration {broke:,} on, nothing finite to plot")
        y_axis(plt, losses + overall, log)
        curves.refresh()

    def _clear(self, widget: PlotextPlot, title: str) -> Any:
        """The widget's plotext, emptied, titled, over the whole run's iterations (so that the
        curves of all plots line up)."""
        plt = widget.plt
        plt.clear_data()
        plt.title(title)
        first, last = self.start + 1, self.start + max(self.iterations, 2)
        plt.xlim(first, last)
        plt.xticks(sorted({round(first + (last - first) * k / 4) for k in range(5)}))  # whole iterations
        return plt

    def _draw_reports(self) -> None:
        iterations = [r.iteration for r in self.reports]
        if self.classifying:
            accuracy = self.query_one("#accuracy-curve", PlotextPlot)
            shares = [r.evaluation.accuracy or 0.0 for r in self.reports]  # computed: classifying
            plt = self._clear(accuracy, f"accuracy over all samples: {100 * shares[-1]:.1f} %")
            plot(plt, iterations, [100 * share for share in shares])
            plt.ylim(0, 100)  # a share of the samples: never past 100 %
            plt.yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
            accuracy.refresh()
        norms = self.query_one("#norm-curves", PlotextPlot)
        # no legend inside the plot (it covered the curves): each curve is drawn with its layer's number
        plt = self._clear(norms, f"{self.norms}, of its batch, drawn with its number (log; zeros left out)")
        # a run a breakpoint stopped inside the backward pass has not computed every gradient
        series = [[r.evaluation.gradient_norms.get(name, math.nan) for r in self.reports] for name in self.weights]
        plotted = [plot(plt, iterations, ys, log=True, marker=str(layer % 10)) for layer, ys in enumerate(series, 1)]
        if not any(plotted):
            plt.title(f"{self.norms}: NaN, Inf or 0, nothing to plot on a log scale")
        y_axis(plt, [y for ys in series for y in ys], log=True)
        norms.refresh()

    def _stopped(self, paused: bool) -> None:
        self.running = False
        self.session.run_ended()  # where the run ended, as the session shows it
        self._draw()
        self.query_one("#eta").display = False  # no time left to tell
        d = self.session.debugger
        done = completed(d) - self.start
        what = f"paused after {done:,} of {self.iterations:,} iterations" if paused else f"done: {done:,} iterations"
        if self.reports and self.reports[-1].stopped:
            what = f"[b]stopped at a breakpoint[/b]: {escape(self.session.stop())}"
        fault = f" — [red]{d.fault.describe()}[/]" if d.fault else ""
        self.query_one("#training-state", Static).update(
            f"{what}{fault}. Any key returns to stepping, from iteration {self.session.iteration:,}.")

    @property
    def hit(self) -> bool:
        """Whether a breakpoint stopped the run."""
        return bool(self.reports) and self.reports[-1].stopped

    # --- keys: any key pauses a run, then any key returns ----------------------------

    def on_key(self, event: Key) -> None:
        event.stop()
        if self.running:
            self.workers.cancel_group(self, "training")
            self.query_one("#training-state", Static).update("pausing after the current chunk…")
        else:
            self.dismiss(None)
