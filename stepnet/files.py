"""Writing output files safely: all or nothing, and never over a file by accident."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | Path, content: str | bytes, overwrite: bool = False) -> None:
    """Write `content` (text as UTF-8) to `path` so a reader sees the old file or the whole
    new one, never a partial one: a temporary file in the same directory, then a rename.

    Without `overwrite`, an existing `path` raises FileExistsError and is left untouched
    (the final step is a hard link, which refuses to replace, where the file system has them).
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; give it a new file's mode
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
