"""The `stepnet` command: the debugger on a scenario, and the headless views of the engine.

    stepnet                          a picker of the bundled examples, then the debugger
    stepnet FILE | NAME              the terminal debugger on a file or a bundled example
    stepnet examples                 the bundled examples: name, title and one line each
    stepnet trace FILE               every operation, as text or JSON
    stepnet check FILE               the source's stated figures against the engine
    stepnet gradcheck FILE           backprop against finite differences
    stepnet train FILE               many iterations through the fast path, with reports
    stepnet export FILE              a worked example, an exercise or its key: Markdown, notebook, HTML, LaTeX
    stepnet compare FILE TRACE       your implementation's numbers against stepnet's

Exit status: 0 ok, 1 a check failed, 2 bad input (one message, never a traceback).

`stepnet --version` and `--help` import neither NumPy, the engine nor Textual: each command
imports what it uses when it runs, and the parser is given only the arguments of the
command named (their defaults are the engine's limits).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from stepnet import __version__

if TYPE_CHECKING:
    import numpy as np

    from stepnet.engine.comparison import Comparison
    from stepnet.engine.debugger import Debugger
    from stepnet.engine.judge import Findings
    from stepnet.engine.program import Program
    from stepnet.errors import ScenarioError
    from stepnet.limits import Limits
    from stepnet.scenario import Scenario

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


def _finite(text: str, zero: bool) -> float:
    """A finite number above 0, or (`zero`) 0 or more, or an argparse error."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not ((value >= 0 if zero else value > 0) and value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number {'0 or more' if zero else 'above 0'}, got {text}")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a finite number above 0."""
    return _finite(text, zero=False)


def non_negative_float(text: str) -> float:
    """An argparse type: a finite number, 0 or more."""
    return _finite(text, zero=True)


def _help_formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's help formatter at the terminal's width, found as shutil finds it (COLUMNS,
    else the terminal's, else 80). Left to find it, each formatter imports shutil — and with
    it bz2 and lzma, 1.5 ms of every command's start — and argparse makes one per argument
    it is given, not only to print the help."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):  # not a terminal, closed, or not a file at all
            columns = 0
    return argparse.HelpFormatter(prog, width=(columns or 80) - 2)


class _Parser(argparse.ArgumentParser):
    """Reports a mistake in the command line in one line, as every other mistake is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _help_formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(BAD_INPUT, f"stepnet: {message} (see `{self.prog} --help`)\n")


# --- the arguments of each command ------------------------------------------------------

def _scenario_arguments(p: argparse.ArgumentParser) -> None:
    """FILE, and the limits that every command on a scenario takes (`--max-parameters N`, …)."""
    from stepnet.limits import LIMITS, Limits

    p.add_argument("file", metavar="FILE",
                   help="a scenario .toml file, or the name of a bundled example (`stepnet examples` lists them)")
    for limit in LIMITS:
        p.add_argument(Limits.flag(limit.name), type=whole(1), default=limit.default, metavar="N",
                       dest=f"max_{limit.name}", help=f"{limit.metadata['help']} (default %(default)s)")


def _limits(args: argparse.Namespace) -> Limits:
    """The limits the command line sets."""
    from stepnet.limits import LIMITS, Limits

    return Limits(**{limit.name: getattr(args, f"max_{limit.name}") for limit in LIMITS})


def _iterations(p: argparse.ArgumentParser, default: int, what: str) -> None:
    from stepnet.scenario import MAX_EXPECT_ITERATION

    p.add_argument("--iterations", "-n", type=whole(1, MAX_EXPECT_ITERATION), default=default, metavar="N",
                   help=f"{what} (default %(default)s)")


def _digits(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--digits", type=whole(1, 17), default=9, metavar="D",
                   help=f"significant digits {what} (default %(default)s)")


def _trace_arguments(p: argparse.ArgumentParser) -> None:
    _scenario_arguments(p)
    _iterations(p, 1, "how many iterations to trace")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: a line per operation, large values shortened; json: every value in full, "
                   "non-finite numbers as \"nan\", \"inf\", \"-inf\" (default %(default)s)")
    _digits(p, "of the values in text")


def _check_arguments(p: argparse.ArgumentParser) -> None:
    _scenario_arguments(p)
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: a line per figure, and the cause of each contradicted one; json: {\"title\", "
                   "\"figures\": [{\"name\", \"quantity\", \"index\", \"iteration\", \"stated\", \"computed\", "
                   "\"tolerance\", \"ok\", \"cause\", \"inherits_from\"}], \"confirmed\", \"contradicted\"} "
                   "(default %(default)s)")


def _gradcheck_arguments(p: argparse.ArgumentParser) -> None:
    from stepnet.engine.gradcheck import TOLERANCE
    from stepnet.scenario import MAX_EXPECT_ITERATION

    _scenario_arguments(p)
    p.add_argument("--iteration", type=whole(1, MAX_EXPECT_ITERATION), default=1, metavar="K",
                   help="check at the parameters iteration K starts from (default %(default)s)")
    p.add_argument("--tolerance", type=positive_float, default=TOLERANCE, metavar="T",
                   help="largest relative error accepted, after the rounding allowance (default %(default)g)")
    p.add_argument("--eps", type=positive_float, default=1e-6, metavar="E",
                   help="finite-difference step (default %(default)g)")


def _train_arguments(p: argparse.ArgumentParser) -> None:
    _scenario_arguments(p)
    p.add_argument("--iterations", "-n", type=whole(1), default=100, metavar="N",
                   help="how many iterations to run (default %(default)s)")
    p.add_argument("--report-every", type=whole(1), metavar="K",
                   help="a summary line every K iterations (default N/10, or less often where evaluating "
                   "all samples would take more than ~10 %% of the run)")


def _export_arguments(p: argparse.ArgumentParser) -> None:
    from stepnet.scenario import MAX_EXPECT_ITERATION

    _scenario_arguments(p)
    iterations = p.add_mutually_exclusive_group()
    iterations.add_argument("--iterations", "-n", type=whole(1, MAX_EXPECT_ITERATION), metavar="N",
                            help="write out iterations 1 to N (default 1)")
    iterations.add_argument("--iteration", type=whole(1, MAX_EXPECT_ITERATION), metavar="K",
                            help="write out iteration K alone, from the state it starts from; with --op or --neuron, "
                            "the iteration they are taken from (default 1)")
    part = p.add_mutually_exclusive_group()
    part.add_argument("--op", metavar="NAME",
                      help="one operation only: the quantity it writes (delta2, or the source's name for it) or its "
                      "number in the iteration (1 … N)")
    part.add_argument("--neuron", metavar="L:J",
                      help="neuron J (from 0) of layer L (from 1) only: its inputs × weights and their products, z, a, "
                      "f′(z), δ, and each incoming weight's gradient and update")
    p.add_argument("--format", choices=("markdown", "notebook", "html", "latex"),
                   help="markdown: LaTeX formulas in $$…$$; notebook: Jupyter, each step recomputed in NumPy (needs "
                   "stepnet[notebook]); html: one page, typeset by KaTeX from its CDN; latex: a .tex document "
                   "(default: by OUT's extension, .md .ipynb .html .tex, else markdown)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--exercise", action="store_true",
                      help="leave the results --blank names blank (▢) for students, and what is computed from them")
    mode.add_argument("--answers", action="store_true",
                      help="the answer key to that exercise: exactly the results it leaves blank")
    p.add_argument("--blank", metavar="WHAT",
                   help="with --exercise or --answers, what to leave blank, separated by commas: phases (forward, "
                   "loss, backward, update), kinds of operation (delta, grad_W, …) or quantities (a1, delta2, W1, "
                   "or the source's names) (default: backward; with --op, that operation)")
    _digits(p, "of the values")
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of standard output")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    _scenario_arguments(p)
    p.add_argument("trace", metavar="TRACE",
                   help="your implementation's numbers: an .npz of arrays named NAME@ITERATION (z1@1, delta2@1, "
                   "W1@1 = W1 after iteration 1's update), as stepnet.record.Recorder writes, or the JSON of "
                   "`stepnet trace`")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: a line per recorded value, then the first divergence written out; json: {\"title\", "
                   "\"quantities\": [{\"name\", \"iteration\", \"ok\", \"max_abs_diff\", \"cause\", "
                   "\"inherits_from\"}], \"first\": {\"name\", \"iteration\", \"cause\"} or null} "
                   "(default %(default)s)")
    _tolerances(p)
    _digits(p, "of the values written out")


def _tolerances(p: argparse.ArgumentParser) -> None:
    """--rtol and --atol of a comparison with an implementation's trace."""
    from stepnet.engine.comparison import Tolerance

    p.add_argument("--rtol", type=non_negative_float, default=Tolerance.rtol, metavar="R",
                   help="relative tolerance: an element agrees when |yours − stepnet's| ≤ atol + rtol·|stepnet's| "
                   "(default %(default)g)")
    p.add_argument("--atol", type=non_negative_float, default=Tolerance.atol, metavar="A",
                   help="absolute tolerance (default %(default)g)")


#: each command: what it does (for `--help`), and a function that adds its arguments
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "examples": ("list the bundled examples: name, title and one line each", lambda p: None),
    "trace": ("print every operation of N iterations: its formula and value", _trace_arguments),
    "check": ("check the scenario's [[expect]] figures, and say why one is wrong", _check_arguments),
    "gradcheck": ("compare backprop's gradients with finite differences", _gradcheck_arguments),
    "train": ("run N iterations headless, reporting loss and accuracy", _train_arguments),
    "export": ("write a worked example, or an exercise and its answer key, for a tutorial or a class",
               _export_arguments),
    "compare": ("compare your implementation's recorded numbers with stepnet's, and find the first mistake",
                _compare_arguments),
}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line, with `command` and its arguments only: the other commands are not
    needed to parse it (nor their defaults, which come from the engine, imported for them);
    every command, without its arguments, when `command` names none (for `--help`)."""
    p = _Parser(
        prog="stepnet",
        usage="%(prog)s [FILE | NAME] [--view NAME] [--iteration N] [--compare TRACE] [options]\n"
              "       %(prog)s COMMAND [FILE | NAME] [options]\n"
              "       %(prog)s FILE --help, %(prog)s COMMAND --help: every option",
        description="Step through backpropagation one operation at a time. `stepnet FILE` opens the "
        "debugger on a scenario file, `stepnet NAME` on a bundled example, `stepnet` alone on one "
        "picked from the examples; the commands run headless.",
        epilog="Exit status: 0 ok, 1 a check failed, 2 bad input.",
    )
    p.add_argument("--version", action="version", version=f"stepnet {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", prog="stepnet")
    for name, (summary, arguments) in COMMANDS.items():
        if command in COMMANDS and name != command:
            continue
        parser = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
        if name == command:
            arguments(parser)
    return p


def _debugger_parser() -> argparse.ArgumentParser:
    from stepnet import limits
    from stepnet.tui.settings import theme_name  # the debugger's themes
    from stepnet.tui.views import VIEWS, view_name

    p = _Parser(prog="stepnet", description="Open the backprop debugger on a scenario "
                "(`stepnet` alone: on one picked from the bundled examples).")
    _scenario_arguments(p)
    p.add_argument("--theme", type=theme_name, metavar="NAME",
                   help="the colour theme for this run, e.g. textual-light (a theme chosen in the app is remembered)")
    p.add_argument("--iteration", type=whole(1, limits.MAX_GO_TO_ITERATION), metavar="N",
                   help="open at the start of iteration N (the ones before it run through the fast path)")
    p.add_argument("--compare", metavar="TRACE",
                   help="your implementation's recorded numbers (as `stepnet compare` takes them) beside stepnet's: "
                   "in the formula, the differing cells marked in the state, and c stops at the first divergence")
    _tolerances(p)
    p.add_argument("--view", type=view_name, default="full", metavar="NAME",
                   help="the view it opens in (v cycles through them): "
                   + "; ".join(f"{name}: {what}" for name, what in VIEWS.items()) + " (default %(default)s)")
    return p


def _unknown_command(word: str) -> str | None:
    """`stepnet chek …`: the message for a first word close to a command that names no file
    or example, else None."""
    from stepnet import bundled
    from stepnet.errors import ScenarioError
    from stepnet.fields import did_you_mean

    try:
        bundled.resolve(word)
    except ScenarioError:
        hint = did_you_mean(word, COMMANDS)
        return f"stepnet: unknown command {word!r}{hint}" if hint else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if isinstance(sys.stdout, io.TextIOWrapper):  # ✓, σ, ⊙ on a terminal that cannot show them
        sys.stdout.reconfigure(errors="backslashreplace")
    if not argv and sys.stdin.isatty() and sys.stdout.isatty():
        return _debug(None)  # the picker of examples
    debugger_only = bool(argv) and argv[0] not in COMMANDS and not argv[0].startswith("-")
    if debugger_only and (mistake := _unknown_command(argv[0])):
        print(mistake, file=sys.stderr)
        return BAD_INPUT
    parser = _debugger_parser() if debugger_only else _parser(argv[0] if argv else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a mistake already reported in one line
        return int(e.code or 0)
    if debugger_only:
        args.command = None
    elif args.command is None:  # no terminal for the picker, or options alone
        parser.print_help()
        return BAD_INPUT
    try:
        return _run(args)
    except BrokenPipeError:  # `stepnet trace … | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except KeyboardInterrupt:
        print("stepnet: interrupted", file=sys.stderr)
        return INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    """The command named, or the debugger, on the scenario named."""
    if args.command == "examples":
        return examples()
    from stepnet import bundled
    from stepnet import scenario as scenario_file
    from stepnet.errors import ScenarioError

    try:
        scenario = scenario_file.load(bundled.resolve(args.file), _limits(args))
    except ScenarioError as e:
        print(f"stepnet: {e}", file=sys.stderr)
        return BAD_INPUT
    if too_much := _too_much_work(scenario, args, _limits(args)):
        print(f"stepnet: {too_much}", file=sys.stderr)
        return BAD_INPUT
    if args.command is None:
        options = {"view": args.view, "iteration": args.iteration}
        if args.compare:
            try:
                options["comparison"] = _comparison(scenario, scenario.program, args)
            except ScenarioError as e:
                print(f"stepnet: {e}", file=sys.stderr)
                return BAD_INPUT
            options["trace"] = os.path.basename(args.compare)
        return _debug(scenario, args.theme, **options)
    command = {"trace": trace, "check": check, "gradcheck": gradcheck, "train": train, "export": export,
               "compare": compare}
    debugger = scenario.debugger()
    refusal = _refusal(debugger.program, args.command)
    if refusal:
        print(f"stepnet: {scenario.path}: {refusal}", file=sys.stderr)
        return BAD_INPUT
    status = command[args.command](scenario, debugger, args)
    if debugger.fault:
        print(f"warning: {debugger.fault.describe()}", file=sys.stderr)
    return status


def _too_much_work(scenario: Scenario, args: argparse.Namespace, limits: Limits) -> ScenarioError | None:
    """The refusal of a command whose work, parameters × iterations, is beyond `limits.work`,
    with its estimate; None if it is within. The gradient check counts each parameter's two
    nudged forward passes as iterations; compare's iterations are its trace's (traces.py)."""
    from stepnet.errors import ScenarioError
    from stepnet.limits import parameters

    n = parameters(scenario.model)
    field = ""
    if args.command == "check":
        last = max(scenario.expectations, key=lambda e: e.iteration, default=None)
        iterations, why = (last.iteration, "the iterations up to the last [[expect]]") if last else (0, "")
        field = f"{last.where}.iteration" if last else ""
    elif args.command == "gradcheck":
        iterations, why = args.iteration + 2 * n, "an iteration per parameter nudged each way"
    elif args.command in ("trace", "train"):
        iterations, why = args.iterations, "--iterations"
    elif args.command == "export":
        iterations, why = args.iterations or args.iteration or 1, "the iterations written out"
    elif args.command is None:
        iterations, why = args.iteration or 1, "--iteration"
    else:
        return None
    refusal = limits.too_much_work(args.command or "the debugger", n, iterations, why)
    return ScenarioError(scenario.path, field, refusal) if refusal else None


def _refusal(program: Program, command: str) -> str | None:
    """Why `command` cannot run on a scenario whose iterations stop early or change nothing;
    None if it can."""
    if command == "gradcheck" and not program.has_loss:
        return f"gradcheck needs a [loss] to take gradients of; this scenario stops {program.stops}"
    if command == "train" and not program.trains:
        return f"train needs a [loss] and an [optimizer]; this scenario stops {program.stops}"
    if command == "train" and program.untrainable:
        return f"nothing to train: {program.untrainable}"
    return None


def _debug(scenario: Scenario | None, theme: str | None = None, **options: Any) -> int:
    """The terminal debugger on `scenario`, or with none on an example the user picks;
    `options` are StepnetApp's (the view it opens in, …)."""
    from stepnet.tui.app import StepnetApp

    app = StepnetApp(scenario, theme, **options)
    app.run()
    return app.return_code or OK  # Textual sets 1 when the app died of an error


def examples() -> int:
    from stepnet import bundled

    shown = bundled.examples()
    width = max(len(e.name) for e in shown)
    for e in shown:
        print(f"{e.name:<{width}}  {e.title}")
        print(f"{'':<{width}}  {e.summary}")
    print(f"\n`stepnet NAME` opens one in the debugger; `stepnet check NAME` (or trace, gradcheck, train,\n"
          f"export) runs it headless; its folder compare/ holds NumPy code to try `stepnet compare` on\n"
          f"(the README's \"Compare your own implementation\"). The files, to copy and change: {bundled.DIRECTORY}")
    return OK


def trace(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    if args.format == "json":
        return _trace_json(scenario, d, args.iterations)
    from stepnet.engine.notation import compact, formatter

    fmt = formatter(args.digits)
    names = scenario.notation.names
    for _ in range(args.iterations * d.n_ops):
        op = d.step()
        layer = f"L{op.layer}" if op.layer is not None else "  "
        formula = names.annotate(op.formula, op.output, ())  # the source's names beside stepnet's
        print(f"{d.position:>5}  it {d.iteration:<3} {op.phase:<8} {layer:<3} {formula}")
        print(f"{'':>22}→ {compact(d.values[op.output], fmt)}")
        for line in names.lines(op.output, d.values[op.output], fmt):
            print(f"{'':>24}{line}")
    return OK


def _trace_json(scenario: Scenario, d: Debugger, iterations: int) -> int:
    """`{"title", "steps": [{"index", "iteration", "phase", "layer", "output", "formula",
    "value"}], "final": {name: value}}`, each step written as soon as it is done."""
    from stepnet.jsonout import dumps, numbers, object_of, stdout_blocks

    final = set(d.parameters())
    written: dict[object, tuple[np.ndarray, bytes]] = {}  # a parameter → its last value, and as JSON

    def json_of(output: object, value: np.ndarray) -> bytes:
        """A final parameter is the array its last update wrote: encoded once."""
        last = written.get(output)
        if last is not None and last[0] is value:
            return last[1]
        encoded = dumps(numbers(value))
        if output in final:
            written[output] = value, encoded
        return encoded

    with stdout_blocks() as out:
        out.write(b'{"title":' + dumps(scenario.title) + b',"steps":[')
        for k in range(iterations * d.n_ops):
            op = d.step()
            fields = {"index": d.position, "iteration": d.iteration, "phase": op.phase, "layer": op.layer,
                      "output": str(op.output), "formula": op.formula}
            out.write(b"," * (k > 0))
            out.writelines(object_of([*((key, dumps(v)) for key, v in fields.items()),
                                      ("value", json_of(op.output, d.values[op.output]))]))
        out.write(b'],"final":')
        out.writelines(object_of((str(name), json_of(name, value)) for name, value in d.parameters().items()))
        out.write(b"}\n")
    return OK


def _of(passed: int, total: int, noun: str) -> str:
    """`9 of 9 figures`, `0 of 1 figure`; all of one is `1 figure`."""
    from stepnet.fields import count

    return count(total, noun) if passed == total == 1 else f"{passed:,} of {count(total, noun)}"


def check(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    """Each figure ✓ or ✗ in the order the iterations produce them, the cause of each one
    contradicted, the roots; or all of it as JSON."""
    from stepnet.engine.judge import judge
    from stepnet.engine.notation import compact, formatter

    findings = judge(d, scenario.expectations, scenario.notation.rounding)
    if args.format == "json":
        _check_json(scenario, findings)
    elif not scenario.expectations:
        print(f"{scenario.path}: no [[expect]] figures to check")
    else:
        fmt, names = formatter(12), scenario.notation.names
        labels = [f"{names.beside(v.expectation.name, v.expectation.index)} @ iteration {v.expectation.iteration}"
                  for v in findings.in_order()]
        width = max(28, *map(len, labels))
        print(scenario.title)
        for label, v in zip(labels, findings.in_order()):
            e, o = v.expectation, v.outcome
            print(f"{'✓' if v.ok else '✗'} {label:<{width}} stated {compact(e.value, fmt)}  "
                  f"{'exact' if v.ok and not o.ok else 'computed'} {compact(o.computed, fmt)}  "
                  f"|Δ| = {o.error:.2e} {'≤' if o.ok else '>'} {e.tolerance:g}")
            if words := v.words(names):
                print(f"    {words}")
        if summary := findings.summary(names):
            print(summary)
        if any(v.cause is not None and v.cause.id == "rounding" and not v.ok for v in findings.verdicts):
            print('(the source rounds: [notation] rounding = "stated" confirms what differs only by rounding)')
        within = sum(v.ok and not v.outcome.ok for v in findings.verdicts)
        print(f"{_of(findings.confirmed, len(findings.verdicts), 'figure')} confirmed"
              + (f" ({within} within the source's rounding)" if within else "")
              + (f", {findings.contradicted} contradicted" if findings.contradicted else ""))
    return FAILED if findings.contradicted else OK


def _check_json(scenario: Scenario, findings: Findings) -> None:
    """`{"title", "figures": [{"name", "quantity", "index", "iteration", "stated", "computed",
    "tolerance", "ok", "cause", "inherits_from"}], "confirmed", "contradicted"}`, the figures
    in the order the iterations produce them."""
    from stepnet.jsonout import dumps, numbers

    figures = [{"name": e.written or str(e.name), "quantity": str(e.name),
                "index": None if e.index is None else list(e.index), "iteration": e.iteration,
                "stated": numbers(e.value), "computed": numbers(v.outcome.computed), "tolerance": e.tolerance,
                "ok": v.ok, "cause": v.cause.id if v.cause else None,
                "inherits_from": v.inherits_from.reference if v.inherits_from else None}
               for v in findings.in_order() for e in [v.expectation]]
    sys.stdout.write(dumps({"title": scenario.title, "figures": figures, "confirmed": findings.confirmed,
                            "contradicted": findings.contradicted}).decode() + "\n")


def compare(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    """Each recorded value ✓ or ✗ in operation order, and the first divergence with its cause;
    or all of it as JSON. A trace that cannot be compared is bad input."""
    from stepnet import compared
    from stepnet.errors import ScenarioError
    from stepnet.jsonout import dumps

    try:
        comparison = _comparison(scenario, d.program, args)
    except ScenarioError as e:
        print(f"stepnet: {e}", file=sys.stderr)
        return BAD_INPUT
    if args.format == "json":
        sys.stdout.write(dumps(compared.json_object(scenario.title, comparison)).decode() + "\n")
    else:
        sys.stdout.write(compared.text(scenario.title, comparison, scenario.notation.names, args.digits))
    return OK if comparison.first is None else FAILED


def _comparison(scenario: Scenario, program: Program, args: argparse.Namespace) -> Comparison:
    """The trace (`compare`'s TRACE, the debugger's --compare) compared with the program's
    values at the tolerances given; a ScenarioError naming the file and the array if it cannot be."""
    from pathlib import Path

    from stepnet import traces
    from stepnet.engine.comparison import Tolerance

    return traces.comparison(Path(args.compare if args.command is None else args.trace), program, scenario.notation,
                             Tolerance(args.rtol, args.atol), _limits(args))


def gradcheck(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    d.goto((args.iteration - 1) * d.n_ops + 1)  # into iteration K: its batch is loaded
    results = d.gradient_check(eps=args.eps)
    print(f"{scenario.title}: gradient check at the start of iteration {args.iteration} "
          f"(central differences (J(θ + ε) − J(θ − ε))/2ε, step ε = {args.eps:g})")
    print(f"{'':2}{'parameter':<10} {'checked':>12} {'max rel. error':>15} {'judged: beyond rounding':>24} "
          f"{'worst element':>14} {'numeric':>14} {'backprop':>14}")
    bad = unjudged = 0
    for r in results:
        if not r.judged:  # every element checked straddles a kink
            unjudged += 1
            print(f"– {r.name:<10} {f'{r.checked}/{r.size}':>12}  not judged: each element's ±ε crosses "
                  "an activation's kink (z = 0), where the difference quotient measures neither side")
            continue
        ok = r.passes(args.tolerance)
        bad += not ok
        index = "[" + ",".join(map(str, r.worst_index)) + "]" if r.worst_index else "—"  # — : a scalar
        kinks = f"  ({r.at_kink} at a kink, not judged)" if r.at_kink else ""
        verdict = f"{r.excess_error:.2e} {'≤' if ok else '>'} {args.tolerance:g}"  # the error judged, by the tolerance
        print(f"{'✓' if ok else '✗'} {r.name:<10} {f'{r.checked}/{r.size}':>12} {r.relative_error:>15.2e} "
              f"{verdict:>24} {index:>14} {r.numeric:>14.6e} {r.backprop:>14.6e}{kinks}")
    judged = len(results) - unjudged
    print(f"{_of(judged - bad, judged, 'parameter')} within relative error {args.tolerance:g} "
          f"beyond the difference quotient's rounding error, 8·ε_machine·max(1, |J|)/ε"
          + (f"; {unjudged} not judged (at a kink)" if unjudged else ""))
    return FAILED if bad else OK


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr when it is a terminal (lines printed meanwhile go above it)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("training", total=total)
        yield lambda done: bar.update(task, completed=done)


#: the width of a figure written with 6 significant digits, as wide as -1.23457e-05
WIDE = 12


def train(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    from stepnet.engine.model import Model
    from stepnet.engine.training import evaluation_cost, report_spacing
    from stepnet.engine.training import train as run_training

    every = args.report_every if args.report_every is not None else report_spacing(d.program, args.iterations)
    data = scenario.data
    graph = not isinstance(scenario.model, Model)
    if graph:  # the objective itself, and the gradient of each parameter
        weights = scenario.model.trained_parameters()
        print(f"{scenario.title}: {args.iterations:,} iterations")
        print("J before: the mean of the iterations' J since the line before, each before its update;\n"
              "J after: with the parameters after the iteration; |∂J/∂θ|: the gradient the iteration applied")
        header = f"{'iteration':>9}  {'J before':>{WIDE}}  {'J after':>{WIDE}}"
    else:
        weights = [name for name in scenario.model.parameter_names() if name.kind == "W"]
        print(f"{scenario.title}: {args.iterations:,} iterations, batches of {data.batch_size:,} "
              f"of {data.samples:,} samples")
        if args.report_every is None and every > max(1, args.iterations // 10):
            cost = evaluation_cost(d.program)
            lines = "one line, after the last iteration: it evaluates" if every == args.iterations else \
                f"a line every {every:,} iterations and after the last: each evaluates"
            print(f"{lines} every sample ({data.samples:,}), the work of "
                  f"~{f'{cost:,.0f}' if cost >= 10 else f'{cost:.2g}'} iterations (--report-every K to choose)")
        print("batch loss: the mean of the iterations' losses since the line before, each before its update;\n"
              "loss, accuracy: over all samples, with the parameters after the iteration (a forward pass);\n"
              "‖∂J/∂W‖: of the gradient the iteration applied, over its own batch")
        header = f"{'iteration':>9}  {'batch loss':>{WIDE}}  {'loss':>{WIDE}}  {'accuracy':>8}"
    labels = {name: f"|∂J/∂{name}|" if graph else f"‖∂J/∂{name}‖" for name in weights}
    widths = {name: max(10, len(label)) for name, label in labels.items()}  # as wide as -1.234e-05, or its label
    print(header + "".join(f"  {labels[name]:>{widths[name]}}" for name in weights))
    last = None
    with _progress_bar(args.iterations) as progress:
        for report in run_training(d, args.iterations, every, progress):
            e = report.evaluation
            accuracy = "" if graph else f"  {_percent(e.accuracy):>8}"
            print(f"{report.iteration:>9}  {report.batch_loss:>{WIDE}.6g}  {e.loss:>{WIDE}.6g}{accuracy}"
                  + "".join(f"  {e.gradient_norms[name]:>{widths[name]}.3e}" for name in weights))
            last = report
    assert last is not None  # train() reports at least once: iterations ≥ 1
    e = last.evaluation
    accuracy = "" if e.accuracy is None else (
        f", accuracy {_percent(e.accuracy)} ({round(e.accuracy * data.samples):,} of {data.samples:,} samples)")
    parameters = "".join(f", {name} = {float(d.values[name]):.6g}" for name in weights) if graph else ""
    print(f"final after {last.iteration} iterations: {'J' if graph else 'loss'} {e.loss:.6g}{accuracy}{parameters}")
    return OK


def _percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{100 * fraction:.2f} %"


def export(scenario: Scenario, d: Debugger, args: argparse.Namespace) -> int:
    from stepnet.export import FORMATS
    from stepnet.export import export as write_out
    from stepnet.export.render import notebook
    from stepnet.export.scope import ExportError, Mode, Request, Scope, neuron, operation
    from stepnet.files import target, why_not_written, write_atomically

    def refuse(message: str) -> int:
        print(f"stepnet: {message}", file=sys.stderr)
        return BAD_INPUT

    fmt = args.format or next((f for f, ext in FORMATS.items() if (args.output or "").endswith(ext)), "markdown")
    if args.blank is not None and not (args.exercise or args.answers):
        return refuse("--blank says what an --exercise or its --answers leave blank: add one of them")
    if (args.op or args.neuron) and args.iterations:
        return refuse(f"{'--op' if args.op else '--neuron'} writes out one iteration: choose it with --iteration K")
    if fmt == "notebook" and not notebook.available():
        return refuse(notebook.MISSING)
    overwrite = "add --force to overwrite it"
    try:
        if args.output is not None:  # checked before the work, and again as it is written
            target(args.output, args.force)
    except OSError as e:
        return refuse(why_not_written(args.output, e, overwrite))
    first = args.iteration or 1
    try:
        scope = Scope(first, args.iterations or first,
                      operation(args.op, d.ops, scenario.notation.names) if args.op else None,
                      neuron(args.neuron, scenario.model) if args.neuron else None)
        mode: Mode = "exercise" if args.exercise else "answers" if args.answers else "worked"
        text = write_out(scenario, Request(scope, mode, args.blank, args.digits), fmt, d)
    except ExportError as e:
        return refuse(f"{scenario.path}: {e}")
    if args.output is None:
        sys.stdout.write(text)
        return OK
    try:
        write_atomically(args.output, text, overwrite=args.force)
    except OSError as e:
        return refuse(why_not_written(args.output, e, overwrite))
    return OK
