"""Training data from files: `.npz` with arrays `inputs` and `targets`, or `.csv`.

CSV layout: one sample per row, numbers separated by commas; the first `network.inputs`
columns are the inputs, the rest the targets. A first row that is not numeric is a
header and is skipped. Targets given as one integer class label per sample (a 1-D
integer array, or a single target column of whole numbers when the output layer has
more than one unit) are one-hot encoded to the output width.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from stepnet.fields import Table


def load(table: Table, key: str, base: Path, inputs: int, outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets from the file named by `table[key]`, relative to `base`."""
    name = table.string(key)
    path = (base / name).resolve()
    if not path.exists():
        raise table.error(key, f"data file {name!r} not found (looked for {path})")
    if path.is_dir():
        raise table.error(key, f"{name!r} is a directory, expected a .npz or .csv file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npz":
            x, y = _npz(table, key, path)
        elif suffix == ".csv":
            x, y = _csv(table, key, path, inputs)
        else:
            raise table.error(key, f"expected a .npz or .csv file, got {name!r}")
    except OSError as e:
        raise table.error(key, f"cannot read {name!r}: {e.strerror or e}") from None
    return x, labels_to_one_hot(table, key, y, outputs)


def _npz(table: Table, key: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [a for a in ("inputs", "targets") if a not in archive.files]
            if missing:
                raise table.error(key, f"{path.name} has no array named {missing[0]!r} "
                                       f"(it holds: {', '.join(archive.files) or 'nothing'})")
            x, y = archive["inputs"], archive["targets"]
    except (ValueError, zipfile.BadZipFile, EOFError):
        raise table.error(key, f"{path.name} is not a readable .npz array file "
                               "(object arrays are refused: they would need pickle)") from None
    if not (np.issubdtype(x.dtype, np.number) and np.issubdtype(y.dtype, np.number)):
        raise table.error(key, f"{path.name}: inputs and targets must be numeric arrays")
    if x.ndim != 2:
        raise table.error(key, f"{path.name}: `inputs` must be 2-D (samples × inputs), got shape {x.shape}")
    return x.astype(np.float64), y


def _csv(table: Table, key: str, path: Path, inputs: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise table.error(key, f"{path.name} is not a UTF-8 text file") from None
    rows = [line for line in text.splitlines() if line.strip()]
    values = []
    for n, line in enumerate(rows, start=1):
        cells = [c.strip() for c in line.split(",")]
        try:
            values.append([float(c) for c in cells])
        except ValueError:
            if n == 1:
                continue  # a header
            raise table.error(key, f"{path.name} line {n}: expected numbers separated by commas") from None
    if not values:
        raise table.error(key, f"{path.name} holds no samples")
    widths = {len(r) for r in values}
    if len(widths) != 1:
        raise table.error(key, f"{path.name}: rows have different numbers of columns ({sorted(widths)})")
    matrix = np.array(values)
    if matrix.shape[1] <= inputs:
        raise table.error(key, f"{path.name}: expected {inputs} input columns followed by the targets, "
                               f"got {matrix.shape[1]} columns")
    return matrix[:, :inputs], matrix[:, inputs:]


def labels_to_one_hot(table: Table, key: str, y: np.ndarray, outputs: int) -> np.ndarray:
    """Class labels (one whole number per sample) become one-hot rows; others pass as float."""
    labels = y.ravel() if y.ndim == 2 and y.shape[1] == 1 and outputs > 1 else y
    if labels.ndim == 1:
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise table.error(key, "targets given as one value per sample must be whole class labels")
        if labels.min() < 0 or labels.max() >= outputs:
            raise table.error(key, f"class labels must be in 0…{outputs - 1} (the output layer has "
                                   f"{outputs} units), found {int(labels.min())}…{int(labels.max())}")
        return np.eye(outputs)[labels.astype(int)]
    return y.astype(np.float64)
