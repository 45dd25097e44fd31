"""The `stepnet` command: the debugger on a scenario, and the headless views of the engine.

    stepnet FILE                     the terminal debugger
    stepnet trace FILE               every operation, as text or JSON
    stepnet check FILE               the source's stated figures against the engine
    stepnet gradcheck FILE           backprop against finite differences
    stepnet train FILE               many iterations through the fast path, with reports
    stepnet export FILE              a worked example in Markdown, for a tutorial

Exit status: 0 ok, 1 a check failed, 2 bad input (one message, never a traceback).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from stepnet import __version__
from stepnet import scenario as scenario_file
from stepnet.engine.debugger import Debugger
from stepnet.engine.expect import check as check_expectations
from stepnet.engine.gradcheck import TOLERANCE
from stepnet.engine.notation import compact, formatter
from stepnet.engine.training import train as run_training
from stepnet.errors import ScenarioError
from stepnet.export import markdown as worked_example
from stepnet.files import write_atomically
from stepnet.scenario import MAX_EXPECT_ITERATION, Scenario

COMMANDS = ("trace", "check", "gradcheck", "train", "export")
OK, FAILED, BAD_INPUT, INTERRUPTED = 0, 1, 2, 130


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` (to `high`)."""
    limits = f"at least {low}" if high is None else f"from {low} to {high:,}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected a whole number {limits}, got {value}")
        return value

    return parse


def positive_float(text: str) -> float:
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number above 0, got {text}")
    return value


class _Parser(argparse.ArgumentParser):
    """Reports a mistake in the command line in one line, as every other mistake is."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(BAD_INPUT, f"stepnet: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="stepnet",
        description="Step through backpropagation one operation at a time. "
        "`stepnet FILE` opens the debugger; the subcommands run headless.",
        epilog="Exit status: 0 ok, 1 a check failed, 2 bad input.",
    )
    limits = _Parser(add_help=False)
    limits.add_argument("--max-parameters", type=whole(1), default=scenario_file.MAX_PARAMETERS, metavar="N",
                        help="refuse networks with more parameters (default %(default)s)")
    limits.add_argument("--max-samples", type=whole(1), default=scenario_file.MAX_SAMPLES, metavar="N",
                        help="refuse data sets with more samples (default %(default)s)")
    p.add_argument("--version", action="version", version=f"stepnet {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    t = sub.add_parser("trace", parents=[limits], help="print every operation of N iterations")
    t.add_argument("file")
    t.add_argument("--iterations", "-n", type=whole(1, MAX_EXPECT_ITERATION), default=1, metavar="N")
    t.add_argument("--format", choices=("text", "json"), default="text")
    t.add_argument("--digits", type=whole(1, 17), default=9, help="significant digits in text (default 9)")
    c = sub.add_parser("check", parents=[limits], help="check the scenario's [[expect]] figures")
    c.add_argument("file")
    g = sub.add_parser("gradcheck", parents=[limits], help="compare backprop with finite differences")
    g.add_argument("file")
    g.add_argument("--iteration", type=whole(1, MAX_EXPECT_ITERATION), default=1, metavar="K",
                   help="check at the parameters iteration K starts from (default 1)")
    g.add_argument("--tolerance", type=positive_float, default=TOLERANCE,
                   help="largest relative error accepted, after the rounding allowance (default %(default)g)")
    g.add_argument("--eps", type=positive_float, default=1e-6, help="finite-difference step (default 1e-6)")
    r = sub.add_parser("train", parents=[limits], help="run N iterations headless, reporting loss and accuracy")
    r.add_argument("file")
    r.add_argument("--iterations", "-n", type=whole(1), default=100, metavar="N", help="default %(default)s")
    r.add_argument("--report-every", type=whole(1), metavar="K", help="a summary line every K iterations (default N/10)")
    x = sub.add_parser("export", parents=[limits], help="write N iterations as a worked example")
    x.add_argument("file")
    x.add_argument("--iterations", "-n", type=whole(1, MAX_EXPECT_ITERATION), default=1, metavar="N", help="default %(default)s")
    x.add_argument("--format", choices=("markdown",), default="markdown")
    x.add_argument("--digits", type=whole(1, 17), default=9, help="significant digits (default 9)")
    x.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of standard output")
    x.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    return p


def _debugger_parser() -> argparse.ArgumentParser:
    from stepnet.tui.settings import theme_name  # the debugger's themes

    p = _Parser(prog="stepnet", description="Open the backprop debugger on a scenario.")
    p.add_argument("file", help="a scenario .toml file")
    p.add_argument("--max-parameters", type=whole(1), default=scenario_file.MAX_PARAMETERS, metavar="N")
    p.add_argument("--max-samples", type=whole(1), default=scenario_file.MAX_SAMPLES, metavar="N")
    p.add_argument("--theme", type=theme_name, metavar="NAME",
                   help="the colour theme for this run, e.g. textual-light (a theme chosen in the app is remembered)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if isinstance(sys.stdout, io.TextIOWrapper):  # ✓, σ, ⊙ on a terminal that cannot show them
        sys.stdout.reconfigure(errors="backslashreplace")
    debugger_only = bool(argv) and argv[0] not in COMMANDS and not argv[0].startswith("-")
    parser = _debugger_parser() if debugger_only else _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a mistake already reported in one line
        return int(e.code or 0)
    if debugger_only:
        args.command = None
    elif args.command is None:
        parser.print_help()
        return BAD_INPUT
    try:
        scenario = scenario_file.load(args.file, args.max_parameters, args.max_samples)
    except ScenarioError as e:
        print(f"stepnet: {e}", file=sys.stderr)
        return BAD_INPUT
    if args.command is None:
        from stepnet.tui.app import StepnetApp

        app = StepnetApp(scenario, theme=args.theme)
        app.run()
        return app.return_code or OK  # Textual sets 1 when the app died of an error
    command = {"trace": trace, "check": check, "gradcheck": gradcheck, "train": train, "export": export}
    debugger = scenario.debugger()
    try:
        status = command[args.command](scenario, debugger, args)
    except BrokenPipeError:  # `stepnet trace … | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except KeyboardInterrupt:
        print("stepnet: interrupted", file=sys.stderr)
        return INTERRUPTED
    if debugger.fault:
        print(f"warning: {debugger.fault.describe()}", file=sys.stderr)
    return status


def _jsonable(value: np.ndarray | float) -> object:
    """Nested lists of floats; NaN and ±Inf as the strings "nan", "inf", "-inf"."""
    arr = np.asarray(value, dtype=float)
    return arr.tolist() if np.isfinite(arr).all() else _strings(arr.tolist())


def _strings(v: object) -> object:
    if isinstance(v, list):
        return [_strings(x) for x in v]
    return v if np.isfinite(v) else str(v)


def trace(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    fmt = formatter(args.digits)
    steps = []
    for _ in range(args.iterations * d.n_ops):
        op = d.step()
        value = d.values[op.output]
        if args.format == "json":
            steps.append({"index": d.position, "iteration": d.iteration, "phase": op.phase,
                          "layer": op.layer, "output": op.output, "formula": op.formula,
                          "value": _jsonable(value)})
        else:
            layer = f"L{op.layer}" if op.layer is not None else "  "
            print(f"{d.position:>5}  it {d.iteration:<3} {op.phase:<8} {layer:<3} {op.formula}")
            print(f"{'':>22}→ {compact(value, fmt)}")
    if args.format == "json":
        final = {name: _jsonable(v) for name, v in d.parameters().items()}
        json.dump({"title": scenario.title, "steps": steps, "final": final}, sys.stdout)
        print()
    return OK


def check(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    if not scenario.expectations:
        print(f"{scenario.path}: no [[expect]] figures to check")
        return OK
    fmt = formatter(12)
    outcomes = check_expectations(d, scenario.expectations)
    print(scenario.title)
    for o in outcomes:
        e = o.expectation
        mark = "✓" if o.ok else "✗"
        print(f"{mark} {e.label:<28} stated {compact(e.value, fmt)}  computed {compact(o.computed, fmt)}  "
              f"|Δ| = {o.error:.2e} {'≤' if o.ok else '>'} {e.tolerance:g}")
    failed = sum(not o.ok for o in outcomes)
    print(f"{len(outcomes) - failed} of {len(outcomes)} figures confirmed" + (f", {failed} contradicted" if failed else ""))
    return FAILED if failed else OK


def gradcheck(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    d.goto((args.iteration - 1) * d.n_ops + 1)  # into iteration K: its batch is loaded
    results = d.gradient_check(eps=args.eps)
    print(f"{scenario.title}: gradient check at the start of iteration {args.iteration} "
          f"(central differences, ε = {args.eps:g})")
    print(f"{'':2}{'parameter':<10} {'checked':>12} {'max rel. error':>15} {'beyond rounding':>16} "
          f"{'worst element':>14} {'numeric':>14} {'backprop':>14}")
    bad = 0
    for r in results:
        ok = r.passes(args.tolerance)
        bad += not ok
        index = "[" + ",".join(map(str, r.worst_index)) + "]"
        print(f"{'✓' if ok else '✗'} {r.name:<10} {f'{r.checked}/{r.size}':>12} {r.relative_error:>15.2e} "
              f"{r.excess_error:>16.2e} {index:>14} {r.numeric:>14.6e} {r.backprop:>14.6e}")
    print(f"{len(results) - bad} of {len(results)} parameters within relative error {args.tolerance:g} "
          f"beyond the rounding error of the finite differences (8·ε·max(1, |J|)/h)")
    return FAILED if bad else OK


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr when it is a terminal (lines printed meanwhile go above it)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("training", total=total)
        yield lambda done: bar.update(task, completed=done)


def train(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    every = args.report_every if args.report_every is not None else max(1, args.iterations // 10)
    data = scenario.data
    weights = [name for name in scenario.model.parameter_names() if name.startswith("W")]
    print(f"{scenario.title}: {args.iterations:,} iterations, batches of {data.batch_size:,} "
          f"of {data.samples:,} samples")
    print("batch loss: the mean of the iterations' losses since the line before, each before its "
          "update;\nloss, accuracy, ‖∂J/∂W‖: over all samples, with the parameters after the iteration")
    header = f"{'iteration':>9}  {'batch loss':>10}  {'loss':>10}  {'accuracy':>8}"
    print(header + "".join(f"  {'‖∂J/∂' + name + '‖':>10}" for name in weights))
    last = None
    with _progress_bar(args.iterations) as progress:
        for report in run_training(d, args.iterations, every, progress):
            e = report.evaluation
            print(f"{report.iteration:>9}  {report.batch_loss:>10.6g}  {e.loss:>10.6g}  {_percent(e.accuracy):>8}"
                  + "".join(f"  {e.gradient_norms[name]:>10.3e}" for name in weights))
            last = report
    e = last.evaluation
    accuracy = "" if e.accuracy is None else (
        f", accuracy {_percent(e.accuracy)} ({round(e.accuracy * data.samples):,} of {data.samples:,} samples)")
    print(f"final after {last.iteration} iterations: loss {e.loss:.6g}{accuracy}")
    return OK


def _percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{100 * fraction:.2f} %"


def export(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    if args.output and os.path.lexists(args.output) and not args.force:
        print(f"stepnet: {args.output} already exists; add --force to overwrite it", file=sys.stderr)
        return BAD_INPUT
    text = worked_example(scenario, args.iterations, args.digits, d)
    if not args.output:
        sys.stdout.write(text)
        return OK
    try:
        write_atomically(args.output, text, overwrite=args.force)
    except FileExistsError:
        print(f"stepnet: {args.output} already exists; add --force to overwrite it", file=sys.stderr)
        return BAD_INPUT
    except OSError as e:
        print(f"stepnet: cannot write {args.output}: {e.strerror or e}", file=sys.stderr)
        return BAD_INPUT
    return OK
