"""What the debugger remembers between runs (the theme), in a file under the user's
configuration directory: `$XDG_CONFIG_HOME/stepnet/settings.json` (`~/.config/…` by
default, `%APPDATA%\\stepnet\\…` on Windows), written atomically. A missing or unreadable
file is an empty one: nothing the user typed is lost by ignoring it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from stepnet.files import write_atomically


def path() -> Path:
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "stepnet" / "settings.json"


def load() -> dict[str, object]:
    try:
        settings = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return settings if isinstance(settings, dict) else {}


def save(**changes: object) -> None:
    """Write the settings with `changes` made, atomically. A file linked from elsewhere (as
    dotfile managers such as stow and chezmoi install it) is written where it links, as
    `load` reads it, when that is a regular file; any other link is refused (files.target)."""
    settings = {**load(), **changes}
    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    linked = Path(os.path.realpath(file))
    write_atomically(linked if linked.is_file() else file, json.dumps(settings, indent=2) + "\n", overwrite=True)


def themes() -> list[str]:
    """The themes offered: Textual's, but those in the terminal's own colours (ANSI), whose
    contrast cannot be known (see palette.py)."""
    from textual.theme import BUILTIN_THEMES  # Textual: only for the debugger

    return sorted(name for name, theme in BUILTIN_THEMES.items() if not theme.ansi)


def theme_name(name: str) -> str:
    """An argparse type: one of the themes offered."""
    if name not in themes():
        raise argparse.ArgumentTypeError(f"no theme {name!r}; expected one of {', '.join(themes())}")
    return name
