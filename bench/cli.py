"""Command-line benchmark: what a user waits for, end to end, in one run.

- `stepnet trace FILE --format json` against `--format text` (one iteration, standard
  output to a file, as `> trace.json` does) on 2-2-2 (mazur), 784-64-10 (mnist_shape),
  784-256-256-10, 784-1024-1024-10 and a 20-layer network 64 units wide, batches of 32
  digits. Target: JSON ≤ 2× text on 784-256-256-10 and 784-1024-1024-10.
- `stepnet compare` on the 784-64-10 example (examples/compare: the code with its bug, and
  fixed; three iterations, batches of 8) against `stepnet trace` of the same three
  iterations. Target: compare ≤ 1.5× trace.
- `stepnet --version` and `stepnet --help` against `python -c pass`. Target: ≤ 2 ×
  (python -c pass + 20 ms).

Each is a new process, timed from its start to its end; rounds interleave the commands so
load on the machine hits all alike, and the fastest round of each is reported (noise only
adds time).

    python bench/cli.py [--rounds 7]
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stepnet import bundled

LAYER = '[[network.layers]]\nunits = {units}\nactivation = "{activation}"\ninit = "xavier"\n'
SCENARIO = """\
title = "{title}"
[network]
inputs = {inputs}
{layers}
[loss]
kind = "cross_entropy"
[optimizer]
kind = "sgd"
learning_rate = 0.01
[data]
file = {data}
batch_size = 32
"""


def digits_network(folder: Path, hidden: list[int], inputs: int) -> Path:
    """A ReLU network with a softmax over ten digits, on the bundled digits (8×8 or 28×28)."""
    title = "-".join(map(str, [inputs, *hidden, 10]))
    data = bundled.DIRECTORY / "data" / ("digits.npz" if inputs == 64 else "digits28.npz")
    layers = "".join(LAYER.format(units=u, activation="relu") for u in hidden)
    layers += LAYER.format(units=10, activation="softmax")
    path = folder / f"{title}.toml"
    path.write_text(SCENARIO.format(title=title, inputs=inputs, layers=layers, data=json.dumps(str(data))))
    return path


def stepnet() -> list[str]:
    """The command a user types: the installed script beside this Python, if there is one."""
    script = Path(sys.executable).parent / "stepnet"
    return [str(script)] if script.exists() else [sys.executable, "-m", "stepnet"]


def timed(command: list[str], out: Path) -> float:
    start = time.perf_counter()
    with out.open("wb") as f:
        status = subprocess.run(command, stdout=f).returncode
    if status not in (0, 1):  # 1: a check failed, or values differ — a whole run all the same
        raise SystemExit(f"{' '.join(command)} exited with {status}")
    return time.perf_counter() - start


def fastest(commands: dict[str, list[str]], rounds: int, out: Path) -> dict[str, float]:
    """The fastest of `rounds` interleaved runs of each command, in turn first."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(timed(commands[name], out))
    return {name: min(t) for name, t in times.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp())
    out = folder / "out"
    networks = {
        "2-2-2": bundled.DIRECTORY / "mazur.toml",
        "784-64-10": bundled.DIRECTORY / "mnist_shape.toml",
        "784-256-256-10": digits_network(folder, [256, 256], 784),
        "784-1024-1024-10": digits_network(folder, [1024, 1024], 784),
        "20 layers × 64": digits_network(folder, [64] * 19, 64),
    }
    targets = ("784-256-256-10", "784-1024-1024-10")
    print(f"stepnet trace FILE, one iteration, end to end, output to a file; fastest of {args.rounds} rounds")
    print(f"  {'network':<18} {'text':>8} {'json':>8} {'json size':>10}  json/text")
    for name, path in networks.items():
        t = fastest({f: [*stepnet(), "trace", str(path), "--format", f] for f in ("text", "json")}, args.rounds, out)
        timed([*stepnet(), "trace", str(path), "--format", "json"], out)  # once more, for its size
        size = out.stat().st_size
        target = "  (target ≤ 2×)" if name in targets else ""
        print(f"  {name:<18} {t['text'] * 1e3:6.0f} ms {t['json'] * 1e3:6.0f} ms {size / 1e6:7.1f} MB"
              f"  {t['json'] / t['text']:5.2f}×{target}")

    example = bundled.DIRECTORY / "compare"
    mlp = str(example / "mlp.toml")
    t = fastest({"trace": [*stepnet(), "trace", mlp, "--iterations", "3"],
                 **{f"compare {code}": [*stepnet(), "compare", mlp, str(example / f"{code}.npz")]
                    for code in ("buggy", "fixed")}}, args.rounds, out)
    print(f"stepnet compare on the 784-64-10 example against stepnet trace of its 3 iterations, "
          f"fastest of {args.rounds} rounds: trace {t['trace'] * 1e3:.0f} ms")
    for code in ("buggy", "fixed"):
        print(f"  compare {code:<6} {t[f'compare {code}'] * 1e3:6.0f} ms  {t[f'compare {code}'] / t['trace']:5.2f}× "
              "trace  (target ≤ 1.5×)")

    start = fastest({"python -c pass": [sys.executable, "-c", "pass"],
                     "stepnet --version": [*stepnet(), "--version"],
                     "stepnet --help": [*stepnet(), "--help"]}, args.rounds * 3, out)
    base = start["python -c pass"]
    print(f"start-up, fastest of {args.rounds * 3} rounds: python -c pass {base * 1e3:.0f} ms")
    for name in ("stepnet --version", "stepnet --help"):
        print(f"  {name:<18} {start[name] * 1e3:6.0f} ms  {start[name] / (base + 0.020):5.2f}× "
              f"(python -c pass + 20 ms)  (target ≤ 2×)")


if __name__ == "__main__":
    main()
