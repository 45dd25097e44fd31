"""Command-line benchmark: what a user waits for, end to end, in one run.

- `stepnet trace FILE --format json` against `--format text` (one iteration, standard
  output to a file, as `> trace.json` does) on the networks of `networks.py`: 2-2-2 (mazur),
  784-64-10 (mnist_shape), 784-256-256-10, 784-1024-1024-10 and 20 layers × 64. Target:
  JSON ≤ 2× text on 784-256-256-10 and 784-1024-1024-10.
- `stepnet --version` and `stepnet --help` against `python -c pass`. Target: ≤ 2 ×
  (python -c pass + 20 ms).

Each is a new process, timed as `processes.py` says (interleaved rounds, the fastest kept,
bytecode cached as for an installed stepnet).

    python bench/cli.py [--rounds 7]
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)
import argparse
import sys
import tempfile
from pathlib import Path

import networks
import processes


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp())
    env, out = processes.environment(folder), folder / "out"
    targets = ("784-256-256-10", "784-1024-1024-10")
    print(f"stepnet trace FILE, one iteration, end to end, output to a file; fastest of {args.rounds} rounds")
    print(f"  {'network':<18} {'text':>8} {'json':>8} {'json size':>10}  json/text")
    for name, path in networks.scenarios(folder).items():
        commands = {f: [*processes.stepnet(), "trace", str(path), "--format", f] for f in ("text", "json")}
        t = processes.fastest(commands, args.rounds, env, out)
        processes.timed(commands["json"], env, out)  # once more, for its size
        size = out.stat().st_size
        target = "  (target ≤ 2×)" if name in targets else ""
        print(f"  {name:<18} {t['text'] * 1e3:6.0f} ms {t['json'] * 1e3:6.0f} ms {size / 1e6:7.1f} MB"
              f"  {t['json'] / t['text']:5.2f}×{target}")

    start = processes.fastest({"python -c pass": [sys.executable, "-c", "pass"],
                               "stepnet --version": [*processes.stepnet(), "--version"],
                               "stepnet --help": [*processes.stepnet(), "--help"]}, args.rounds * 3, env, out)
    base = start["python -c pass"]
    print(f"start-up, fastest of {args.rounds * 3} rounds: python -c pass {base * 1e3:.0f} ms")
    for name in ("stepnet --version", "stepnet --help"):
        print(f"  {name:<18} {start[name] * 1e3:6.0f} ms  {start[name] / (base + 0.020):5.2f}× "
              f"(python -c pass + 20 ms)  (target ≤ 2×)")


if __name__ == "__main__":
    main()
