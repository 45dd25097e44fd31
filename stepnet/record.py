"""Record your own implementation's numbers for `stepnet compare` — it needs only NumPy.

    from stepnet.record import Recorder

    rec = Recorder("trace.npz")
    for iteration in range(1, 4):
        z1 = x @ W1.T + b1
        ...                                      # your forward pass, backward pass, update
        rec.log(iteration, z1=z1, a1=a1, delta2=delta2, W1=W1)   # W1 after this update
    rec.save()

Each array is stored as `<name>@<iteration>` (`z1@1`, `delta2@3`), in float64, in an .npz
file written atomically. Names are stepnet's quantities (z1, a1, loss, delta2, grad_W1, W1,
…) or, through the scenario's [notation.names], the ones your code uses.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from stepnet.files import write_atomically


class Recorder:
    """Collects named arrays per iteration and saves them as one .npz file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.arrays: dict[str, np.ndarray] = {}

    def log(self, iteration: int, **values: object) -> None:
        """Keep a copy of each value, as it is now, under `name@iteration`."""
        if isinstance(iteration, bool) or not isinstance(iteration, int | np.integer) or iteration < 1:
            raise ValueError(f"iteration must be a whole number from 1, got {iteration!r}")
        for name, value in values.items():
            key = f"{name}@{int(iteration)}"
            if key in self.arrays:
                raise ValueError(f"{key} is logged twice: log each quantity once per iteration")
            array = np.array(value, dtype=np.float64)  # a copy: later in-place changes do not reach it
            self.arrays[key] = array

    def save(self) -> Path:
        """Write every logged array to the file (all or nothing, replacing an older trace)."""
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **self.arrays)
        write_atomically(self.path, buffer.getvalue(), overwrite=True)
        return self.path
