"""`stepnet train` benchmark: iterations per second on scenarios/mnist_shape.toml.

Times what the command runs once the scenario is loaded — a debugger, then
`stepnet.engine.training.train` (the fast path through `Debugger.run_iterations`) with
its final report over the whole data set — once as when stderr is not a terminal (one
fast-path call per report) and once with a progress callback (the chunks the progress
bar needs). Each is given as a ratio to a plain NumPy loop of the same math measured in
the same run: 784-64-10 ReLU/softmax, cross-entropy, SGD on batches of 32 in file order,
then the loss, accuracy and gradient over the data set. Rounds are interleaved so load
on the machine hits all alike; the fastest round of each is reported (noise only adds
time; medians still moved 1.1–1.4× between runs). Target: ≤ 1.2× plain NumPy.

    python bench/train.py [--rounds 9] [--iterations 300]
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)
import argparse
import time
from pathlib import Path

import numpy as np

import reference
from stepnet import scenario as scenario_file
from stepnet.engine.names import Name
from stepnet.engine.training import train

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "mnist_shape.toml"


def command_path(s: scenario_file.Scenario, iterations: int, progress: bool) -> dict[str, np.ndarray]:
    """What `stepnet train FILE -n N --report-every N` does after loading the file."""
    d = s.debugger()
    for _ in train(d, iterations, iterations, progress=(lambda done: None) if progress else None):
        pass
    return {str(name): value for name, value in d.parameters().items()}


def plain_numpy(s: scenario_file.Scenario, iterations: int) -> dict[str, np.ndarray]:
    """The reference loop, then the final report: loss, accuracy and gradient norms over all samples."""
    x_all, y_all = s.data.inputs, s.data.targets
    initial = tuple(s.model.initial[Name.parse(k)] for k in ("W1", "b1", "W2", "b2"))
    params = reference.train(initial, x_all, y_all, s.data.batch_size, iterations, s.model.optimizer.learning_rate)
    _loss, p, grads = reference.gradients(x_all, y_all, params)
    _accuracy = np.mean(p.argmax(axis=1) == y_all.argmax(axis=1))
    _norms = [np.linalg.norm(g) for g in grads]
    return dict(zip(("W1", "b1", "W2", "b2"), params))


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
    names = list(runs)
    for r in range(args.rounds):  # interleaved, and in turn first, so load and order hit all alike
        for name in names[r % len(names):] + names[:r % len(names)]:
            t = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - t)
    # the fastest round of each: noise on a shared machine only ever adds time
    base = min(times["plain NumPy"])
    print(f"{SCENARIO.name}: 784-64-10 ReLU/softmax, batch 32, {args.iterations} iterations and the final "
          f"report; fastest of {args.rounds} interleaved rounds")
    for name in runs:
        t = min(times[name])
        target = "" if name == "plain NumPy" else "  (target ≤ 1.2×)"
        print(f"  {name:<20} {args.iterations / t:9.0f} iterations/s   {t / base:5.2f}× plain NumPy{target}")
    print(f"  largest difference between the two final parameter sets: {drift:.1e}")


if __name__ == "__main__":
    main()
