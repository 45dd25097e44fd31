"""Training data from files: `.npz` with arrays `inputs` and `targets`, or `.csv`.

CSV layout: one sample per row, numbers separated by commas; the first `network.inputs`
columns are the inputs, the rest the targets. A first row in which no cell is a number
is a header and is skipped. One target value per sample (a 1-D array, or a single target
column) is that unit's target when the output layer has one unit; with more units it must
be a whole-number class label, and is one-hot encoded to the output width.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stepnet.fields import Table, count
from stepnet.files import TooLarge, read_at_most
from stepnet.limits import DEFAULT, Limits


def load(table: Table, key: str, base: Path, inputs: int, outputs: int,
         limits: Limits = DEFAULT) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets from the file named by `table[key]`, relative to `base`.

    A file beyond the `limits` (samples, bytes) is refused before its arrays are read.
    """
    from stepnet import arrays  # (and zipfile) for a file only: inline data needs neither

    name = table.string(key)
    path = arrays.resolve(table, key, base, "data file", ".npz or .csv file")
    suffix = Path(name).suffix.lower()  # the name written, not a link's target: data.csv → store/3f9a…
    try:
        if suffix == ".npz":
            x, y = _npz(table, key, path, inputs, outputs, limits)
        elif suffix == ".csv":
            x, y = _csv(table, key, path, inputs, limits)
        else:
            raise table.error(key, f"expected a .npz or .csv file, got {name!r}")
    except OSError as e:
        raise table.error(key, f"cannot read {name!r}: {e.strerror or e}") from None
    if len(x) == 0:
        raise table.error(key, f"{path.name} holds no samples")
    return x, labels_to_one_hot(table, key, y, outputs)


def _npz(table: Table, key: str, path: Path, inputs: int, outputs: int,
         limits: Limits) -> tuple[np.ndarray, np.ndarray]:
    """The two arrays, their headers checked first so nothing oversized is allocated."""
    from stepnet import arrays

    def fail(message: str) -> Exception:
        return table.error(key, message)

    with arrays.archive(path, fail, "with arrays `inputs` and `targets`") as archive:
        held = arrays.members(archive)
        missing = [a for a in ("inputs", "targets") if a not in held]
        if missing:
            raise table.error(key, f"{path.name} has no array named {missing[0]!r} (an .npy member "
                                   f"{missing[0]}.npy, as numpy.savez writes; it holds: "
                                   f"{', '.join(held) or 'no arrays'})")
        widths = {"inputs": ((inputs,),), "targets": ((), (1,), (outputs,))}
        for name, allowed in widths.items():
            shape, dtype = arrays.header(archive, name)
            if problem := arrays.not_numbers(dtype):
                raise table.error(key, f"{path.name}: `{name}` must hold integers or floats, {problem}")
            if shape and shape[0] > limits.samples:
                raise table.error(key, limits.exceeded("samples", count(shape[0], "sample")))
            if not shape or shape[1:] not in allowed:
                expected = (f"samples × {inputs} (network.inputs)" if name == "inputs" else
                            f"samples × {outputs} (the last layer's units), or one "
                            f"{'class label' if outputs > 1 else 'value'} per sample")
                raise table.error(key, f"{path.name}: `{name}` must have shape {expected}, got shape {shape}")
        x, y = (arrays.read(archive, name, lambda message: fail(f"{path.name}: {message}"), limits)
                for name in ("inputs", "targets"))
    return x.astype(np.float64), y


def _csv(table: Table, key: str, path: Path, inputs: int, limits: Limits) -> tuple[np.ndarray, np.ndarray]:
    try:
        text = read_at_most(path, limits.data_bytes).decode("utf-8")
    except TooLarge as e:
        raise table.error(key, limits.exceeded("data_bytes", f"{path.name} has {e}")) from None
    except UnicodeDecodeError:
        raise table.error(key, f"{path.name} is not a UTF-8 text file") from None
    rows = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(rows) > limits.samples + 1:  # one may be a header
        raise table.error(key, limits.exceeded("samples", f"{len(rows) - 1:,} or more samples"))
    values: list[list[float]] = []
    for i, (n, line) in enumerate(rows):
        cells = [c.strip() for c in line.split(",")]
        numbers = [_float(c) for c in cells]
        if None in numbers:
            if i == 0 and numbers.count(None) == len(numbers):
                continue  # a header: not one cell is a number
            column = numbers.index(None)
            raise table.error(key, f"{path.name} line {n}: expected numbers separated by commas, "
                                   f"found {cells[column]!r} in column {column + 1}")
        values.append([x for x in numbers if x is not None])
        if len(values[-1]) != len(values[0]):
            raise table.error(key, f"{path.name} line {n}: {count(len(values[-1]), 'column')} where the first "
                                   f"sample has {len(values[0])}")
    if not values:
        raise table.error(key, f"{path.name} holds no samples")
    matrix = np.array(values)
    if matrix.shape[1] <= inputs:
        raise table.error(key, f"{path.name}: expected {count(inputs, 'input column')} followed by the targets, "
                               f"got {count(matrix.shape[1], 'column')}")
    return matrix[:, :inputs], matrix[:, inputs:]


def _float(cell: str) -> float | None:
    """A CSV cell as a number, or None when it is not one."""
    try:
        return float(cell)
    except ValueError:
        return None


def labels_to_one_hot(table: Table, key: str, y: np.ndarray, outputs: int) -> np.ndarray:
    """Targets as floats, one row per sample. With one output unit, one value per sample is its
    target; with more, it is a class label (a whole number) and becomes a one-hot row."""
    if outputs == 1:
        return (y[:, None] if y.ndim == 1 else y).astype(np.float64)
    labels = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
    if labels.ndim == 1:
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise table.error(key, "targets given as one value per sample must be whole class labels")
        if labels.min() < 0 or labels.max() >= outputs:
            raise table.error(key, f"class labels must be in 0…{outputs - 1} (the output layer has "
                                   f"{outputs} units), found {int(labels.min())}…{int(labels.max())}")
        return np.eye(outputs)[labels.astype(int)]
    return y.astype(np.float64)
