"""The one error a user's mistake produces: the file, the field, what was expected."""

from __future__ import annotations

from pathlib import Path


class ScenarioError(Exception):
    """A scenario that cannot be used; `str()` is the whole message shown to the user."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        self.path = str(path)
        self.field = field
        self.message = message
        super().__init__(f"{self.path}: {field}: {message}" if field else f"{self.path}: {message}")
