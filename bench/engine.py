"""Engine benchmark: one iteration of a 784-64-10 ReLU/softmax network, batch 32.

Prints the time of op-by-op stepping and of the fast path, each as a ratio to a plain
vectorized NumPy implementation of the same math measured in the same run (the machines
are shared and noisy: only ratios mean anything), and the history memory after 1,000
iterations. Targets: fast path ≤ 1.2×, op-by-op ≤ 3×, history ≤ 50 MB.

    python bench/engine.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from stepnet.engine.activations import RELU, SOFTMAX
from stepnet.engine.debugger import Debugger
from stepnet.engine.losses import CROSS_ENTROPY
from stepnet.engine.model import Dataset, Layer, Model, Optimizer

BATCH, SAMPLES, LR = 32, 1024, 0.01


def setup() -> tuple[Model, Dataset]:
    rng = np.random.default_rng(0)
    initial = {
        "W1": rng.standard_normal((64, 784)) * np.sqrt(2 / (784 + 64)), "b1": np.zeros(64),
        "W2": rng.standard_normal((10, 64)) * np.sqrt(2 / (64 + 10)), "b2": np.zeros(10),
    }
    model = Model(784, (Layer(64, RELU), Layer(10, SOFTMAX)), CROSS_ENTROPY, "mean",
                  Optimizer("sgd", LR), initial)
    data = Dataset(rng.random((SAMPLES, 784)), np.eye(10)[rng.integers(0, 10, SAMPLES)], BATCH)
    return model, data


def plain_numpy(model: Model, data: Dataset, iterations: int) -> None:
    """The same math as a textbook loop: no engine, no bookkeeping."""
    W1, b1, W2, b2 = (model.initial[k] for k in ("W1", "b1", "W2", "b2"))
    x_all, y_all = data.inputs, data.targets
    for k in range(iterations):
        start = (k * BATCH) % SAMPLES
        x, y = x_all[start:start + BATCH], y_all[start:start + BATCH]
        z1 = x @ W1.T + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2.T + b2
        e = np.exp(z2 - z2.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        _loss = -np.sum(y * np.log(np.clip(p, 1e-12, 1 - 1e-12))) / BATCH
        d2 = (p - y) / BATCH
        gW2, gb2 = d2.T @ a1, d2.sum(axis=0)
        d1 = (d2 @ W2) * (z1 > 0)
        gW1, gb1 = d1.T @ x, d1.sum(axis=0)
        W1, b1, W2, b2 = W1 - LR * gW1, b1 - LR * gb1, W2 - LR * gW2, b2 - LR * gb2


def op_by_op(model: Model, data: Dataset, iterations: int) -> None:
    d = Debugger(model, data)
    for _ in range(iterations * d.n_ops):
        d.step()


def fast_path(model: Model, data: Dataset, iterations: int) -> None:
    Debugger(model, data).parameters_after(iterations)


def per_iteration(fn, model, data, iterations: int) -> float:
    t = time.perf_counter()
    fn(model, data, iterations)
    return (time.perf_counter() - t) / iterations


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--iterations", type=int, default=50, help="iterations per timed run")
    args = p.parse_args()
    model, data = setup()
    runs = {"plain NumPy": plain_numpy, "fast path": fast_path, "op by op": op_by_op}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for fn in runs.values():  # warm up caches and BLAS threads
        fn(model, data, 5)
    for _ in range(args.rounds):  # interleaved, so load on the machine hits all alike
        for name, fn in runs.items():
            times[name].append(per_iteration(fn, model, data, args.iterations))
    base = statistics.median(times["plain NumPy"])
    print(f"784-64-10 ReLU/softmax, batch {BATCH}: median of {args.rounds} rounds × {args.iterations} iterations")
    targets = {"fast path": 1.2, "op by op": 3.0}
    for name in runs:
        t = statistics.median(times[name])
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
