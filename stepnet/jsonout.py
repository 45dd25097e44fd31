"""JSON for the engine's arrays, fast: orjson writes a float64 array from its memory in C
(the standard library's encoder walks it in Python, element by element), with every
float in its shortest form that reads back to the same number; NaN and ±Inf, which JSON
cannot hold, become the strings "nan", "inf" and "-inf".
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import numpy as np
import orjson

#: standard output is written in blocks of this many bytes, whatever PYTHONUNBUFFERED says
BLOCK = 1 << 20


def numbers(value: np.ndarray | float) -> np.ndarray | float | str | list:
    """`value` as `dumps` writes it: a float64 array as it is (C order), a scalar as a float;
    with a NaN or ±Inf in it, nested lists of floats and those strings."""
    array = np.asarray(value, dtype=np.float64)
    finite = np.isfinite(array)
    if array.ndim == 0:
        return float(array) if finite else str(float(array))
    if finite.all():
        return np.ascontiguousarray(array)
    mixed = array.astype(object)
    mixed[~finite] = [str(x) for x in array[~finite].tolist()]
    return mixed.tolist()


def dumps(value: object) -> bytes:
    """`value` as UTF-8 JSON; arrays from `numbers`."""
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)


def object_of(members: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """A JSON object of values already encoded, in pieces to write one after another: a
    large value is written as it is, not copied into a larger document."""
    yield b"{"
    for k, (key, value) in enumerate(members):
        yield b"," * (k > 0) + dumps(key) + b":"
        yield value
    yield b"}"


@contextmanager
def stdout_blocks() -> Iterator[BinaryIO]:
    """Standard output for bytes, written in blocks of BLOCK bytes: unbuffered
    (PYTHONUNBUFFERED, `python -u`), every small write would be a system call."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError):  # not a file, e.g. a test's capture: its own buffer
        yield sys.stdout.buffer
        return
    with open(fd, "wb", buffering=BLOCK, closefd=False) as out:
        yield out
