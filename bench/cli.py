"""Command-line benchmark: what a user waits for, end to end, in one run.

- `stepnet trace FILE --format json` against `--format text` (one iteration, standard
  output to a file, as `> trace.json` does) on the networks of `networks.py`: 2-2-2 (mazur),
  784-64-10 (mnist_shape), 784-256-256-10, 784-1024-1024-10 and 20 layers × 64. Target:
  JSON ≤ 2× text on 784-256-256-10 and 784-1024-1024-10.
- `stepnet compare` on the 784-64-10 example (examples/compare: the code with its bug, and
  fixed; three iterations, batches of 8) against `stepnet trace` of the same three
  iterations. Target: compare ≤ 1.5× trace.
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

from stepnet import bundled


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

    example = bundled.DIRECTORY / "compare"
    mlp = str(example / "mlp.toml")
    t = processes.fastest({"trace": [*processes.stepnet(), "trace", mlp, "--iterations", "3"],
                           **{f"compare {code}": [*processes.stepnet(), "compare", mlp, str(example / f"{code}.npz")]
                              for code in ("buggy", "fixed")}}, args.rounds, env, out)
    print(f"stepnet compare on the 784-64-10 example against stepnet trace of its 3 iterations, "
          f"fastest of {args.rounds} rounds: trace {t['trace'] * 1e3:.0f} ms")
    for code in ("buggy", "fixed"):
        print(f"  compare {code:<6} {t[f'compare {code}'] * 1e3:6.0f} ms  {t[f'compare {code}'] / t['trace']:5.2f}× "
              "trace  (target ≤ 1.5×)")

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
