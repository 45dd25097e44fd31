""".npz array files a user names: a scenario's data and parameters, an implementation's trace.

A file is opened without pickle, and each array's header (shape, dtype) is read and checked
before its data, so a hostile or oversized file is refused before anything is allocated.
Every mistake is an exception made by the caller's `fail`, whose message names the file.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from numpy.lib import format as npy

from stepnet.fields import Table, did_you_mean
from stepnet.limits import Limits

#: what a broken or hostile .npz makes numpy and zipfile raise
ERRORS = (ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)
Fail = Callable[[str], Exception]


def resolve(table: Table, key: str, base: Path, what: str, kinds: str) -> Path:
    """The existing regular file that table[key] names, relative to `base`; `what` names it
    in a message ("data file"), `kinds` says what it should be (".npz or .csv file")."""
    name = table.string(key)
    try:
        path = (base / name).resolve()
        if not path.exists():
            raise table.error(key, f"{what} {name!r} not found (looked for {path})")
        if path.is_dir():
            raise table.error(key, f"{name!r} is a directory, expected a {kinds}")
        if not path.is_file():
            raise table.error(key, f"{name!r} is not a regular file, expected a {kinds}")
    except ValueError:  # a NUL character in the name
        raise table.error(key, f"{name!r} is not a valid file name") from None
    except RuntimeError:  # Path.resolve's "Symlink loop" (an OSError from Python 3.13)
        raise table.error(key, f"{name!r} is a loop of symbolic links, expected a {kinds}") from None
    except OSError as e:
        raise table.error(key, f"cannot read {name!r}: {e.strerror or e}") from None
    return path


@contextmanager
def archive(path: Path, fail: Fail, holding: str) -> Iterator[np.lib.npyio.NpzFile]:
    """The .npz archive at `path`, open; `holding` says what it should hold ("with arrays
    `inputs` and `targets`"). Whatever is not a readable archive is `fail(message)`, also
    when reading an array of it fails; an OSError is the caller's to report."""
    unreadable = f"{path.name} is not a readable .npz array file (expected one written by numpy.savez {holding})"
    try:
        # np.load reads a bare .npy (or anything not a zip archive) whole before it can be refused
        with path.open("rb") as f:
            if f.read(len(npy.MAGIC_PREFIX)) == npy.MAGIC_PREFIX:
                raise fail(f"{path.name} holds a single .npy array, expected an .npz archive {holding} "
                           "(numpy.savez)")
        if not zipfile.is_zipfile(path):
            raise fail(unreadable)
        with np.load(path, allow_pickle=False) as opened:
            yield opened
    except ERRORS:
        raise fail(unreadable) from None


def members(opened: np.lib.npyio.NpzFile) -> list[str]:
    """The names of the arrays in an open archive, as numpy.savez was given them (the
    archive's .npy members)."""
    assert opened.zip is not None  # open: we are inside its `with`
    return [n.removesuffix(".npy") for n in opened.zip.namelist() if n.endswith(".npy")]


def header(opened: np.lib.npyio.NpzFile, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from an .npy member's header, without reading its data."""
    return _header(opened, name)[:2]


def _header(opened: np.lib.npyio.NpzFile, name: str) -> tuple[tuple[int, ...], np.dtype, int]:
    """Shape, dtype and the bytes of data the archive holds after the header (for a
    compressed member, those its entry declares: all zipfile will decompress)."""
    assert opened.zip is not None  # open: we are inside its `with`
    with opened.zip.open(name + ".npy") as f:
        major, _ = npy.read_magic(f)
        shape, _, dtype = (npy.read_array_header_1_0 if major == 1 else npy.read_array_header_2_0)(f)
        return shape, dtype, opened.zip.getinfo(name + ".npy").file_size - f.tell()


def read(opened: np.lib.npyio.NpzFile, name: str, fail: Fail, limits: Limits) -> np.ndarray:
    """The array `name`, its header checked before numpy allocates what it declares: more
    bytes than `limits.data_bytes`, or than the archive holds of it, is `fail(message)`."""
    shape, dtype, held = _header(opened, name)
    declared = math.prod(shape) * dtype.itemsize
    described = f"`{name}` ({'×'.join(map(str, shape)) or 'a scalar'} of {dtype.str}, {declared:,} bytes)"
    if declared > limits.data_bytes:
        raise fail(limits.exceeded("data_bytes", described))
    if declared > held:
        raise fail(f"{described} holds only {held:,} bytes: the file is cut short or its header is wrong")
    return opened[name]


def not_numbers(dtype: np.dtype) -> str | None:
    """Why an array of `dtype` cannot be read as numbers (`found dtype |O …`); None if it can."""
    if dtype.kind in "iuf":
        return None
    why = " (object arrays are refused: loading them would run pickle)" if dtype.hasobject else ""
    return f"found dtype {dtype.str}{why}"


def named(table: Table, base: Path, check: Callable[[tuple[int, ...]], str | None], limits: Limits) -> np.ndarray:
    """The array a table `{ file = "init.npz", key = "W1" }` names, as float64: its file
    resolved relative to `base`; its dtype, its bytes (within `limits`), and its shape by
    `check` (what is wrong, or None), read from its header before its data."""
    path = resolve(table, "file", base, "parameter file", ".npz file")
    if Path(table.string("file")).suffix.lower() != ".npz":
        raise table.error("file", f"expected a .npz file (numpy.savez), got {table.string('file')!r}")
    key = table.string("key")
    try:
        with archive(path, lambda message: table.error("file", message), "of named arrays") as opened:
            held = members(opened)
            if key not in held:
                raise table.error("key", f"{path.name} has no array named {key!r}{did_you_mean(key, held)} "
                                         f"(it holds: {', '.join(held) or 'no arrays'})")
            shape, dtype = header(opened, key)
            if problem := not_numbers(dtype):
                raise table.error("key", f"{path.name}: `{key}` must hold integers or floats, {problem}")
            if problem := check(shape):
                raise table.error("key", f"{path.name}: `{key}`: {problem}")
            value = read(opened, key, lambda message: table.error("key", f"{path.name}: {message}"),
                         limits).astype(np.float64)
    except OSError as e:
        raise table.error("file", f"cannot read {path.name}: {e.strerror or e}") from None
    if not np.isfinite(value).all():
        raise table.error("key", f"{path.name}: `{key}` holds NaN or Inf")
    return value
