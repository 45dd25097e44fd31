"""`stepnet train` benchmark: iterations per second on scenarios/mnist_shape.toml.

Times what the command runs once the scenario is loaded — a debugger, then
`stepnet.engine.training.train` (the fast path through `Debugger.run_iterations`) with
its final report over the whole data set — once as when stderr is not a terminal (one
fast-path call per report) and once with a progress callback (the chunks the progress
bar needs). Each is given as a ratio to a plain NumPy loop of the same math measured in
the same run: 784-64-10 ReLU/softmax, cross-entropy, SGD on batches of 32 in file order,
then the loss, accuracy and gradient over the data set. Rounds are interleaved so load
on the machine hits all alike; medians are reported. Target: ≤ 1.2× plain NumPy.

    python bench/train.py [--rounds 9] [--iterations 300]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from stepnet import scenario as scenario_file
from stepnet.engine.training import train

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "mnist_shape.toml"


def command_path(s: scenario_file.Scenario, iterations: int, progress: bool) -> dict[str, np.ndarray]:
    """What `stepnet train FILE -n N --report-every N` does after loading the file."""
    d = s.debugger()
    for _ in train(d, iterations, iterations, progress=(lambda done: None) if progress else None):
        pass
    return d.parameters()


def plain_numpy(s: scenario_file.Scenario, iterations: int) -> dict[str, np.ndarray]:
    """The same math as a textbook loop: no engine, no bookkeeping."""
    W1, b1, W2, b2 = (s.model.initial[k] for k in ("W1", "b1", "W2", "b2"))
    x_all, y_all = s.data.inputs, s.data.targets
    lr, B, n = s.model.optimizer.learning_rate, s.data.batch_size, s.data.samples
    batches = -(-n // B)

    def gradients(x, y, W1, b1, W2, b2):
        z1 = x @ W1.T + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2.T + b2
        e = np.exp(z2 - z2.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.sum(y * np.log(np.clip(p, 1e-12, 1 - 1e-12))) / len(x)
        d2 = (p - y) / len(x)
        d1 = (d2 @ W2) * (z1 > 0)
        return loss, p, (d1.T @ x, d1.sum(axis=0), d2.T @ a1, d2.sum(axis=0))

    for k in range(iterations):
        start = (k % batches) * B
        _, _, (gW1, gb1, gW2, gb2) = gradients(x_all[start:start + B], y_all[start:start + B], W1, b1, W2, b2)
        W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
    # the final report: loss, accuracy and gradient norms over the data set
    loss, p, grads = gradients(x_all, y_all, W1, b1, W2, b2)
    _accuracy = np.mean(p.argmax(axis=1) == y_all.argmax(axis=1))
    _norms = [np.linalg.norm(g) for g in grads]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--iterations", type=int, default=300, help="iterations per timed run")
    args = p.parse_args()
    s = scenario_file.load(SCENARIO)
    runs = {
        "plain NumPy": lambda: plain_numpy(s, args.iterations),
        "stepnet train": lambda: command_path(s, args.iterations, progress=False),
        "  with progress bar": lambda: command_path(s, args.iterations, progress=True),
    }
    results = {name: run() for name, run in runs.items()}  # warm up, and compare the results
    drift = max(float(np.abs(results["stepnet train"][k] - results["plain NumPy"][k]).max()) for k in results["plain NumPy"])
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    base = statistics.median(times["plain NumPy"])
    print(f"{SCENARIO.name}: 784-64-10 ReLU/softmax, batch 32, {args.iterations} iterations and the final "
          f"report; median of {args.rounds} interleaved rounds")
    for name in runs:
        t = statistics.median(times[name])
        target = "" if name == "plain NumPy" else "  (target ≤ 1.2×)"
        print(f"  {name:<20} {args.iterations / t:9.0f} iterations/s   {t / base:5.2f}× plain NumPy{target}")
    print(f"  largest difference between the two final parameter sets: {drift:.1e}")


if __name__ == "__main__":
    main()
