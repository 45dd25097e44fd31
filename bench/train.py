"""`stepnet train` benchmark: what a user waits for, at the command's defaults, in one run.

1. End to end from the command line: `stepnet train FILE -n N` with its default reporting,
   against `plain_train.py`, a plain NumPy script doing the same N iterations from the same
   weights (drawn as the scenario draws them, or as given) and then evaluating every sample
   once (loss and accuracy), each a new process,
   start-up included in both (see `processes.py`). Networks: 2-2-2 (mazur), 64-32-10 (digits,
   full batch), 784-64-10 (mnist_shape), 784-256-256-10, 784-1024-1024-10 and 20 layers × 64
   (batches of 32); N = 100 (the default) and 300 (what the examples suggest). The final
   loss of both is printed: the same figure, the same iterations. Target: ≤ 1.3×.
2. In the process, the engine alone as the training view (`i`) drives it: `train` with a
   progress callback and the view's 40 reports per run — every N/40 iterations as the view
   asks today, and spaced by `report_spacing(program, N, 40)` — against `train` as the
   command runs it after loading. The view's target is ≥ 0.8× the command's speed, drawing
   included; this measures what the engine leaves for the drawing.

    python bench/train.py [--rounds 5] [--iterations 100 300]
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)
import argparse
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

import networks
import processes
import timing
from stepnet import bundled, scenario
from stepnet.engine.training import report_spacing, train
from stepnet.scenario import Scenario

HERE = Path(__file__).resolve().parent
#: reports per run in the training view (stepnet/tui/screens/training.py)
VIEW_REPORTS = 40
DIGITS = "64-32-10 (digits)"
NAMES = ("2-2-2", DIGITS, *networks.NAMES[1:])


def spec(s: Scenario, path: Path, folder: Path) -> list[str]:
    """Writes what `plain_train.py` needs besides N; the arguments that follow N."""
    params, net = networks.plain(s)
    doc = tomllib.loads(path.read_text())
    data = doc["data"]
    if all(layer.get("init") == "xavier" and "bias" not in layer for layer in doc["network"]["layers"]):
        sizes = [s.model.inputs, *(layer.units for layer in s.model.layers)]
        arrays = {"sizes": np.array(sizes), "seed": doc.get("seed", 0)}  # the script draws them
    else:
        arrays = {str(name): params[i] for i, name in enumerate(s.model.parameter_names())}
    if "file" not in data:
        arrays |= {"inputs": s.data.inputs, "targets": s.data.targets}
    out = folder / f"{path.stem}.npz"
    np.savez(out, **arrays, hidden=net.hidden, output=net.output, trained=np.array(net.trained),
             rule=s.model.optimizer.kind, learning_rate=s.model.optimizer.learning_rate,
             batch_size=s.data.batch_size)
    return [str(out)] + ([str((path.parent / data["file"]).resolve())] if "file" in data else [])


def end_to_end(paths: dict[str, Path], iterations: list[int], rounds: int, folder: Path) -> None:
    env, out = processes.environment(folder), folder / "out"
    print(f"stepnet train FILE -n N at its default reporting, end to end, against a plain NumPy script; "
          f"fastest of {rounds} interleaved rounds")
    print(f"  {'network':<18} {'N':>4} {'plain NumPy':>11} {'stepnet train':>13} {'ratio':>6}   final loss "
          f"(plain, stepnet)")
    for name, path in paths.items():
        s = scenario.load(path)
        plain_args = spec(s, path, folder)
        for n in iterations:
            commands = {"plain": [sys.executable, str(HERE / "plain_train.py"), plain_args[0], str(n),
                                  *plain_args[1:]],
                        "stepnet": [*processes.stepnet(), "train", str(path), "-n", str(n)]}
            t = processes.fastest(commands, rounds, env, out)
            finals = []
            for command in commands.values():
                processes.timed(command, env, out)
                finals.append(out.read_text().splitlines()[-1].split("loss ")[1].split(",")[0])
            ratio = t["stepnet"] / t["plain"]
            print(f"  {name:<18} {n:>4} {t['plain'] * 1e3:8.0f} ms {t['stepnet'] * 1e3:10.0f} ms {ratio:5.2f}× "
                  f"{'✓' if ratio <= 1.3 else '✗'}  {finals[0]}, {finals[1]}")


def seconds_to_train(s: Scenario, n: int, every: int, watched: bool) -> float:
    """`train` on a fresh debugger: as the command runs it, or with the view's progress callback
    (which copies the batch losses for its curve)."""
    d = s.debugger()
    progress: Callable[[int], object] | None = (lambda done: d.losses[:]) if watched else None
    start = time.perf_counter()
    for _ in train(d, n, every, progress, adaptive=watched):
        pass
    return time.perf_counter() - start


def in_process(paths: dict[str, Path], n: int, rounds: int) -> None:
    print(f"\nthe engine alone, {n} iterations: train as the command runs it, and as the training view drives it "
          f"({VIEW_REPORTS} reports a run, with progress); fastest of {rounds} interleaved rounds")
    print(f"  {'network':<18} {'command':>12} {'view, every N/40':>22} {'view, report_spacing':>24}")
    for name, path in paths.items():
        s = scenario.load(path)
        program = s.debugger().program
        runs = {
            "command": (report_spacing(program, n), False),
            "view, every N/40": (max(1, n // VIEW_REPORTS), True),
            "view, report_spacing": (report_spacing(program, n, VIEW_REPORTS), True),
        }
        best = timing.fastest({run: partial(seconds_to_train, s, n, *runs[run]) for run in runs}, rounds)
        cells = [f"{n / best['command']:7.0f} it/s"]
        for run in list(runs)[1:]:
            cells.append(f"{n / best[run]:7.0f} it/s {best['command'] / best[run]:5.2f}×")
        print(f"  {name:<18} {cells[0]:>12} {cells[1]:>22} {cells[2]:>24}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--iterations", type=int, nargs="+", default=[100, 300])
    p.add_argument("--networks", nargs="+", choices=NAMES, default=NAMES, metavar="NAME",
                   help=f"some of {', '.join(NAMES)}")
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp())
    paths = networks.scenarios(folder)
    paths = {"2-2-2": paths.pop("2-2-2"), DIGITS: bundled.DIRECTORY / "digits.toml",
             "784-64-10": paths.pop("784-64-10"), **paths}
    paths = {name: path for name, path in paths.items() if name in args.networks}
    end_to_end(paths, args.iterations, args.rounds, folder)
    in_process(paths, max(args.iterations), args.rounds)


if __name__ == "__main__":
    main()
