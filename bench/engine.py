"""Engine benchmark: an iteration of op-by-op stepping and of the fast path, against the NumPy floor.

For each network of `networks.py` (2-2-2, 784-64-10, 784-256-256-10, 784-1024-1024-10, 20
layers × 64), with SGD and with Adam, three runs of the same iterations from the same
parameters:

- plain NumPy: `reference.py`, the textbook loop — the floor;
- fast path: `Debugger.parameters_after(n)` on a fresh debugger (what `run_iterations`,
  `train` and the training view run);
- op by op: `Debugger.step()` n × N times (what the debugger's keys and `stepnet trace` do).

Each is printed as time per iteration and as a ratio to the floor measured in the same run.
Targets: fast path ≤ 1.1× on 784-64-10 and 784-256-256-10 with SGD, ≤ 1.2× with Adam; op by
op ≤ 2× on 2-2-2 and 20 layers, ≤ 1.5× on 784-64-10. Then the history's memory after
1,000 iterations of 784-64-10 (target ≤ 50 MB).

Rounds interleave the runs and the fastest of each is kept (`timing.py`). A run lasts about
`--seconds`, the same number of iterations for the three runs of a network.

    python bench/engine.py [--rounds 5] [--seconds 0.05]
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)
import argparse
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

import networks
import reference
import timing
from stepnet import scenario
from stepnet.scenario import Scenario

TARGETS = {  # (rule, run, network): the largest ratio to the floor
    **{("sgd", "fast path", n): 1.1 for n in ("784-64-10", "784-256-256-10")},
    **{("adam", "fast path", n): 1.2 for n in ("784-64-10", "784-256-256-10")},
    **{(rule, "op by op", n): 2.0 for rule in ("sgd", "adam") for n in ("2-2-2", "20 layers × 64")},
    **{(rule, "op by op", "784-64-10"): 1.5 for rule in ("sgd", "adam")},
}


# Each run is prepared outside the timed section (parameters, or a fresh debugger with no
# history) and returns what to time: a function of the number of iterations.

Run = Callable[[int], list[np.ndarray]]  # n iterations, then the parameters [W1, b1, …]


def plain_numpy(s: Scenario) -> Run:
    params, net = networks.plain(s)
    rule = reference.RULES[s.model.optimizer.kind]
    x, y, batch, lr = s.data.inputs, s.data.targets, s.data.batch_size, s.model.optimizer.learning_rate
    return lambda n: rule(list(params), x, y, batch, n, lr, net)


def fast_path(s: Scenario) -> Run:
    d = s.debugger()

    def run(n: int) -> list[np.ndarray]:
        parameters = d.parameters_after(n)
        return [parameters[name] for name in s.model.parameter_names()]

    return run


def op_by_op(s: Scenario) -> Run:
    d = s.debugger()

    def run(n: int) -> list[np.ndarray]:
        for _ in range(n * d.n_ops):
            d.step()
        return [d.values[name] for name in s.model.parameter_names()]

    return run


RUNS = {"plain NumPy": plain_numpy, "fast path": fast_path, "op by op": op_by_op}


def identical(s: Scenario, n: int = 3) -> bool:
    """Whether the three runs end on the same parameters, bit for bit."""
    results = [[p.tobytes() for p in prepare(s)(n)] for prepare in RUNS.values()]
    return all(r == results[0] for r in results)


def seconds_per_iteration(prepare: Callable[[Scenario], Run], s: Scenario, n: int) -> float:
    run = prepare(s)
    start = time.perf_counter()
    run(n)
    return (time.perf_counter() - start) / n


def measure(s: Scenario, rounds: int, seconds: float) -> dict[str, float]:
    """The fastest seconds per iteration of each run."""
    for prepare in RUNS.values():  # warm up caches and allocator
        seconds_per_iteration(prepare, s, 2)
    n = max(2, round(seconds / seconds_per_iteration(plain_numpy, s, 3)))
    return timing.fastest({name: partial(seconds_per_iteration, prepare, s, n) for name, prepare in RUNS.items()},
                          rounds)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=0.05, help="length of a timed run of the floor")
    p.add_argument("--networks", nargs="+", choices=networks.NAMES, default=networks.NAMES, metavar="NAME",
                   help=f"some of {', '.join(networks.NAMES)}")
    p.add_argument("--rules", nargs="+", choices=("sgd", "adam"), default=("sgd", "adam"))
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp())
    print(f"time per iteration; ratio to plain NumPy in the same run; fastest of {args.rounds} interleaved rounds")
    print(f"  {'network':<18} {'rule':<5} {'plain NumPy':>12} {'fast path':>17} {'op by op':>17}  same bits")
    for rule in args.rules:
        for name, path in networks.scenarios(folder, rule).items():
            if name not in args.networks:
                continue
            s = scenario.load(path)
            t = measure(s, args.rounds, args.seconds)
            base = t["plain NumPy"]
            cells = []
            for run in ("fast path", "op by op"):
                target = TARGETS.get((rule, run, name))
                mark = "" if target is None else ("✓" if t[run] / base <= target else "✗") + f"≤{target}"
                cells.append(f"{t[run] / base:5.2f}× {mark:<6}")
            print(f"  {name:<18} {rule:<5} {base * 1e3:9.3f} ms {cells[0]:>17} {cells[1]:>17}  "
                  f"{'yes' if identical(s) else 'NO'}")

    s = scenario.load(networks.scenarios(folder)["784-64-10"])
    d = s.debugger()
    start = time.perf_counter()
    d.run_iterations(1000)
    elapsed = time.perf_counter() - start
    print(f"history after 1,000 iterations of 784-64-10: {d.history_bytes / 2**20:.1f} MB (target ≤ 50 MB); "
          f"{elapsed:.2f} s to run them")


if __name__ == "__main__":
    main()
