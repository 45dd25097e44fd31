"""The `stepnet` command: the debugger on a scenario, and the headless views of the engine.

    stepnet FILE                     the terminal debugger
    stepnet trace FILE               every operation, as text or JSON
    stepnet check FILE               the source's stated figures against the engine
    stepnet gradcheck FILE           backprop against finite differences

Exit status: 0 ok, 1 a check failed, 2 bad input (one message, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

import numpy as np

from stepnet import scenario as scenario_file
from stepnet.engine.expect import check as check_expectations
from stepnet.engine.notation import compact, formatter
from stepnet.errors import ScenarioError

COMMANDS = ("trace", "check", "gradcheck")
OK, FAILED, BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="stepnet",
        description="Step through backpropagation one operation at a time. "
        "`stepnet FILE` opens the debugger; the subcommands run headless.",
        epilog="Exit status: 0 ok, 1 a check failed, 2 bad input.",
    )
    limits = argparse.ArgumentParser(add_help=False)
    limits.add_argument("--max-parameters", type=int, default=scenario_file.MAX_PARAMETERS, metavar="N",
                        help="refuse networks with more parameters (default %(default)s)")
    limits.add_argument("--max-samples", type=int, default=scenario_file.MAX_SAMPLES, metavar="N",
                        help="refuse data sets with more samples (default %(default)s)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    t = sub.add_parser("trace", parents=[limits], help="print every operation of N iterations")
    t.add_argument("file")
    t.add_argument("--iterations", "-n", type=int, default=1, metavar="N")
    t.add_argument("--format", choices=("text", "json"), default="text")
    t.add_argument("--digits", type=int, default=9, help="significant digits in text (default 9)")
    c = sub.add_parser("check", parents=[limits], help="check the scenario's [[expect]] figures")
    c.add_argument("file")
    g = sub.add_parser("gradcheck", parents=[limits], help="compare backprop with finite differences")
    g.add_argument("file")
    g.add_argument("--iteration", type=int, default=1, metavar="K",
                   help="check at the parameters iteration K starts from (default 1)")
    g.add_argument("--tolerance", type=float, default=1e-5, help="largest relative error accepted (default 1e-5)")
    g.add_argument("--eps", type=float, default=1e-6, help="finite-difference step (default 1e-6)")
    return p


def _debugger_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stepnet", description="Open the backprop debugger on a scenario.")
    p.add_argument("file", help="a scenario .toml file")
    p.add_argument("--max-parameters", type=int, default=scenario_file.MAX_PARAMETERS, metavar="N")
    p.add_argument("--max-samples", type=int, default=scenario_file.MAX_SAMPLES, metavar="N")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        args = _debugger_parser().parse_args(argv)
        args.command = None
    else:
        args = _parser().parse_args(argv)
        if args.command is None:
            _parser().print_help()
            return BAD_INPUT
    try:
        scenario = scenario_file.load(args.file, args.max_parameters, args.max_samples)
    except ScenarioError as e:
        print(f"stepnet: {e}", file=sys.stderr)
        return BAD_INPUT
    if args.command is None:
        from stepnet.tui.app import StepnetApp

        StepnetApp(scenario).run()
        return OK
    try:
        return {"trace": trace, "check": check, "gradcheck": gradcheck}[args.command](scenario, args)
    except BrokenPipeError:  # `stepnet trace … | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK


def _jsonable(value: np.ndarray | float) -> object:
    """Nested lists of floats; NaN and ±Inf as the strings "nan", "inf", "-inf"."""
    arr = np.asarray(value, dtype=float)
    return arr.tolist() if np.isfinite(arr).all() else _strings(arr.tolist())


def _strings(v: object) -> object:
    if isinstance(v, list):
        return [_strings(x) for x in v]
    return v if np.isfinite(v) else str(v)


def trace(scenario: scenario_file.Scenario, args: argparse.Namespace) -> int:
    d = scenario.debugger()
    fmt = formatter(args.digits)
    steps = []
    for _ in range(max(0, args.iterations) * d.n_ops):
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
    if d.fault:
        print(f"warning: {d.fault.describe()}", file=sys.stderr)
    return OK


def check(scenario: scenario_file.Scenario, args: argparse.Namespace) -> int:
    if not scenario.expectations:
        print(f"{scenario.path}: no [[expect]] figures to check")
        return OK
    fmt = formatter(12)
    outcomes = check_expectations(scenario.debugger(), scenario.expectations)
    print(scenario.title)
    for o in outcomes:
        e = o.expectation
        mark = "✓" if o.ok else "✗"
        print(f"{mark} {e.label:<28} stated {compact(e.value, fmt)}  computed {compact(o.computed, fmt)}  "
              f"|Δ| = {o.error:.2e} {'≤' if o.ok else '>'} {e.tolerance:g}")
    failed = sum(not o.ok for o in outcomes)
    print(f"{len(outcomes) - failed} of {len(outcomes)} figures confirmed" + (f", {failed} contradicted" if failed else ""))
    return FAILED if failed else OK


def gradcheck(scenario: scenario_file.Scenario, args: argparse.Namespace) -> int:
    d = scenario.debugger()
    d.goto((args.iteration - 1) * d.n_ops + 1)  # into iteration K: its batch is loaded
    results = d.gradient_check(eps=args.eps)
    print(f"{scenario.title}: gradient check at the start of iteration {args.iteration} "
          f"(central differences, ε = {args.eps:g})")
    print(f"{'':2}{'parameter':<10} {'checked':>12} {'max rel. error':>15} {'worst element':>14} "
          f"{'numeric':>14} {'backprop':>14}")
    bad = 0
    for r in results:
        ok = r.relative_error <= args.tolerance
        bad += not ok
        index = "[" + ",".join(map(str, r.worst_index)) + "]"
        print(f"{'✓' if ok else '✗'} {r.name:<10} {f'{r.checked}/{r.size}':>12} {r.relative_error:>15.2e} "
              f"{index:>14} {r.numeric:>14.6e} {r.backprop:>14.6e}")
    print(f"{len(results) - bad} of {len(results)} parameters within relative error {args.tolerance:g}")
    return FAILED if bad else OK
