"""The one error a user's mistake produces: the file, the field, what was expected."""

from __future__ import annotations

from pathlib import Path


def printable(text: str) -> bool:
    """Whether `text` shows as it is written: no line break or tab, no control character (a
    terminal's escape), no invisible format character (U+202E turns the text after it around,
    U+200B is not seen)."""
    return text.isprintable()


def one_line(text: str) -> str:
    """`text` with its unprintable characters escaped, so a hostile file cannot make its
    message span lines, drive the terminal or read other than it is."""
    return "".join(c if printable(c) else repr(c)[1:-1] for c in text)


def shortened(text: str, most: int) -> str:
    """`text`, or its start and end around ` … ` when it is longer than `most` characters:
    a name or a list thousands of characters long would bury the message it is part of."""
    if len(text) <= most:
        return text
    keep = (most - 3) // 2
    return f"{text[:keep]} … {text[-keep:]}"


class ScenarioError(Exception):
    """A scenario that cannot be used; `str()` is the whole message shown to the user, one
    line of a readable length, whatever the file names or holds."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        self.path = shortened(one_line(str(path)), 200)
        self.field = shortened(one_line(field), 120)
        self.message = shortened(one_line(message), 600)
        super().__init__(f"{self.path}: {self.field}: {self.message}" if field else f"{self.path}: {self.message}")
