"""The one error a user's mistake produces: the file, the field, what was expected."""

from __future__ import annotations

from pathlib import Path


def one_line(text: str) -> str:
    """`text` with line breaks, terminal escapes and other unprintable characters escaped,
    so a hostile file cannot make its message span lines or drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioError(Exception):
    """A scenario that cannot be used; `str()` is the whole message shown to the user."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        self.path = one_line(str(path))
        self.field = one_line(field)
        self.message = one_line(message)
        super().__init__(f"{self.path}: {self.field}: {self.message}" if field else f"{self.path}: {self.message}")
