"""Many iterations unwatched: progress between chunks and a report every K iterations.

`stepnet train`, the training view and their benchmark all run through `train`, which
trains only through `Debugger.run_iterations` (the fast path) — so afterwards the
debugger can still step back into any of those iterations.

A report evaluates every sample (a forward pass), which costs about S/(3B) iterations at
batches of B of S samples: on 784-64-10 with batches of 32 of 1,797 digits, 19 iterations.
`report_spacing` spaces reports so that evaluations take no more than ~10 % of a run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from stepnet.engine.debugger import Debugger
from stepnet.engine.metrics import Evaluation, batch_gradients, evaluate
from stepnet.engine.program import Program

if TYPE_CHECKING:
    from stepnet.engine.breakpoints import Breakpoint

#: with a progress callback, chunks grow until one takes about this long (seconds): the
#: callback hears often enough for a live bar, and the chunks stay few, since
#: `run_iterations` writes each chunk's last iteration out op by op for the debugger
PROGRESS_INTERVAL = 0.1
#: the share of a run the evaluations of its reports may take, at most
EVALUATION_SHARE = 0.1


class Report(NamedTuple):
    """Where a training run is, every `report_every` iterations."""

    #: iterations completed since the start of the scenario
    iteration: int
    #: the mean of the batch losses of the iterations since the previous report
    batch_loss: float
    #: the parameters after `iteration`: loss and accuracy over the whole data set, and the
    #: gradient norms of iteration `iteration`'s batch
    evaluation: Evaluation
    #: a breakpoint stopped the run here: the debugger is just after the op that hit, maybe
    #: inside iteration `iteration` + 1 (its parameters, and the gradients it has computed)
    stopped: bool = False


def completed(debugger: Debugger) -> int:
    """Iterations completed so far."""
    return debugger.position // debugger.n_ops


def evaluation_cost(program: Program) -> float:
    """What evaluating every sample costs, in iterations: a forward pass over S samples
    against a forward and a backward pass (twice the forward's work) over a batch of B."""
    data = program.data
    return data.samples / (3 * min(data.batch_size, data.samples))


def report_spacing(program: Program, iterations: int, reports: int = 10) -> int:
    """Iterations between two reports for about `reports` reports in `iterations`, but no
    closer than keeps the run's evaluations — one a report, and one after the last iteration,
    which is always reported — within EVALUATION_SHARE of it: then the least 1, 2 or 5 × 10ᵏ
    that does; `iterations` (one report, after the last) where none does."""
    cost = evaluation_cost(program)
    every = max(1, iterations // reports)
    while every < iterations and math.ceil(iterations / every) * cost > EVALUATION_SHARE * iterations:
        every = _round_up(every + 1)
    return min(every, iterations)


def _round_up(n: int) -> int:
    """The least of 1, 2 or 5 × 10ᵏ that is at least `n` (≥ 1)."""
    power = 10 ** (len(str(n)) - 1)
    return next(k * power for k in (1, 2, 5, 10) if k * power >= n)


def train(debugger: Debugger, iterations: int, report_every: int,
          progress: Callable[[int], None] | None = None,
          stop: Callable[[], bool] = lambda: False,
          breakpoints: Sequence[Breakpoint] = (), adaptive: bool = False,
          ends: Collection[int] = (), at_end: Callable[[], None] = lambda: None) -> Iterator[Report]:
    """Run `iterations` more iterations; yield a report after every `report_every` of them
    and after the last. `progress(done)` is called now and then with the iterations run;
    `stop()` is asked before each chunk, and a run it stops ends with a report of where it is.
    With `breakpoints`, the ops are stepped (`Debugger.continue_`) and the first one that hits
    ends the run with a report that says so (`stopped`).

    `adaptive` (for reports that feed a live chart rather than lines to compare): reports
    whose own time exceeds EVALUATION_SHARE of the iterations' come twice as far apart, as
    often as needed — a report's fixed cost, which `report_spacing`'s count of arithmetic does
    not see, outweighs a tiny network's iterations.

    `ends`: iterations (numbered from 1) at whose end the run pauses to call `at_end()`, the
    debugger there — to judge the figures a source states for them, say."""
    if iterations < 1 or report_every < 1:
        raise ValueError("iterations and report_every must be at least 1")
    begin = completed(debugger)
    done = reported = 0
    running = reporting = 0.0  # seconds in the iterations, and in the reports
    chunk = 1 if progress else report_every
    while done < iterations:
        if stop():
            if done > reported:
                yield _report(debugger, begin + reported)
            return
        report_at = min(iterations, (done // report_every + 1) * report_every)
        n = min(chunk, report_at - done, *(end - begin - done for end in ends if end > begin + done))
        started = time.perf_counter()
        if breakpoints:
            if debugger.continue_(breakpoints, (debugger.position // debugger.n_ops + n) * debugger.n_ops):
                yield _report(debugger, begin + reported, stopped=True)
                return
        else:
            debugger.run_iterations(n)
        done += n
        ran = time.perf_counter()
        running += ran - started
        if begin + done in ends:
            at_end()
        if progress:
            progress(done)
            if ran - started < PROGRESS_INTERVAL / 2:
                chunk = max(chunk, 2 * n)
        if done == report_at:
            report = _report(debugger, begin + reported)
            reporting += time.perf_counter() - ran
            yield report
            reported = done
            if adaptive and reporting > EVALUATION_SHARE * running:
                report_every *= 2


def _report(debugger: Debugger, since: int, stopped: bool = False) -> Report:
    """Where the run is, the debugger at the end of an iteration (or where a breakpoint
    stopped it); the batch loss averages the losses after the first `since` iterations."""
    losses = debugger.losses[since:]
    batch_loss = float(np.mean(losses)) if losses else math.nan
    evaluation = evaluate(debugger.program, debugger.parameters(), batch_gradients(debugger.values, debugger.model))
    return Report(completed(debugger), batch_loss, evaluation, stopped)
