"""Engine benchmark: one iteration of a 784-64-10 ReLU/softmax network, batch 32.

Prints the time of op-by-op stepping and of the fast path, each as a ratio to a plain
vectorized NumPy implementation of the same math measured in the same run (the machines
are shared and noisy: only ratios mean anything), and the history memory after 1,000
iterations. Targets: fast path ≤ 1.2×, op-by-op ≤ 3×, history ≤ 50 MB.

    python bench/engine.py [--rounds 15]
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)
import argparse
import time
from collections.abc import Callable

import numpy as np

import reference
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.debugger import Debugger
from stepnet.engine.losses import LOSSES
from stepnet.engine.model import Dataset, Layer, Model, Optimizer
from stepnet.engine.names import Name

BATCH, SAMPLES, LR = 32, 1024, 0.01


def setup() -> tuple[Model, Dataset]:
    rng = np.random.default_rng(0)
    initial = {
        Name("W", 1): rng.standard_normal((64, 784)) * np.sqrt(2 / (784 + 64)), Name("b", 1): np.zeros(64),
        Name("W", 2): rng.standard_normal((10, 64)) * np.sqrt(2 / (64 + 10)), Name("b", 2): np.zeros(10),
    }
    model = Model(784, (Layer(64, ACTIVATIONS.make("relu")), Layer(10, ACTIVATIONS.make("softmax"))),
                  LOSSES.make("cross_entropy"), "mean", Optimizer.of("sgd", LR), initial)
    data = Dataset(rng.random((SAMPLES, 784)), np.eye(10)[rng.integers(0, 10, SAMPLES)], BATCH)
    return model, data


# Each run gets what it starts from (parameters, or a fresh debugger with no history)
# built outside the timed section, and returns what to time.

def plain_numpy(model: Model, data: Dataset) -> Callable[[int], object]:
    initial = tuple(model.initial[Name.parse(k)] for k in ("W1", "b1", "W2", "b2"))
    return lambda n: reference.train(initial, data.inputs, data.targets, BATCH, n, LR)


def fast_path(model: Model, data: Dataset) -> Callable[[int], object]:
    return Debugger(model, data).parameters_after


def op_by_op(model: Model, data: Dataset) -> Callable[[int], object]:
    d = Debugger(model, data)
    return lambda n: [d.step() for _ in range(n * d.n_ops)]


def per_iteration(prepare, model: Model, data: Dataset, iterations: int) -> float:
    run = prepare(model, data)
    t = time.perf_counter()
    run(iterations)
    return (time.perf_counter() - t) / iterations


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--iterations", type=int, default=200, help="iterations per timed run")
    args = p.parse_args()
    model, data = setup()
    runs = {"plain NumPy": plain_numpy, "fast path": fast_path, "op by op": op_by_op}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for prepare in runs.values():  # warm up caches and BLAS threads
        per_iteration(prepare, model, data, 5)
    names = list(runs)
    for r in range(args.rounds):  # interleaved, and in turn first, so load and order hit all alike
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(per_iteration(runs[name], model, data, args.iterations))
    # the fastest round of each: noise on a shared machine only ever adds time (medians of the
    # same code moved 0.7–1.3× between runs)
    base = min(times["plain NumPy"])
    print(f"784-64-10 ReLU/softmax, batch {BATCH}: fastest of {args.rounds} rounds × {args.iterations} iterations")
    targets = {"fast path": 1.2, "op by op": 3.0}
    for name in runs:
        t = min(times[name])
        target = f"  (target ≤ {targets[name]}×)" if name in targets else ""
        print(f"  {name:<12} {t * 1e3:8.3f} ms/iteration   {t / base:5.2f}× plain NumPy{target}")

    d = Debugger(model, data)
    t = time.perf_counter()
    d.run_iterations(1000)
    elapsed = time.perf_counter() - t
    print(f"history after 1,000 iterations: {d.history_bytes / 2**20:.1f} MB (target ≤ 50 MB); "
          f"{elapsed:.2f} s to run them")


if __name__ == "__main__":
    main()
