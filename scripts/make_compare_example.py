"""Make stepnet/examples/compare/init.npz and the two traces beside it.

- init.npz: the 784-64-10 network's starting weights, as `x @ W + b` code keeps them
  (W fan_in × units): W1 ~ N(0, 2/784) (He), W2 ~ N(0, 2/(64 + 10)) (Xavier), biases 0,
  drawn from numpy.random.default_rng(0); stored as float32 to keep the file at ~200 kB
  (buggy.py, fixed.py and stepnet all read them as float64, so they start alike).
- buggy.npz, fixed.npz: what buggy.py and fixed.py record (three iterations, batches of 8).

    python scripts/make_compare_example.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

FOLDER = Path(__file__).resolve().parent.parent / "stepnet" / "examples" / "compare"


def main() -> None:
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((784, 64)) * np.sqrt(2 / 784)
    W2 = rng.standard_normal((64, 10)) * np.sqrt(2 / (64 + 10))
    np.savez(FOLDER / "init.npz", W1=W1.astype(np.float32), b1=np.zeros(64, np.float32),
             W2=W2.astype(np.float32), b2=np.zeros(10, np.float32))
    for code in ("buggy", "fixed"):
        subprocess.run([sys.executable, FOLDER / f"{code}.py", FOLDER / f"{code}.npz"], check=True)


if __name__ == "__main__":
    main()
