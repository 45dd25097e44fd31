"""Files read and written safely: read only up to a limit, whatever their size says; written
all or nothing, never over a file by accident, and only ever a regular file, in place of
nothing or of a regular file."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class TooLarge(Exception):
    """A file of more bytes than it may have; `str()` says how many: `12,345 bytes`, or `at
    least N bytes` when its size said fewer (it grew as it was read, or it is a /proc file,
    whose size is 0)."""


def read_at_most(path: str | Path, most: int) -> bytes:
    """The bytes of the file at `path`, or TooLarge when it holds more than `most`: refused
    by its size before it is read, and never more than `most` + 1 bytes read."""
    with Path(path).open("rb") as f:
        if (size := os.fstat(f.fileno()).st_size) > most:
            raise TooLarge(f"{size:,} bytes")
        # what its size says and a byte, to see it end; then what it grew by, a block at a time
        # (f.read(most + 1) would allocate all `most` bytes first)
        parts, held, ask = [], 0, size + 1
        while held <= most and (part := f.read(min(ask, most + 1 - held))):
            parts.append(part)
            held += len(part)
            ask = 1 << 16
    data = b"".join(parts)
    if len(data) > most:
        raise TooLarge(f"at least {most + 1:,} bytes")
    return data


class Unwritable(OSError):
    """A name that cannot be written to as a file; `str()` is the whole message, one line."""


def why_not_written(path: str | Path, error: OSError, instead: str = "") -> str:
    """Why `path` was not written, in one line: it exists (`instead` says what to do then), it
    is no regular file (Unwritable), or the system's reason (a folder read-only or full, …)."""
    if isinstance(error, Unwritable):
        return str(error)
    if isinstance(error, FileExistsError):  # `path`, or a folder on its way (a file in its place)
        return f"{error.filename or path} already exists" + (f"; {instead}" if instead else "")
    return f"cannot write {path}: {error.strerror or error}"


def target(path: str | Path, overwrite: bool = False) -> Path:
    """`path` as a file to write, checked before anything is made to write into it: a name
    (not empty, not ending in a separator, as a folder's does) that is nothing yet, or with
    `overwrite` a regular file. A link, a folder, a pipe or a device is Unwritable even with
    `overwrite` (writing would replace the link, or as root a device such as /dev/null, with a
    file); an existing file without `overwrite` is FileExistsError. A new file's folder must be
    there: a command refuses a mistyped folder before its work, not after."""
    name = os.fspath(path)
    if not name:
        raise Unwritable("cannot write to an empty name: give a file name")
    if name.endswith((os.sep, os.altsep or os.sep)):
        raise Unwritable(f"cannot write {name}: it ends in {name[-1]}, as a folder's name does; give a file name")
    try:
        mode = os.lstat(name).st_mode
    except (FileNotFoundError, NotADirectoryError):  # nothing there, or a file on the way
        folder = os.path.dirname(name)
        if folder and not os.path.isdir(folder):
            there = folder  # the nearest thing on the way that exists: a file in a folder's place?
            while there and not os.path.lexists(there):
                there = os.path.dirname(there)
            why = f"{there} is not a folder" if there and not os.path.isdir(there) else f"{folder} does not exist"
            raise Unwritable(f"cannot write {name}: {why}") from None
        return Path(name)
    if not stat.S_ISREG(mode):
        raise Unwritable(f"cannot write {name}: it is not a regular file (a link, a folder, a pipe or a "
                         "device), and stepnet writes only regular files")
    if not overwrite:
        raise FileExistsError(f"{name} already exists")
    return Path(name)


def typed(text: str) -> str:
    """A file name typed into a dialog: `~` expanded, relative to the working directory, and a
    trailing separator kept (which `Path` would drop) for `target` to refuse."""
    name = os.path.expanduser(text.strip())
    return name if os.path.isabs(name) else os.path.join(os.getcwd(), name)


def write_atomically(path: str | Path, content: str | bytes, overwrite: bool = False) -> None:
    """Write `content` (text as UTF-8) to `path` so a reader sees the old file or the whole
    new one, never a partial one: a temporary file in the same directory, then a rename.

    `path` is checked by `target` first. A file replaced keeps its permissions; a new one has
    a new file's. Without `overwrite`, an existing `path` raises FileExistsError and is left
    untouched (the final step is a hard link, which refuses to replace, where the file
    system has them).
    """
    import tempfile  # (and random) for a file written only: 10 ms of every command's start-up

    path = target(path, overwrite)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)  # mkstemp makes it 0600
        if overwrite:
            os.replace(tmp, path)
        else:
            _create_exclusively(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _create_exclusively(tmp: str, path: Path) -> None:
    try:
        os.link(tmp, path)  # atomic, and fails if path exists
    except FileExistsError:
        raise FileExistsError(f"{path} already exists") from None
    except OSError:  # no hard links here (some network and FAT file systems)
        if path.exists():
            raise FileExistsError(f"{path} already exists") from None
        os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
